import type { DuckDBConnection } from '@duckdb/node-api';
import type { SourceDescription } from '../core/types.ts';
import { appendRows, queryRows } from '../db/duckdb.ts';
import type { SecrecyBlock } from '../engine/secondary.ts';
import type { IndicatorDefinition } from '../engine/types.ts';
import type { Conversion } from './convert.ts';
import type { TerritoryIndex } from './territory-index.ts';
import { computeSeries, indexSourceValues, type SourceCells, type ValueRow } from './values.ts';

export interface IndicatorInputs {
  defs: IndicatorDefinition[];
  sources: Map<string, SourceDescription>;
  converted: Map<string, Conversion>;
  index: TerritoryIndex;
}

/** One row of `indicator_series`. */
export interface SeriesRow {
  indicatorId: string;
  year: number;
  sourceId: string;
  valueVar: string | null;
  numeratorVar: string | null;
  denominatorVar: string | null;
  baseLevel: string;
  levels: string[];
}

const VALUE_COLUMNS = [
  ['indicator_id', 'varchar'], ['year', 'integer'], ['level', 'varchar'], ['code', 'varchar'], ['value', 'double'],
  ['numerator', 'double'], ['denominator', 'double'], ['status', 'varchar'], ['secret_parts', 'integer'],
  ['missing_parts', 'integer'], ['parts', 'integer'], ['provenance', 'varchar']
] as const;

export function appendValueRows(conn: DuckDBConnection, rows: readonly ValueRow[]): Promise<number> {
  return appendRows(
    conn,
    'indicator_values',
    VALUE_COLUMNS,
    // One row array at a time: a national series has 50 000 rows.
    (function* () {
      for (const v of rows) {
        yield [
          v.indicatorId, v.year, v.level, v.code, v.value, v.numerator, v.denominator, v.status,
          v.secretParts, v.missingParts, v.parts, v.provenance
        ];
      }
    })()
  );
}

export function appendDefinitions(conn: DuckDBConnection, defs: readonly IndicatorDefinition[]): Promise<number> {
  return appendRows(
    conn,
    'indicators',
    [
      ['id', 'varchar'], ['label', 'varchar'], ['short_label', 'varchar'], ['description', 'varchar'], ['theme', 'varchar'],
      ['unit', 'varchar'], ['kind', 'varchar'], ['scale', 'double'], ['decimals', 'integer'], ['secrecy_threshold', 'double'],
      ['secrecy_on', 'varchar'], ['secrecy_reason', 'varchar'], ['definition', 'varchar']
    ],
    defs.map((d) => [
      d.id, d.label, d.shortLabel ?? d.label, d.description ?? '', d.theme, d.unit, d.kind, d.scale, d.decimals,
      d.secrecy.threshold, d.secrecy.on, d.secrecy.reason ?? '', JSON.stringify(d)
    ])
  );
}

export function appendSeries(conn: DuckDBConnection, rows: readonly SeriesRow[]): Promise<number> {
  return appendRows(
    conn,
    'indicator_series',
    [
      ['indicator_id', 'varchar'], ['year', 'integer'], ['source_id', 'varchar'], ['value_var', 'varchar'],
      ['numerator_var', 'varchar'], ['denominator_var', 'varchar'], ['base_level', 'varchar'], ['levels', 'varchar[]']
    ],
    rows.map((s) => [s.indicatorId, s.year, s.sourceId, s.valueVar, s.numeratorVar, s.denominatorVar, s.baseLevel, s.levels])
  );
}

/**
 * The threshold guarding each producer column (`source/variable`): the strictest of the
 * indicators computed from it. A raw cell under it is written masked, like the values.
 */
function guardedThresholds(defs: readonly IndicatorDefinition[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of defs) {
    if (!(d.secrecy.threshold > 0)) continue;
    for (const s of d.series) {
      const variable = d.kind === 'ratio' ? (d.secrecy.on === 'denominator' ? s.denominator : s.numerator) : s.value;
      if (!variable) continue;
      const key = `${s.source}/${variable}`;
      out.set(key, Math.max(out.get(key) ?? 0, d.secrecy.threshold));
    }
  }
  return out;
}

