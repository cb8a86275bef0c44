import { readFile } from 'node:fs/promises';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { AreaGeometry } from '../core/types.ts';
import { InputError } from '../core/errors.ts';
import { CRS_EXTENTS, CRS_LABELS, crsFromMember, guessCrs, insideExtent, lambert93ToLonLat } from './crs.ts';
import type { GeoCrs } from './crs.ts';
import { decodeText, parseJson } from './json-text.ts';

/** One polygon feature as read, coordinates already in WGS84 lon/lat. */
export interface ReadGeoFeature {
  /**
   * 1-based position of the feature in the file. Error messages report it as the
   * "ligne": GeoJSON files are often one line, so the feature number is what
   * lets someone find the record.
   */
  number: number;
  /** JSON path of the feature, e.g. `features[3]`, used as the column of errors. */
  path: string;
  id: string | number | undefined;
  properties: Record<string, unknown>;
  geometry: AreaGeometry;
}

export interface ReadGeoJson {
  file: string;
  /** CRS of the file as declared (coordinates returned are always WGS84). */
  crs: GeoCrs;
  features: ReadGeoFeature[];
}

/** Reads a GeoJSON file (gzip or not) of Polygon/MultiPolygon features, returned in WGS84. */
export async function readGeoJson(file: string): Promise<ReadGeoJson> {
  const bytes = await readFile(file);
  return parseGeoJson(decodeText(bytes, file), file);
}

const FEATURE_HINT = '« ligne » = numéro de l’entité dans le fichier (1 = la première)';

/** Parses and validates GeoJSON text; `file` is only used in error messages. */
export function parseGeoJson(text: string, file: string): ReadGeoJson {
  const root = parseJson(text, file);
  if (!isObject(root) || (root.type !== 'FeatureCollection' && root.type !== 'Feature')) {
    throw new InputError({
      file,
      column: 'type',
      expected: 'un objet GeoJSON de type FeatureCollection ou Feature',
      found: isObject(root) ? String(root.type) : typeof root
    });
  }
  const crs = crsFromMember(root.crs);
  if (crs === null) {
    throw new InputError({
      file,
      column: 'crs',
      expected: 'un système de coordonnées pris en charge (urn:ogc:def:crs:EPSG::2154, CRS84, EPSG:4326 ou pas de membre crs)',
      found: JSON.stringify(root.crs)
    });
  }
  let rawFeatures: { value: unknown; path: string }[];
  if (root.type === 'Feature') rawFeatures = [{ value: root, path: '' }];
  else {
    if (!Array.isArray(root.features)) {
      throw new InputError({ file, column: 'features', expected: 'un tableau « features »', found: typeof root.features });
    }
    rawFeatures = root.features.map((value: unknown, k: number) => ({ value, path: `features[${k}]` }));
  }
  if (rawFeatures.length === 0) {
    throw new InputError({ file, column: 'features', expected: 'au moins une entité', found: 'aucune entité (FeatureCollection vide)' });
  }
  const features = rawFeatures.map((raw, k) => readFeature(raw.value, k + 1, raw.path, crs, file));
  return { file, crs, features };
}

