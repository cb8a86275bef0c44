import { type Method, METHODS, clampClasses } from './classify';
import { DEFAULT_PALETTE, PALETTES } from './palettes';
import type { IndicatorSummary, Level } from './types';

export type Scope = '93' | 'idf';
export type Rendering = 'aplats' | 'symboles';

/** Everything a map shows; serialised in the URL so a copied link reproduces it. */
export interface MapState {
  indicator: string;
  level: string;
  year: number;
  method: Method;
  classes: number;
  palette: string;
  reverse: boolean;
  /** 0–100 */
  opacity: number;
  manual: number[];
  scope: Scope;
  rendering: Rendering;
  /** Camera: longitude, latitude, zoom; null = fitted to the département. */
  view: { lon: number; lat: number; zoom: number } | null;
}

export const DEFAULT_INDICATOR = 'taux-chomage';
const LEVEL_PREFERENCE = ['commune', 'iris', 'ept', 'departement', 'region'];

/** Counts are drawn as proportional symbols, everything else as a choropleth. */
export function defaultRendering(indicator: IndicatorSummary): Rendering {
  return indicator.kind === 'count' ? 'symboles' : 'aplats';
}

export function defaultLevel(indicator: IndicatorSummary, levels: readonly Level[]): string {
  const available = new Set(indicator.levels);
  return (
    LEVEL_PREFERENCE.find((l) => available.has(l)) ?? levels.find((l) => available.has(l.id))?.id ?? indicator.levels[0] ?? 'commune'
  );
}

export function defaultYear(indicator: IndicatorSummary): number {
  return indicator.years.at(-1) ?? new Date().getFullYear();
}

/** Levels that only make sense region-wide: the 93 is one of them, so no perimeter applies. */
export function scopeApplies(level: string): boolean {
  return level !== 'departement' && level !== 'region';
}

/** The `within` filter of the values request for a state. */
export function withinParam(state: Pick<MapState, 'level' | 'scope'>): string | null {
  if (!scopeApplies(state.level)) return null;
  if (state.level === 'iris') return 'departement:93';
  return state.scope === '93' ? 'departement:93' : 'region:11';
}

export function valuesPath(state: Pick<MapState, 'indicator' | 'level' | 'year' | 'scope'>, format?: string): string {
  const p = new URLSearchParams({ level: state.level, year: String(state.year) });
  const within = withinParam(state);
  if (within) p.set('within', within);
  if (format) p.set('format', format);
  return `/api/indicators/${encodeURIComponent(state.indicator)}/values?${p}`;
}

function number(text: string | null, fallback: number): number {
  if (text === null || text.trim() === '') return fallback;
  const n = Number(text);
  return Number.isFinite(n) ? n : fallback;
}

/** Reads a state from a URL's query, falling back on defaults for anything absent or invalid. */
export function parseMapState(params: URLSearchParams, catalogue: readonly IndicatorSummary[], levels: readonly Level[]): MapState {
  const byId = new Map(catalogue.map((i) => [i.id, i]));
  const indicator = byId.get(params.get('indicateur') ?? '') ?? byId.get(DEFAULT_INDICATOR) ?? catalogue[0];
  if (!indicator) throw new Error('Le catalogue des indicateurs est vide.');
  const levelParam = params.get('niveau');
  const level = levelParam && indicator.levels.includes(levelParam) ? levelParam : defaultLevel(indicator, levels);
  const yearParam = number(params.get('annee'), NaN);
  const year = indicator.years.includes(yearParam) ? yearParam : defaultYear(indicator);
  const methodParam = params.get('methode') as Method | null;
  const method: Method = methodParam && (METHODS as readonly string[]).includes(methodParam) ? methodParam : 'quantiles';
  const paletteParam = params.get('palette');
  const palette = paletteParam && PALETTES.some((p) => p.id === paletteParam) ? paletteParam : DEFAULT_PALETTE;
  const manual = (params.get('seuils') ?? '')
    .split('_')
    .filter((s) => s !== '')
    .map(Number)
    .filter((n) => Number.isFinite(n));
  const renderingParam = params.get('rendu');
  const rendering: Rendering =
    renderingParam === 'aplats' || renderingParam === 'symboles' ? renderingParam : defaultRendering(indicator);
  return {
    indicator: indicator.id,
    level,
    year,
    method,
    classes: clampClasses(number(params.get('classes'), 5)),
    palette,
    reverse: params.get('inverse') === '1',
    opacity: Math.min(100, Math.max(0, Math.round(number(params.get('opacite'), 85)))),
    manual,
    scope: params.get('perimetre') === 'idf' ? 'idf' : '93',
    rendering,
    view: parseView(params.get('vue'))
  };
}

/** « 10.5/48.91/2.45 » (zoom/latitude/longitude, as most web maps write it). */
function parseView(text: string | null): MapState['view'] {
  if (!text) return null;
  const [zoom, lat, lon] = text.split('/').map(Number);
  if ([zoom, lat, lon].some((n) => n === undefined || !Number.isFinite(n))) return null;
  if ((lat as number) < -85 || (lat as number) > 85 || (lon as number) < -180 || (lon as number) > 180) return null;
  return { zoom: Math.min(22, Math.max(0, zoom as number)), lat: lat as number, lon: lon as number };
}

/** The query string of a state; only what differs from the indicator's defaults is left out when `compact`. */
export function serialiseMapState(state: MapState): URLSearchParams {
  const p = new URLSearchParams();
  p.set('indicateur', state.indicator);
  p.set('niveau', state.level);
  p.set('annee', String(state.year));
  p.set('rendu', state.rendering);
  p.set('methode', state.method);
  p.set('classes', String(state.classes));
  p.set('palette', state.palette);
  if (state.reverse) p.set('inverse', '1');
  p.set('opacite', String(state.opacity));
  if (state.method === 'manuel' && state.manual.length) p.set('seuils', state.manual.map((n) => String(n)).join('_'));
  if (scopeApplies(state.level) && state.level !== 'iris') p.set('perimetre', state.scope);
  if (state.view) {
    const { zoom, lat, lon } = state.view;
    p.set('vue', `${zoom.toFixed(3)}/${lat.toFixed(6)}/${lon.toFixed(6)}`);
  }
  return p;
}
