import type { Build } from '../db.ts';
import type { StoredValue } from '../schemas.ts';

export interface LevelValues {
  /** Every territory of the level (inside `within`), in code order. */
  territories: { code: string; name: string }[];
  /** The stored value of each territory, at the same index; undefined when none is stored. */
  values: (StoredValue | undefined)[];
  /** The distinct provenance sentences of these values, in the code order of their first territory. */
  provenance: string[];
}

type StoredColumns = StoredValue & { code: string };

/** What the engine stores for a unit the source has no figure for (`MISSING_VALUE`). */
const PLAIN_MISSING: StoredValue = Object.freeze({
  value: null,
  numerator: null,
  denominator: null,
  status: 'missing',
  secret_parts: 0,
  missing_parts: 1
});
const IS_PLAIN_MISSING = `status = 'missing' AND value IS NULL AND numerator IS NULL AND denominator IS NULL
  AND secret_parts = 0 AND missing_parts = 1 AND parts = 0`;

/**
 * The table to read a whole level of one series from: `indicator_values_by_series`, stored
 * in series order, when the build has it (etl/db/schema.sql says why), else the values
 * clustered by territory (builds made before it, test fixtures).
 */
function seriesTable(build: Build): string {
  return build.info.values_by_series === 'true' ? 'indicator_values_by_series' : 'indicator_values';
}

/**
 * Every territory of `level` (inside `within` when given) with its value for one
 * indicator and year. In a national build most commune values are plainly missing (a
 * source covering two départements, a CAF file without the small communes), and turning
 * 35 000 rows into JavaScript values cost most of the request: only the other rows are
 * read, with the number of rows per provenance sentence; when every territory listed has
 * a stored row (the ETL writes one for each), the ones not read are the plain missing
 * ones. Territory names come from the build's memoised list. No object per row is made
 * here: the route makes the only one.
 */
export async function levelValues(
  build: Build,
  args: { indicator: string; year: number; level: string; within: { level: string; code: string } | null }
): Promise<LevelValues> {
  const inside = args.within ? await territoriesWithin(build, args.level, args.within) : null;
  const params = { indicator: args.indicator, year: args.year, level: args.level };
  const series = `FROM ${seriesTable(build)} WHERE indicator_id = $indicator AND year = $year AND level = $level`;
  const [all, stored, provenance] = await Promise.all([
    levelTerritories(build, args.level),
    build.all<StoredColumns>(
      `SELECT code, value, numerator, denominator, status, secret_parts, missing_parts
       ${series} AND NOT (${IS_PLAIN_MISSING})`,
      params
    ),
    build.all<{ provenance: string; rows: number }>(
      `SELECT provenance, count(*)::INTEGER AS rows
       ${series} AND ($codes IS NULL OR list_contains($codes, code))
       GROUP BY provenance ORDER BY min(code), provenance`,
      { ...params, codes: inside ? [...inside] : null }
    )
  ]);
  const territories = inside ? all.filter((t) => inside.has(t.code)) : all;
  const storedRows = provenance.reduce((n, p) => n + p.rows, 0);
  // Rows of territories outside the level's list cannot exist (the ETL validates it), so
  // equal counts mean every territory listed has a row.
  let missing: (code: string) => boolean;
  if (storedRows === territories.length) missing = () => true;
  else {
    const plain = await build.all<{ code: string }>(`SELECT code ${series} AND ${IS_PLAIN_MISSING}`, params);
    const set = new Set(plain.map((r) => r.code));
    missing = (code) => set.has(code);
  }
  const byCode = new Map(stored.map((v) => [v.code, v]));
  const values = territories.map(({ code }) => byCode.get(code) ?? (missing(code) ? PLAIN_MISSING : undefined));
  return { territories, values, provenance: provenance.map((p) => p.provenance) };
}

/** The territories of a level, in code order, memoised per build and level. */
function levelTerritories(build: Build, level: string): Promise<{ code: string; name: string }[]> {
  return build.memo(`levelTerritories:${level}`, () =>
    build.all<{ code: string; name: string }>('SELECT code, name FROM territories WHERE level = $level ORDER BY code', { level })
  );
}

/** Codes of the territories of `level` inside `within` (itself included when of that level). */
async function territoriesWithin(build: Build, level: string, within: { level: string; code: string }): Promise<Set<string>> {
  const rows = await build.all<{ code: string }>(
    `SELECT code FROM territory_parents WHERE level = $level AND parent_level = $within_level AND parent_code = $within_code`,
    { level, within_level: within.level, within_code: within.code }
  );
  const codes = new Set(rows.map((r) => r.code));
  if (within.level === level) codes.add(within.code);
  return codes;
}

/** The finest geometry of each territory listed (the band with the highest zoom). */
export async function fullGeometries(build: Build, level: string, codes: readonly string[]): Promise<Map<string, string>> {
  const rows = await build.all<{ code: string; geojson: string }>(
    `SELECT code, arg_max(geojson, band) AS geojson FROM territory_geoms
     WHERE level = $level AND list_contains($codes, code) GROUP BY code`,
    { level, codes }
  );
  return new Map(rows.map((r) => [r.code, r.geojson]));
}

export interface KeyedValueRow extends StoredValue {
  indicator_id: string;
  year: number;
  level: string;
  code: string;
  parts: number;
  provenance: string;
}

