import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { afterAll, describe, expect, it } from 'vitest';
import { GPKG_APPLICATION_ID, GPKG_USER_VERSION, type GpkgLayer, gpkgBlob, toGeoPackage, toWkb } from './gpkg.ts';

const NOW = new Date('2026-11-23T15:00:00.000Z');
const hasOgrinfo = spawnSync('ogrinfo', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'obs-gpkg-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const withHole = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [2.47, 48.9],
      [2.48, 48.9],
      [2.48, 48.91],
      [2.47, 48.91],
      [2.47, 48.9]
    ],
    [
      [2.472, 48.902],
      [2.474, 48.902],
      [2.474, 48.904],
      [2.472, 48.902]
    ]
  ]
};
const twoParts = {
  type: 'MultiPolygon' as const,
  coordinates: [
    [
      [
        [2.5, 48.8],
        [2.51, 48.8],
        [2.51, 48.81],
        [2.5, 48.8]
      ]
    ],
    [
      [
        [2.52, 48.8],
        [2.53, 48.8],
        [2.53, 48.805],
        [2.52, 48.8]
      ]
    ]
  ]
};

const layers: GpkgLayer[] = [
  {
    name: 'parcelles',
    identifier: 'Parcelles 93010',
    description: 'Parcelles de test',
    geometryType: 'MULTIPOLYGON',
    fields: [
      { name: 'id', type: 'TEXT' },
      { name: 'contenance', type: 'INTEGER' },
      { name: 'ratio', type: 'REAL' }
    ],
    features: [
      { geometry: withHole, properties: { id: 'a;"b"', contenance: 120, ratio: 0.5 } },
      { geometry: twoParts, properties: { id: 'é', contenance: null, ratio: null } },
      { geometry: null, properties: { id: 'sans', contenance: 3, ratio: 1.25 } }
    ]
  },
  {
    name: 'lieux_dits',
    geometryType: 'POLYGON',
    fields: [{ name: 'name', type: 'TEXT' }],
    features: [{ geometry: withHole, properties: { name: 'LES PLAINES' } }]
  }
];

describe('toWkb', () => {
  it('writes ISO WKB, little-endian', () => {
    const wkb = toWkb({ type: 'Point', coordinates: [2.5, 48.9] });
    expect(wkb.byteLength).toBe(21);
    const view = new DataView(wkb.buffer);
    expect(wkb[0]).toBe(1);
    expect(view.getUint32(1, true)).toBe(1);
    expect(view.getFloat64(5, true)).toBe(2.5);
    expect(view.getFloat64(13, true)).toBe(48.9);
    const poly = toWkb(withHole);
    expect(poly.byteLength).toBe(1 + 4 + 4 + (4 + 5 * 16) + (4 + 4 * 16));
    expect(new DataView(poly.buffer).getUint32(5, true)).toBe(2); // rings
    expect(toWkb(twoParts).byteLength).toBe(9 + 2 * (9 + 4 + 4 * 16));
  });

  it('prefixes the GeoPackage header: GP, version, flags, srs_id, envelope', () => {
    const blob = gpkgBlob(withHole);
    const view = new DataView(blob.buffer);
    expect(String.fromCharCode(blob[0] as number, blob[1] as number)).toBe('GP');
    expect(blob[2]).toBe(0);
    expect(blob[3]).toBe(0b011); // little-endian, envelope [minx, maxx, miny, maxy]
    expect(view.getInt32(4, true)).toBe(4326);
    expect([8, 16, 24, 32].map((o) => view.getFloat64(o, true))).toEqual([2.47, 2.48, 48.9, 48.91]);
    expect(blob.byteLength).toBe(40 + toWkb(withHole).byteLength);
  });
});

