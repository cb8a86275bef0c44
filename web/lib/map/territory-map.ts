/**
 * A MapLibre map of one territorial level drawn from the server's vector tiles.
 * Values are joined client-side by code through feature-state, so a new indicator
 * or classification never refetches tiles. Browser only.
 */
import type { ExpressionSpecification, GeoJSONSource, Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';

type MapLibre = typeof import('maplibre-gl');

let loading: Promise<MapLibre> | null = null;

/** MapLibre and its worker, loaded once and only by pages that show a map. */
export function loadMapLibre(): Promise<MapLibre> {
  loading ??= Promise.all([
    import('maplibre-gl'),
    import('maplibre-gl/dist/maplibre-gl-worker.mjs?url'),
    import('maplibre-gl/dist/maplibre-gl.css')
  ]).then(([module, worker]) => {
    // after `vite build` the worker must be pointed at explicitly (TOOLCHAIN.md)
    module.setWorkerUrl(worker.default);
    // start the worker now: it parses while the map and its style are set up
    module.prewarm();
    performance.mark('carte:maplibre-charge');
    return module;
  });
  return loading;
}

export type BBox = [number, number, number, number];

export interface MapOptions {
  container: HTMLElement;
  /** Build id: tiles are fetched from the immutable, versioned URLs. */
  build: string;
  level: string;
  levelMinZoom: number;
  /** Initial extent (fitted) unless `view` is given. */
  bounds: BBox;
  view?: { lon: number; lat: number; zoom: number } | null;
  interactive?: boolean;
  /** A MapLibre style URL drawn under the data; none by default (the machine may be offline). */
  basemap?: string | null;
  /** Outline drawn on top: the département, an EPT… */
  outline?: { level: string; codes: string[] } | null;
}

export interface Symbol {
  code: string;
  radius: number;
}

export interface Paint {
  /** Fill colour by territory code; territories in `shown` but absent here are drawn grey. */
  colors: Map<string, string>;
  /** Territories drawn at all (the perimeter); null = every feature of the layer. */
  shown: string[] | null;
  /** Hatched: statistical secrecy. */
  hatched: string[];
  /** 0–1 */
  opacity: number;
  /** Outlined in bold. */
  highlight?: string[];
  /** Proportional circles (radius in pixels), drawn over a neutral fill. */
  symbols?: Symbol[] | null;
  symbolColor?: string;
}

export const MISSING_COLOR = '#bdbdbd';
export const SECRET_BACKGROUND = '#e8e8e8';
export const NEUTRAL_FILL = '#f3f1ec';
const HATCH = 'hachures';
const TILE_MAX_ZOOM = 14;
/** Parcels are drawn from this zoom (their tiles start at 13, too dense to read). */
export const CADASTRE_MIN_ZOOM = 15;
const CADASTRE_LAYERS = ['cadastre-batiments', 'cadastre-parcelles-fond', 'cadastre-parcelles'];
const SELECTION_LAYERS = ['selection-fond', 'selection-halo', 'selection-trait'];
/** Outline of the communes of a group being composed (a magenta no ColorBrewer palette of the map uses). */
export const SELECTION_COLOR = '#d1007a';

const FILL: ExpressionSpecification = ['to-color', ['coalesce', ['feature-state', 'color'], MISSING_COLOR]];

function emptyStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {},
    layers: [{ id: 'fond', type: 'background', paint: { 'background-color': '#fbfaf7' } }]
  };
}

/** Diagonal hatching for secret values: dark lines on light grey, visible at any opacity. */
function hatchImage(): { width: number; height: number; data: Uint8Array } {
  const size = 8;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const on = (x + y) % size === 0 || (x + y) % size === 1;
      const i = (y * size + x) * 4;
      const [r, g, b] = on ? [90, 90, 90] : [232, 232, 232];
      data.set([r, g, b, 255], i);
    }
  }
  return { width: size, height: size, data };
}

