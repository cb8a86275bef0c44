/**
 * An automated attacker against secondary secrecy, on the real CAF file.
 *
 * Scenario: the Cnaf file blanks counts under 5; the observatory publishes it as a partner's
 * dataset under a stricter threshold of 11, so the IRIS cells from 5 to 10 are known to the
 * observatory and masked. The attacker reads only the public API (every level and zoning,
 * ad-hoc groups of up to three neighbouring communes) and tries to recover those cells by
 * differencing and by intervals (./testing/secrecy-attacker.ts). The same attacker is run
 * against a naive engine that counts every known number in every aggregate: there it must
 * recover at least every cell alone among the masked cells of its commune; from the real
 * engine, none. A second attacker knows the pooling algorithm and the decisions it took
 * (./testing/secrecy-audit.ts): it must not narrow any pooled cell's interval.
 *
 * The build also holds the official CAF indicators, which publish these very cells under the
 * producer's threshold of 5: by hypothesis the attacker does not read them (they stand for a
 * partner's unmasked export, which is never public).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawValue } from '../etl/core/types.ts';
import { memoryLogger } from '../etl/core/logger.ts';
import type { BaseCells } from '../etl/engine/aggregate.ts';
import { type CommunePath, type MaskedUnit, type PoolingDecision, maskedFloor, planBlocks } from '../etl/engine/secondary.ts';
import type { IndicatorDefinition } from '../etl/engine/types.ts';
import { buildStore, currentBuildPath } from '../etl/build/store.ts';
import { runBuild } from '../etl/pipeline.ts';
import { cafAllocatairesIrisAdapter, cafAllocatairesIrisSource } from '../etl/sources/caf/allocataires-iris.ts';
import { loadCog } from '../etl/sources/cog/decoupage-administratif.ts';
import { DATASET_FORMAT, type PublishedDataset, type PublishedIndicator, writeDataset } from '../etl/sources/published/dataset-file.ts';
import { mirrorDir, mirrorFile } from '../etl/testing/mirror.ts';
import { createApp } from './app.ts';
import { type Db, openDb } from './db.ts';
import { type AttackResult, attack, naiveObservations, recovered } from './testing/secrecy-attacker.ts';
import { auditDecisions } from './testing/secrecy-audit.ts';
import { type Crawl, type Observed, type Territory, crawl } from './testing/secrecy-crawl.ts';

const THRESHOLD = 11;
/** What the attacker knows of every masked cell: the Cnaf blanks under 5, the observatory masks under 11. */
const PRIOR = { floor: 5, ceiling: THRESHOLD - 1 };
const YEAR = 2021;

interface CountSpec {
  id: string;
  column: string;
  label: string;
}
// Columns with many cells from 5 to 10 in the 93 (a_etud: 132, acssenf: 30, aapl: 23).
const COUNTS: CountSpec[] = [
  { id: 'etudiants-caf-seuil-11', column: 'a_etud', label: 'Allocataires étudiants (seuil 11)' },
  { id: 'couples-sans-enfant-caf-seuil-11', column: 'acssenf', label: 'Allocataires en couple sans enfant (seuil 11)' },
  { id: 'apl-caf-seuil-11', column: 'aapl', label: 'Allocataires de l’APL (seuil 11)' }
];
const RATIO = { id: 'part-etudiants-caf-seuil-11', numerator: 'a_etud', denominator: 'a', label: 'Part des étudiants parmi les allocataires (seuil 11)' };
const INDICATORS = [...COUNTS.map((c) => c.id), RATIO.id];

/** One attacked number: a count, or the numerator or denominator of the ratio. */
interface Component {
  name: string;
  indicator: string;
  def: IndicatorDefinition;
  pick: (o: Observed) => number | null;
  /** The producer's cell that carries the number, and the one the threshold applies to. */
  column: string;
  guarded: string;
  prior?: typeof PRIOR;
}

const definition = (id: string, kind: 'count' | 'ratio'): IndicatorDefinition => ({
  id,
  label: id,
  theme: 'prestations',
  unit: kind === 'ratio' ? '%' : 'allocataires',
  kind,
  scale: kind === 'ratio' ? 100 : 1,
  decimals: kind === 'ratio' ? 1 : 0,
  secrecy: { threshold: THRESHOLD, on: kind === 'ratio' ? 'numerator' : 'value' },
  series: []
});

