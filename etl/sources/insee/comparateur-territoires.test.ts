import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/logger.ts';
import type { RawValue, ValueBatch } from '../../core/types.ts';
import { mirrorFile } from '../../testing/mirror.ts';
import { COMPARATEUR_COLUMNS, comparateurTerritoiresAdapter } from './comparateur-territoires.ts';

describe('INSEE comparateur de territoires 2025 (extract 75 + 93)', async () => {
  const batch: ValueBatch = await comparateurTerritoiresAdapter.read(
    mirrorFile(comparateurTerritoiresAdapter.source.mirrorPath),
    { logger: memoryLogger() }
  );
  const cell = (code: string, variable: string): RawValue | undefined =>
    batch.values.find((v) => v.code === code && v.variable === variable);

  it('reads Paris and the 40 rows of the 93, 31 variables each', () => {
    expect(batch.rows).toBe(41);
    expect(new Set(batch.values.map((v) => v.code)).size).toBe(41);
    expect(new Set(batch.values.map((v) => v.variable))).toEqual(new Set(COMPARATEUR_COLUMNS));
    expect(batch.values).toHaveLength(41 * 31);
    expect(batch.warnings).toEqual([]);
  });

  it('reads PIMP21 and TP6021 written with a decimal comma', () => {
    expect(cell('75056', 'PIMP21')?.value).toBe(69.0);
    expect(cell('75056', 'TP6021')?.value).toBe(16.0);
    expect(cell('93001', 'TP6021')?.value).toBe(42.0);
  });

  it('reads the other columns with a decimal point, including weighted census counts', () => {
    expect(cell('93066', 'SUPERF')?.value).toBe(15.77);
    expect(cell('93066', 'P22_POP')?.value).toBe(148907);
    expect(cell('93001', 'P22_MEN')?.value).toBe(34990.0902194347);
  });

  it('keeps 93059 as published: Filosofi 2021 values, blank census cells as missing', () => {
    expect(cell('93059', 'MED21')).toMatchObject({ value: 16080, status: 'ok', line: 29 });
    expect(cell('93059', 'NBMENFISC21')?.value).toBe(10276);
    expect(cell('93059', 'PIMP21')?.value).toBe(38);
    expect(cell('93059', 'P22_POP')).toMatchObject({ value: null, status: 'missing', marker: '' });
    const row = batch.values.filter((v) => v.code === '93059');
    expect(row.filter((v) => v.status === 'missing')).toHaveLength(27);
  });

  it('finds no other blank nor secret cell in the extract', () => {
    expect(batch.values.filter((v) => v.status !== 'ok' && v.code !== '93059')).toEqual([]);
  });

  it('describes a commune-level source on COG 2025 covering Paris and the 93', () => {
    expect(comparateurTerritoiresAdapter.source).toMatchObject({
      id: 'insee-comparateur-2025',
      geoVintage: 2025,
      coverage: ['75', '93']
    });
    expect(batch.values.every((v) => v.level === 'commune' && v.source === 'insee-comparateur-2025')).toBe(true);
  });
});
