import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/logger.ts';
import { openDb, queryRows } from '../../db/duckdb.ts';
import { currentBuildPath, buildStore } from '../../build/store.ts';
import { runBuild } from '../../pipeline.ts';
import { mirrorDir } from '../../testing/mirror.ts';
import { loadCog } from '../cog/decoupage-administratif.ts';
import { DATASET_FORMAT, type PublishedDataset, writeDataset } from './dataset-file.ts';

// A partner's commune-level count for the 39 communes of the 93 under a threshold of 5.
// Three communes of one EPT are under it (3, 2, 0): alone, each is masked; together they
// form a protective block (5 ≤ 5 ≤ (3 − 1) × 4), so the EPT and département totals are exact.
const cog = loadCog();
const communes93 = [...cog.communes.values()].filter((c) => c.departement === '93').sort((a, b) => (a.code < b.code ? -1 : 1));
const eptOfBondy = cog.communes.get('93010')!.ept!;
const smallOnes = communes93.filter((c) => c.ept === eptOfBondy).slice(0, 3).map((c) => c.code);
const small = new Map(smallOnes.map((code, i) => [code, [3, 2, 0][i]!]));
const valueOf = (code: string) => small.get(code) ?? 100 + Number(code.slice(2));

function dataset(year: number, over: Partial<PublishedDataset> = {}): PublishedDataset {
  return {
    format: DATASET_FORMAT,
    indicator: {
      id: 'beneficiaires-test',
      label: 'Bénéficiaires <b>test</b>',
      theme: 'prestations',
      unit: 'personnes',
      kind: 'count',
      secrecy: { threshold: 5 },
      value: 'nb'
    },
    source: { label: 'Export partenaire', producer: 'Partenaire ODDS', licence: 'Licence Ouverte 2.0', vintage: String(year), url: '', coverage: ['93'] },
    year,
    level: 'commune',
    upload: { id: 'depot-test', filename: 'export.csv', sha256: 'x', by: 'stat' },
    publishedAt: '2026-12-05T10:00:00Z',
    values: [
      ...communes93.map((c, i) => ({ line: i + 2, code: c.code, variable: 'nb', value: valueOf(c.code), status: 'ok' as const })),
      // The file was made on the 2024 geography: Pierrefitte's row is added to Saint-Denis.
      { line: 99, code: '93059', variable: 'nb', value: 40, status: 'ok' as const }
    ],
    ...over
  };
}

let root: string;
let dataDir: string;
let published: string;
const logger = memoryLogger();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'obs-published-'));
  dataDir = join(root, 'data');
  published = join(dataDir, 'published');
  writeDataset(published, dataset(2023));
  writeDataset(published, dataset(2024));
  await runBuild({ dataDir, mirror: mirrorDir(), offline: true, logger, cadastreSources: [], keepBuilds: 1 });
}, 300_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function query<T>(sql: string, params?: Record<string, string | number>): Promise<T[]> {
  const db = await openDb(currentBuildPath(buildStore(dataDir))!, { readOnly: true });
  try {
    return await queryRows<T>(db.conn, sql, params);
  } finally {
    db.close();
  }
}