const COMPONENTS: Component[] = [
  ...COUNTS.map((c) => ({
    name: c.id,
    indicator: c.id,
    def: definition(c.id, 'count'),
    pick: (o: Observed) => o.value,
    column: c.column,
    guarded: c.column,
    prior: PRIOR
  })),
  {
    name: `${RATIO.id} (numérateur)`,
    indicator: RATIO.id,
    def: definition(RATIO.id, 'ratio'),
    pick: (o: Observed) => o.numerator,
    column: RATIO.numerator,
    guarded: RATIO.numerator,
    prior: PRIOR
  },
  // A denominator has no upper bound a priori: differencing only.
  {
    name: `${RATIO.id} (dénominateur)`,
    indicator: RATIO.id,
    def: definition(RATIO.id, 'ratio'),
    pick: (o: Observed) => o.denominator,
    column: RATIO.denominator,
    guarded: RATIO.numerator
  }
];

const SOURCE: PublishedDataset['source'] = {
  label: 'Allocataires des CAF par IRIS, export relu sous un seuil de 11 (test d’attaque)',
  producer: 'Cnaf, fichier diffusé par l’Insee',
  licence: 'Licence Ouverte 2.0',
  vintage: '2021-12-31',
  url: cafAllocatairesIrisSource.url,
  coverage: ['93']
};

function dataset(indicator: PublishedIndicator, cells: readonly RawValue[], columns: readonly string[]): PublishedDataset {
  return {
    format: DATASET_FORMAT,
    indicator,
    source: SOURCE,
    year: YEAR,
    level: 'iris',
    geoVintage: 2021,
    upload: { id: `attaque-${indicator.id}`, filename: 'inseecaf2021.csv', sha256: 'sans objet', by: 'test' },
    publishedAt: '2026-12-01T10:00:00Z',
    values: cells
      .filter((v) => columns.includes(v.variable))
      .map((v) => ({
        line: v.line,
        code: v.code,
        variable: v.variable,
        value: v.value,
        status: v.status,
        ...(v.marker !== undefined ? { marker: v.marker } : {})
      }))
  };
}

/**
 * A zoning of our own that cuts across the EPTs: the communes in code order, three by three
 * (written by the test into the data dir's published zonings).
 */
function writeSectors(dir: string, communes: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'secteurs-test.yaml'), 'id: secteurs-test\nlabel: Secteur (test)\nexample: true\n');
  const rows = communes.map((c, i) => `${c};S${Math.floor(i / 3) + 1};Secteur ${Math.floor(i / 3) + 1}`);
  writeFileSync(join(dir, 'secteurs-test.csv'), ['commune;secteur;nom du secteur', ...rows].join('\n') + '\n');
}

let root: string;
let db: Db;
let seen: Crawl;
/** column → IRIS → the producer's cell (the ground truth, never sent to the attacker). */
const truth = new Map<string, Map<string, RawValue>>();

beforeAll(async () => {
  const logger = memoryLogger();
  const batch = await cafAllocatairesIrisAdapter.read(mirrorFile(cafAllocatairesIrisSource.mirrorPath), { logger });
  const cells = batch.values.filter((v) => v.code.startsWith('93'));
  for (const v of cells) {
    const byIris = truth.get(v.variable) ?? new Map<string, RawValue>();
    byIris.set(v.code, v);
    truth.set(v.variable, byIris);
  }

  root = mkdtempSync(join(tmpdir(), 'obs-attaque-'));
  const dataDir = join(root, 'data');
  const published = join(dataDir, 'published');
  const secrecy = { threshold: THRESHOLD, reason: 'Effectif inférieur à 11 (règle du partenaire)' };
  for (const c of COUNTS) {
    writeDataset(
      published,
      dataset({ id: c.id, label: c.label, theme: 'prestations', unit: 'allocataires', kind: 'count', secrecy, value: c.column }, cells, [c.column])
    );
  }
  writeDataset(
    published,
    dataset(
      { id: RATIO.id, label: RATIO.label, theme: 'prestations', unit: '%', kind: 'ratio', secrecy: { ...secrecy, on: 'numerator' }, numerator: RATIO.numerator, denominator: RATIO.denominator },
      cells,
      [RATIO.numerator, RATIO.denominator]
    )
  );
  const communes93 = [...new Set(cells.map((v) => (v.code.startsWith('93059') ? '93066' : v.code.slice(0, 5))))].sort();
  writeSectors(join(published, 'zonings'), communes93);

  await runBuild({ dataDir, mirror: mirrorDir(), offline: true, logger, cadastreSources: [], keepBuilds: 1 });
  db = await openDb(currentBuildPath(buildStore(dataDir))!, { logger });
  const { app } = createApp({ db, logger, clock: () => new Date('2026-12-01T12:00:00Z') });
  seen = await crawl(app, { indicators: INDICATORS, departement: '93' });
}, 600_000);

