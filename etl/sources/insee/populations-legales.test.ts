import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/logger.ts';
import type { ValueBatch } from '../../core/types.ts';
import { mirrorFile } from '../../testing/mirror.ts';
import { populationsLegalesAdapter } from './populations-legales.ts';

describe('INSEE populations légales 2019 (all communes)', async () => {
  const file = mirrorFile(populationsLegalesAdapter.source.mirrorPath);
  const batch: ValueBatch = await populationsLegalesAdapter.read(file, { logger: memoryLogger() });
  const pmun = new Map(batch.values.filter((v) => v.variable === 'PMUN').map((v) => [v.code, v.value ?? 0]));
  const sum = (pred: (code: string) => boolean) => [...pmun].filter(([c]) => pred(c)).reduce((s, [, v]) => s + v, 0);

  it('reads 34 990 communes with PMUN, PCAP and PTOT', () => {
    expect(batch.rows).toBe(34990);
    expect(pmun.size).toBe(34990);
    expect(new Set(batch.values.map((v) => v.variable))).toEqual(new Set(['PMUN', 'PCAP', 'PTOT']));
  });

  it('sums PMUN of the 93 to 1 644 903 over its 40 communes of the time', () => {
    expect([...pmun.keys()].filter((c) => c.startsWith('93'))).toHaveLength(40);
    expect(sum((c) => c.startsWith('93'))).toBe(1644903);
  });

  it('keeps Paris by arrondissement, 75101…75120 summing to 2 165 423', () => {
    const paris = [...pmun.keys()].filter((c) => c.startsWith('75'));
    expect(paris.sort()).toEqual(Array.from({ length: 20 }, (_, i) => String(75101 + i)));
    expect(sum((c) => c.startsWith('751'))).toBe(2165423);
  });

  it('builds overseas codes from two characters of CODDEP and the 3-digit CODCOM', () => {
    expect(pmun.get('97101')).toBe(53514); // Les Abymes: CODDEP 971 + CODCOM 101
    expect([...pmun.keys()].filter((c) => c.startsWith('97'))).toHaveLength(112);
    expect([...pmun.keys()].every((c) => /^(\d{5}|2[AB]\d{3})$/.test(c))).toBe(true);
    expect([...pmun.keys()].filter((c) => c.startsWith('2A')).length).toBe(124);
  });

  // About 0.4 s on an idle machine (csv-parse is two thirds of it); the bound leaves
  // room for a loaded shared runner while still catching an accidental quadratic loop.
  it('parses in well under a second', async () => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await populationsLegalesAdapter.read(file, { logger: memoryLogger() });
      best = Math.min(best, performance.now() - start);
    }
    expect(best).toBeLessThan(1500);
  });
});