export class TerritoryMap {
  readonly map: MapLibreMap;
  private readonly maplibre: MapLibre;
  private readonly build: string;
  private level: string;
  private levelMinZoom: number;
  private paint: Paint | null = null;
  private painted = new Set<string>();
  private hovered: string | null = null;
  private centroids = new Map<string, [number, number]>();
  /** What the circle source holds, to set it only when it changes (setData triggers a render, then idle). */
  private symbolsKey = '';
  private readonly listeners: {
    hover: ((code: string | null, point: { x: number; y: number } | null) => void)[];
    click: ((code: string) => void)[];
    parcel: ((parcel: { id: string; commune: string }) => void)[];
    view: ((view: { lon: number; lat: number; zoom: number }) => void)[];
    select: ((code: string) => void)[];
  } = { hover: [], click: [], parcel: [], view: [], select: [] };
  private readonly styleReady: Promise<void>;

  private constructor(maplibre: MapLibre, options: MapOptions) {
    this.maplibre = maplibre;
    this.build = options.build;
    this.level = options.level;
    this.levelMinZoom = options.levelMinZoom;
    const camera = options.view
      ? { center: [options.view.lon, options.view.lat] as [number, number], zoom: options.view.zoom }
      : { bounds: options.bounds, fitBoundsOptions: { padding: 16 } };
    this.map = new maplibre.Map({
      container: options.container,
      style: options.basemap || emptyStyle(),
      ...camera,
      interactive: options.interactive ?? true,
      attributionControl: false,
      // keeps the last frame readable: PNG export, PDF snapshots
      canvasContextAttributes: { preserveDrawingBuffer: true, antialias: false },
      maxZoom: 17,
      minZoom: 6,
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      cooperativeGestures: false
    });
    this.map.keyboard.enable();
    if (options.interactive ?? true) {
      this.map.addControl(new maplibre.NavigationControl({ showCompass: false }), 'top-right');
      this.map.addControl(new maplibre.ScaleControl({ unit: 'metric' }), 'bottom-left');
    }
    this.map.addControl(new maplibre.AttributionControl({ compact: true, customAttribution: 'Contours IGN, INSEE' }));
    this.styleReady = new Promise((resolve) => {
      this.map.once('load', () => {
        performance.mark('carte:style-charge');
        this.map.addImage(HATCH, hatchImage(), { pixelRatio: 1 });
        this.addOutline(options.outline ?? null);
        this.addLevel();
        resolve();
      });
    });
    this.map.on('moveend', (e) => {
      // only a person's moves: the initial fit or a programmatic fit keep the view « fitted »
      if (!(e as { originalEvent?: unknown }).originalEvent) return;
      const c = this.map.getCenter();
      for (const f of this.listeners.view) f({ lon: c.lng, lat: c.lat, zoom: this.map.getZoom() });
    });
    this.map.on('idle', () => {
      if (this.paint?.symbols) this.updateSymbols();
    });
    const tilesLoaded = (e: { sourceId?: string; isSourceLoaded?: boolean }) => {
      if (e.sourceId === 'territoires' && e.isSourceLoaded) {
        performance.mark('carte:tuiles-chargees');
        this.map.off('sourcedata', tilesLoaded);
      }
    };
    this.map.on('sourcedata', tilesLoaded);
  }

  static async create(options: MapOptions): Promise<TerritoryMap> {
    const maplibre = await loadMapLibre();
    const m = new TerritoryMap(maplibre, options);
    await m.styleReady;
    return m;
  }

  onHover(f: (code: string | null, point: { x: number; y: number } | null) => void): void {
    this.listeners.hover.push(f);
  }
  onClick(f: (code: string) => void): void {
    this.listeners.click.push(f);
  }
  onView(f: (view: { lon: number; lat: number; zoom: number }) => void): void {
    this.listeners.view.push(f);
  }
  onParcel(f: (parcel: { id: string; commune: string }) => void): void {
    this.listeners.parcel.push(f);
  }
  /** A click on a commune while a group is being composed (`setSelection`). */
  onSelect(f: (code: string) => void): void {
    this.listeners.select.push(f);
  }