describe('a build with datasets published from the portal', () => {
  it('catalogues the indicator with one series per published vintage', async () => {
    const series = await query<{ year: number; source_id: string }>(
      `SELECT year, source_id FROM indicator_series WHERE indicator_id = 'beneficiaires-test' ORDER BY year`
    );
    expect(series).toEqual([
      { year: 2023, source_id: 'publie-beneficiaires-test-2023' },
      { year: 2024, source_id: 'publie-beneficiaires-test-2024' }
    ]);
    const [src] = await query<{ producer: string; origin: string }>(`SELECT producer, origin FROM sources WHERE id = 'publie-beneficiaires-test-2024'`);
    expect(src).toEqual({ producer: 'Partenaire ODDS', origin: 'published' });
  });

  it('masks the communes under the threshold and keeps no trace of their numbers', async () => {
    const rows = await query<{ code: string; status: string; value: number | null }>(
      `SELECT code, status, value FROM indicator_values WHERE indicator_id = 'beneficiaires-test' AND year = 2024 AND level = 'commune' AND list_contains($codes::VARCHAR[], code)`,
      { codes: `[${smallOnes.join(',')}]` }
    );
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r).toMatchObject({ status: 'secret', value: null });
    const raw = await query<{ value: number | null; status: string }>(
      `SELECT value, status FROM raw_values WHERE source_id = 'publie-beneficiaires-test-2024' AND list_contains($codes::VARCHAR[], code)`,
      { codes: `[${smallOnes.join(',')}]` }
    );
    expect(raw.every((r) => r.value === null && r.status === 'secret')).toBe(true);
  });

  it('gives the EPT and the département their exact totals through a protective block', async () => {
    const eptMembers = communes93.filter((c) => c.ept === eptOfBondy).map((c) => c.code);
    const expectedEpt = eptMembers.reduce((s, c) => s + valueOf(c), 0) + (eptMembers.includes('93066') ? 40 : 0);
    const [ept] = await query<{ value: number; status: string; secret_parts: number }>(
      `SELECT value, status, secret_parts FROM indicator_values WHERE indicator_id = 'beneficiaires-test' AND year = 2024 AND level = 'ept' AND code = $c`,
      { c: eptOfBondy }
    );
    expect(ept).toEqual({ value: expectedEpt, status: 'ok', secret_parts: 0 });
    const [dep] = await query<{ value: number; status: string }>(
      `SELECT value, status FROM indicator_values WHERE indicator_id = 'beneficiaires-test' AND year = 2024 AND level = 'departement' AND code = '93'`
    );
    expect(dep).toEqual({ value: communes93.reduce((s, c) => s + valueOf(c.code), 0) + 40, status: 'ok' });
    const blocks = await query<{ level: string; units: number; sum: number }>(
      `SELECT level, units, sum FROM secrecy_blocks WHERE indicator_id = 'beneficiaires-test' AND year = 2024`
    );
    expect(blocks).toEqual([{ level: 'ept', units: 3, sum: 5 }]);
  });

  it('adds a row published under a former code to the commune that absorbed it', async () => {
    const [sd] = await query<{ value: number; provenance: string }>(
      `SELECT value, provenance FROM indicator_values WHERE indicator_id = 'beneficiaires-test' AND year = 2024 AND level = 'commune' AND code = '93066'`
    );
    expect(sd!.value).toBe(valueOf('93066') + 40);
    expect(sd!.provenance).toMatch(/93059/);
  });

  it('writes a preview without touching the build in service, and leaves out an excluded vintage', async () => {
    const before = currentBuildPath(buildStore(dataDir));
    const preview = join(root, 'apercu.duckdb');
    await runBuild({ dataDir, mirror: mirrorDir(), offline: true, logger, cadastreSources: [], previewOutput: preview, excludePublished: ['beneficiaires-test/2023'] });
    expect(currentBuildPath(buildStore(dataDir))).toBe(before);
    const db = await openDb(preview, { readOnly: true });
    try {
      const years = await queryRows<{ year: number }>(db.conn, `SELECT year FROM indicator_series WHERE indicator_id = 'beneficiaires-test'`);
      expect(years).toEqual([{ year: 2024 }]);
    } finally {
      db.close();
    }
  }, 300_000);

  it('refuses a published indicator that takes the id of an official one, and keeps the build in service', async () => {
    const before = currentBuildPath(buildStore(dataDir));
    const clash = join(root, 'clash');
    writeDataset(clash, dataset(2024, { indicator: { ...dataset(2024).indicator, id: 'allocataires-caf' } }));
    await expect(
      runBuild({ dataDir, mirror: mirrorDir(), offline: true, logger, cadastreSources: [], publishedDirs: [published, clash] })
    ).rejects.toThrow(/allocataires-caf.*|identifiant absent du catalogue/);
    expect(currentBuildPath(buildStore(dataDir))).toBe(before);
  }, 300_000);
});