function readFeature(value: unknown, number: number, path: string, crs: GeoCrs, file: string): ReadGeoFeature {
  const at = (member: string): string => (path ? `${path}.${member}` : member);
  const error = (column: string, expected: string, found: string, hint = FEATURE_HINT): InputError =>
    new InputError({ file, line: number, column, expected, found, hint });
  if (!isObject(value) || value.type !== 'Feature') {
    throw error(at('type'), 'une entité GeoJSON (type « Feature »)', JSON.stringify(isObject(value) ? value.type : value) ?? 'undefined');
  }
  // RFC 7946 allows `"properties": null`, but the member itself is mandatory.
  if (!('properties' in value) || (value.properties !== null && !isObject(value.properties))) {
    throw error(at('properties'), 'un objet « properties »', 'properties' in value ? JSON.stringify(value.properties) : 'membre absent');
  }
  const properties = (value.properties ?? {}) as Record<string, unknown>;
  const geometry = value.geometry;
  if (!isObject(geometry)) {
    throw error(
      at('geometry'),
      'une géométrie Polygon ou MultiPolygon',
      'geometry' in value ? JSON.stringify(geometry) : 'membre absent'
    );
  }
  const gpath = at('geometry');
  const id = typeof value.id === 'string' || typeof value.id === 'number' ? value.id : undefined;
  const ctx: PositionContext = { file, number, crs };
  if (geometry.type === 'Polygon') {
    const coordinates = readRings(geometry.coordinates, `${gpath}.coordinates`, ctx);
    return { number, path, id, properties, geometry: { type: 'Polygon', coordinates } satisfies Polygon };
  }
  if (geometry.type === 'MultiPolygon') {
    const cpath = `${gpath}.coordinates`;
    const polys = asArray(geometry.coordinates, cpath, 'un tableau de polygones', ctx);
    const coordinates = polys.map((poly, p) => readRings(poly, `${cpath}[${p}]`, ctx));
    return { number, path, id, properties, geometry: { type: 'MultiPolygon', coordinates } satisfies MultiPolygon };
  }
  throw error(`${gpath}.type`, 'une géométrie Polygon ou MultiPolygon', JSON.stringify(geometry.type) ?? 'undefined');
}

interface PositionContext {
  file: string;
  number: number;
  crs: GeoCrs;
}

function readRings(value: unknown, path: string, ctx: PositionContext): Position[][] {
  return asArray(value, path, 'un tableau d’anneaux', ctx).map((ring, r) => {
    const rpath = `${path}[${r}]`;
    return asArray(ring, rpath, 'un tableau de positions', ctx).map((pos, k) => readPosition(pos, `${rpath}[${k}]`, ctx));
  });
}

function readPosition(value: unknown, path: string, ctx: PositionContext): Position {
  const pos = asArray(value, path, 'une position [x, y]', ctx);
  if (pos.length < 2) throw positionError(ctx, path, 'une position d’au moins deux nombres [x, y]', JSON.stringify(pos));
  const x = pos[0];
  const y = pos[1];
  if (typeof x !== 'number' || !Number.isFinite(x)) throw positionError(ctx, `${path}[0]`, 'un nombre', JSON.stringify(x) ?? 'undefined');
  if (typeof y !== 'number' || !Number.isFinite(y)) throw positionError(ctx, `${path}[1]`, 'un nombre', JSON.stringify(y) ?? 'undefined');
  if (!insideExtent(ctx.crs, [x, y])) throw wrongCrs(ctx, path, x, y);
  // Altitudes (rare, e.g. some IGN 3D exports) are dropped: our maps are 2D.
  return ctx.crs === 'EPSG:2154' ? lambert93ToLonLat(x, y) : [x, y];
}

function wrongCrs(ctx: PositionContext, path: string, x: number, y: number): InputError {
  const declared = ctx.crs === 'EPSG:2154' ? 'déclare Lambert-93 (EPSG:2154)' : 'déclare WGS84 (ou ne déclare pas de membre « crs »)';
  const guess = guessCrs([x, y]);
  const looksLike = guess && guess !== ctx.crs ? `, mais ces valeurs ressemblent à du ${CRS_LABELS[guess]}` : '';
  return new InputError({
    file: ctx.file,
    line: ctx.number,
    column: path,
    expected: `des coordonnées ${CRS_LABELS[ctx.crs]} (${CRS_EXTENTS[ctx.crs].label})`,
    found: `${x}, ${y}`,
    hint: `Mauvais système de coordonnées : le fichier ${declared}${looksLike}. ${FEATURE_HINT}`
  });
}

function positionError(ctx: PositionContext, path: string, expected: string, found: string): InputError {
  return new InputError({ file: ctx.file, line: ctx.number, column: path, expected, found, hint: FEATURE_HINT });
}

function asArray(value: unknown, path: string, expected: string, ctx: PositionContext): unknown[] {
  if (!Array.isArray(value)) throw positionError(ctx, path, expected, JSON.stringify(value) ?? 'undefined');
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
