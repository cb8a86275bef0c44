import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbPath } from '../../etl/testing/test-db.ts';
import { type Build, type Db, openDb } from '../db.ts';
import { CADASTRE_LAYERS, type FeatureRow, type LayerInventory, cadastreInventory, selectVintages, tileRows } from '../queries/cadastre.ts';
import { CadastreTiles, encodeCadastreTile, tileProperties } from './cadastre-layers.ts';
import { tileAt, tileBBox } from './mercator.ts';

const parcelles = CADASTRE_LAYERS.parcelles;

function row(id: string, geometry: object | null, extra: Partial<FeatureRow> = {}): FeatureRow {
  return {
    id,
    commune: '93010',
    prefixe: '000',
    section: '0A',
    numero: id.slice(-4),
    contenance: 120,
    vintage: '2025-01-01',
    geojson: geometry ? JSON.stringify(geometry) : null,
    minx: null,
    miny: null,
    maxx: null,
    maxy: null,
    ...extra
  };
}

describe('selectVintages', () => {
  const entry = (vintage: string) => ({ vintage, count: 1, bbox: null, sources: [] });
  const layer: LayerInventory = {
    communes: new Map([
      ['93010', ['2022-01-01', '2023-01-01', '2025-01-01'].map(entry)],
      ['75118', ['2022-01-01'].map(entry)],
      ['13029', ['2021-04-13'].map(entry)]
    ]),
    vintages: ['2021-04-13', '2022-01-01', '2023-01-01', '2025-01-01'],
    bounds: null
  };
  const shown = (asOf: string | null) => Object.fromEntries([...selectVintages(layer, asOf)].map(([c, v]) => [c, v.vintage]));

  it('shows the latest millésime of each commune by default', () => {
    expect(shown(null)).toEqual({ '93010': '2025-01-01', '75118': '2022-01-01', '13029': '2021-04-13' });
  });

  it('shows each commune as it was at a date, leaving out those not yet published', () => {
    expect(shown('2024-01-01')).toEqual({ '93010': '2023-01-01', '75118': '2022-01-01', '13029': '2021-04-13' });
    expect(shown('2021-04-13')).toEqual({ '13029': '2021-04-13' });
  });
});

describe('encodeCadastreTile', () => {
  const z = 16;
  const { x, y } = tileAt(2.485, 48.905, z);
  const b = tileBBox(z, x, y);
  const square = (x0: number, y0: number, d: number) => ({
    type: 'Polygon',
    coordinates: [
      [
        [x0, y0],
        [x0 + d, y0],
        [x0 + d, y0 + d],
        [x0, y0 + d],
        [x0, y0]
      ]
    ]
  });
  const w = b.maxx - b.minx;

  it('encodes one layer with the fields of the layer, nulls left out, features without geometry skipped', () => {
    const rows = [
      row('930100000A0001', square(b.minx + w * 0.2, b.miny + w * 0.1, w * 0.1)),
      row('930100000A0002', square(b.minx + w * 0.5, b.miny + w * 0.1, w * 0.1), { contenance: null }),
      row('930100000A0003', null)
    ];
    const encoded = encodeCadastreTile(parcelles, rows, z, x, y);
    expect(encoded?.features).toBe(2);
    const tile = new VectorTile(new PbfReader(encoded?.pbf as Uint8Array));
    expect(Object.keys(tile.layers)).toEqual(['parcelles']);
    const layer = tile.layers.parcelles;
    expect(layer?.extent).toBe(4096);
    const props = Array.from({ length: layer?.length ?? 0 }, (_, i) => layer?.feature(i).properties);
    expect(props).toEqual([
      { id: '930100000A0001', commune: '93010', prefixe: '000', section: '0A', numero: '0001', contenance: 120, vintage: '2025-01-01' },
      { id: '930100000A0002', commune: '93010', prefixe: '000', section: '0A', numero: '0002', vintage: '2025-01-01' }
    ]);
  });

  it('clips a parcel crossing the edge to the buffer, and drops one wholly outside the buffer', () => {
    const crossing = square(b.maxx - w * 0.1, b.miny + w * 0.4, w * 0.5);
    const outside = square(b.maxx + w * 0.2, b.miny + w * 0.4, w * 0.1);
    const encoded = encodeCadastreTile(parcelles, [row('930100000A0001', crossing), row('930100000A0002', outside)], z, x, y);
    const layer = new VectorTile(new PbfReader(encoded?.pbf as Uint8Array)).layers.parcelles;
    expect(layer?.length).toBe(1);
    const xs = layer?.feature(0).loadGeometry().flat().map((p) => p.x) ?? [];
    expect(Math.max(...xs)).toBeLessThanOrEqual(4096 + 64);
    expect(Math.max(...xs)).toBeGreaterThan(4096);
  });

  it('gives null when nothing lands in the tile', () => {
    expect(encodeCadastreTile(parcelles, [], z, x, y)).toBeNull();
    expect(encodeCadastreTile(parcelles, [row('930100000A0001', square(b.maxx + w, b.miny, w * 0.1))], z, x, y)).toBeNull();
  });

  it('keeps the building type and leaves a null type out', () => {
    const buildings = CADASTRE_LAYERS.batiments;
    const r = { id: 'f:1', commune: '13029', type: 'léger', vintage: '2021-04-13', geojson: null, minx: null, miny: null, maxx: null, maxy: null };
    expect(tileProperties(buildings, r)).toEqual({ id: 'f:1', commune: '13029', type: 'léger', vintage: '2021-04-13' });
    expect(tileProperties(buildings, { ...r, type: null })).toEqual({ id: 'f:1', commune: '13029', vintage: '2021-04-13' });
  });
});

