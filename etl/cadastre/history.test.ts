import { describe, expect, it } from 'vitest';
import type { Polygon } from 'geojson';
import { bboxOf } from '../geo/measure.ts';
import { mirrorFile } from '../testing/mirror.ts';
import { BONDY_PARCEL_SOURCES, readEtalabParcels } from '../sources/cadastre/etalab-geojson.ts';
import { computeHistory, emptyCounts, PARCEL_CHANGES, provablySameShape, type HistoryParcel, type Vintage } from './history.ts';

/** A rectangle parcel [x0, x1] × [y0, y1] in units of 1e-4° around Bondy. */
function parcel(id: string, x0: number, x1: number, y0 = 0, y1 = 1): HistoryParcel {
  const X = (x: number) => 2.48 + x * 1e-4;
  const Y = (y: number) => 48.9 + y * 1e-4;
  const geometry: Polygon = { type: 'Polygon', coordinates: [[[X(x0), Y(y0)], [X(x1), Y(y0)], [X(x1), Y(y1)], [X(x0), Y(y1)], [X(x0), Y(y0)]]] };
  return { id, section: id.slice(8, 10), geometry, bbox: bboxOf(geometry), geojson: JSON.stringify(geometry) };
}

function vintage(name: string, ...parcels: HistoryParcel[]): Vintage {
  return { vintage: name, parcels: new Map(parcels.map((p) => [p.id, p])) };
}

const A = (n: number) => `930100000A${String(n).padStart(4, '0')}`;
const B = (n: number) => `930100000B${String(n).padStart(4, '0')}`;

describe('parcel history between two millésimes', () => {
  it('reports a division: the old parcel split into new ones, created − deleted = count difference', () => {
    const h = computeHistory('93010', vintage('2023', parcel(A(1), 0, 4), parcel(A(2), 4, 5)), vintage('2024', parcel(A(3), 0, 2), parcel(A(4), 2, 4), parcel(A(2), 4, 5)));
    expect(h.rows.map((r) => [r.change, r.id, r.relatedIds])).toEqual([
      ['created', A(3), [A(1)]],
      ['created', A(4), [A(1)]],
      ['deleted', A(1), [A(3), A(4)]],
      ['split', A(1), [A(3), A(4)]]
    ]);
    expect(h.counts.created - h.counts.deleted).toBe(h.countTo - h.countFrom);
  });

  it('reports a merger on the new parcel, with the old ones as related ids', () => {
    const h = computeHistory('93010', vintage('2023', parcel(A(1), 0, 2), parcel(A(2), 2, 4)), vintage('2024', parcel(A(5), 0, 4)));
    expect(h.rows.filter((r) => r.change === 'merged')).toMatchObject([{ id: A(5), relatedIds: [A(1), A(2)] }]);
    expect(h.counts).toEqual({ created: 1, deleted: 2, geometry: 0, merged: 1, split: 0 });
  });

  it('reports a parcel that kept its id but absorbed part of a neighbour', () => {
    const h = computeHistory('93010', vintage('2023', parcel(A(1), 0, 2), parcel(A(2), 2, 4)), vintage('2024', parcel(A(1), 0, 2.6), parcel(A(2), 2.6, 4)));
    expect(h.rows.map((r) => [r.change, r.id])).toEqual([['geometry', A(1)], ['geometry', A(2)]]);
  });

  it('ignores re-digitising noise: a vertex moved by 1 cm keeps the parcel unchanged', () => {
    const moved = parcel(A(1), 0, 4.0001);
    const h = computeHistory('93010', vintage('2023', parcel(A(1), 0, 4)), vintage('2024', moved));
    expect(h.rows).toEqual([]);
  });

  it('counts per section, summing to the totals', () => {
    const h = computeHistory('93010', vintage('2023', parcel(A(1), 0, 1), parcel(B(1), 5, 6)), vintage('2024', parcel(B(2), 7, 8)));
    expect(Object.fromEntries(h.bySection)).toEqual({ '0A': { ...emptyCounts(), deleted: 1 }, '0B': { ...emptyCounts(), created: 1, deleted: 1 } });
  });
});

