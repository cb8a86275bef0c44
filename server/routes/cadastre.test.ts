import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import type { Feature, FeatureCollection, Polygon, Position } from 'geojson';
import type { Hono } from 'hono';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../etl/core/logger.ts';
import { testDbPath } from '../../etl/testing/test-db.ts';
import { createApp } from '../app.ts';
import { type Build, type Db, openDb } from '../db.ts';
import type { AppEnv } from '../routing.ts';
import { parseCsv } from '../testing/csv.ts';
import { tileAt, tileBBox } from '../tiles/mercator.ts';
import { fixtureApp } from '../testing/fixture-app.ts';
import { parseParcelQuery } from './cadastre.ts';

const NOW = new Date('2026-11-23T15:00:00Z');
const BONDY = '93010';
const LATEST = '2025-01-01';
const VINTAGES = ['2022-01-01', '2023-01-01', '2024-01-01', '2024-07-01', '2025-01-01'];
const PARCEL = '930100000A0224';
const GZIP = { headers: { 'Accept-Encoding': 'gzip' } };

let db: Db;
let app: Hono<AppEnv>;
let b: Build;
beforeAll(async () => {
  db = await openDb(testDbPath());
  app = createApp({ db, clock: () => NOW, logger: memoryLogger() }).app;
  b = db.current();
});
afterAll(() => db.close());

async function json<T = Record<string, unknown>>(path: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await app.request(path, init);
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as T, headers: res.headers };
  } catch {
    throw new Error(`${path} : réponse ${res.status} non JSON : ${text.slice(0, 200)}`);
  }
}

async function expectError(path: string, status: number, code: string, message?: RegExp) {
  const { status: s, body } = await json<{ error: { code: string; message: string } }>(path);
  expect(s, path).toBe(status);
  expect(body.error.code, path).toBe(code);
  if (message) expect(body.error.message, path).toMatch(message);
}

const count = async (sql: string, params = {}) => ((await b.one<{ n: number }>(sql, params))?.n ?? 0) as number;

describe('GET /api/cadastre and /api/cadastre/{commune}', () => {
  it('lists the communes with their layers and millésimes', async () => {
    const { status, body } = await json<{ communes: { commune: string; name: string | null; layers: Record<string, string[]> }[]; layers: { id: string; vintages: string[] }[] }>(
      '/api/cadastre'
    );
    expect(status).toBe(200);
    expect(body.communes.map((c) => c.commune)).toEqual(['13029', '25354', '54084', '75118', BONDY]);
    const bondy = body.communes.find((c) => c.commune === BONDY);
    expect(bondy).toEqual({ commune: BONDY, name: 'Bondy', layers: { parcelles: VINTAGES } });
    expect(body.communes.find((c) => c.commune === '13029')?.layers).toEqual({
      parcelles: ['2021-04-13'],
      batiments: ['2021-04-13'],
      sections: ['2021-04-13'],
      'lieux-dits': ['2021-04-13']
    });
    expect(body.layers.map((l) => l.id)).toEqual(['parcelles', 'batiments', 'sections', 'lieux-dits']);
  });

  it('describes a commune: millésimes with counts, history steps, sales', async () => {
    const { status, body } = await json<{
      name: string;
      layers: { layer: string; latest: string; vintages: { vintage: string; count: number }[] }[];
      history: { from: string; to: string; counts: Record<string, number> }[];
      sales: { count: number; priced: number; years: number[] };
    }>(`/api/cadastre/${BONDY}`);
    expect(status).toBe(200);
    expect(body.name).toBe('Bondy');
    expect(body.layers).toHaveLength(1);
    expect(body.layers[0]?.latest).toBe(LATEST);
    for (const v of body.layers[0]?.vintages ?? []) {
      expect(v.count).toBe(await count('SELECT count(*)::INTEGER AS n FROM cadastre_parcels WHERE commune = $c AND vintage = $v', { c: BONDY, v: v.vintage }));
    }
    expect(body.history.map((h) => [h.from, h.to])).toEqual(VINTAGES.slice(1).map((v, i) => [VINTAGES[i], v]));
    expect(body.sales.count).toBe(await count("SELECT count(*)::INTEGER AS n FROM dvf_sales WHERE commune = '93010'"));
    expect(body.sales.years).toEqual([2022]);
  });

  it('answers 404 for a commune without cadastre, explains Paris, 400 for a malformed code', async () => {
    await expectError('/api/cadastre/93031', 404, 'territoire_inconnu', /Aucun cadastre chargé pour la commune « 93031 »/);
    await expectError('/api/cadastre/75056', 404, 'territoire_inconnu', /par arrondissement.*75118/);
    await expectError('/api/cadastre/9301', 400, 'parametre_invalide', /commune/);
    await expectError('/api/cadastre/bondy/parcelles', 400, 'parametre_invalide');
  });
});