/** Printed once, at the end: what was tried and what was found. */
const summary: string[] = [];

afterAll(async () => {
  if (summary.length) console.info(summary.join('\n'));
  await db?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Cells the producer blanked for this component (public: they are blank in the Cnaf file). */
function blanked(c: Component): Set<string> {
  const out = new Set<string>();
  for (const column of new Set([c.column, c.guarded])) {
    for (const [code, v] of truth.get(column)!) if (v.status !== 'ok') out.add(code);
  }
  return out;
}

/** The cells the observatory masks: known to it, under the threshold. */
function maskedTruth(c: Component): Map<string, number> {
  const out = new Map<string, number>();
  const blanks = blanked(c);
  for (const [code, v] of truth.get(c.guarded)!) {
    if (blanks.has(code) || (v.value as number) >= THRESHOLD) continue;
    out.set(code, truth.get(c.column)!.get(code)!.value as number);
  }
  return out;
}

function cellsOf(c: Component): (iris: string) => BaseCells | undefined {
  return (iris) => {
    const cell = (column: string) => {
      const v = truth.get(column)!.get(iris);
      return v ? { value: v.value, status: v.status } : undefined;
    };
    if (c.def.kind === 'count') {
      const value = cell(c.column);
      return value ? { value } : undefined;
    }
    const numerator = cell(RATIO.numerator);
    const denominator = cell(RATIO.denominator);
    return numerator || denominator ? { numerator, denominator } : undefined;
  };
}

function run(c: Component, observed: ReadonlyMap<string, Observed>): AttackResult {
  const iris = seen.iris.get(c.indicator)!;
  const producer = blanked(c);
  const masked = [...iris].filter(([code, o]) => o.status === 'secret' && !producer.has(code)).map(([code]) => code).sort();
  return attack({
    masked,
    producerSecret: producer,
    irisOf: seen.irisOf,
    known: new Map([...iris].map(([code, o]) => [code, o.status === 'secret' ? null : c.pick(o)])),
    aggregates: seen.territories.map((t) => {
      const o = observed.get(t.key);
      return { key: t.key, communes: t.communes, figure: o ? c.pick(o) : null, secretParts: o?.secretParts ?? 0 };
    }),
    ...(c.prior ? { prior: c.prior } : {})
  });
}

describe('an attacker against secondary secrecy on the CAF file masked under 11', () => {
  it('sees the communes’ real neighbours', () => {
    expect(seen.communes).toHaveLength(39);
    for (const [c, list] of seen.neighbours) {
      expect(list.length, c).toBeGreaterThan(0);
      for (const n of list) expect(seen.neighbours.get(n), `${c} ↔ ${n}`).toContain(c);
    }
    // Bondy borders Bobigny and Noisy-le-Sec, not Saint-Denis.
    expect(seen.neighbours.get('93010')).toEqual(expect.arrayContaining(['93008', '93053']));
    expect(seen.neighbours.get('93010')).not.toContain('93066');
  });

  it('masks every cell from 5 to 10 and never sends a number for a secret figure', () => {
    for (const c of COMPONENTS) {
      const iris = seen.iris.get(c.indicator)!;
      const masked = maskedTruth(c);
      expect(masked.size, c.name).toBeGreaterThanOrEqual(20);
      for (const code of masked.keys()) expect(iris.get(code), `${c.name} ${code}`).toMatchObject({ status: 'secret', value: null, numerator: null, denominator: null });
      const published = [...iris.values(), ...seen.observed.get(c.indicator)!.values()];
      for (const o of published.filter((x) => x.status === 'secret')) expect(o).toMatchObject({ value: null, numerator: null, denominator: null });
    }
    expect(maskedTruth(COMPONENTS[0]!).size).toBeGreaterThanOrEqual(100);
  });

  it('forms protective blocks across communes', async () => {
    const rows = await db.current().all<{ indicator_id: string; n: number }>(
      `SELECT indicator_id, count(*)::INTEGER AS n FROM secrecy_blocks WHERE list_contains($ids, indicator_id) GROUP BY indicator_id`,
      { ids: INDICATORS }
    );
    expect(new Map(rows.map((r) => [r.indicator_id, r.n])).size).toBe(INDICATORS.length);
  });

  it('gives an ad-hoc group the figures of the published territory made of the same communes', () => {
    for (const id of INDICATORS) {
      const bySet = new Map<string, { key: string; o: Observed }>();
      for (const t of seen.territories) {
        const o = seen.observed.get(id)!.get(t.key);
        if (!o) continue;
        const set = t.communes.join('+');
        const first = bySet.get(set);
        if (first) expect(o, `${id} : ${t.key} / ${first.key}`).toEqual(first.o);
        else bySet.set(set, { key: t.key, o });
      }
    }
  });

  it('recovers no masked value, where the same attacker against a naive engine recovers every cell alone in its commune', () => {
    const results = COMPONENTS.map((c) => {
      const masked = maskedTruth(c);
      const real = run(c, seen.observed.get(c.indicator)!);
      const naive = run(c, naiveObservations(c.def, seen.territories, seen.irisOf, cellsOf(c)));
      const communeOf = new Map([...seen.irisOf].flatMap(([commune, list]) => list.map((code) => [code, commune] as const)));
      const alone = [...masked.keys()].filter((code) => seen.irisOf.get(communeOf.get(code)!)!.filter((x) => masked.has(x)).length === 1);
      // The price of secrecy: published territories holding masked cells that count them all
      // (their only secret parts are the producer's blanks).
      const blanks = blanked(c);
      const irisIn = (t: Territory) => t.communes.flatMap((x) => seen.irisOf.get(x)!);
      const published = seen.territories.filter((t) => !t.key.startsWith('groupe:') && irisIn(t).some((code) => masked.has(code)));
      const exact = published.filter((t) => {
        const o = seen.observed.get(c.indicator)!.get(t.key);
        return o !== undefined && c.pick(o) !== null && o.secretParts === irisIn(t).filter((code) => blanks.has(code)).length;
      }).length;
      return {
        c, masked, real, naive, alone, exact: `${exact}/${published.length}`,
        leaked: recovered(real, masked),
        naiveCells: new Set(recovered(naive, masked).map((x) => x.cell))
      };
    });
    const sum = (f: (r: (typeof results)[number]) => number) => results.reduce((n, r) => n + f(r), 0);
    summary.push(
      `Attaque du secret secondaire : ${seen.territories.length} agrégats dont ` +
        `${seen.territories.filter((t) => t.key.startsWith('groupe:')).length} regroupements libres, ${seen.requests} requêtes ; ` +
        `${sum((r) => r.masked.size)} cellules masquées, ${sum((r) => r.real.pairsTried)} paires essayées, ` +
        `retrouvées : ${sum((r) => r.leaked.length)} ; moteur naïf : ${sum((r) => r.naiveCells.size)}\n` +
        results
          .map(
            ({ c, masked, real, exact, leaked, naiveCells }) =>
              `  ${c.name} : ${masked.size} cellules, ${real.touching} agrégats touchant une cellule masquée dont ${real.withResidual} ` +
              `comptant des blocs entiers (territoires publiés qui les comptent toutes : ${exact}), ${real.pairsTried} paires, ${real.candidates.length} candidats → ` +
              `retrouvées ${leaked.length}, moteur naïf ${naiveCells.size}`
          )
          .join('\n')
    );

    for (const { c, real, naive, alone, leaked, naiveCells } of results) {
      // The attacker's model is right: no inference contradicts what was published.
      expect(real.inconsistent, c.name).toBe(0);
      expect(naive.inconsistent, c.name).toBe(0);
      expect(real.touching, c.name).toBeGreaterThan(100);
      expect(real.pairsTried, c.name).toBeGreaterThan(5_000);
      expect(leaked, c.name).toEqual([]);
      // A naive engine gives away at least every masked cell alone among the masked cells of its commune.
      expect(alone.length, c.name).toBeGreaterThan(0);
      expect([...naiveCells], c.name).toEqual(expect.arrayContaining(alone));
    }
    // Meaningful: masked cells do enter aggregates, through whole blocks.
    expect(sum((r) => r.real.withResidual)).toBeGreaterThan(100);
  });

  it('leaves every pooled unit its whole interval for an attacker who knows the algorithm and its decisions', async () => {
    const cog = loadCog();
    const path: CommunePath = (commune) => {
      const c = cog.communes.get(commune)!;
      return [...(c.ept ? [{ level: 'ept' as const, code: c.ept }] : []), { level: 'departement' as const, code: c.departement }];
    };
    const communeOf = new Map([...seen.irisOf].flatMap(([commune, list]) => list.map((code) => [code, commune] as const)));
    const lines: string[] = [];
    for (const c of COMPONENTS.filter((x) => x.prior)) {
      const masked = maskedTruth(c);
      const units: MaskedUnit[] = [...masked].map(([code, v]) => ({
        code,
        commune: communeOf.get(code)!,
        sum: v,
        denominator: c.def.kind === 'ratio' ? (truth.get(RATIO.denominator)!.get(code)!.value as number) : 0,
        guarded: v
      }));
      expect(units.every((u) => Number.isInteger(u.guarded))).toBe(true);
      const decisions: PoolingDecision[] = [];
      const blocks = planBlocks(THRESHOLD, units, path, true, (d) => decisions.push(d));

      // The attacker's replay is the build's plan: same blocks across communes, same communes counting all theirs.
      const stored = await db.current().all<{ communes: string[]; units: number; sum: number }>(
        `SELECT communes, units, sum FROM secrecy_blocks WHERE indicator_id = $id ORDER BY block`,
        { id: c.indicator }
      );
      const across = blocks.filter((b) => b.level !== 'commune').map((b) => ({ communes: b.communes, units: b.units.length, sum: b.sum }));
      const key = (b: { communes: readonly string[]; sum: number }) => `${b.communes.join('+')}=${b.sum}`;
      expect(stored.map((b) => ({ ...b, communes: [...b.communes] })).sort((x, y) => (key(x) < key(y) ? -1 : 1)), c.name).toEqual(
        across.sort((x, y) => (key(x) < key(y) ? -1 : 1))
      );
      const blanks = blanked(c);
      for (const commune of new Set(units.map((u) => u.commune))) {
        // A commune with nothing published (all its IRIS secret) counts none.
        const o = seen.observed.get(c.indicator)!.get(`commune:${commune}`);
        const countsAll = o !== undefined && o.secretParts === seen.irisOf.get(commune)!.filter((code) => blanks.has(code)).length;
        expect(countsAll, `${c.name} ${commune}`).toBe(blocks.some((b) => b.level === 'commune' && b.group === commune));
      }

      const floor = maskedFloor(units);
      expect(floor).toBe(PRIOR.floor);
      const audit = auditDecisions({ threshold: THRESHOLD, floor, blocks, decisions });
      expect(audit.units, c.name).toBe(blocks.reduce((n, b) => n + b.units.length, 0));
      expect(audit.narrowed, c.name).toEqual([]);
      lines.push(`${c.name} : ${blocks.length} blocs, ${decisions.length} décisions, ${audit.units} cellules dans des blocs, resserrées : ${audit.narrowed.length}`);
    }
    summary.push(`Attaquant qui connaît l'algorithme et ses décisions (intervalle a priori [${PRIOR.floor}, ${PRIOR.ceiling}]) :\n  ${lines.join('\n  ')}`);
  });
});
