import { describe, expect, it } from 'vitest';
import type { Position } from 'geojson';
import { planarArea, repairGeometry } from './validate.ts';

const outer: Position[] = [
  [0, 0],
  [0, 1],
  [1, 1],
  [1, 0],
  [0, 0]
]; // clockwise: the wrong winding for RFC 7946
const hole: Position[] = [
  [0.2, 0.2],
  [0.4, 0.2],
  [0.4, 0.4],
  [0.2, 0.4],
  [0.2, 0.2]
];

describe('repairGeometry', () => {
  it('leaves a clean polygon alone apart from the RFC 7946 winding', () => {
    const r = repairGeometry({ type: 'Polygon', coordinates: [outer, hole] });
    expect(r.warnings).toEqual([]);
    if (r.geometry?.type !== 'Polygon') throw new Error('Polygon attendu');
    expect(planarArea(r.geometry.coordinates[0]!)).toBeGreaterThan(0); // exterior counter-clockwise
    expect(planarArea(r.geometry.coordinates[1]!)).toBeLessThan(0); // hole clockwise
  });

  it('closes an unclosed ring and says so', () => {
    const r = repairGeometry({ type: 'Polygon', coordinates: [outer.slice(0, 4)] });
    expect(r.warnings.map((w) => w.kind)).toEqual(['anneau-non-ferme']);
    expect(r.warnings[0]!.message).toContain('anneau 1');
    const ring = (r.geometry as { coordinates: Position[][] }).coordinates[0]!;
    expect(ring).toHaveLength(5);
    expect(ring[4]).toEqual(ring[0]);
  });

  it('removes consecutive duplicate points without a warning, but counts them', () => {
    const doubled = [outer[0]!, outer[1]!, outer[1]!, outer[2]!, outer[3]!, outer[3]!, outer[4]!];
    const r = repairGeometry({ type: 'Polygon', coordinates: [doubled] });
    expect(r.warnings).toEqual([]);
    expect(r.stats.duplicatePointsRemoved).toBe(2);
    expect((r.geometry as { coordinates: Position[][] }).coordinates[0]).toHaveLength(5);
  });

  it('drops a degenerate hole with a warning and keeps the polygon', () => {
    const flat: Position[] = [
      [0.2, 0.2],
      [0.3, 0.3],
      [0.4, 0.4],
      [0.2, 0.2]
    ];
    const r = repairGeometry({ type: 'Polygon', coordinates: [outer, flat, hole] });
    expect(r.warnings.map((w) => w.kind)).toEqual(['anneau-degenere']);
    expect(r.warnings[0]!.message).toContain('anneau 2');
    expect(r.warnings[0]!.message).toContain('aire nulle');
    expect((r.geometry as { coordinates: Position[][] }).coordinates).toHaveLength(2);
  });

  it('drops a part whose exterior is too short, keeps the others, and names the part', () => {
    const tiny: Position[] = [
      [5, 5],
      [6, 6],
      [5, 5]
    ];
    const r = repairGeometry({ type: 'MultiPolygon', coordinates: [[tiny], [outer]] });
    expect(r.warnings.map((w) => w.kind)).toEqual(['polygone-supprime']);
    expect(r.warnings[0]!.message).toContain('polygone 1, anneau 1');
    expect(r.warnings[0]!.message).toContain('moins de 4 positions (3)');
    expect(r.geometry?.type).toBe('MultiPolygon');
    expect((r.geometry as { coordinates: Position[][][] }).coordinates).toHaveLength(1);
  });

  it('returns null, never an empty geometry, when nothing usable is left', () => {
    const r = repairGeometry({ type: 'Polygon', coordinates: [[[0, 0], [1, 1], [0, 0]]] });
    expect(r.geometry).toBeNull();
    expect(r.warnings).toHaveLength(1);
  });

  it('reports a bow-tie as a self-intersection and keeps it unchanged', () => {
    const bowtie: Position[] = [
      [0, 0],
      [1, 1],
      [1, 0],
      [0, 1],
      [0, 0]
    ];
    const r = repairGeometry({ type: 'Polygon', coordinates: [bowtie] });
    expect(r.warnings.map((w) => w.kind)).toEqual(['auto-intersection']);
    expect(r.warnings[0]!.message).toContain('[0.5, 0.5]');
    expect((r.geometry as { coordinates: Position[][] }).coordinates[0]).toHaveLength(5);
  });
});