describe('history of Bondy over its five millésimes', async () => {
  const vintages: Vintage[] = [];
  for (const s of BONDY_PARCEL_SOURCES) {
    const { parcels } = await readEtalabParcels(mirrorFile(s.mirrorPath), s);
    vintages.push({
      vintage: s.vintage,
      parcels: new Map(parcels.map((p) => [p.id, { id: p.id, section: p.section, geometry: p.geometry, bbox: p.bbox, geojson: JSON.stringify(p.geometry) }]))
    });
  }
  const pairs = vintages.slice(1).map((to, i) => computeHistory('93010', vintages[i] as Vintage, to));

  it('is consistent: created − deleted = change in the number of parcels, for each pair', () => {
    expect(pairs.map((h) => [h.countFrom, h.countTo])).toEqual([[7053, 7084], [7084, 7120], [7120, 7122], [7122, 7124]]);
    for (const h of pairs) expect(h.counts.created - h.counts.deleted).toBe(h.countTo - h.countFrom);
    expect(pairs.map((h) => [h.counts.created, h.counts.deleted])).toEqual([[53, 22], [53, 17], [7, 5], [7, 5]]);
  });

  it('has per-section counts that sum to the totals', () => {
    for (const h of pairs) {
      const sum = emptyCounts();
      for (const c of h.bySection.values()) for (const k of PARCEL_CHANGES) sum[k] += c[k];
      expect(sum).toEqual(h.counts);
      for (const r of h.rows) expect(r.id.slice(8, 10)).toBe(r.section);
    }
  });

  it('explains most deletions by divisions and mergers found by overlap', () => {
    for (const h of pairs) {
      const created = new Set(h.rows.filter((r) => r.change === 'created').map((r) => r.id));
      const deleted = new Set(h.rows.filter((r) => r.change === 'deleted').map((r) => r.id));
      for (const r of h.rows.filter((x) => x.change === 'split')) {
        expect(deleted.has(r.id) || h.rows.some((x) => x.change === 'geometry' && x.id === r.id)).toBe(true);
        expect(r.relatedIds.length).toBeGreaterThanOrEqual(2);
        for (const id of r.relatedIds) expect(created.has(id) || id === r.id).toBe(true);
      }
      const explained = h.rows.filter((r) => (r.change === 'split' || r.change === 'merged')).flatMap((r) => (r.change === 'split' ? [r.id] : r.relatedIds));
      expect(new Set(explained).size / Math.max(1, deleted.size)).toBeGreaterThan(0.5);
      expect(h.unmeasured).toEqual([]);
    }
    // Between 2022 and 2023, parcel 930100000H0401 was divided into five.
    expect(pairs[0]?.rows.find((r) => r.change === 'split' && r.id === '930100000H0401')?.relatedIds.sort()).toEqual(
      ['930100000H0421', '930100000H0422', '930100000H0423', '930100000H0424', '930100000H0425']
    );
  });

  it('finds no change of shape for parcels that kept their id: their differences are centimetres', () => {
    expect(pairs.map((h) => h.counts.geometry)).toEqual([0, 0, 0, 0]);
  });
});

describe('shortcut for re-digitising noise', () => {
  it('proves the same shape only when the vertex moves are small for the parcel’s size', () => {
    const square = parcel(A(1), 0, 4).geometry!;
    expect(provablySameShape(square, parcel(A(1), 0, 4.0001).geometry!)).toBe(true); // 1 cm on a 30 m parcel
    expect(provablySameShape(square, parcel(A(1), 0, 4.05).geometry!)).toBe(false); // 4 m: computed, not assumed
    const tiny = parcel(A(2), 0, 0.01, 0, 0.01).geometry!; // about 0.7 m × 1.1 m
    expect(provablySameShape(tiny, parcel(A(2), 0, 0.0101, 0, 0.01).geometry!)).toBe(false);
  });
});

describe('shortcut for rings listed from another vertex or the other way round', () => {
  it('recognises the same ring rotated and reversed', () => {
    const g = parcel(A(1), 0, 4).geometry as Polygon;
    const ring = g.coordinates[0]!.slice(0, -1);
    const rotated = [...ring.slice(2), ...ring.slice(0, 2)];
    const reversed = [...rotated].reverse();
    for (const r of [rotated, reversed]) {
      expect(provablySameShape(g, { type: 'Polygon', coordinates: [[...r, r[0]!]] })).toBe(true);
    }
  });
});