/** Writes raw values, the catalogue, and every indicator computed at every level. */
export async function writeIndicators(conn: DuckDBConnection, input: IndicatorInputs): Promise<Record<string, number>> {
  const thresholds = guardedThresholds(input.defs);
  const rawCount = await appendRows(
    conn,
    'raw_values',
    [
      ['source_id', 'varchar'], ['variable', 'varchar'], ['level', 'varchar'], ['code', 'varchar'],
      ['published_code', 'varchar'], ['commune', 'varchar'], ['value', 'double'], ['status', 'varchar'], ['marker', 'varchar'], ['line', 'integer']
    ],
    (function* () {
      for (const [sourceId, c] of input.converted) {
        for (const v of c.values) {
          const threshold = thresholds.get(`${sourceId}/${v.variable}`) ?? 0;
          const under = v.status === 'ok' && v.value !== null && v.value < threshold;
          yield under
            ? [sourceId, v.variable, v.level, v.current, v.code, v.commune, null, 'secret', `sous le seuil (${threshold})`, v.line]
            : [sourceId, v.variable, v.level, v.current, v.code, v.commune, v.value, v.status, v.marker ?? null, v.line];
        }
      }
    })()
  );

  const cellsBySource = new Map<string, SourceCells>();
  const cellsOf = (id: string) => {
    let c = cellsBySource.get(id);
    if (!c) cellsBySource.set(id, (c = indexSourceValues(input.converted.get(id)!.values)));
    return c;
  };

  const series: SeriesRow[] = [];
  let valueCount = 0;
  let blockCount = 0;
  for (const def of input.defs) {
    for (const s of def.series) {
      const source = input.sources.get(s.source)!;
      const converted = input.converted.get(s.source)!;
      const baseLevel = converted.values[0]?.level ?? 'commune';
      const r = computeSeries(def, s, source, baseLevel, cellsOf(s.source), input.index);
      valueCount += await appendValueRows(conn, r.rows);
      blockCount += await appendBlocks(conn, def.id, s.year, r.blocks);
      series.push({
        indicatorId: def.id,
        year: s.year,
        sourceId: s.source,
        valueVar: s.value ?? null,
        numeratorVar: s.numerator ?? null,
        denominatorVar: s.denominator ?? null,
        baseLevel: r.baseLevel,
        levels: r.levels
      });
    }
  }
  await appendDefinitions(conn, input.defs);
  await appendSeries(conn, series);
  return {
    rawValues: rawCount,
    indicatorValues: valueCount,
    indicators: input.defs.length,
    series: series.length,
    secrecyBlocks: blockCount
  };
}

function appendBlocks(conn: DuckDBConnection, indicatorId: string, year: number, blocks: readonly SecrecyBlock[]): Promise<number> {
  return appendRows(
    conn,
    'secrecy_blocks',
    [
      ['indicator_id', 'varchar'], ['year', 'integer'], ['block', 'varchar'], ['level', 'varchar'], ['group_code', 'varchar'],
      ['communes', 'varchar[]'], ['units', 'integer'], ['sum', 'double'], ['denominator', 'double']
    ],
    blocks
      .filter((b) => b.level !== 'commune')
      .map((b) => [indicatorId, year, b.id, b.level, b.group, b.communes, b.units.length, b.sum, b.denominator])
  );
}

/**
 * Values are appended series by series; the server reads them by territory (portraits,
 * ad-hoc groups), so store them clustered by (level, code) to let DuckDB skip row groups.
 * One sorted copy into a fresh table with the schema's own definition: a national build has
 * some 6 M values, and copying them twice (through a temporary table) doubled the time and
 * the memory of this step.
 */
export async function clusterValuesByTerritory(conn: DuckDBConnection): Promise<void> {
  const [table] = await queryRows<{ sql: string }>(conn, `SELECT sql FROM duckdb_tables() WHERE table_name = 'indicator_values' AND NOT temporary`);
  await conn.run(`ALTER TABLE indicator_values RENAME TO indicator_values_unsorted`);
  await conn.run(table!.sql);
  await conn.run(`INSERT INTO indicator_values SELECT * FROM indicator_values_unsorted ORDER BY level, code, indicator_id, year`);
  await conn.run(`DROP TABLE indicator_values_unsorted`);
}
