import { THEMES } from '../../etl/engine/types.ts';
import type { Build } from '../db.ts';
import type { SourceRef } from '../schemas.ts';

export interface Level {
  id: string;
  label: string;
  labelPlural: string;
  rank: number;
  kind: 'admin' | 'zoning';
  /** A zoning shipped as demonstration data, not an official partition. */
  example: boolean;
  minZoom: number;
  maxZoom: number;
}

/** Levels of this build (admin levels, then published zonings), memoised per build. */
export function levels(build: Build): Promise<Map<string, Level>> {
  return build.memo('levels', async () => {
    const rows = await build.all<{
      id: string;
      label: string;
      label_plural: string;
      rank: number;
      kind: string;
      min_zoom: number;
      max_zoom: number;
      example: boolean;
    }>(
      `SELECT l.id, l.label, l.label_plural, l.rank, l.kind, l.min_zoom, l.max_zoom, coalesce(z.example, false) AS example
       FROM levels l LEFT JOIN zonings z ON z.id = l.id ORDER BY l.rank, l.kind, l.id`
    );
    return new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          label: r.label,
          labelPlural: r.label_plural,
          rank: r.rank,
          kind: r.kind === 'zoning' ? 'zoning' : 'admin',
          example: r.example,
          minZoom: r.min_zoom,
          maxZoom: r.max_zoom
        } satisfies Level
      ])
    );
  });
}

export interface SourceRow extends SourceRef {
  loadedAt: string;
}

export function sources(build: Build): Promise<SourceRow[]> {
  return build.memo('sources', async () => {
    const rows = await build.all<SourceRef & { loaded_at: Date | string }>(
      'SELECT id, label, producer, licence, vintage, url, loaded_at FROM sources ORDER BY id'
    );
    return rows.map(({ loaded_at, ...s }) => ({ ...s, loadedAt: new Date(loaded_at).toISOString() }));
  });
}

export interface SeriesEntry {
  year: number;
  source: SourceRef;
  valueVar: string | null;
  numeratorVar: string | null;
  denominatorVar: string | null;
  baseLevel: string;
  levels: string[];
  /** Départements the source covers completely; null for the whole of France. */
  coverage: string[] | null;
}

export interface IndicatorEntry {
  id: string;
  label: string;
  shortLabel: string;
  description: string;
  theme: string;
  unit: string;
  kind: string;
  scale: number;
  decimals: number;
  secrecy: { threshold: number; on: string; reason: string };
  /** The declarative definition as loaded by the ETL. */
  definition: unknown;
  /** By year, ascending. */
  series: SeriesEntry[];
}

export interface Catalogue {
  list: IndicatorEntry[];
  byId: Map<string, IndicatorEntry>;
}

interface CatalogueRow {
  id: string;
  label: string;
  short_label: string;
  description: string;
  theme: string;
  unit: string;
  kind: string;
  scale: number;
  decimals: number;
  secrecy_threshold: number;
  secrecy_on: string;
  secrecy_reason: string;
  definition: string;
  year: number | null;
  source_id: string | null;
  value_var: string | null;
  numerator_var: string | null;
  denominator_var: string | null;
  base_level: string | null;
  levels: string[] | null;
  source_label: string | null;
  producer: string | null;
  licence: string | null;
  vintage: string | null;
  url: string | null;
  coverage: string[] | null;
}

const CATALOGUE_SQL = `
  SELECT i.id, i.label, i.short_label, i.description, i.theme, i.unit, i.kind, i.scale, i.decimals,
         i.secrecy_threshold, i.secrecy_on, i.secrecy_reason, i.definition::VARCHAR AS definition,
         s.year, s.source_id, s.value_var, s.numerator_var, s.denominator_var, s.base_level, s.levels,
         src.label AS source_label, src.producer, src.licence, src.vintage, src.url, src.coverage
  FROM indicators i
  LEFT JOIN indicator_series s ON s.indicator_id = i.id
  LEFT JOIN sources src ON src.id = s.source_id
  ORDER BY i.id, s.year`;

/** The whole indicator catalogue with its series and sources: one query, memoised per build. */
export function catalogue(build: Build): Promise<Catalogue> {
  return build.memo('catalogue', async () => {
    const byId = new Map<string, IndicatorEntry>();
    for (const r of await build.all<CatalogueRow>(CATALOGUE_SQL)) {
      let entry = byId.get(r.id);
      if (!entry) {
        entry = {
          id: r.id,
          label: r.label,
          shortLabel: r.short_label,
          description: r.description,
          theme: r.theme,
          unit: r.unit,
          kind: r.kind,
          scale: r.scale,
          decimals: r.decimals,
          secrecy: { threshold: r.secrecy_threshold, on: r.secrecy_on, reason: r.secrecy_reason },
          definition: parseJson(r.definition),
          series: []
        };
        byId.set(r.id, entry);
      }
      if (r.year !== null && r.source_id !== null) {
        entry.series.push({
          year: r.year,
          source: {
            id: r.source_id,
            label: r.source_label ?? r.source_id,
            producer: r.producer ?? '',
            licence: r.licence ?? '',
            vintage: r.vintage ?? '',
            url: r.url ?? ''
          },
          valueVar: r.value_var,
          numeratorVar: r.numerator_var,
          denominatorVar: r.denominator_var,
          baseLevel: r.base_level ?? '',
          levels: r.levels ?? [],
          coverage: r.coverage
        });
      }
    }
    const themeRank = (t: string) => {
      const i = (THEMES as readonly string[]).indexOf(t);
      return i < 0 ? THEMES.length : i;
    };
    const list = [...byId.values()].sort(
      (a, b) => themeRank(a.theme) - themeRank(b.theme) || a.label.localeCompare(b.label, 'fr')
    );
    return { list, byId };
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Levels where an indicator has values, in any year. */
export function indicatorLevels(entry: IndicatorEntry): string[] {
  return [...new Set(entry.series.flatMap((s) => s.levels))];
}

/** The latest year published at `level`, else the latest year at all. */
export function latestYear(entry: IndicatorEntry, level?: string): number | undefined {
  const years = entry.series.filter((s) => level === undefined || s.levels.includes(level)).map((s) => s.year);
  const all = years.length ? years : entry.series.map((s) => s.year);
  return all.length ? Math.max(...all) : undefined;
}
