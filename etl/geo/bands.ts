import type { ZoomBand } from '../core/types.ts';

/**
 * The four zoom bands the map serves: country-to-département overview, communes,
 * neighbourhood, street level. The last one is full resolution.
 */
export const DEFAULT_ZOOM_BANDS: readonly ZoomBand[] = [
  { band: 0, minZoom: 0, maxZoom: 7 },
  { band: 1, minZoom: 8, maxZoom: 10 },
  { band: 2, minZoom: 11, maxZoom: 12 },
  { band: 3, minZoom: 13, maxZoom: 22 }
];

/** From this zoom on, a band gets the unsimplified geometry. */
export const FULL_RESOLUTION_MIN_ZOOM = 13;

const EARTH_RADIUS_M = 6_371_008.8;
/** MapLibre renders 512-pixel tiles: the world is 512·2^z pixels wide at zoom z. */
const TILE_SIZE_PX = 512;

/** Metres per screen pixel at `zoom` and `latitude` (Web Mercator). */
export function metresPerPixel(zoom: number, latitude: number): number {
  return (2 * Math.PI * EARTH_RADIUS_M * Math.cos((latitude * Math.PI) / 180)) / (TILE_SIZE_PX * 2 ** zoom);
}

/**
 * Visvalingam threshold for a band, in steradians (the unit of topojson-simplify's
 * `sphericalTriangleArea`): a vertex goes when the triangle it forms with its
 * neighbours is smaller than `tolerancePx`² screen pixels at the band's most
 * zoomed-in level, i.e. when removing it cannot be seen. 0 = keep every vertex.
 */
export function bandMinWeight(band: ZoomBand, latitude: number, tolerancePx: number): number {
  if (band.minZoom >= FULL_RESOLUTION_MIN_ZOOM) return 0;
  const side = tolerancePx * metresPerPixel(band.maxZoom, latitude);
  return (side * side) / (EARTH_RADIUS_M * EARTH_RADIUS_M);
}

/**
 * Decimal places kept for a band's coordinates: 1e-6° (~10 cm) is far below a pixel
 * even at zoom 12; full resolution keeps 1e-7° like the reprojection.
 */
export function bandDecimals(band: ZoomBand): number {
  return band.minZoom >= FULL_RESOLUTION_MIN_ZOOM ? 7 : 6;
}