describe('toGeoPackage', () => {
  it('writes the mandatory GeoPackage tables, application id and version', async () => {
    const bytes = await toGeoPackage(layers, { now: NOW });
    const SQL = await initSqlJs();
    const db = new SQL.Database(bytes);
    try {
      const one = (sql: string) => db.exec(sql)[0]?.values ?? [];
      expect(one('PRAGMA application_id')).toEqual([[GPKG_APPLICATION_ID]]);
      expect(one('PRAGMA user_version')).toEqual([[GPKG_USER_VERSION]]);
      expect(one('SELECT srs_id, organization, organization_coordsys_id FROM gpkg_spatial_ref_sys ORDER BY srs_id')).toEqual([
        [-1, 'NONE', -1],
        [0, 'NONE', 0],
        [4326, 'EPSG', 4326]
      ]);
      expect(one('SELECT table_name, data_type, identifier, last_change, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents ORDER BY table_name')).toEqual([
        ['lieux_dits', 'features', 'lieux_dits', '2026-11-23T15:00:00.000Z', 2.47, 48.9, 2.48, 48.91, 4326],
        ['parcelles', 'features', 'Parcelles 93010', '2026-11-23T15:00:00.000Z', 2.47, 48.8, 2.53, 48.91, 4326]
      ]);
      expect(one('SELECT table_name, column_name, geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns ORDER BY table_name')).toEqual([
        ['lieux_dits', 'geom', 'POLYGON', 4326, 0, 0],
        ['parcelles', 'geom', 'MULTIPOLYGON', 4326, 0, 0]
      ]);
      expect(one('SELECT fid, id, contenance, ratio, geom IS NULL FROM parcelles ORDER BY fid')).toEqual([
        [1, 'a;"b"', 120, 0.5, 0],
        [2, 'é', null, null, 0],
        [3, 'sans', 3, 1.25, 1]
      ]);
      // a Polygon in a MULTIPOLYGON column is promoted: WKB type 6 after the 40-byte header
      const blob = one('SELECT geom FROM parcelles WHERE fid = 1')[0]?.[0] as Uint8Array;
      expect(new DataView(blob.buffer, blob.byteOffset).getUint32(41, true)).toBe(6);
    } finally {
      db.close();
    }
  });

  it.skipIf(!hasOgrinfo)('is read back by GDAL: layers, counts, fields, geometry types, SRS and shapes', async () => {
    const file = join(dir, 'test.gpkg');
    writeFileSync(file, await toGeoPackage(layers, { now: NOW }));
    const summary = spawnSync('ogrinfo', ['-so', '-al', file], { encoding: 'utf8' });
    expect(summary.status, summary.stderr).toBe(0);
    expect(summary.stderr).toBe('');
    const out = summary.stdout;
    expect(out).toContain('Layer name: parcelles');
    expect(out).toContain('Layer name: lieux_dits');
    expect(out).toContain('Geometry: Multi Polygon');
    expect(out).toContain('Geometry: Polygon');
    expect(out).toMatch(/Layer name: parcelles[\s\S]*?Feature Count: 3/);
    expect(out).toMatch(/Layer name: lieux_dits[\s\S]*?Feature Count: 1/);
    expect(out).toContain('Extent: (2.470000, 48.800000) - (2.530000, 48.910000)');
    expect(out).toMatch(/ID\["EPSG",4326\]/);
    for (const field of ['id: String', 'contenance: Integer64', 'ratio: Real', 'name: String']) expect(out).toContain(field);
    const features = spawnSync('ogrinfo', ['-q', file, 'parcelles'], { encoding: 'utf8' }).stdout;
    expect(features).toContain('MULTIPOLYGON (((2.47 48.9,2.48 48.9,2.48 48.91,2.47 48.91,2.47 48.9),(2.472 48.902,2.474 48.902,2.474 48.904,2.472 48.902)))');
    expect(features).toContain('MULTIPOLYGON (((2.5 48.8,2.51 48.8,2.51 48.81,2.5 48.8)),((2.52 48.8,2.53 48.8,2.53 48.805,2.52 48.8)))');
    expect(features).toContain('id (String) = é');
    expect(features).toMatch(/OGRFeature\(parcelles\):3\n {2}id \(String\) = sans[\s\S]*?POLYGON EMPTY|OGRFeature\(parcelles\):3\n {2}id \(String\) = sans\n {2}contenance \(Integer64\) = 3\n {2}ratio \(Real\) = 1.25\n\n/);
  });

  it('refuses a table name GIS software could not use', async () => {
    await expect(toGeoPackage([{ ...(layers[1] as GpkgLayer), name: 'bad name;' }], { now: NOW })).rejects.toThrow(/invalide/);
  });
});
