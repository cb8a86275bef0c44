export interface BBox {
  minx: number;
  miny: number;
  maxx: number;
  maxy: number;
}

function lon(x: number, z: number): number {
  return (x / 2 ** z) * 360 - 180;
}

function lat(y: number, z: number): number {
  const n = Math.PI * (1 - (2 * y) / 2 ** z);
  return (Math.atan(Math.sinh(n)) * 180) / Math.PI;
}

/** WGS84 bounds of tile z/x/y grown by `buffer`, a fraction of the tile's width (64/4096…). */
export function tileBBox(z: number, x: number, y: number, buffer = 0): BBox {
  return {
    minx: lon(x - buffer, z),
    maxx: lon(x + 1 + buffer, z),
    miny: lat(y + 1 + buffer, z),
    maxy: lat(y - buffer, z)
  };
}

/** The tile containing a point (for tests and TileJSON centres). */
export function tileAt(lonDeg: number, latDeg: number, z: number): { x: number; y: number } {
  const n = 2 ** z;
  const x = Math.floor(((lonDeg + 180) / 360) * n);
  const rad = (latDeg * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return { x: Math.min(Math.max(x, 0), n - 1), y: Math.min(Math.max(y, 0), n - 1) };
}
