import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/logger.ts';
import type { ValueBatch } from '../../core/types.ts';
import { mirrorFile } from '../../testing/mirror.ts';
import { FILOSOFI_IRIS_COLUMNS, filosofiIrisAdapter } from './filosofi-iris.ts';

describe('INSEE Filosofi 2018 by IRIS (whole France)', async () => {
  const batch: ValueBatch = await filosofiIrisAdapter.read(mirrorFile(filosofiIrisAdapter.source.mirrorPath), {
    logger: memoryLogger()
  });
  const codes = new Set(batch.values.map((v) => v.code));

  it('reads 12 395 IRIS with 28 variables each, DISP_NOTE18 included', () => {
    expect(batch.rows).toBe(12395);
    expect(codes.size).toBe(12395);
    expect(batch.values).toHaveLength(12395 * 28);
    expect(FILOSOFI_IRIS_COLUMNS).toContain('DISP_NOTE18');
  });

  it('keeps IRIS codes as 9 characters with their leading zero', () => {
    expect(codes.has('010040101')).toBe(true);
    expect([...codes].every((c) => c.length === 9)).toBe(true);
  });

  it('counts 585 IRIS in the 93 and 870 in Paris', () => {
    expect([...codes].filter((c) => c.startsWith('93')).length).toBe(585);
    expect([...codes].filter((c) => c.startsWith('75')).length).toBe(870);
  });

  it('reads the 4 224 blank cells as secret', () => {
    const secret = batch.values.filter((v) => v.status === 'secret');
    expect(secret).toHaveLength(4224);
    expect(secret.every((v) => v.marker === '' && v.value === null)).toBe(true);
  });

  it('keeps the quality flag values 0, 1 and 5 with their frequencies', () => {
    const notes = new Map<number | null, number>();
    for (const v of batch.values) if (v.variable === 'DISP_NOTE18') notes.set(v.value, (notes.get(v.value) ?? 0) + 1);
    expect(notes).toEqual(
      new Map([
        [0, 12262],
        [1, 132],
        [5, 1]
      ])
    );
  });

  it('reads the first IRIS of the 93 on its CRLF line', () => {
    const med = batch.values.find((v) => v.code === '930010101' && v.variable === 'DISP_MED18');
    expect(med).toMatchObject({ value: 13970, status: 'ok', level: 'iris' });
    const neg = batch.values.find((v) => v.code === '930010101' && v.variable === 'DISP_PIMPOT18');
    expect(neg?.value).toBe(-12.9);
  });
});
