import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/logger.ts';
import { areaKm2 } from '../../geo/measure.ts';
import { mirrorFile } from '../../testing/mirror.ts';
import { communes75Ign2018Adapter, communes93Ign2018Adapter, departementsIdfIgn2018Adapter } from './communes-ign-2018.ts';

const ctx = { logger: memoryLogger() };

describe('IGN ADMIN EXPRESS 2018 (gregoiredavid) adapters', () => {
  it('read 40 communes of the 93, Paris as one commune, and the 8 départements', async () => {
    const c93 = await communes93Ign2018Adapter.read(mirrorFile(communes93Ign2018Adapter.source.mirrorPath), ctx);
    const c75 = await communes75Ign2018Adapter.read(mirrorFile(communes75Ign2018Adapter.source.mirrorPath), ctx);
    const deps = await departementsIdfIgn2018Adapter.read(mirrorFile(departementsIdfIgn2018Adapter.source.mirrorPath), ctx);
    expect(c93.features).toHaveLength(40);
    expect(c75.features.map((f) => [f.code, f.name])).toEqual([['75056', 'Paris']]);
    expect(deps.layer).toBe('departement');
    expect(deps.features.map((f) => f.code).sort()).toEqual(['75', '77', '78', '91', '92', '93', '94', '95']);
    expect([...c93.warnings, ...c75.warnings, ...deps.warnings]).toEqual([]);

    // Cross-check: the département and the sum of its communes agree within 1 %,
    // although each layer was simplified on its own.
    const sum93 = c93.features.reduce((s, f) => s + areaKm2(f.geometry), 0);
    const dep93 = areaKm2(deps.features.find((f) => f.code === '93')!.geometry);
    expect(Math.abs(sum93 - dep93) / dep93).toBeLessThan(0.01);
    expect(dep93).toBeGreaterThan(236.9 * 0.98);
    expect(dep93).toBeLessThan(236.9 * 1.02);
  });
});
