import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/logger.ts';
import { bboxOf } from '../../geo/measure.ts';
import { buildLevelGeometries } from '../../geo/topology.ts';
import { mirrorFile } from '../../testing/mirror.ts';
import { qpv2015Adapter } from './qpv-2015.ts';

describe('qpv2015Adapter', () => {
  it('reads the three 2015 QPV of the Bondy sample, reprojected into the 93', async () => {
    const batch = await qpv2015Adapter.read(mirrorFile(qpv2015Adapter.source.mirrorPath), { logger: memoryLogger() });
    expect(batch.layer).toBe('qpv');
    expect(batch.warnings).toEqual([]);
    expect(batch.features.map((f) => f.code).sort()).toEqual(['QP093012', 'QP093013', 'QP093014']);
    expect(batch.features.find((f) => f.code === 'QP093012')?.name).toBe('Blanqui');
    expect(batch.features.find((f) => f.code === 'QP093014')?.props.D_MAJ).toBe('2015-01-29');
    for (const f of batch.features) {
      const [minx, miny, maxx, maxy] = bboxOf(f.geometry);
      // Inside the 93 (≈ 2.28–2.61° E, 48.80–49.02° N): QP093014 spills over Bobigny.
      expect(minx).toBeGreaterThan(2.28);
      expect(maxx).toBeLessThan(2.61);
      expect(miny).toBeGreaterThan(48.8);
      expect(maxy).toBeLessThan(49.02);
    }
  });

  it('gets per-band geometries for overlay_features from the same topology code', async () => {
    const batch = await qpv2015Adapter.read(mirrorFile(qpv2015Adapter.source.mirrorPath), { logger: memoryLogger() });
    const qpv = buildLevelGeometries({ unitLevel: 'qpv', units: batch.features, groupings: [] }).get('qpv')!;
    expect([...qpv.keys()].sort()).toEqual(['QP093012', 'QP093013', 'QP093014']);
    for (const t of qpv.values()) {
      expect(t.bands.map((b) => b.band)).toEqual([0, 1, 2, 3]);
      expect(t.bands[0]!.vertices).toBeLessThan(t.bands[3]!.vertices);
      expect(t.bands[0]!.vertices).toBeGreaterThanOrEqual(4);
    }
  });
});
