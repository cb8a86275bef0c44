import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Position } from 'geojson';
import { InputError } from '../core/errors.ts';
import { mirrorFile } from '../testing/mirror.ts';
import { readGeoJson } from './read-geojson.ts';

/**
 * Malformed-geometry corpus: each case is a tiny file written to a temp dir, so the
 * test shows exactly what the bytes are. Every error must name the file, say where
 * (feature number as "ligne", JSON path or text column as "colonne") and what was
 * expected.
 */
const dir = mkdtempSync(join(tmpdir(), 'obs-geo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

const square: Position[][] = [
  [
    [2.44, 48.9],
    [2.45, 48.9],
    [2.45, 48.91],
    [2.44, 48.91],
    [2.44, 48.9]
  ]
];

function fc(features: unknown[], crs?: string): string {
  return JSON.stringify({
    type: 'FeatureCollection',
    ...(crs ? { crs: { type: 'name', properties: { name: crs } } } : {}),
    features
  });
}

function polygonFeature(coordinates: unknown, properties: Record<string, unknown> = { code: 'A' }): unknown {
  return { type: 'Feature', properties, geometry: { type: 'Polygon', coordinates } };
}

async function inputError(file: string): Promise<InputError> {
  const e: unknown = await readGeoJson(file).then(
    () => null,
    (err: unknown) => err
  );
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

describe('readGeoJson on a malformed corpus', () => {
  it('rejects a truncated gzip file, naming it', async () => {
    const whole = gzipSync(Buffer.from(fc([polygonFeature(square)]).repeat(20)));
    const file = write('tronque.geojson.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    const e = await inputError(file);
    expect(e.message).toContain('tronque.geojson.gz');
    expect(e.message).toContain('attendu un fichier gzip complet');
    expect(e.message).toContain('unexpected end of file');
  });

  it('reports the line and column of a JSON syntax error', async () => {
    const file = write('virgule.geojson', '{\n  "type": "FeatureCollection",\n  "features": [ {"type": "Feature" "properties": {}} ]\n}');
    const e = await inputError(file);
    // Column 36 is the quote of "properties", where a comma was expected.
    expect(e.detail).toMatchObject({ line: 3, column: 36 });
    expect(e.message).toContain('virgule.geojson, ligne 3, colonne 36 : attendu du JSON valide');
    expect(e.message).toContain('trouvé "\\"properties\\": {}} ]"');
  });

  it('locates a syntax error JSON.parse gives no position for (an HTML error page)', async () => {
    const file = write('page-erreur.geojson', '\n\n<html><body>404</body></html>');
    const e = await inputError(file);
    expect(e.message).toContain('page-erreur.geojson, ligne 3, colonne 1 : attendu du JSON valide');
    expect(e.message).toContain('trouvé "<html>');
  });

  it('rejects an empty FeatureCollection', async () => {
    const file = write('vide.geojson', fc([]));
    const e = await inputError(file);
    expect(e.message).toContain('vide.geojson, colonne features : attendu au moins une entité');
    expect(e.message).toContain('aucune entité');
  });

  it('rejects a feature without geometry, giving its number and path', async () => {
    const file = write('sans-geometrie.geojson', fc([polygonFeature(square), { type: 'Feature', properties: { code: 'B' } }]));
    const e = await inputError(file);
    expect(e.detail).toMatchObject({ line: 2, column: 'features[1].geometry' });
    expect(e.message).toContain('sans-geometrie.geojson, ligne 2, colonne features[1].geometry : attendu une géométrie Polygon ou MultiPolygon');
    expect(e.message).toContain('membre absent');
  });

  it('rejects a feature without properties', async () => {
    const file = write('sans-proprietes.geojson', fc([{ type: 'Feature', geometry: { type: 'Polygon', coordinates: square } }]));
    const e = await inputError(file);
    expect(e.message).toContain('sans-proprietes.geojson, ligne 1, colonne features[0].properties : attendu un objet « properties »');
  });

  it('rejects a coordinate given as a string, with its JSON path', async () => {
    const ring = square[0]!.map((p, k) => (k === 2 ? [p[0], String(p[1])] : p));
    const file = write('texte.geojson', fc([polygonFeature([ring])]));
    const e = await inputError(file);
    expect(e.detail.column).toBe('features[0].geometry.coordinates[0][2][1]');
    expect(e.message).toContain('texte.geojson, ligne 1, colonne features[0].geometry.coordinates[0][2][1] : attendu un nombre, trouvé "\\"48.91\\""');
  });

  it('detects Lambert-93 coordinates in a file that declares no CRS', async () => {
    const lambert = [
      [
        [662785.78, 6867637.2],
        [662550.74, 6867587.01],
        [662539.13, 6867574.02],
        [662785.78, 6867637.2]
      ]
    ];
    const file = write('lambert-sans-crs.geojson', fc([polygonFeature(square), polygonFeature(lambert)]));
    const e = await inputError(file);
    expect(e.message).toContain('lambert-sans-crs.geojson, ligne 2, colonne features[1].geometry.coordinates[0][0]');
    expect(e.message).toContain('attendu des coordonnées WGS84');
    expect(e.message).toContain('trouvé "662785.78, 6867637.2"');
    expect(e.message).toContain('Mauvais système de coordonnées');
    expect(e.message).toContain('ressemblent à du Lambert-93');
  });

  it('detects WGS84 coordinates in a file declared EPSG:2154', async () => {
    const file = write('wgs84-declare-2154.geojson', fc([polygonFeature(square)], 'urn:ogc:def:crs:EPSG::2154'));
    const e = await inputError(file);
    expect(e.message).toContain('wgs84-declare-2154.geojson, ligne 1, colonne features[0].geometry.coordinates[0][0]');
    expect(e.message).toContain('attendu des coordonnées Lambert-93');
    expect(e.message).toContain('trouvé "2.44, 48.9"');
    expect(e.message).toContain('Mauvais système de coordonnées');
  });

  it('rejects a CRS it cannot reproject', async () => {
    const file = write('mercator.geojson', fc([polygonFeature(square)], 'urn:ogc:def:crs:EPSG::3857'));
    const e = await inputError(file);
    expect(e.message).toContain('mercator.geojson, colonne crs : attendu un système de coordonnées pris en charge');
    expect(e.message).toContain('3857');
  });

  it('rejects a geometry that is not a polygon', async () => {
    const file = write('point.geojson', fc([{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [2.4, 48.9] } }]));
    const e = await inputError(file);
    expect(e.message).toContain('point.geojson, ligne 1, colonne features[0].geometry.type : attendu une géométrie Polygon ou MultiPolygon, trouvé "\\"Point\\""');
  });
});

describe('readGeoJson on valid input', () => {
  it('reads a gzip file whatever its name, and a single Feature with a BOM', async () => {
    const gz = write('secret-gzip.geojson', gzipSync(Buffer.from(fc([polygonFeature(square)]))));
    const r = await readGeoJson(gz);
    expect(r.features).toHaveLength(1);
    expect(r.features[0]!.geometry.coordinates).toEqual(square);

    const single = write('une-entite.geojson', `\ufeff${JSON.stringify(polygonFeature(square, { code: 'X' }))}`);
    const s = await readGeoJson(single);
    expect(s.crs).toBe('EPSG:4326');
    expect(s.features[0]).toMatchObject({ number: 1, path: '', properties: { code: 'X' } });
  });

  it('reprojects Lambert-93 IRIS 930100101 to the coordinates of the provided WGS84 copy', async () => {
    const lambert = await readGeoJson(mirrorFile('iris/contours-iris-2022-93.lambert93.geojson'));
    expect(lambert.crs).toBe('EPSG:2154');
    const copy = JSON.parse(readFileSync(mirrorFile('iris/contours-iris-2022-93.wgs84.geojson'), 'utf8')) as {
      features: { properties: { CODE_IRIS: string }; geometry: { type: 'Polygon'; coordinates: Position[][] } }[];
    };
    const ours = lambert.features.find((f) => f.properties.CODE_IRIS === '930100101');
    // ogr2ogr's RFC 7946 export turned the single-part MultiPolygon into a Polygon.
    const theirs = copy.features.find((f) => f.properties.CODE_IRIS === '930100101');
    if (!ours || ours.geometry.type !== 'MultiPolygon' || theirs?.geometry.type !== 'Polygon') throw new Error('IRIS 930100101 absent');
    const a = ours.geometry.coordinates[0]![0]!;
    // The copy is RFC 7946-wound, the raw Lambert-93 ring is not: same start, maybe reversed.
    const b = Math.abs(theirs.geometry.coordinates[0]![1]![0]! - a[1]![0]!) < 1e-6 ? theirs.geometry.coordinates[0]! : [...theirs.geometry.coordinates[0]!].reverse();
    expect(a.length).toBeGreaterThan(100);
    expect(a.length).toBe(b.length);
    // The copy was written by ogr2ogr with 6 decimals: agreement to 1e-6° (~10 cm).
    for (let k = 0; k < a.length; k++) {
      expect(Math.abs(a[k]![0]! - b[k]![0]!)).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(a[k]![1]! - b[k]![1]!)).toBeLessThanOrEqual(1e-6);
    }
    // A Bondy IRIS: around 2.48° E, 48.9° N.
    expect(a[0]![0]).toBeCloseTo(2.48, 1);
    expect(a[0]![1]).toBeCloseTo(48.9, 1);
  });
});
