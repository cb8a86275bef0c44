import type { PortraitIndicator, TerritoryRef } from '../types';
import type { ChartSpec } from './sections';

/** One row of a chart's data table: a category and, per territory, its value. */
export interface ChartData {
  spec: ChartSpec;
  /** Territories (columns): the portrait's territory first, then its comparisons. */
  series: { key: string; name: string }[];
  /** Categories (rows). */
  rows: { id: string; label: string; values: (number | null)[] }[];
  unit: string;
  decimals: number;
  year: number | null;
  source: string | null;
}

const key = (t: Pick<TerritoryRef, 'level' | 'code'>) => `${t.level}:${t.code}`;

/**
 * The numbers behind a chart, from the portrait alone. Null when fewer than two
 * categories have a value for the territory: nothing a chart would say better than a figure.
 */
export function chartData(spec: ChartSpec, self: TerritoryRef, indicators: readonly PortraitIndicator[]): ChartData | null {
  const byId = new Map(indicators.map((i) => [i.id, i]));
  const parts = spec.parts.map((p) => ({ ...p, indicator: byId.get(p.id) })).filter((p) => p.indicator);
  if (parts.length < 2) return null;
  const first = parts[0]?.indicator as PortraitIndicator;

  if (spec.type === 'deciles') {
    // deciles are published for one year; the median is read from its history at that year
    const year = parts.find((p) => p.id !== 'revenu-disponible-median-uc')?.indicator?.year ?? null;
    const rows = parts.map((p) => {
      const i = p.indicator as PortraitIndicator;
      const value = i.year === year ? i.value.value : (i.history.find((h) => h.year === year)?.value ?? null);
      return { id: p.id, label: p.label, values: [value] };
    });
    if (rows.filter((r) => r.values[0] !== null).length < 5) return null;
    return {
      spec,
      series: [{ key: key(self), name: self.name }],
      rows,
      unit: first.unit,
      decimals: 0,
      year,
      source: sourceText(first)
    };
  }

  const columns: { key: string; name: string }[] = [{ key: key(self), name: self.name }];
  if (spec.type !== 'bars') for (const c of first.comparisons) columns.push({ key: key(c), name: c.name });
  const rows = parts.map((p) => {
    const i = p.indicator as PortraitIndicator;
    const values = columns.map((col, n) => {
      if (n === 0) return i.value.value;
      return i.comparisons.find((c) => key(c) === col.key)?.value ?? null;
    });
    return { id: p.id, label: p.label, values };
  });
  if (rows.filter((r) => r.values[0] !== null).length < 2) return null;

  let unit = first.unit;
  let decimals = first.decimals;
  if (spec.type === 'composition') {
    // shares of the sum of the parts, per territory
    for (let col = 0; col < columns.length; col++) {
      const total = rows.reduce((s, r) => s + (r.values[col] ?? 0), 0);
      const complete = rows.every((r) => r.values[col] !== null);
      for (const r of rows) r.values[col] = complete && total > 0 ? ((r.values[col] as number) / total) * 100 : null;
    }
    unit = '%';
    decimals = 1;
  }
  // drop comparison columns with no number at all (not published at that level)
  const keep = columns.map((_, col) => col === 0 || rows.some((r) => r.values[col] !== null));
  return {
    spec,
    series: columns.filter((_, col) => keep[col]),
    rows: rows.map((r) => ({ ...r, values: r.values.filter((_, col) => keep[col]) })),
    unit,
    decimals,
    year: first.year,
    source: sourceText(first)
  };
}

export function sourceText(i: Pick<PortraitIndicator, 'source' | 'year'>): string | null {
  if (!i.source) return null;
  return `${i.source.producer}, ${i.source.label} (millésime ${i.source.vintage})`;
}
