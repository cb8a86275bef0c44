import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BandFeatureRow } from '../queries/tiles.ts';
import { FeatureIndex, projectGeometry, tileProperties } from './features.ts';
import type { BBox } from './mercator.ts';

function row(code: string, box: [number, number, number, number], zooms: [number, number] = [0, 22], props: string | null = null): BandFeatureRow {
  const [minx, miny, maxx, maxy] = box;
  const ring = [
    [minx, miny],
    [maxx, miny],
    [maxx, maxy],
    [minx, maxy],
    [minx, miny]
  ];
  return { code, name: `Nom ${code}`, geojson: JSON.stringify({ type: 'Polygon', coordinates: [ring] }), props, min_zoom: zooms[0], max_zoom: zooms[1], minx, miny, maxx, maxy };
}

/** What the SQL it replaces selects: inclusive bbox overlap and the row's own zoom range, in row order. */
function bruteForce(rows: readonly BandFeatureRow[], b: BBox, z: number): string[] {
  return rows
    .filter((r) => r.maxx >= b.minx && r.minx <= b.maxx && r.maxy >= b.miny && r.miny <= b.maxy && r.min_zoom <= z && r.max_zoom >= z)
    .map((r) => r.code);
}

const coordinate = fc.double({ min: -5, max: 5, noNaN: true });
const box = fc.tuple(coordinate, coordinate, fc.double({ min: 0, max: 3, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true })).map(
  ([x, y, w, h]) => [x, y, x + w, y + h] as [number, number, number, number]
);

describe('FeatureIndex', () => {
  it('finds exactly the rows the bbox SQL selects, in the same order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(box, fc.integer({ min: 0, max: 4 })), { minLength: 0, maxLength: 300 }),
        fc.array(fc.tuple(box, fc.integer({ min: 0, max: 6 })), { minLength: 1, maxLength: 20 }),
        (specs, queries) => {
          const rows = specs.map(([b, z], i) => row(`c${String(i).padStart(4, '0')}`, b, [z, z + 2]));
          const index = new FeatureIndex(rows);
          for (const [[minx, miny, maxx, maxy], z] of queries) {
            const b = { minx, miny, maxx, maxy };
            expect(index.search(b, z).map((f) => f.code)).toEqual(bruteForce(rows, b, z));
          }
        }
      ),
      { numRuns: 200 }
    );
  });

  it('counts touching edges as meeting, like the inclusive SQL test', () => {
    const index = new FeatureIndex([row('a', [0, 0, 1, 1]), row('b', [1, 0, 2, 1]), row('c', [5, 5, 6, 6])]);
    expect(index.search({ minx: 1, miny: 1, maxx: 1, maxy: 1 }, 10).map((f) => f.code)).toEqual(['a', 'b']);
    expect(index.search({ minx: 2.0001, miny: 0, maxx: 4.9999, maxy: 1 }, 10)).toEqual([]);
    expect(new FeatureIndex([]).search({ minx: -180, miny: -90, maxx: 180, maxy: 90 }, 0)).toEqual([]);
  });

  it('keeps the tile properties: scalar props first, then code and name, which win', () => {
    const index = new FeatureIndex([row('q', [0, 0, 1, 1], [0, 22], JSON.stringify({ commune: '93010', npnru: true, code: 'x', nested: { a: 1 }, n: 2 }))]);
    expect(index.search({ minx: 0, miny: 0, maxx: 1, maxy: 1 }, 5)[0]?.properties).toEqual({ commune: '93010', npnru: true, code: 'q', n: 2, name: 'Nom q' });
    expect(Object.keys(tileProperties('q', 'Q', { z: 1, a: 'b' }))).toEqual(['z', 'a', 'code', 'name']);
  });
});

describe('projectGeometry', () => {
  it('maps WGS84 to geojson-vt’s unit square (Mercator), clamping the poles', () => {
    const p = projectGeometry({ type: 'Point', coordinates: [0, 0] });
    expect(p).toEqual({ type: 'Point', coordinates: [0.5, 0.5] });
    const line = projectGeometry({ type: 'LineString', coordinates: [[-180, 89.9], [180, -89.9]] });
    expect(line).toEqual({ type: 'LineString', coordinates: [[0, 0], [1, 1]] });
  });
});
