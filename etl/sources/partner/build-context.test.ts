/**
 * The reader and the validator against the context the server builds from a real build
 * (`server/admin/publishing/validation-context.ts` on the database the global setup makes
 * from ../shared/data), so that codes, levels and parents line up with what is published.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDb, type Db } from '../../../server/db.ts';
import { validationContext } from '../../../server/admin/publishing/validation-context.ts';
import { mirrorFile } from '../../testing/mirror.ts';
import { testDbPath } from '../../testing/test-db.ts';
import { readPartnerTable } from './read-table.ts';
import { validateUpload } from './validate.ts';

describe.skipIf(!inject('testDataDir'))('validation against the context of the build made from ../shared/data', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb(testDbPath());
  });
  afterAll(() => db?.close());

  it('accepts the ANCT export: every commune of the file is a commune of the build', async () => {
    const table = await readPartnerTable(readFileSync(mirrorFile('anct-observatoire-territoires/logements-vacants-2022-communes-idf.csv')), 'anct.csv');
    const context = await validationContext(db.current(), { threshold: 5, geographyYear: table.geographyYear });
    const r = validateUpload(table, { codeColumn: 'Code', labelColumn: 'Libellé', level: 'commune', year: 2022, values: [{ column: 'Nombre de logements vacants 2022', variable: 'LOGVAC22' }] }, context);
    expect(r.summary.checks.code_inconnu + r.summary.checks.hors_perimetre).toBe(0);
    expect(r.ok).toBe(true);
    expect(r.summary.territories).toBe(1266);
  });

  it('knows the IRIS of the 93 and checks commune and EPT totals of IRIS against the build’s membership', async () => {
    const lines = readFileSync(mirrorFile('caf/inseecaf2021.csv'), 'utf8').split('\r\n');
    const rows = lines.filter((l) => l.startsWith('"93')).map((l) => l.split(';'));
    const context = await validationContext(db.current(), { threshold: 11 });
    const sumOf = (inside: (iris: { commune?: string; ept?: string }) => boolean) => {
      const members = new Set(context.territories.filter((t) => t.level === 'iris' && inside(t)).map((t) => t.code));
      return rows.filter((r) => members.has(r[0]!.replace(/"/g, ''))).reduce((s, r) => s + Number(r[2] || 0), 0);
    };
    // Saint-Denis has 48 IRIS in the build, Pierrefitte's (930590xxx) included, none blank in the CAF file;
    // Plaine Commune has 3 IRIS whose count is blank (secret).
    const csv = ['"iris_code";"a"', ...rows.map((r) => `${r[0]};${r[2]}`), `93066;${sumOf((t) => t.commune === '93066')}`, `200057867;${sumOf((t) => t.ept === '200057867')}`].join('\n');
    const r = validateUpload(await readPartnerTable(new TextEncoder().encode(csv), 'caf.csv'), { codeColumn: 'iris_code', level: 'iris', year: 2021, values: [{ column: 'a', variable: 'a' }] }, context);
    expect(r.ok).toBe(true);
    expect(r.summary.territoryRows).toBe(613);
    expect(r.values.map((v) => v.code)).not.toContain('93066');
    const totals = r.issues.filter((i) => i.kind === 'ligne_total').map((i) => i.message);
    expect(totals[0]).toMatch(/^Ligne de total \(commune Saint-Denis \(93066\)\).*cohérente avec la somme de ses 48 IRIS pour 1 variable/);
    expect(totals[1]).toMatch(/^Ligne de total \(EPT Plaine Commune \(200057867\)\).*non comparable pour 1 variable\(s\) \(valeurs secrètes/);
  });
});