describe('GET /api/cadastre/search', () => {
  it('finds a parcel by id, by « commune section numéro », with or without padding', async () => {
    const forms = [
      `?q=${PARCEL}`,
      `?q=${PARCEL.toLowerCase()}`,
      '?q=93010%20000%200A%200224',
      '?q=93010%20A%20224',
      '?q=93010-A-224',
      '?q=93010A224',
      '?commune=93010&section=A&numero=224',
      '?commune=93010&section=0A&numero=0224',
      '?commune=93010&section=a&numero=224&prefixe=0'
    ];
    for (const form of forms) {
      const { status, body } = await json<{ total: number; results: { id: string; contenance: number; vintages: string[]; current: boolean; lastVintage: string }[] }>(
        `/api/cadastre/search${form}`
      );
      expect(status, form).toBe(200);
      expect(body.results.map((r) => r.id), form).toEqual([PARCEL]);
      expect(body.results[0]).toMatchObject({ contenance: 24010, vintages: VINTAGES, current: true, lastVintage: LATEST });
    }
  });

  it('lists a section, bounded by limit, with the total', async () => {
    const { body } = await json<{ total: number; results: { id: string; section: string }[] }>('/api/cadastre/search?commune=93010&section=A&limit=5');
    const expected = await count("SELECT count(DISTINCT id)::INTEGER AS n FROM cadastre_parcels WHERE commune = '93010' AND section = '0A'");
    expect(body.total).toBe(expected);
    expect(body.results).toHaveLength(5);
    expect(body.results.every((r) => r.section === '0A')).toBe(true);
    expect(body.results.map((r) => r.id)).toEqual([...body.results.map((r) => r.id)].sort());
  });

  it('marks a parcel that no longer exists as not current', async () => {
    const deleted = await b.one<{ id: string }>(
      "SELECT id FROM cadastre_history WHERE commune = '93010' AND change = 'deleted' AND from_vintage = '2022-01-01' ORDER BY id LIMIT 1"
    );
    const { body } = await json<{ results: { current: boolean; lastVintage: string }[] }>(`/api/cadastre/search?q=${deleted?.id}`);
    expect(body.results[0]).toMatchObject({ current: false, lastVintage: '2022-01-01' });
  });

  it('answers 200 and nothing for no match; 400 for malformed; 404 for an unknown commune', async () => {
    const { status, body } = await json<{ total: number; results: unknown[] }>('/api/cadastre/search?q=930100000A9999');
    expect(status).toBe(200);
    expect(body).toMatchObject({ total: 0, results: [] });
    await expectError('/api/cadastre/search', 400, 'parametre_invalide', /« q » ou « commune »/);
    await expectError('/api/cadastre/search?q=bondy', 400, 'parametre_invalide', /non reconnue/);
    await expectError('/api/cadastre/search?q=93010A224&commune=93010', 400, 'parametre_invalide');
    await expectError('/api/cadastre/search?commune=93010&section=A&numero=0', 400, 'parametre_invalide');
    await expectError('/api/cadastre/search?commune=93010&section=ABC', 400, 'parametre_invalide');
    await expectError('/api/cadastre/search?commune=93010&limit=0', 400, 'parametre_invalide');
    await expectError('/api/cadastre/search?q=930310000A0224', 404, 'territoire_inconnu');
  });

  it('parses the written forms of a parcel reference', () => {
    expect(parseParcelQuery('930100000A0224')).toEqual({ id: PARCEL });
    expect(parseParcelQuery(' 93010 000 0a 0224 ')).toEqual({ id: PARCEL });
    expect(parseParcelQuery('93010 A 224')).toEqual({ commune: BONDY, section: '0A', numero: '0224' });
    expect(parseParcelQuery('93010 302 AB 7')).toEqual({ commune: BONDY, prefixe: '302', section: 'AB', numero: '0007' });
    expect(parseParcelQuery('93010AB12')).toEqual({ commune: BONDY, section: 'AB', numero: '0012' });
    expect(parseParcelQuery('93010 AB')).toEqual({ commune: BONDY, section: 'AB' });
    expect(parseParcelQuery('2A004 B 1')).toEqual({ commune: '2A004', section: '0B', numero: '0001' });
    expect(parseParcelQuery('Bondy')).toBeNull();
    expect(parseParcelQuery('93010 A 0')).toBeNull();
  });
});

interface ParcelBody {
  id: string;
  commune: string;
  section: string;
  numero: string;
  prefixe: string;
  contenance: number | null;
  vintage: string;
  current: boolean;
  geometry: Polygon | null;
  bbox: number[] | null;
  source: { id: string } | null;
  versions: { vintage: string; contenance: number | null; sameGeometryAsPrevious: boolean | null }[];
  history: { from: string; to: string; id: string; change: string; relatedIds: string[]; role: string }[];
  sales: Record<string, unknown>[];
  salesSource: { id: string; licence: string } | null;
}

