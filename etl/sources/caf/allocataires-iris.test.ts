import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/logger.ts';
import type { ValueBatch } from '../../core/types.ts';
import { mirrorFile } from '../../testing/mirror.ts';
import { CAF_COLUMNS, cafAllocatairesIrisAdapter } from './allocataires-iris.ts';

describe('CAF allocataires by IRIS 2021 (whole France)', async () => {
  const file = mirrorFile(cafAllocatairesIrisAdapter.source.mirrorPath);
  const batch: ValueBatch = await cafAllocatairesIrisAdapter.read(file, { logger: memoryLogger() });
  const in93 = batch.values.filter((v) => v.code.startsWith('93'));

  it('reads 16 213 IRIS with the 21 count columns, 613 of them in the 93', () => {
    expect(batch.rows).toBe(16213);
    expect(Object.keys(CAF_COLUMNS)).toHaveLength(21);
    expect(new Set(batch.values.map((v) => v.variable))).toEqual(new Set(Object.keys(CAF_COLUMNS)));
    expect(new Set(in93.map((v) => v.code)).size).toBe(613);
  });

  it('sums foyers allocataires of the 93 to 379 654', () => {
    expect(in93.filter((v) => v.variable === 'a').reduce((s, v) => s + (v.value ?? 0), 0)).toBe(379654);
  });

  it('makes the 12 IRIS of the 93 with a non-zero note entirely secret, marker note=N', () => {
    const noted = in93.filter((v) => v.marker?.startsWith('note='));
    expect(new Set(noted.map((v) => v.code)).size).toBe(12);
    expect(noted).toHaveLength(12 * 21);
    expect(noted.every((v) => v.status === 'secret' && v.value === null)).toBe(true);
  });

  it('reads blank cells (counts below 5) as secret with an empty marker', () => {
    const blanks = (variable: string) => batch.values.filter((v) => v.variable === variable && v.status === 'secret');
    // SOURCES.md §6.1: blank counts per column range from 1 153 (percou) to 7 282 (a_etud).
    expect(blanks('percou')).toHaveLength(1153);
    expect(blanks('a_etud')).toHaveLength(7282);
    const smallest = batch.values.reduce((m, v) => (v.status === 'ok' && v.value !== null ? Math.min(m, v.value) : m), Infinity);
    expect(smallest).toBe(5);
  });

  // About 0.4 s on an idle machine (csv-parse is two thirds of it); the bound leaves
  // room for a loaded shared runner while still catching an accidental quadratic loop.
  it('parses in well under a second', async () => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await cafAllocatairesIrisAdapter.read(file, { logger: memoryLogger() });
      best = Math.min(best, performance.now() - start);
    }
    expect(best).toBeLessThan(1500);
  });
});
