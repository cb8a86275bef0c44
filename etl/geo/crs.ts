import proj4 from 'proj4';
import type { Position } from 'geojson';

/** The two coordinate reference systems our producers deliver (SOURCES.md §0.2). */
export type GeoCrs = 'EPSG:4326' | 'EPSG:2154';

/**
 * Official definition of RGF93 v1 / Lambert-93 (IGNF:LAMB93 = EPSG:2154). RGF93 is
 * tied to ETRS89, so a null datum shift to WGS84 is what IGN itself publishes; it is
 * spelled out so proj4 does not guess.
 */
const LAMBERT93 =
  '+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 ' +
  '+ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs +type=crs';
proj4.defs('EPSG:2154', LAMBERT93);

const lambert93ToWgs84 = proj4('EPSG:2154', 'EPSG:4326');

/**
 * ETRS89-LAEA Europe (EPSG:3035), equal-area on the GRS80 ellipsoid: planar areas in
 * it are ellipsoidal areas, like IGN's and INSEE's SUPERF. turf's spherical area is
 * 0.34 % too small at the latitude of Paris (236.15 instead of 236.90 km² for the 93).
 */
proj4.defs('EPSG:3035', '+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs +type=crs');
const wgs84ToLaea = proj4('EPSG:4326', 'EPSG:3035');

/** WGS84 lon/lat → ETRS89-LAEA metres (equal-area). */
export function lonLatToEqualArea(lon: number, lat: number): [number, number] {
  return wgs84ToLaea.forward([lon, lat]) as [number, number];
}

/** Reprojected degrees are rounded to 1e-7° (~1 cm): more digits would only be noise. */
const DEGREE_FACTOR = 1e7;

/** Lambert-93 metres → WGS84 lon/lat, rounded to 1e-7°. */
export function lambert93ToLonLat(x: number, y: number): [number, number] {
  const [lon, lat] = lambert93ToWgs84.forward([x, y]) as [number, number];
  return [Math.round(lon * DEGREE_FACTOR) / DEGREE_FACTOR, Math.round(lat * DEGREE_FACTOR) / DEGREE_FACTOR];
}

/**
 * Reads the GeoJSON-2008 `crs` member. RFC 7946 removed it (WGS84 implied), but
 * ogr2ogr still writes it for Lambert-93 exports, so it is the only hint we get.
 * Returns null for a CRS we do not handle, so the caller can report it.
 */
export function crsFromMember(crs: unknown): GeoCrs | null {
  if (crs === undefined || crs === null) return 'EPSG:4326';
  if (typeof crs !== 'object') return null;
  const props = (crs as { properties?: unknown }).properties;
  const name = props && typeof props === 'object' ? (props as { name?: unknown }).name : undefined;
  if (typeof name !== 'string') return null;
  if (/EPSG:{1,2}2154$/i.test(name) || /IGNF:LAMB93$/i.test(name)) return 'EPSG:2154';
  if (/CRS84$/i.test(name) || /EPSG:{1,2}4326$/i.test(name)) return 'EPSG:4326';
  return null;
}

interface Extent {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  /** French wording of the extent, for error messages. */
  label: string;
}

/**
 * Plausible extents per CRS. The Lambert-93 one is the projection's domain over
 * metropolitan France with a margin; anything outside means the file is not in the
 * CRS it claims (typically lon/lat degrees in a file declared EPSG:2154, or metres in
 * a file without `crs` member).
 */
export const CRS_EXTENTS: Record<GeoCrs, Extent> = {
  'EPSG:4326': { minX: -180, maxX: 180, minY: -90, maxY: 90, label: 'longitude dans [-180, 180] et latitude dans [-90, 90]' },
  'EPSG:2154': {
    minX: -400_000,
    maxX: 1_400_000,
    minY: 5_900_000,
    maxY: 7_200_000,
    label: 'X dans [-400 000, 1 400 000] et Y dans [5 900 000, 7 200 000] mètres'
  }
};

export function insideExtent(crs: GeoCrs, p: Position): boolean {
  const e = CRS_EXTENTS[crs];
  const x = p[0] as number;
  const y = p[1] as number;
  return x >= e.minX && x <= e.maxX && y >= e.minY && y <= e.maxY;
}

/** Which CRS the position looks like it belongs to, to give a useful hint. */
export function guessCrs(p: Position): GeoCrs | null {
  if (insideExtent('EPSG:2154', p)) return 'EPSG:2154';
  if (insideExtent('EPSG:4326', p)) return 'EPSG:4326';
  return null;
}

export const CRS_LABELS: Record<GeoCrs, string> = {
  'EPSG:4326': 'WGS84 (longitude/latitude en degrés)',
  'EPSG:2154': 'Lambert-93 (EPSG:2154, mètres)'
};
