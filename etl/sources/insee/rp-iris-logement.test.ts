import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/logger.ts';
import type { ValueBatch } from '../../core/types.ts';
import { mirrorFile } from '../../testing/mirror.ts';
import { rpIrisLogementAdapter } from './rp-iris-logement.ts';

describe('INSEE RP 2019 logement by IRIS (R extract of 4 communes)', async () => {
  const batch: ValueBatch = await rpIrisLogementAdapter.read(mirrorFile(rpIrisLogementAdapter.source.mirrorPath), {
    logger: memoryLogger()
  });
  const variables = new Set(batch.values.map((v) => v.variable));

  it('reads 70 IRIS of 4 communes with 92 variables, identification columns skipped', () => {
    expect(batch.rows).toBe(70);
    expect(variables.size).toBe(92);
    for (const id of ['IRIS', 'COM', 'TYP_IRIS', 'MODIF_IRIS', 'LAB_IRIS']) expect(variables.has(id)).toBe(false);
    expect(variables.has('C19_RP_HSTU1P_SUROCC')).toBe(true);
    const communes = new Set(batch.values.map((v) => v.code.slice(0, 5)));
    expect(communes).toEqual(new Set(['93010', '93031', '93063', '93070']));
  });

  it('unquotes codes and reads decimal commas', () => {
    expect(batch.values.find((v) => v.code === '930100101' && v.variable === 'P19_LOG')?.value).toBe(601.497907137266);
  });

  it('reads the 700 NA as missing, not secret', () => {
    expect(batch.values.filter((v) => v.status === 'missing' && v.marker === 'NA')).toHaveLength(700);
    expect(batch.values.some((v) => v.status === 'secret')).toBe(false);
  });

  it('declares an empty coverage (4 communes only)', () => {
    expect(rpIrisLogementAdapter.source.coverage).toEqual([]);
  });
});