  private selecting = false;

  /**
   * Group composition: while `selection` is set, a click on a commune reports it to
   * `onSelect` instead of opening a portrait, whatever level is drawn, and the selected
   * communes get a thick dashed outline over a white halo — visible without colour vision
   * and over any fill. Null ends the composition.
   */
  setSelection(selection: { codes: string[]; minZoom: number } | null): void {
    const m = this.map;
    this.selecting = selection !== null;
    if (!selection) {
      for (const id of SELECTION_LAYERS) if (m.getLayer(id)) m.setLayoutProperty(id, 'visibility', 'none');
      return;
    }
    if (!m.getSource('selection')) {
      m.addSource('selection', {
        type: 'vector',
        tiles: [this.tileUrl('commune')],
        minzoom: Math.min(selection.minZoom, TILE_MAX_ZOOM),
        maxzoom: TILE_MAX_ZOOM,
        promoteId: 'code'
      });
      const common = { source: 'selection', 'source-layer': 'commune' } as const;
      // invisible, but hit by clicks: any commune can be picked, even at the IRIS or EPT level
      m.addLayer({ id: 'selection-fond', type: 'fill', ...common, paint: { 'fill-color': '#000000', 'fill-opacity': 0 } });
      m.addLayer({ id: 'selection-halo', type: 'line', ...common, paint: { 'line-color': '#ffffff', 'line-width': 7 } });
      m.addLayer({
        id: 'selection-trait',
        type: 'line',
        ...common,
        paint: { 'line-color': SELECTION_COLOR, 'line-width': 3.5, 'line-dasharray': [2, 1] }
      });
      m.on('click', 'selection-fond', (e) => {
        if (!this.selecting || this.parcelClick()) return;
        const f = e.features?.[0];
        const code = f?.id !== undefined ? String(f.id) : (f?.properties as { code?: string } | undefined)?.code;
        if (code) for (const g of this.listeners.select) g(code);
      });
      m.on('mousemove', 'selection-fond', () => {
        if (this.selecting) m.getCanvas().style.cursor = 'pointer';
      });
    }
    const filter: ExpressionSpecification = ['in', ['get', 'code'], ['literal', selection.codes]];
    for (const id of SELECTION_LAYERS) m.setLayoutProperty(id, 'visibility', 'visible');
    m.setFilter('selection-halo', filter);
    m.setFilter('selection-trait', filter);
  }

  private cadastreOn = false;

  /** Cadastral parcels and buildings (server TileJSON), drawn from CADASTRE_MIN_ZOOM; clicking a parcel reports it. */
  setCadastre(on: boolean): void {
    const m = this.map;
    this.cadastreOn = on;
    if (!m.getSource('cadastre-parcelles')) {
      if (!on) return;
      for (const layer of ['parcelles', 'batiments']) {
        m.addSource(`cadastre-${layer}`, { type: 'vector', url: `${location.origin}/tiles/cadastre/${layer}.json` });
      }
      const common = { minzoom: CADASTRE_MIN_ZOOM, layout: { visibility: 'visible' as const } };
      m.addLayer({ id: 'cadastre-batiments', type: 'fill', source: 'cadastre-batiments', 'source-layer': 'batiments', ...common, paint: { 'fill-color': '#6b7280', 'fill-opacity': 0.45 } });
      m.addLayer({ id: 'cadastre-parcelles-fond', type: 'fill', source: 'cadastre-parcelles', 'source-layer': 'parcelles', ...common, paint: { 'fill-color': '#fef3c7', 'fill-opacity': 0.25 } });
      m.addLayer({ id: 'cadastre-parcelles', type: 'line', source: 'cadastre-parcelles', 'source-layer': 'parcelles', ...common, paint: { 'line-color': '#7c2d12', 'line-width': 0.8 } });
      m.on('click', 'cadastre-parcelles-fond', (e) => {
        const p = e.features?.[0]?.properties as { id?: string; commune?: string } | undefined;
        if (this.cadastreOn && p?.id && p.commune) for (const f of this.listeners.parcel) f({ id: p.id, commune: p.commune });
      });
      m.on('mouseenter', 'cadastre-parcelles-fond', () => (m.getCanvas().style.cursor = 'pointer'));
      return;
    }
    for (const id of CADASTRE_LAYERS) m.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
  }

