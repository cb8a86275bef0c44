import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/logger.ts';
import { mirrorFile } from '../../testing/mirror.ts';
import { filosofiBondy2013Adapter, filosofiBondy2019Adapter } from './filosofi-bondy.ts';

const read = (adapter: typeof filosofiBondy2013Adapter) =>
  adapter.read(mirrorFile(adapter.source.mirrorPath), { logger: memoryLogger() });

describe('Filosofi median income of Bondy’s IRIS (ISO-8859-1 extracts)', () => {
  it('reads 2013 with its decimal comma despite the Latin-1 labels', async () => {
    const batch = await read(filosofiBondy2013Adapter);
    expect(batch.rows).toBe(20);
    expect(batch.values.every((v) => v.variable === 'DISP_MED13' && v.status === 'ok')).toBe(true);
    expect(batch.values.find((v) => v.code === '930100101')?.value).toBe(15300);
    // Line 11 is « Le Moulin à Vent », whose 0xE0 byte is invalid UTF-8.
    expect(batch.values.find((v) => v.line === 11)).toMatchObject({ code: '930100204', value: 16805.6 });
  });

  it('reads 2019 as integers', async () => {
    const batch = await read(filosofiBondy2019Adapter);
    expect(batch.rows).toBe(21);
    expect(batch.values.find((v) => v.code === '930100101')).toMatchObject({ variable: 'DISP_MED19', value: 15260 });
    expect(batch.values.every((v) => v.code.startsWith('93010') && v.level === 'iris')).toBe(true);
  });

  it('declares an empty coverage: only Bondy’s IRIS, no aggregate above IRIS', () => {
    expect(filosofiBondy2013Adapter.source.coverage).toEqual([]);
    expect(filosofiBondy2019Adapter.source.coverage).toEqual([]);
  });
});