describe('GET /api/cadastre/{commune}/parcels/{id}', () => {
  it('gives the parcel, its versions and the DVF sales on it, marked noindex', async () => {
    const { status, body, headers } = await json<ParcelBody>(`/api/cadastre/${BONDY}/parcels/${PARCEL}`);
    expect(status).toBe(200);
    expect(headers.get('X-Robots-Tag')).toContain('noindex');
    expect(body).toMatchObject({ id: PARCEL, commune: BONDY, prefixe: '000', section: '0A', numero: '0224', contenance: 24010, vintage: LATEST, current: true });
    expect(body.geometry?.type).toBe('Polygon');
    expect(body.source?.id).toBe(`etalab-cadastre-93010-parcelles-${LATEST}`);
    expect(body.versions.map((v) => v.vintage)).toEqual(VINTAGES);
    expect(body.versions[0]?.sameGeometryAsPrevious).toBeNull();
    const sales = await b.all<{ date: string; valeur_fonciere: number; price_m2: number | null }>(
      "SELECT date::VARCHAR AS date, valeur_fonciere, price_m2 FROM dvf_sales WHERE list_contains(parcel_ids, $id) ORDER BY date, first_line",
      { id: PARCEL }
    );
    expect(sales.length).toBeGreaterThan(0);
    expect(body.sales.map((s) => [s.date, s.value, s.priceM2])).toEqual(sales.map((s) => [s.date, s.valeur_fonciere, s.price_m2]));
    expect(body.sales).toContainEqual(expect.objectContaining({ date: '2022-01-12', nature: 'Vente', value: 135000, parcels: [PARCEL] }));
    // what DVF publishes about the good, nothing else: no postcode, no line of the file, no id
    expect(Object.keys(body.sales[0] ?? {}).sort()).toEqual(
      ['builtSurface', 'counts', 'date', 'landSurface', 'nature', 'parcels', 'priceM2', 'priceStatus', 'rooms', 'type', 'value', 'year'].sort()
    );
    expect(body.salesSource?.licence).toMatch(/DVF/);
  });

  it('answers for a given millésime, and says when the parcel is not in it', async () => {
    const { body } = await json<ParcelBody>(`/api/cadastre/${BONDY}/parcels/${PARCEL}?vintage=2022-01-01`);
    expect(body.vintage).toBe('2022-01-01');
    const created = await b.one<{ id: string }>(
      "SELECT id FROM cadastre_history WHERE commune = '93010' AND change = 'created' AND to_vintage = '2025-01-01' ORDER BY id LIMIT 1"
    );
    await expectError(`/api/cadastre/${BONDY}/parcels/${created?.id}?vintage=2022-01-01`, 404, 'parcelle_inconnue', /n'existe pas au millésime 2022-01-01/);
  });

  it('tells the history of a divided parcel and of the parcels it became', async () => {
    const split = await b.one<{ id: string; related_ids: string[]; from_vintage: string; to_vintage: string }>(
      "SELECT id, related_ids, from_vintage, to_vintage FROM cadastre_history WHERE commune = '93010' AND change = 'split' ORDER BY from_vintage, id LIMIT 1"
    );
    const { body } = await json<ParcelBody>(`/api/cadastre/${BONDY}/parcels/${split?.id}`);
    expect(body.current).toBe(false);
    expect(body.vintage).toBe(split?.from_vintage);
    expect(body.history).toContainEqual(
      expect.objectContaining({ from: split?.from_vintage, to: split?.to_vintage, change: 'split', role: 'parcelle', relatedIds: [...(split?.related_ids ?? [])].sort() })
    );
    expect(body.history.some((h) => h.change === 'deleted' && h.role === 'parcelle')).toBe(true);
    const child = split?.related_ids[0] as string;
    const { body: childBody } = await json<ParcelBody>(`/api/cadastre/${BONDY}/parcels/${child}`);
    expect(childBody.history).toContainEqual(expect.objectContaining({ id: split?.id, change: 'split', role: 'liee' }));
    expect(childBody.history).toContainEqual(expect.objectContaining({ id: child, change: 'created', role: 'parcelle' }));
  });

  it('answers 400 for a malformed id or one of another commune, 404 for unknown parcel or millésime', async () => {
    await expectError(`/api/cadastre/${BONDY}/parcels/930100000A224`, 400, 'parametre_invalide', /14 caractères/);
    await expectError(`/api/cadastre/${BONDY}/parcels/751180000A0224`, 400, 'parametre_invalide', /n'est pas de la commune/);
    await expectError(`/api/cadastre/${BONDY}/parcels/930100000A9999`, 404, 'parcelle_inconnue');
    await expectError(`/api/cadastre/${BONDY}/parcels/${PARCEL}?vintage=2023-06-01`, 404, 'millesime_inconnu', /2022-01-01, 2023-01-01/);
    await expectError(`/api/cadastre/${BONDY}/parcels/${PARCEL}?vintage=2023`, 400, 'parametre_invalide');
    await expectError(`/api/cadastre/93031/parcels/930310000A0224`, 404, 'territoire_inconnu');
  });
});

interface HistoryBody {
  from: string;
  to: string;
  steps: { from: string; to: string }[];
  parcelCount: { from: number; to: number };
  counts: Record<'created' | 'deleted' | 'geometry' | 'merged' | 'split', number>;
  sections: ({ section: string } & Record<string, number>)[];
  changes: { id: string; change: string; section: string; relatedIds: string[] }[];
}

describe('GET /api/cadastre/{commune}/history', () => {
  const parcels = (v: string) => count('SELECT count(*)::INTEGER AS n FROM cadastre_parcels WHERE commune = $c AND vintage = $v', { c: BONDY, v });

  it('defaults to the last step and matches the stored history of each consecutive pair', async () => {
    const { body } = await json<HistoryBody>(`/api/cadastre/${BONDY}/history`);
    expect([body.from, body.to]).toEqual(['2024-07-01', LATEST]);
    for (let i = 1; i < VINTAGES.length; i++) {
      const [from, to] = [VINTAGES[i - 1] as string, VINTAGES[i] as string];
      const { status, body: h } = await json<HistoryBody>(`/api/cadastre/${BONDY}/history?from=${from}&to=${to}`);
      expect(status).toBe(200);
      expect(h.steps).toEqual([{ from, to }]);
      const stored = await b.all<{ id: string; change: string; related_ids: string[] }>(
        'SELECT id, change, list_sort(related_ids) AS related_ids FROM cadastre_history WHERE commune = $c AND from_vintage = $from AND to_vintage = $to ORDER BY id, change',
        { c: BONDY, from, to }
      );
      const key = (r: { id: string; change: string }) => `${r.id} ${r.change}`;
      expect(h.changes.map(key).sort()).toEqual(stored.map(key).sort());
      for (const s of stored) expect(h.changes.find((c) => key(c) === key(s))?.relatedIds).toEqual(s.related_ids);
    }
  });

  it('is consistent between any two millésimes: created − deleted = difference of parcel counts, sections add up', async () => {
    for (const [from, to] of [
      ['2024-01-01', LATEST],
      ['2022-01-01', LATEST],
      ['2022-01-01', '2024-01-01']
    ] as const) {
      const { body } = await json<HistoryBody>(`/api/cadastre/${BONDY}/history?from=${from}&to=${to}`);
      expect(body.parcelCount).toEqual({ from: await parcels(from), to: await parcels(to) });
      expect(body.counts.created - body.counts.deleted).toBe(body.parcelCount.to - body.parcelCount.from);
      for (const change of ['created', 'deleted', 'geometry', 'merged', 'split'] as const) {
        expect(body.sections.reduce((n, s) => n + (s[change] ?? 0), 0)).toBe(body.counts[change]);
        expect(body.changes.filter((c) => c.change === change)).toHaveLength(body.counts[change]);
      }
      const created = await count(
        `SELECT count(*)::INTEGER AS n FROM cadastre_parcels t WHERE commune = $c AND vintage = $to
           AND id NOT IN (SELECT id FROM cadastre_parcels WHERE commune = $c AND vintage = $from)`,
        { c: BONDY, from, to }
      );
      expect(body.counts.created).toBe(created);
    }
    const { body } = await json<HistoryBody>(`/api/cadastre/${BONDY}/history?from=2024-01-01&to=${LATEST}`);
    expect(body.steps).toEqual([
      { from: '2024-01-01', to: '2024-07-01' },
      { from: '2024-07-01', to: LATEST }
    ]);
    expect(body.counts.created).toBeGreaterThan(0);
  });

  it('downloads the list as CSV and the changed parcels as GeoJSON', async () => {
    const path = `/api/cadastre/${BONDY}/history?from=2024-01-01&to=${LATEST}`;
    const { body } = await json<HistoryBody>(path);
    const csvRes = await app.request(`${path}&format=csv`);
    expect(csvRes.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    expect(csvRes.headers.get('Content-Disposition')).toContain('cadastre_93010_historique_2024-01-01_2025-01-01.csv');
    const csv = parseCsv((await csvRes.text()).replace(/^\uFEFF/, '')); // text() drops the BOM anyway
    expect(csv[0]).toEqual(['commune', 'millesime_debut', 'millesime_fin', 'parcelle', 'section', 'changement', 'parcelles_liees']);
    expect(csv.slice(1).map((r) => `${r[3]} ${r[5]}`)).toEqual(body.changes.map((c) => `${c.id} ${c.change}`));
    const geoRes = await app.request(`${path}&format=geojson`);
    expect(geoRes.headers.get('Content-Type')).toContain('application/geo+json');
    const fc = (await geoRes.json()) as FeatureCollection & { metadata: { counts: Record<string, number> } };
    expect(fc.features).toHaveLength(body.changes.length);
    expect(fc.metadata.counts).toEqual(body.counts);
    for (const f of fc.features) {
      expect(f.geometry, String(f.id)).not.toBeNull();
      const p = f.properties as { id: string; change: string; vintage: string };
      expect(p.vintage).toBe(p.change === 'deleted' || p.change === 'split' ? '2024-01-01' : LATEST);
      const stored = await b.one<{ geojson: string }>('SELECT geojson FROM cadastre_parcels WHERE commune = $c AND vintage = $v AND id = $id', {
        c: BONDY,
        v: p.vintage,
        id: p.id
      });
      expect(f.geometry).toEqual(JSON.parse(stored?.geojson ?? 'null'));
    }
  });

  it('answers 400 when from is not before to, 404 for an unknown millésime or a single one', async () => {
    await expectError(`/api/cadastre/${BONDY}/history?from=${LATEST}&to=2024-01-01`, 400, 'parametre_invalide', /doit précéder/);
    await expectError(`/api/cadastre/${BONDY}/history?from=${LATEST}&to=${LATEST}`, 400, 'parametre_invalide');
    await expectError(`/api/cadastre/${BONDY}/history?from=2023-06-01`, 404, 'millesime_inconnu', /2023-06-01/);
    await expectError(`/api/cadastre/${BONDY}/history?to=2022-01-01`, 404, 'millesime_inconnu', /Pas de millésime antérieur/);
    await expectError('/api/cadastre/75118/history', 404, 'millesime_inconnu', /pas d'historique/);
    await expectError(`/api/cadastre/${BONDY}/history?from=2024`, 400, 'parametre_invalide');
    await expectError(`/api/cadastre/${BONDY}/history?format=xml`, 400, 'parametre_invalide');
  });
});

async function fetchTile(path: string, init: RequestInit = GZIP) {
  const res = await app.request(path, init);
  const raw = new Uint8Array(await res.arrayBuffer());
  const bytes = res.headers.get('Content-Encoding') === 'gzip' ? gunzipSync(raw) : raw;
  return { res, tile: res.status === 200 ? new VectorTile(new PbfReader(bytes)) : null };
}

function tileFeatures(tile: VectorTile | null, layer: string) {
  const l = tile?.layers[layer];
  return l ? Array.from({ length: l.length }, (_, i) => l.feature(i)) : [];
}

interface StoredParcel {
  id: string;
  section: string;
  numero: string;
  contenance: number | null;
  vintage: string;
  geojson: string;
  minx: number;
  miny: number;
  maxx: number;
  maxy: number;
}

describe('GET /tiles/cadastre/…', () => {
  const z = 16;
  const { x, y } = tileAt(2.485, 48.905, z);

  async function stored(vintage: string, box: ReturnType<typeof tileBBox>) {
    return b.all<StoredParcel>(
      `SELECT id, section, numero, contenance, vintage, geojson, minx, miny, maxx, maxy FROM cadastre_parcels
       WHERE commune = $c AND vintage = $v AND maxx >= $minx AND minx <= $maxx AND maxy >= $miny AND miny <= $maxy`,
      { c: BONDY, v: vintage, ...box }
    );
  }

  it('gives a TileJSON with versioned URLs, fields, millésimes and the millésime shown per commune', async () => {
    const { status, body } = await json<{
      tiles: string[];
      minzoom: number;
      maxzoom: number;
      bounds: number[];
      vector_layers: { id: string; fields: Record<string, string> }[];
      vintages: string[];
      selection: { commune: string; vintage: string }[];
      vintage: string | null;
    }>('/tiles/cadastre/parcelles.json');
    expect(status).toBe(200);
    expect(body.tiles).toEqual([`http://localhost/tiles/cadastre/${b.id}/parcelles/{z}/{x}/{y}.pbf`]);
    expect([body.minzoom, body.maxzoom]).toEqual([13, 18]);
    expect(body.vector_layers[0]?.fields).toEqual({
      id: 'String',
      commune: 'String',
      prefixe: 'String',
      section: 'String',
      numero: 'String',
      contenance: 'Number',
      vintage: 'String'
    });
    expect(body.vintage).toBeNull();
    expect(body.vintages).toEqual(expect.arrayContaining(VINTAGES));
    expect(body.selection).toContainEqual({ commune: BONDY, vintage: LATEST });
    expect(body.selection).toContainEqual({ commune: '75118', vintage: '2022-01-01' });
    const past = await json<typeof body>('/tiles/cadastre/parcelles.json?vintage=2023-01-01');
    expect(past.body.tiles[0]).toContain(`/tiles/cadastre/${b.id}/parcelles/2023-01-01/{z}/{x}/{y}.pbf`);
    // the state of the cadastre at that date: each commune's last millésime by then
    expect(past.body.selection).toEqual([
      { commune: '13029', vintage: '2021-04-13' },
      { commune: '25354', vintage: '2014-03-17' },
      { commune: '54084', vintage: '2016-10-22' },
      { commune: '75118', vintage: '2022-01-01' },
      { commune: BONDY, vintage: '2023-01-01' }
    ]);
    const buildings = await json<{ vector_layers: { fields: Record<string, string> }[] }>('/tiles/cadastre/batiments.json');
    expect(buildings.body.vector_layers[0]?.fields).toEqual({ id: 'String', commune: 'String', type: 'String', vintage: 'String' });
  });

  it('serves a parcel tile whose features, attributes and shapes are those of the database', async () => {
    const { res, tile } = await fetchTile(`/tiles/cadastre/${b.id}/parcelles/${z}/${x}/${y}.pbf`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/vnd.mapbox-vector-tile');
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    const decoded = tileFeatures(tile, 'parcelles');
    expect(tile?.layers.parcelles?.extent).toBe(4096);
    const buffered = await stored(LATEST, tileBBox(z, x, y, 64 / 4096));
    const inner = tileBBox(z, x, y);
    const inside = buffered.filter((p) => p.minx >= inner.minx && p.maxx <= inner.maxx && p.miny >= inner.miny && p.maxy <= inner.maxy);
    expect(inside.length).toBeGreaterThan(10);
    const ids = decoded.map((f) => f.properties.id as string);
    expect(new Set(ids).size).toBe(ids.length);
    // every parcel drawn is one the database places there; every parcel wholly inside is drawn
    expect(buffered.map((p) => p.id)).toEqual(expect.arrayContaining(ids));
    expect(ids).toEqual(expect.arrayContaining(inside.map((p) => p.id)));
    for (const p of inside) {
      const f = decoded.find((d) => d.properties.id === p.id);
      const props = { id: p.id, commune: BONDY, prefixe: '000', section: p.section, numero: p.numero, vintage: LATEST, ...(p.contenance === null ? {} : { contenance: p.contenance }) };
      expect(f?.properties, p.id).toEqual(props);
      expect(f?.type).toBe(3);
      const ring = (f?.toGeoJSON(x, y, z).geometry as Polygon).coordinates[0] as Position[];
      const storedRing = (JSON.parse(p.geojson) as Polygon).coordinates[0] as Position[];
      // simplified at the tile's resolution: each vertex drawn is one of the parcel's, to a tenth of a metre or so
      for (const q of ring) {
        const near = storedRing.some((s) => Math.abs((s[0] as number) - (q[0] as number)) < 5e-6 && Math.abs((s[1] as number) - (q[1] as number)) < 5e-6);
        expect(near, `${p.id} ${q.join(',')}`).toBe(true);
      }
    }
  });

  it('clips parcels to the tile and its buffer', async () => {
    const { tile } = await fetchTile(`/tiles/cadastre/parcelles/${z}/${x}/${y}.pbf`);
    const points = tileFeatures(tile, 'parcelles').flatMap((f) => f.loadGeometry().flat());
    expect(points.length).toBeGreaterThan(0);
    for (const p of points) {
      expect(p.x).toBeGreaterThanOrEqual(-64);
      expect(p.x).toBeLessThanOrEqual(4096 + 64);
      expect(p.y).toBeGreaterThanOrEqual(-64);
      expect(p.y).toBeLessThanOrEqual(4096 + 64);
    }
  });

  it('shows an older millésime by segment or ?vintage=, where parcels since created are absent', async () => {
    const created = await b.one<{ id: string; minx: number; miny: number; maxx: number; maxy: number }>(
      `SELECT p.id, p.minx, p.miny, p.maxx, p.maxy FROM cadastre_history h JOIN cadastre_parcels p ON p.commune = h.commune AND p.vintage = h.to_vintage AND p.id = h.id
       WHERE h.commune = '93010' AND h.change = 'created' AND h.from_vintage = '2022-01-01' AND p.id IN (SELECT id FROM cadastre_parcels WHERE vintage = $latest)
       ORDER BY p.id LIMIT 1`,
      { latest: LATEST }
    );
    const at = tileAt(((created?.minx ?? 0) + (created?.maxx ?? 0)) / 2, ((created?.miny ?? 0) + (created?.maxy ?? 0)) / 2, 17);
    const ids = async (path: string) => tileFeatures((await fetchTile(path)).tile, 'parcelles').map((f) => f.properties.id);
    const latest = await ids(`/tiles/cadastre/parcelles/17/${at.x}/${at.y}.pbf`);
    expect(latest).toContain(created?.id);
    for (const path of [`/tiles/cadastre/parcelles/2022-01-01/17/${at.x}/${at.y}.pbf`, `/tiles/cadastre/parcelles/17/${at.x}/${at.y}.pbf?vintage=2022-01-01`]) {
      const { tile } = await fetchTile(path);
      const decoded = tileFeatures(tile, 'parcelles');
      expect(decoded.map((f) => f.properties.id)).not.toContain(created?.id);
      expect(decoded.length).toBeGreaterThan(0);
      expect(new Set(decoded.map((f) => f.properties.vintage))).toEqual(new Set(['2022-01-01']));
    }
    const { tile } = await fetchTile(`/tiles/cadastre/${b.id}/parcelles/2022-01-01/17/${at.x}/${at.y}.pbf`);
    expect(tileFeatures(tile, 'parcelles').map((f) => f.properties.id)).not.toContain(created?.id);
  });

  it('serves buildings with their type and sections', async () => {
    const box = await b.one<{ x: number; y: number }>("SELECT (minx + maxx) / 2 AS x, (miny + maxy) / 2 AS y FROM cadastre_buildings WHERE commune = '13029' LIMIT 1");
    const at = tileAt(box?.x ?? 0, box?.y ?? 0, 16);
    const { tile } = await fetchTile(`/tiles/cadastre/batiments/16/${at.x}/${at.y}.pbf`);
    const buildings = tileFeatures(tile, 'batiments');
    expect(buildings.length).toBeGreaterThan(0);
    for (const f of buildings) {
      expect(['dur', 'léger']).toContain(f.properties.type);
      expect(f.properties).toMatchObject({ commune: '13029', vintage: '2021-04-13' });
    }
    const s = tileAt(box?.x ?? 0, box?.y ?? 0, 12);
    const sections = tileFeatures((await fetchTile(`/tiles/cadastre/sections/12/${s.x}/${s.y}.pbf`)).tile, 'sections');
    expect(sections.map((f) => f.properties.id)).toContain('130290000A');
  });

  it('answers 204 below the minimum zoom or away from any parcel, 304 on a matching ETag, plain MVT without gzip', async () => {
    expect((await app.request(`/tiles/cadastre/parcelles/12/${x >> 4}/${y >> 4}.pbf`, GZIP)).status).toBe(204);
    const ocean = tileAt(-30, 40, 16);
    expect((await app.request(`/tiles/cadastre/parcelles/16/${ocean.x}/${ocean.y}.pbf`, GZIP)).status).toBe(204);
    const path = `/tiles/cadastre/${b.id}/parcelles/${z}/${x}/${y}.pbf`;
    const etag = (await app.request(path, GZIP)).headers.get('ETag') as string;
    expect(etag).toContain(b.id);
    expect((await app.request(path, { headers: { ...GZIP.headers, 'If-None-Match': etag } })).status).toBe(304);
    const { res, tile } = await fetchTile(path, {});
    expect(res.headers.get('Content-Encoding')).toBeNull();
    expect(res.headers.get('ETag')).toBe(etag.replace(/"$/, '-identity"'));
    expect(tileFeatures(tile, 'parcelles').length).toBeGreaterThan(0);
  });

  it('redirects a stale build, keeping the millésime and the query', async () => {
    const res = await app.request(`/tiles/cadastre/ancien-build/parcelles/2023-01-01/${z}/${x}/${y}.pbf`);
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe(`/tiles/cadastre/${b.id}/parcelles/2023-01-01/${z}/${x}/${y}.pbf`);
    const q = await app.request(`/tiles/cadastre/ancien-build/parcelles/${z}/${x}/${y}.pbf?vintage=2023-01-01`);
    expect(q.headers.get('Location')).toBe(`/tiles/cadastre/${b.id}/parcelles/${z}/${x}/${y}.pbf?vintage=2023-01-01`);
  });

  it('answers 404 for an unknown layer or millésime, 400 for malformed coordinates or millésimes', async () => {
    await expectError(`/tiles/cadastre/cadastre/${z}/${x}/${y}.pbf`, 404, 'couche_inconnue', /parcelles, batiments, sections, lieux-dits/);
    await expectError('/tiles/cadastre/inconnue.json', 404, 'couche_inconnue');
    await expectError(`/tiles/cadastre/parcelles/2023-06-01/${z}/${x}/${y}.pbf`, 404, 'millesime_inconnu');
    await expectError('/tiles/cadastre/parcelles.json?vintage=2023-06-01', 404, 'millesime_inconnu');
    await expectError(`/tiles/cadastre/parcelles/2023-6-1/${z}/${x}/${y}.pbf`, 400, 'parametre_invalide');
    await expectError(`/tiles/cadastre/parcelles/${z}/${x}/${y}.pbf?vintage=hier`, 400, 'parametre_invalide');
    await expectError(`/tiles/cadastre/parcelles/2023-01-01/${z}/${x}/${y}.pbf?vintage=2022-01-01`, 400, 'parametre_invalide');
    await expectError(`/tiles/cadastre/parcelles/${z}/${2 ** z}/${y}.pbf`, 400, 'parametre_invalide', /hors limites/);
    await expectError('/tiles/cadastre/parcelles/25/1/1.pbf', 400, 'parametre_invalide');
  });

  it('is not taken by the territory tiles’ /tiles/{build}/{layer}/… route', async () => {
    // a 5-segment cadastre path has the shape of a versioned territory tile
    const res = await app.request(`/tiles/cadastre/parcelles/${z}/${x}/${y}.pbf`, GZIP);
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).toContain('cadastre');
  });
});

describe('GET /api/cadastre/{commune}/{layer}', () => {
  it('extracts a layer as GeoJSON, with its metadata, for the latest or a given millésime', async () => {
    const res = await app.request(`/api/cadastre/${BONDY}/parcelles`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/geo+json; charset=utf-8');
    expect(res.headers.get('Content-Disposition')).toBe(`attachment; filename="cadastre_93010_parcelles_${LATEST}.geojson"`);
    expect(decodeURIComponent(res.headers.get('X-Observatoire-Source') ?? '')).toContain('Licence Ouverte');
    const fc = (await res.json()) as FeatureCollection & { metadata: Record<string, unknown> };
    expect(fc.features).toHaveLength(await count('SELECT count(*)::INTEGER AS n FROM cadastre_parcels WHERE commune = $c AND vintage = $v', { c: BONDY, v: LATEST }));
    expect(fc.metadata).toMatchObject({ commune: BONDY, layer: 'parcelles', vintage: LATEST, build: b.id, extractedAt: NOW.toISOString() });
    const f = fc.features.find((g: Feature) => g.id === PARCEL);
    expect(f?.properties).toEqual({ id: PARCEL, commune: BONDY, prefixe: '000', section: '0A', numero: '0224', contenance: 24010, vintage: LATEST });
    const old = (await (await app.request(`/api/cadastre/${BONDY}/parcelles?vintage=2022-01-01`)).json()) as FeatureCollection;
    expect(old.features).toHaveLength(await count("SELECT count(*)::INTEGER AS n FROM cadastre_parcels WHERE commune = '93010' AND vintage = '2022-01-01'"));
    const lieux = (await (await app.request('/api/cadastre/13029/lieux-dits')).json()) as FeatureCollection;
    expect(lieux.features.map((l) => (l.properties as { name: string }).name)).toContain('PIELE');
  });

  it('extracts a layer as French CSV, read back', async () => {
    const res = await app.request(`/api/cadastre/${BONDY}/parcelles?format=csv`);
    expect(res.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    expect(text.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(text.slice(1));
    expect(rows[0]).toEqual(['id', 'commune', 'prefixe', 'section', 'numero', 'contenance', 'millesime', 'longitude', 'latitude', 'source', 'licence']);
    const data = rows.slice(1);
    expect(data).toHaveLength(await count('SELECT count(*)::INTEGER AS n FROM cadastre_parcels WHERE commune = $c AND vintage = $v', { c: BONDY, v: LATEST }));
    const row = data.find((r) => r[0] === PARCEL) as string[];
    expect(row.slice(0, 7)).toEqual([PARCEL, BONDY, '000', '0A', '0224', '24010', LATEST]);
    const stored = await b.one<StoredParcel>('SELECT minx, maxx, miny, maxy FROM cadastre_parcels WHERE id = $id AND vintage = $v', { id: PARCEL, v: LATEST });
    expect(Number((row[7] as string).replace(',', '.'))).toBeCloseTo(((stored?.minx ?? 0) + (stored?.maxx ?? 0)) / 2, 6);
    expect(row[8]).toMatch(/^48,9\d+$/);
    expect(row[10]).toBe('Licence Ouverte 2.0');
  });

  it('extracts a layer as a GeoPackage that GDAL reads: layer, count, fields, geometry type, SRS', async () => {
    const res = await app.request(`/api/cadastre/${BONDY}/parcelles?format=gpkg&vintage=2024-01-01`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/geopackage+sqlite3');
    expect(res.headers.get('Content-Disposition')).toContain('cadastre_93010_parcelles_2024-01-01.gpkg');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 15))).toBe('SQLite format 3');
    expect(Buffer.from(bytes.slice(68, 72)).toString('latin1')).toBe('GPKG'); // application_id
    if (spawnSync('ogrinfo', ['--version']).status !== 0) return; // GDAL absent: the header checks above only
    const dir = mkdtempSync(join(tmpdir(), 'obs-gpkg-'));
    try {
      const file = join(dir, 'parcelles.gpkg');
      writeFileSync(file, bytes);
      const info = spawnSync('ogrinfo', ['-so', file, 'parcelles'], { encoding: 'utf8' });
      expect(info.status, info.stderr).toBe(0);
      expect(info.stderr).not.toMatch(/Warning|ERROR/);
      const out = info.stdout;
      expect(out).toContain('Layer name: parcelles');
      expect(out).toContain('Geometry: Multi Polygon');
      const n = await count("SELECT count(*)::INTEGER AS n FROM cadastre_parcels WHERE commune = '93010' AND vintage = '2024-01-01'");
      expect(out).toContain(`Feature Count: ${n}`);
      expect(out).toMatch(/ID\["EPSG",4326\]/);
      for (const field of ['id: String', 'commune: String', 'prefixe: String', 'section: String', 'numero: String', 'contenance: Integer', 'vintage: String']) {
        expect(out).toContain(field);
      }
      const one = spawnSync('ogrinfo', ['-q', file, '-sql', `SELECT contenance, vintage, geom FROM parcelles WHERE id = '${PARCEL}'`], { encoding: 'utf8' });
      expect(one.stdout).toMatch(/contenance \(Integer64\) = 24010/);
      expect(one.stdout).toMatch(/vintage \(String\) = 2024-01-01/);
      expect(one.stdout).toMatch(/MULTIPOLYGON \(\(\(2\.47/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 404 for an unknown layer, a layer not loaded for the commune or an unknown millésime; 400 for a bad format', async () => {
    await expectError(`/api/cadastre/${BONDY}/cadastre`, 404, 'couche_inconnue', /Couches : parcelles/);
    await expectError(`/api/cadastre/${BONDY}/batiments`, 404, 'couche_inconnue', /n'est pas chargée pour la commune 93010/);
    await expectError(`/api/cadastre/${BONDY}/parcelles?vintage=2021-01-01`, 404, 'millesime_inconnu');
    await expectError(`/api/cadastre/${BONDY}/parcelles?format=shp`, 400, 'parametre_invalide');
    await expectError('/api/cadastre/99999/parcelles', 404, 'territoire_inconnu');
  });
});

describe('OpenAPI', () => {
  it('documents every cadastre route, and each JSON answer parses with its documented schema', async () => {
    const { docs } = createApp({ db, clock: () => NOW, logger: memoryLogger() });
    const mine = docs.filter((d) => d.path.startsWith('/api/cadastre') || d.path.startsWith('/tiles/cadastre'));
    expect(mine.map((d) => d.path).sort()).toEqual(
      [
        '/api/cadastre',
        '/api/cadastre/search',
        '/api/cadastre/{commune}',
        '/api/cadastre/{commune}/history',
        '/api/cadastre/{commune}/parcels/{id}',
        '/api/cadastre/{commune}/{layer}',
        '/tiles/cadastre/{layer}.json',
        '/tiles/cadastre/{layer}/{z}/{x}/{y}.pbf',
        '/tiles/cadastre/{layer}/{vintage}/{z}/{x}/{y}.pbf',
        '/tiles/cadastre/{build}/{layer}/{z}/{x}/{y}.pbf',
        '/tiles/cadastre/{build}/{layer}/{vintage}/{z}/{x}/{y}.pbf'
      ].sort()
    );
    const samples: Record<string, string> = {
      '/api/cadastre': '/api/cadastre',
      '/api/cadastre/search': '/api/cadastre/search?q=93010%20A%20224',
      '/api/cadastre/{commune}': '/api/cadastre/93010',
      '/api/cadastre/{commune}/history': '/api/cadastre/93010/history?from=2022-01-01',
      '/api/cadastre/{commune}/parcels/{id}': `/api/cadastre/93010/parcels/${PARCEL}`,
      '/tiles/cadastre/{layer}.json': '/tiles/cadastre/parcelles.json'
    };
    const withSchema = mine.filter((d) => d.spec.response);
    expect(withSchema.map((d) => d.path).sort()).toEqual(Object.keys(samples).sort());
    for (const route of withSchema) {
      const { status, body } = await json(samples[route.path] as string);
      expect(status, route.path).toBe(200);
      expect(route.spec.response?.safeParse(body).error, route.path).toBeUndefined();
    }
    const page = await (await app.request('/api/openapi.json')).json();
    expect(Object.keys((page as { paths: object }).paths)).toEqual(expect.arrayContaining(mine.map((d) => d.path)));
  });
});

describe('a build without cadastre tables', () => {
  it('lists nothing and answers 404 rather than failing', async () => {
    const f = await fixtureApp();
    try {
      const list = await f.json<{ communes: unknown[] }>('/api/cadastre');
      expect(list.status).toBe(200);
      expect(list.body.communes).toEqual([]);
      const one = await f.json<{ error: { code: string; message: string } }>('/api/cadastre/93010');
      expect(one.status).toBe(404);
      expect(one.body.error.message).toBe('Ce build ne contient pas de cadastre.');
      expect((await f.json('/tiles/cadastre/parcelles.json')).status).toBe(404);
      expect((await f.app.request('/tiles/cadastre/parcelles/16/33220/22532.pbf')).status).toBe(204);
    } finally {
      await f.close();
    }
  });
});
