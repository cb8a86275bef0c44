import fc from 'fast-check';
import type { Geometry, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { indexedFeature } from './features.ts';
import { tileAt } from './mercator.ts';
import { type TileFeatureInput, encodeIndexedTile, encodeTile } from './render.ts';

/** A star-shaped ring around (lon, lat): evenly spread angles, random radii, closed, counter-clockwise. */
function ring(lon: number, lat: number, radii: number[], scale: number): Position[] {
  const out: Position[] = radii.map((r, i) => {
    const a = (2 * Math.PI * i) / radii.length;
    return [lon + r * scale * Math.cos(a), lat + r * scale * Math.sin(a) * 0.66];
  });
  out.push(out[0] as Position);
  return out;
}

const KINDS = ['Polygon', 'MultiPolygon', 'LineString', 'Point'] as const;
const feature = (kinds: readonly (typeof KINDS)[number][]) => fc.record({
  kind: fc.constantFrom(...kinds),
  lon: fc.double({ min: 2.2, max: 2.6, noNaN: true }),
  lat: fc.double({ min: 48.8, max: 48.98, noNaN: true }),
  radii: fc.array(fc.double({ min: 0.1, max: 1, noNaN: true }), { minLength: 3, maxLength: 60 }),
  // from a few metres to tens of kilometres: some vanish at low zooms, as communes do
  scale: fc.integer({ min: -5, max: -1 }).map((e) => 10 ** e),
  hole: fc.boolean(),
  props: fc.option(fc.record({ commune: fc.string({ maxLength: 5 }), npnru: fc.boolean() }), { nil: undefined })
});

type Spec = ReturnType<typeof feature> extends fc.Arbitrary<infer T> ? T : never;

function geometryOf(s: Spec): Geometry {
  const outer = ring(s.lon, s.lat, s.radii, s.scale);
  const rings = s.hole ? [outer, ring(s.lon, s.lat, s.radii, s.scale / 3).reverse()] : [outer];
  switch (s.kind) {
    case 'Polygon':
      return { type: 'Polygon', coordinates: rings };
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: [rings, [ring(s.lon + 3 * s.scale, s.lat, s.radii, s.scale / 10)]] };
    case 'LineString':
      return { type: 'LineString', coordinates: outer.slice(0, -1) };
    default:
      return { type: 'Point', coordinates: [s.lon, s.lat] };
  }
}

describe('encodeIndexedTile', () => {
  it.each([
    ['polygons only: converted once, cut by vt-polygons.ts', ['Polygon', 'MultiPolygon'] as const],
    ['polygons with lines and points: cut by geojson-vt', KINDS]
  ])('cuts the same bytes from the index’s features as encodeTile from WGS84 ones, small features dropped alike — %s', (_, kinds) => {
    let nonEmpty = 0;
    fc.assert(
      fc.property(fc.array(feature(kinds), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 24 }), (specs, z) => {
        const inputs: TileFeatureInput[] = specs.map((s, i) => ({ code: `c${i}`, name: `n${i}`, geometry: geometryOf(s), props: s.props }));
        const indexed = inputs.map((f) => indexedFeature(f.code, f.name, f.geometry, f.props));
        const first = specs[0]!;
        const { x, y } = tileAt(first.lon, first.lat, z);
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [-1, -1]] as const) {
          if (x + dx < 0 || y + dy < 0 || x + dx >= 2 ** z || y + dy >= 2 ** z) continue;
          const a = encodeTile('layer', inputs, z, x + dx, y + dy);
          const b = encodeIndexedTile('layer', indexed, z, x + dx, y + dy);
          expect(b === null ? null : Buffer.from(b)).toEqual(a === null ? null : Buffer.from(a));
          if (a) nonEmpty++;
        }
      }),
      { numRuns: 300 }
    );
    expect(nonEmpty).toBeGreaterThan(100);
  });
});
