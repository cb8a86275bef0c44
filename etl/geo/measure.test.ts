import { booleanPointInPolygon } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import type { Polygon } from 'geojson';
import { lambert93ToLonLat } from './crs.ts';
import { areaKm2, bboxOf, countVertices, labelPoint, normalizeGeometry } from './measure.ts';

describe('areaKm2', () => {
  it('measures a 1 km Lambert-93 square near Bondy as 1 km² (ellipsoidal, not spherical)', () => {
    const [x, y] = [661_000, 6_867_000];
    const square: Polygon = {
      type: 'Polygon',
      coordinates: [[lambert93ToLonLat(x, y), lambert93ToLonLat(x + 1000, y), lambert93ToLonLat(x + 1000, y + 1000), lambert93ToLonLat(x, y + 1000), lambert93ToLonLat(x, y)]]
    };
    // Lambert-93's scale error at 48.9° N is ~1e-5; turf's sphere would say 0.9966.
    expect(areaKm2(square)).toBeCloseTo(1, 3);
  });
});

describe('labelPoint', () => {
  it('puts the label inside a U shape whose centroid is outside', () => {
    const u: Polygon = {
      type: 'Polygon',
      coordinates: [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]]
    };
    const p = labelPoint(u);
    expect(booleanPointInPolygon(p, u, { ignoreBoundary: true })).toBe(true);
  });

  it('uses the centroid of the largest part when it is inside', () => {
    const p = labelPoint({
      type: 'MultiPolygon',
      coordinates: [[[[10, 10], [10.1, 10], [10.1, 10.1], [10, 10]]], [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]]
    });
    expect(p[0]).toBeCloseTo(1, 9);
    expect(p[1]).toBeCloseTo(1, 9);
  });

  it('avoids a hole under the centroid', () => {
    const ring: Polygon = {
      type: 'Polygon',
      coordinates: [
        [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
        [[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]]
      ]
    };
    expect(booleanPointInPolygon(labelPoint(ring), ring, { ignoreBoundary: true })).toBe(true);
  });
});

describe('normalizeGeometry', () => {
  it('rounds, removes the duplicates rounding creates, drops collapsed rings and winds RFC 7946', () => {
    const r = normalizeGeometry(
      [
        [
          [[0, 0], [0, 1], [1.00000001, 1], [1, 1], [1, 0], [0, 0]],
          [[0.5, 0.5], [0.50000001, 0.5], [0.5, 0.50000001], [0.5, 0.5]]
        ]
      ],
      6
    );
    expect(r.droppedRings).toBe(1);
    expect(r.geometry).toEqual({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] });
    expect(countVertices(r.geometry!)).toBe(5);
    expect(bboxOf(r.geometry!)).toEqual([0, 0, 1, 1]);
  });

  it('returns null instead of an empty geometry', () => {
    expect(normalizeGeometry([[[[0, 0], [1e-9, 0], [0, 1e-9], [0, 0]]]], 6).geometry).toBeNull();
  });
});