/**
 * All indicators and years for a few territories (portraits), in one statement: a branch
 * per territory with a plain equality on level and code. Values are stored clustered by
 * (level, code), so each branch reads only its row group, where a join on a list of pairs
 * scanned the whole table (6 M rows in a national build). `provenance: 'first'` reads the
 * provenance sentences of the first territory only (the others get ''): a portrait shows
 * its own, and decoding them halves the cost of a branch.
 */
export async function valuesOf(
  build: Build,
  territories: readonly { level: string; code: string }[],
  options: { provenance: 'all' | 'first' } = { provenance: 'all' }
): Promise<KeyedValueRow[]> {
  const seen = new Set<string>();
  const unique = territories.filter((t) => {
    const key = `${t.level}\u0000${t.code}`;
    return !seen.has(key) && seen.add(key);
  });
  if (unique.length === 0) return [];
  const params: Record<string, string> = {};
  const branches = unique.map((t, i) => {
    params[`level${i}`] = t.level;
    params[`code${i}`] = t.code;
    const provenance = i === 0 || options.provenance === 'all' ? 'provenance' : `'' AS provenance`;
    return `SELECT indicator_id, year, level, code, value, numerator, denominator, status, secret_parts, missing_parts, parts, ${provenance}
            FROM indicator_values WHERE level = $level${i} AND code = $code${i}`;
  });
  const rows = await build.all<KeyedValueRow>(branches.join('\nUNION ALL\n'), params);
  return rows.sort((a, b) => compare(a.indicator_id, b.indicator_id) || a.year - b.year);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ContributionRow extends StoredValue {
  indicator_id: string;
  year: number;
  code: string;
  parts: number;
}

/** Up to this many communes, an equality branch each beats a join (see `communeValues`). */
const POINT_QUERIES_UP_TO = 16;

/**
 * Commune values for `indicator:year` keys: the contributions of an ad-hoc group. Plain
 * missing values are not read: a commune without a row contributes exactly the same
 * (`MISSING_VALUE`), and they are most of a national build's commune values.
 * Values are clustered by (level, code): for a few communes, one `UNION ALL` branch per
 * commune (`code = $codeN`) reads only its row group; for more, a semi-join on the list
 * reads the commune rows once. The year of each indicator is then checked here, on the
 * rows left.
 */
export async function communeValues(build: Build, indicatorYears: readonly string[], codes: readonly string[]): Promise<ContributionRow[]> {
  const years = new Map<string, number>();
  for (const key of indicatorYears) {
    const colon = key.lastIndexOf(':');
    years.set(key.slice(0, colon), Number(key.slice(colon + 1)));
  }
  const ids = [...years.keys()];
  const select = `SELECT indicator_id, year, code, value, numerator, denominator, status, secret_parts, missing_parts, parts
                  FROM indicator_values WHERE level = 'commune'`;
  const wanted = `indicator_id IN (SELECT unnest($ids)) AND NOT (${IS_PLAIN_MISSING})`;
  let rows: ContributionRow[];
  if (codes.length <= POINT_QUERIES_UP_TO) {
    const params: Record<string, string | string[]> = { ids };
    const branches = codes.map((code, i) => {
      params[`code${i}`] = code;
      return `${select} AND code = $code${i} AND ${wanted}`;
    });
    rows = await build.all<ContributionRow>(branches.join('\nUNION ALL\n'), params);
  } else {
    rows = await build.all<ContributionRow>(`${select} AND code IN (SELECT unnest($codes)) AND ${wanted}`, { codes, ids });
  }
  return rows.filter((r) => years.get(r.indicator_id) === r.year);
}

/** The distinct provenance sentences of an indicator, most frequent first within each year. */
export function provenances(build: Build, indicator: string): Promise<{ year: number; provenance: string; count: number }[]> {
  return build.all(
    `SELECT year, provenance, count(*)::INTEGER AS count FROM ${seriesTable(build)}
     WHERE indicator_id = $indicator GROUP BY year, provenance ORDER BY year DESC, count DESC, provenance LIMIT 50`,
    { indicator }
  );
}

export interface StoredBlock {
  indicatorId: string;
  year: number;
  communes: string[];
  units: number;
  sum: number;
  denominator: number;
}

/**
 * The secondary-secrecy blocks spanning several communes (`secrecy_blocks`), by
 * `indicator:year`, loaded once per build: the engine needs them to give an ad-hoc group
 * the value the ETL would give it. Builds made before the table existed had none.
 */
export function secrecyBlocks(build: Build): Promise<Map<string, StoredBlock[]>> {
  return build.memo('secrecy-blocks', async () => {
    const exists = await build.one<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'secrecy_blocks'`
    );
    const byKey = new Map<string, StoredBlock[]>();
    if (!exists?.n) return byKey;
    const rows = await build.all<{ indicator_id: string; year: number; communes: string[]; units: number; sum: number; denominator: number }>(
      `SELECT indicator_id, year, communes, units, sum, denominator FROM secrecy_blocks ORDER BY indicator_id, year, block`
    );
    for (const r of rows) {
      const key = `${r.indicator_id}:${r.year}`;
      const list = byKey.get(key) ?? [];
      list.push({ indicatorId: r.indicator_id, year: r.year, communes: [...r.communes], units: r.units, sum: r.sum, denominator: r.denominator });
      byKey.set(key, list);
    }
    return byKey;
  });
}