describe('CadastreTiles on the test build', () => {
  let db: Db;
  let build: Build;
  beforeAll(async () => {
    db = await openDb(testDbPath());
    build = db.current();
  });
  afterAll(() => db.close());
  const z = 16;
  const { x, y } = tileAt(2.485, 48.905, z);

  it('queries only the shown millésime of the communes the tile meets', async () => {
    const layer = (await cadastreInventory(build)).layers.parcelles;
    const rows = await tileRows(build, parcelles, tileBBox(z, x, y, 64 / 4096), selectVintages(layer, null));
    expect(rows.length).toBeGreaterThan(10);
    expect(new Set(rows.map((r) => `${r.commune} ${r.vintage}`))).toEqual(new Set(['93010 2025-01-01']));
    const past = await tileRows(build, parcelles, tileBBox(z, x, y, 64 / 4096), selectVintages(layer, '2023-01-01'));
    expect(new Set(past.map((r) => r.vintage))).toEqual(new Set(['2023-01-01']));
    const nowhere = await tileRows(build, parcelles, tileBBox(16, 0, 0), selectVintages(layer, null));
    expect(nowhere).toEqual([]);
  });

  it('caches a rendered tile per build, layer and millésime, in bytes', async () => {
    const tiles = new CadastreTiles({ maxBytes: 1024 * 1024 });
    const first = await tiles.tile(build, parcelles, null, z, x, y);
    expect(first.gzipped).not.toBeNull();
    expect(await tiles.tile(build, parcelles, null, z, x, y)).toBe(first);
    const past = await tiles.tile(build, parcelles, '2022-01-01', z, x, y);
    expect(past).not.toBe(first);
    expect(past.etag).toContain('2022-01-01');
    const stats = tiles.stats();
    expect(stats).toMatchObject({ entries: 2, hits: 1, misses: 2 });
    expect(stats.bytes).toBeGreaterThan((first.gzipped?.byteLength ?? 0) + (past.gzipped?.byteLength ?? 0));
    const decoded = new VectorTile(new PbfReader(gunzipSync(first.gzipped as Uint8Array)));
    expect(decoded.layers.parcelles?.length).toBe(first.features);
  });

  it('renders nothing below the layer’s minimum zoom', async () => {
    const tiles = new CadastreTiles();
    const low = tileAt(2.485, 48.905, 12);
    expect((await tiles.render(build, parcelles, null, 12, low.x, low.y)).gzipped).toBeNull();
    const sections = tileAt(2.485, 48.905, 11);
    expect((await tiles.render(build, CADASTRE_LAYERS.sections, null, 11, sections.x, sections.y)).features).toBe(0);
  });
});