  /** True when a click at this zoom is for a parcel, not a territory. */
  private parcelClick(): boolean {
    return this.cadastreOn && this.map.getZoom() >= CADASTRE_MIN_ZOOM;
  }

  private tileUrl(layer: string): string {
    return `${location.origin}/tiles/${encodeURIComponent(this.build)}/${encodeURIComponent(layer)}/{z}/{x}/{y}.pbf`;
  }

  private addOutline(outline: MapOptions['outline']): void {
    if (!outline) return;
    this.map.addSource('contour', {
      type: 'vector',
      tiles: [this.tileUrl(outline.level)],
      maxzoom: TILE_MAX_ZOOM,
      promoteId: 'code'
    });
    this.map.addLayer({
      id: 'contour',
      type: 'line',
      source: 'contour',
      'source-layer': outline.level,
      filter: ['in', ['get', 'code'], ['literal', outline.codes]],
      paint: { 'line-color': '#1f2933', 'line-width': 2.2 }
    });
  }

  private addLevel(): void {
    const m = this.map;
    const layer = this.level;
    // under the département's outline and a group's selection, whichever came first
    const before = ['contour', 'selection-fond'].find((id) => m.getLayer(id));
    m.addSource('territoires', {
      type: 'vector',
      tiles: [this.tileUrl(layer)],
      minzoom: Math.min(this.levelMinZoom, TILE_MAX_ZOOM),
      maxzoom: TILE_MAX_ZOOM,
      promoteId: 'code'
    });
    m.addLayer(
      {
        id: 'aplats',
        type: 'fill',
        source: 'territoires',
        'source-layer': layer,
        // white borders are drawn by « limites »: no outline pass (one shader less to compile)
        paint: { 'fill-color': FILL, 'fill-opacity': 0.85, 'fill-antialias': false }
      },
      before
    );
    m.addLayer(
      {
        id: 'limites',
        type: 'line',
        source: 'territoires',
        'source-layer': layer,
        paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.4, 13, 1.4] }
      },
      before
    );
    m.addSource('centres', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });

    this.bindPointer('aplats');
  }

  private readonly bound = new Set<string>();

  /** Pointer events of a layer, bound once per layer id (they survive its removal and re-adding). */
  private bindPointer(id: string): void {
    if (this.bound.has(id)) return;
    this.bound.add(id);
    const m = this.map;
    const codeOf = (e: { features?: { id?: string | number; properties?: unknown }[] }): string | null => {
      const f = e.features?.[0];
      if (!f) return null;
      if (f.id !== undefined) return String(f.id);
      return (f.properties as { code?: string } | undefined)?.code ?? null;
    };
    m.on('mousemove', id, (e) => {
      const code = codeOf(e);
      if (!code || (this.paint?.shown && !this.paint.shown.includes(code))) return this.setHover(null, null);
      m.getCanvas().style.cursor = 'pointer';
      this.setHover(code, e.point);
    });
    m.on('mouseleave', id, () => {
      m.getCanvas().style.cursor = '';
      this.setHover(null, null);
    });
    m.on('click', id, (e) => {
      if (this.parcelClick() || this.selecting) return;
      const code = codeOf(e);
      if (code && (!this.paint?.shown || this.paint.shown.includes(code))) for (const f of this.listeners.click) f(code);
    });
  }

  private setHover(code: string | null, point: { x: number; y: number } | null): void {
    if (code) this.ensureOutlineLayer();
    if (this.hovered !== code) {
      if (this.hovered) this.map.setFeatureState({ source: 'territoires', sourceLayer: this.level, id: this.hovered }, { survol: false });
      if (code) this.map.setFeatureState({ source: 'territoires', sourceLayer: this.level, id: code }, { survol: true });
      this.hovered = code;
    }
    for (const f of this.listeners.hover) f(code, point);
  }

  /**
   * Hatching and circles are added the first time they are needed: each layer type
   * compiles its own shaders, which is slow in software WebGL (SwiftShader).
   */
  private ensureHatchLayer(): void {
    if (this.map.getLayer('hachures')) return;
    this.map.addLayer(
      {
        id: 'hachures',
        type: 'fill',
        source: 'territoires',
        'source-layer': this.level,
        filter: ['in', ['get', 'code'], ['literal', []]],
        paint: { 'fill-pattern': HATCH, 'fill-opacity': 1, 'fill-antialias': false }
      },
      'limites'
    );
  }

  /** Bold outline of the hovered or highlighted territory. */
  private ensureOutlineLayer(): void {
    if (this.map.getLayer('survol')) return;
    const shown = this.paint?.shown;
    this.map.addLayer(
      {
        id: 'survol',
        type: 'line',
        source: 'territoires',
        'source-layer': this.level,
        ...(shown ? { filter: ['in', ['get', 'code'], ['literal', shown]] as ExpressionSpecification } : {}),
        paint: {
          'line-color': '#111111',
          'line-width': ['case', ['boolean', ['feature-state', 'survol'], false], 3, ['boolean', ['feature-state', 'souligne'], false], 3, 0]
        }
      },
      this.map.getLayer('symboles') ? 'symboles' : undefined
    );
  }

  private ensureSymbolLayer(): void {
    if (this.map.getLayer('symboles')) return;
    this.map.addLayer({
      id: 'symboles',
      type: 'circle',
      source: 'centres',
      layout: { 'circle-sort-key': ['-', 0, ['get', 'r']] },
      paint: {
        'circle-radius': ['get', 'r'],
        'circle-color': '#c2410c',
        'circle-opacity': 0.8,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1
      }
    });
    this.bindPointer('symboles');
  }

  /** Switches to another level: another tile layer, same camera. */
  setLevel(level: string, minZoom: number): void {
    if (level === this.level) return;
    for (const id of ['survol', 'symboles', 'limites', 'hachures', 'aplats']) if (this.map.getLayer(id)) this.map.removeLayer(id);
    for (const id of ['centres', 'territoires']) if (this.map.getSource(id)) this.map.removeSource(id);
    this.level = level;
    this.levelMinZoom = minZoom;
    this.painted.clear();
    this.centroids.clear();
    this.symbolsKey = '';
    this.hovered = null;
    this.addLevel();
    if (this.paint) this.setPaint(this.paint);
  }

  setPaint(paint: Paint): void {
    const m = this.map;
    this.paint = paint;
    const target = { source: 'territoires', sourceLayer: this.level };
    const symbolMode = !!paint.symbols;
    const next = new Set<string>();
    for (const [code, color] of paint.colors) {
      m.setFeatureState({ ...target, id: code }, { color: symbolMode ? NEUTRAL_FILL : color });
      next.add(code);
    }
    for (const code of this.painted) if (!next.has(code)) m.setFeatureState({ ...target, id: code }, { color: null });
    this.painted = next;
    if (paint.highlight?.length) this.ensureOutlineLayer();
    for (const code of paint.highlight ?? []) m.setFeatureState({ ...target, id: code }, { souligne: true });
    const shownFilter: ExpressionSpecification | undefined = paint.shown ? ['in', ['get', 'code'], ['literal', paint.shown]] : undefined;
    m.setFilter('aplats', shownFilter ?? null);
    m.setFilter('limites', shownFilter ?? null);
    if (m.getLayer('survol')) m.setFilter('survol', shownFilter ?? null);
    if (paint.hatched.length) this.ensureHatchLayer();
    if (m.getLayer('hachures')) m.setFilter('hachures', ['in', ['get', 'code'], ['literal', paint.hatched]]);
    m.setPaintProperty('aplats', 'fill-opacity', paint.opacity);
    if (m.getLayer('hachures')) m.setPaintProperty('hachures', 'fill-opacity', Math.max(0.35, paint.opacity));
    if (symbolMode) {
      this.ensureSymbolLayer();
      m.setPaintProperty('symboles', 'circle-color', paint.symbolColor ?? '#c2410c');
    }
    if (symbolMode) this.updateSymbols();
    else if (this.symbolsKey !== '') {
      this.symbolsKey = '';
      (m.getSource('centres') as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features: [] });
    }
  }

  /** Circle centres: area-weighted centroids of the tile pieces of each territory loaded so far. */
  private updateSymbols(): void {
    const symbols = this.paint?.symbols;
    const source = this.map.getSource('centres') as GeoJSONSource | undefined;
    if (!symbols || !source) return;
    const missing = symbols.some((s) => !this.centroids.has(s.code));
    if (missing) {
      const sums = new Map<string, { a: number; x: number; y: number }>();
      for (const f of this.map.querySourceFeatures('territoires', { sourceLayer: this.level })) {
        const code = f.id === undefined ? null : String(f.id);
        if (!code || this.centroids.has(code)) continue;
        const g = f.geometry;
        const polygons = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
        const s = sums.get(code) ?? { a: 0, x: 0, y: 0 };
        for (const rings of polygons) {
          const ring = rings[0];
          if (!ring) continue;
          let a = 0, cx = 0, cy = 0;
          for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
            const [x1, y1] = ring[j] as [number, number];
            const [x2, y2] = ring[i] as [number, number];
            const cross = x1 * y2 - x2 * y1;
            a += cross;
            cx += (x1 + x2) * cross;
            cy += (y1 + y2) * cross;
          }
          if (a === 0) continue;
          s.a += a / 2;
          s.x += cx / 6;
          s.y += cy / 6;
        }
        sums.set(code, s);
      }
      for (const [code, s] of sums) if (s.a !== 0) this.centroids.set(code, [s.x / s.a, s.y / s.a]);
    }
    const drawn = symbols.filter((s) => this.centroids.has(s.code) && s.radius > 0);
    const key = drawn.map((s) => `${s.code}:${s.radius.toFixed(2)}`).join(',');
    if (key === this.symbolsKey) return;
    this.symbolsKey = key;
    source.setData({
      type: 'FeatureCollection',
      features: drawn.map((s) => ({
          type: 'Feature',
          id: s.code,
          properties: { code: s.code, r: s.radius },
          geometry: { type: 'Point', coordinates: this.centroids.get(s.code) as [number, number] }
        }))
    });
  }

  fit(bounds: BBox, animate = true): void {
    this.map.fitBounds(bounds, { padding: 16, animate });
  }

  /** Resolves once every tile of the view is loaded and drawn with the current paint. */
  rendered(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.map.loaded() && this.map.areTilesLoaded() && this.map.isSourceLoaded('territoires')) {
          if (this.paint?.symbols) this.updateSymbols();
          resolve();
          return true;
        }
        return false;
      };
      const wait = () => this.map.once('idle', () => {
        if (!check()) wait();
      });
      // a repaint guarantees an idle event after the latest paint change
      this.map.triggerRepaint();
      wait();
    });
  }

  canvas(): HTMLCanvasElement {
    return this.map.getCanvas();
  }

  resize(): void {
    this.map.resize();
  }

  destroy(): void {
    this.map.remove();
  }
}
