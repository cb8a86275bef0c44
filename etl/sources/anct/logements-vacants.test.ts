import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.ts';
import { memoryLogger } from '../../core/logger.ts';
import type { ValueBatch } from '../../core/types.ts';
import { mirrorFile } from '../../testing/mirror.ts';
import { cogYearOf, logementsVacantsAdapter } from './logements-vacants.ts';

describe('ANCT logements vacants 2022 (communes of Île-de-France, COG 2025)', async () => {
  const batch: ValueBatch = await logementsVacantsAdapter.read(mirrorFile(logementsVacantsAdapter.source.mirrorPath), {
    logger: memoryLogger()
  });
  const codes = batch.values.map((v) => v.code);

  it('reads 1 266 communes after the BOM and the 3 metadata lines', () => {
    expect(batch.rows).toBe(1266);
    expect(batch.values[0]).toMatchObject({ code: '75056', variable: 'LOGVAC22', value: 136957, line: 5 });
  });

  it('has 39 communes in the 93 and neither 93059 nor 95282, merged in 2025', () => {
    expect(codes.filter((c) => c.startsWith('93'))).toHaveLength(39);
    expect(codes).not.toContain('93059');
    expect(codes).not.toContain('95282');
  });

  it('reads the last commune although the file has no trailing newline', () => {
    expect(batch.values.at(-1)).toMatchObject({ code: '95690', value: 10, line: 1270 });
  });

  it('reads the COG year from the metadata lines', () => {
    expect(cogYearOf(['Observatoire des territoires - ANCT; ; ', 'Référentiel géographique : Communes (2025); ; '], 'f')).toBe(2025);
    expect(() => cogYearOf(['Observatoire des territoires - ANCT; ; ', 'Sélection : Île-de-France; ; '], 'f')).toThrow(InputError);
  });
});
