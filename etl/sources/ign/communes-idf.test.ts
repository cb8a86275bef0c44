import { beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/logger.ts';
import type { GeoBatch } from '../../core/types.ts';
import { areaKm2 } from '../../geo/measure.ts';
import { mirrorFile } from '../../testing/mirror.ts';
import { communesIdfAdapter } from './communes-idf.ts';

let batch: GeoBatch;
beforeAll(async () => {
  batch = await communesIdfAdapter.read(mirrorFile(communesIdfAdapter.source.mirrorPath), { logger: memoryLogger() });
});

describe('communesIdfAdapter', () => {
  it('reads the 1 268 communes of the COG 2024, 40 of them in the 93, 93059 still separate', () => {
    expect(communesIdfAdapter.source.geoVintage).toBe(2024);
    expect(batch.features).toHaveLength(1268);
    expect(batch.warnings).toEqual([]);
    expect(batch.features.filter((f) => f.code.startsWith('93'))).toHaveLength(40);
    expect(batch.features.find((f) => f.code === '93059')?.name).toBe('Pierrefitte-sur-Seine');
    expect(batch.features.find((f) => f.code === '75056')).toMatchObject({ name: 'Paris', props: { DEP: '75', REG: '11' } });
  });

  it('has areas close to INSEE’s SUPERF despite the simplification (Saint-Denis 12.36, Pierrefitte 3.41 km²)', () => {
    const area = (code: string): number => areaKm2(batch.features.find((f) => f.code === code)!.geometry);
    expect(area('93066')).toBeGreaterThan(12.36 * 0.97);
    expect(area('93066')).toBeLessThan(12.36 * 1.03);
    expect(area('93059')).toBeGreaterThan(3.41 * 0.97);
    expect(area('93059')).toBeLessThan(3.41 * 1.03);
  });
});
