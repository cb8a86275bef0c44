import type { Build } from '../db.ts';
import type { StoredValue } from '../schemas.ts';

export interface LevelValueRow extends StoredValue {
  code: string;
  name: string;
  provenance: string | null;
}

/**
 * Every territory of `level` (inside `within` when given) with its value for one
 * indicator and year; territories without a stored value come back with a NULL status.
 */
export function levelValues(
  build: Build,
  args: { indicator: string; year: number; level: string; within: { level: string; code: string } | null }
): Promise<LevelValueRow[]> {
  return build.all<LevelValueRow>(
    `SELECT t.code, t.name, v.value, v.numerator, v.denominator, coalesce(v.status, 'missing') AS status,
            coalesce(v.secret_parts, 0) AS secret_parts, coalesce(v.missing_parts, 0) AS missing_parts, v.provenance
     FROM territories t
     LEFT JOIN indicator_values v
       ON v.indicator_id = $indicator AND v.year = $year AND v.level = t.level AND v.code = t.code
     WHERE t.level = $level
       AND ($within_level IS NULL
            OR (t.level = $within_level AND t.code = $within_code)
            OR t.code IN (SELECT p.code FROM territory_parents p
                          WHERE p.level = $level AND p.parent_level = $within_level AND p.parent_code = $within_code))
     ORDER BY t.code`,
    {
      indicator: args.indicator,
      year: args.year,
      level: args.level,
      within_level: args.within?.level ?? null,
      within_code: args.within?.code ?? null
    }
  );
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

/** All indicators and years for a few territories, in one query (portraits). */
export function valuesOf(build: Build, territories: readonly { level: string; code: string }[]): Promise<KeyedValueRow[]> {
  return build.all<KeyedValueRow>(
    `SELECT v.indicator_id, v.year, v.level, v.code, v.value, v.numerator, v.denominator, v.status,
            v.secret_parts, v.missing_parts, v.parts, v.provenance
     FROM indicator_values v
     JOIN (SELECT unnest($levels) AS level, unnest($codes) AS code) k ON k.level = v.level AND k.code = v.code
     ORDER BY v.indicator_id, v.year`,
    { levels: territories.map((t) => t.level), codes: territories.map((t) => t.code) }
  );
}

export interface ContributionRow extends StoredValue {
  indicator_id: string;
  year: number;
  code: string;
  parts: number;
}

/**
 * Commune values for `indicator:year` keys: the contributions of an ad-hoc group.
 * Filters on the columns themselves (level, code, indicator), so DuckDB tests constants
 * in its scan instead of building a string per row; the year of each indicator is then
 * checked here, on the few rows left.
 */
export async function communeValues(build: Build, indicatorYears: readonly string[], codes: readonly string[]): Promise<ContributionRow[]> {
  const years = new Map<string, number>();
  for (const key of indicatorYears) {
    const colon = key.lastIndexOf(':');
    years.set(key.slice(0, colon), Number(key.slice(colon + 1)));
  }
  const rows = await build.all<ContributionRow>(
    `SELECT indicator_id, year, code, value, numerator, denominator, status, secret_parts, missing_parts, parts
     FROM indicator_values
     WHERE level = 'commune' AND list_contains($codes, code) AND list_contains($ids, indicator_id)`,
    { codes, ids: [...years.keys()] }
  );
  return rows.filter((r) => years.get(r.indicator_id) === r.year);
}

/** The distinct provenance sentences of an indicator, most frequent first within each year. */
export function provenances(build: Build, indicator: string): Promise<{ year: number; provenance: string; count: number }[]> {
  return build.all(
    `SELECT year, provenance, count(*)::INTEGER AS count FROM indicator_values
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
