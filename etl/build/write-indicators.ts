import type { DuckDBConnection } from '@duckdb/node-api';
import type { SourceDescription } from '../core/types.ts';
import { appendRows } from '../db/duckdb.ts';
import type { IndicatorDefinition } from '../engine/types.ts';
import type { Conversion } from './convert.ts';
import type { TerritoryIndex } from './territory-index.ts';
import { computeSeries, indexSourceValues, type SourceCells } from './values.ts';

export interface IndicatorInputs {
  defs: IndicatorDefinition[];
  sources: Map<string, SourceDescription>;
  converted: Map<string, Conversion>;
  index: TerritoryIndex;
}

/** Writes raw values, the catalogue, and every indicator computed at every level. */
export async function writeIndicators(conn: DuckDBConnection, input: IndicatorInputs): Promise<Record<string, number>> {
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
          yield [sourceId, v.variable, v.level, v.current, v.code, v.commune, v.value, v.status, v.marker ?? null, v.line];
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

  const seriesRows: (string | number | string[] | null)[][] = [];
  let valueCount = 0;
  const valueApp = [
    ['indicator_id', 'varchar'], ['year', 'integer'], ['level', 'varchar'], ['code', 'varchar'], ['value', 'double'],
    ['numerator', 'double'], ['denominator', 'double'], ['status', 'varchar'], ['secret_parts', 'integer'],
    ['missing_parts', 'integer'], ['parts', 'integer'], ['provenance', 'varchar']
  ] as const;

  for (const def of input.defs) {
    for (const s of def.series) {
      const source = input.sources.get(s.source)!;
      const converted = input.converted.get(s.source)!;
      const baseLevel = converted.values[0]?.level ?? 'commune';
      const r = computeSeries(def, s, source, baseLevel, cellsOf(s.source), input.index);
      valueCount += await appendRows(
        conn,
        'indicator_values',
        valueApp,
        r.rows.map((v) => [
          v.indicatorId, v.year, v.level, v.code, v.value, v.numerator, v.denominator, v.status,
          v.secretParts, v.missingParts, v.parts, v.provenance
        ])
      );
      seriesRows.push([def.id, s.year, s.source, s.value ?? null, s.numerator ?? null, s.denominator ?? null, r.baseLevel, r.levels]);
    }
  }

  await appendRows(
    conn,
    'indicators',
    [
      ['id', 'varchar'], ['label', 'varchar'], ['short_label', 'varchar'], ['description', 'varchar'], ['theme', 'varchar'],
      ['unit', 'varchar'], ['kind', 'varchar'], ['scale', 'double'], ['decimals', 'integer'], ['secrecy_threshold', 'double'],
      ['secrecy_on', 'varchar'], ['secrecy_reason', 'varchar'], ['definition', 'varchar']
    ],
    input.defs.map((d) => [
      d.id, d.label, d.shortLabel ?? d.label, d.description ?? '', d.theme, d.unit, d.kind, d.scale, d.decimals,
      d.secrecy.threshold, d.secrecy.on, d.secrecy.reason ?? '', JSON.stringify(d)
    ])
  );
  await appendRows(
    conn,
    'indicator_series',
    [
      ['indicator_id', 'varchar'], ['year', 'integer'], ['source_id', 'varchar'], ['value_var', 'varchar'],
      ['numerator_var', 'varchar'], ['denominator_var', 'varchar'], ['base_level', 'varchar'], ['levels', 'varchar[]']
    ],
    seriesRows
  );
  return { rawValues: rawCount, indicatorValues: valueCount, indicators: input.defs.length, series: seriesRows.length };
}
