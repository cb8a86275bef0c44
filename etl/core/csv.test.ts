import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputErrorOf } from '../testing/errors.ts';
import { logementsVacantsAdapter } from '../sources/anct/logements-vacants.ts';
import { cafAllocatairesIrisAdapter } from '../sources/caf/allocataires-iris.ts';
import { comparateurTerritoiresAdapter } from '../sources/insee/comparateur-territoires.ts';
import { filosofiBondy2019Adapter } from '../sources/insee/filosofi-bondy.ts';
import { populationsLegalesAdapter } from '../sources/insee/populations-legales.ts';
import { repoRoot } from '../testing/mirror.ts';
import { parseDelimited, valuesFromTable, type ValueTableSpec } from './csv.ts';
import { InputError } from './errors.ts';
import { memoryLogger } from './logger.ts';
import type { ValueAdapter, ValueBatch } from './types.ts';

const errorOf = inputErrorOf;

describe('parseDelimited', () => {
  it('numbers records with their line in the file, after metadata, blank lines and multi-line quotes', () => {
    const text = 'meta 1\nmeta 2\na;b\n1;2\n"x\ny";3\n\n4;5';
    const table = parseDelimited(text, { file: 'f.csv', skipLines: 2, columns: ['a', 'b'] });
    expect(table.metadata).toEqual(['meta 1', 'meta 2']);
    expect(table.headerLine).toBe(3);
    expect(table.rows.map((r) => [r.line, r.cells[0]])).toEqual([
      [4, '1'],
      [5, 'x\ny'],
      [8, '4']
    ]);
  });

  it('accepts a header without rows', () => {
    expect(parseDelimited('a;b\n', { file: 'f.csv', columns: ['a'] }).rows).toEqual([]);
  });

  it('names the missing column and lists the columns found', () => {
    const error = errorOf(() => parseDelimited('a;c\n1;2\n', { file: 'f.csv', columns: ['a', 'b'] }));
    expect(error.detail).toMatchObject({ file: 'f.csv', line: 1, column: 'b', found: 'les colonnes a | c' });
  });

  it('recognises a tab-separated file read as semicolon-separated', () => {
    const error = errorOf(() => parseDelimited('a\tb\n1\t2\n', { file: 'f.tsv', columns: ['a', 'b'] }));
    expect(error.detail.hint).toContain('« tabulation »');
  });

  it('refuses two columns with the same name', () => {
    const error = errorOf(() => parseDelimited('a;b;a\n1;2;3\n', { file: 'f.csv', columns: ['a'] }));
    expect(error.detail).toMatchObject({ line: 1, column: '3 (a)' });
  });

  it('reports extra fields with the first column beyond the header', () => {
    const error = errorOf(() => parseDelimited('a;b\n1;2\n1;2;3\n', { file: 'f.csv', columns: ['a'] }));
    expect(error.detail).toMatchObject({ line: 3, column: '3 (hors en-tête)', found: '3 champs' });
  });

  it('locates a quote closed in the middle of a field', () => {
    const error = errorOf(() => parseDelimited('a;b\n1;2\n"3"x;4\n', { file: 'f.csv', columns: ['a'] }));
    expect(error.detail).toMatchObject({ line: 3, column: '1 (a)', found: '"3"x;4' });
  });
});

describe('valuesFromTable', () => {
  const spec: ValueTableSpec = {
    source: 'test',
    level: 'commune',
    encoding: 'utf-8',
    key: { column: 'CODGEO' },
    values: [{ column: 'POP', variable: 'P', format: { decimal: '.', markers: { s: 'secret' } } }]
  };

  it('makes one RawValue per value cell, with code, line and status', () => {
    const table = parseDelimited('CODGEO;POP\n93001;12\n93005;s\n', { file: 'f.csv', columns: ['CODGEO', 'POP'] });
    const batch = valuesFromTable(table, spec, { logger: memoryLogger() });
    expect(batch.rows).toBe(2);
    expect(batch.values).toEqual([
      { source: 'test', variable: 'P', level: 'commune', code: '93001', value: 12, status: 'ok', line: 2 },
      { source: 'test', variable: 'P', level: 'commune', code: '93005', value: null, status: 'secret', marker: 's', line: 3 }
    ]);
  });

  it('warns about a column the adapter does not know instead of dropping it silently', () => {
    const table = parseDelimited('CODGEO;POP;NEW\n93001;12;3\n', { file: 'f.csv', columns: ['CODGEO', 'POP'] });
    const logger = memoryLogger();
    const batch = valuesFromTable(table, spec, { logger });
    expect(batch.warnings).toEqual([
      expect.objectContaining({ source: 'test', file: 'f.csv', line: 1, column: '3 (NEW)' })
    ]);
    expect(logger.lines.some((l) => l.startsWith('warn') && l.includes('NEW'))).toBe(true);
  });

  it('turns unlisted columns into variables when the spec asks for the remaining columns', () => {
    const table = parseDelimited('CODGEO;POP;NEW\n93001;12;3,5\n', { file: 'f.csv', columns: ['CODGEO', 'POP'] });
    const batch = valuesFromTable(table, { ...spec, remainingColumns: { decimal: ',', markers: {} } }, { logger: memoryLogger() });
    expect(batch.warnings).toEqual([]);
    expect(batch.values.map((v) => [v.variable, v.value])).toEqual([
      ['P', 12],
      ['NEW', 3.5]
    ]);
  });

  it('lets a row-level verdict override every cell of the row', () => {
    const table = parseDelimited('CODGEO;FLAG;POP\n93001;1;12\n93005;0;7\n', { file: 'f.csv', columns: ['CODGEO'] });
    const batch = valuesFromTable(
      table,
      {
        ...spec,
        otherColumns: ['FLAG'],
        rowStatus: (row) => (row.get('FLAG') === '1' ? { status: 'secret', marker: 'flag' } : undefined)
      },
      { logger: memoryLogger() }
    );
    expect(batch.values.map((v) => [v.code, v.status, v.value])).toEqual([
      ['93001', 'secret', null],
      ['93005', 'ok', 7]
    ]);
  });
});

/**
 * Malformed-input corpus: tiny files in etl/testing/fixtures/tabular (see its
 * README for how each was made), read through the real adapters. Each defect
 * must surface as an InputError that names the file, the line and the column.
 */
describe('malformed-input corpus', () => {
  const fixture = (name: string) => join(repoRoot, 'etl/testing/fixtures/tabular', name);
  const read = (adapter: ValueAdapter, name: string): Promise<ValueBatch> =>
    adapter.read(fixture(name), { logger: memoryLogger() });

  async function rejection(adapter: ValueAdapter, name: string): Promise<InputError> {
    try {
      await read(adapter, name);
    } catch (e) {
      if (e instanceof InputError) return e;
      throw e;
    }
    throw new Error(`${name} : aucune InputError levée`);
  }

  const cases: {
    name: string;
    adapter: ValueAdapter;
    line: number;
    column: number | string;
    says: string;
  }[] = [
    { name: 'comparateur-comma-separated.csv', adapter: comparateurTerritoiresAdapter, line: 1, column: 1, says: 'Le séparateur semble être « , »' },
    { name: 'anct-latin1.csv', adapter: logementsVacantsAdapter, line: 2, column: 2, says: 'Latin-1' },
    { name: 'bondy-utf8.csv', adapter: filosofiBondy2019Adapter, line: 3, column: 21, says: 'semble encodé en UTF-8' },
    { name: 'caf-unterminated-quote.csv', adapter: cafAllocatairesIrisAdapter, line: 3, column: '1 (iris_code)', says: 'guillemet fermant' },
    { name: 'comparateur-missing-fields.csv', adapter: comparateurTerritoiresAdapter, line: 3, column: '30 (ETOQ24)', says: '32 champs' },
    { name: 'comparateur-non-numeric.csv', adapter: comparateurTerritoiresAdapter, line: 3, column: '2 (P22_POP)', says: 'trouvé "12a"' },
    { name: 'comparateur-decimal-point-in-comma-column.csv', adapter: comparateurTerritoiresAdapter, line: 2, column: '16 (PIMP21)', says: '« . » inattendu' },
    { name: 'comparateur-missing-column.csv', adapter: comparateurTerritoiresAdapter, line: 1, column: 'MED21', says: 'la colonne « MED21 »' },
    { name: 'comparateur-empty.csv', adapter: comparateurTerritoiresAdapter, line: 1, column: 1, says: 'fichier vide' },
    { name: 'comparateur-duplicate-code.csv', adapter: comparateurTerritoiresAdapter, line: 4, column: '1 (CODGEO)', says: 'figure déjà ligne 2' },
    { name: 'anct-without-metadata.csv', adapter: logementsVacantsAdapter, line: 2, column: 1, says: 'Référentiel géographique' },
    { name: 'anct-cog-2024.csv', adapter: logementsVacantsAdapter, line: 2, column: 1, says: 'Communes (2024)' },
    { name: 'caf-leading-zero-lost.csv', adapter: cafAllocatairesIrisAdapter, line: 2, column: '1 (iris_code)', says: 'Zéro initial perdu' },
    { name: 'caf-truncated.csv.gz', adapter: cafAllocatairesIrisAdapter, line: 2, column: 20, says: 'archive gzip tronquée' },
    { name: 'populations-overseas-codcom.csv', adapter: populationsLegalesAdapter, line: 3, column: '6 (CODCOM)', says: '971' }
  ];

  it.each(cases)('$name gives an InputError naming file, line and column', async ({ name, adapter, line, column, says }) => {
    const error = await rejection(adapter, name);
    expect(error.detail).toMatchObject({ file: fixture(name), line, column });
    expect(error.message).toContain(fixture(name));
    expect(error.message).toContain(`ligne ${line}`);
    expect(error.message).toContain(`colonne ${column}`);
    expect(error.message).toContain(says);
  });

  it('reads a header-only file as zero rows', async () => {
    const batch = await read(comparateurTerritoiresAdapter, 'comparateur-header-only.csv');
    expect(batch).toEqual({ values: [], rows: 0, warnings: [] });
  });

  it('handles a BOM and CRLF, and applies the CAF note to the whole row', async () => {
    const batch = await read(cafAllocatairesIrisAdapter, 'caf-bom-crlf.csv');
    expect(batch.rows).toBe(2);
    expect(batch.values.find((v) => v.code === '930010101' && v.variable === 'a')).toMatchObject({ value: 493, line: 2 });
    const noted = batch.values.filter((v) => v.code === '930010301');
    expect(noted).toHaveLength(21);
    expect(noted.every((v) => v.status === 'secret' && v.marker === 'note=3' && v.line === 3)).toBe(true);
  });

  it('reads a gzip-compressed file transparently', async () => {
    const batch = await read(cafAllocatairesIrisAdapter, 'caf-complete.csv.gz');
    expect(batch.rows).toBe(40);
    expect(batch.values.filter((v) => v.variable === 'a').reduce((s, v) => s + (v.value ?? 0), 0)).toBe(40 * 493);
  });

  it('reads a Latin-1 file declared latin1', async () => {
    const batch = await read(filosofiBondy2019Adapter, 'bondy-latin1.csv');
    expect(batch.values.map((v) => [v.code, v.value])).toEqual([
      ['930100101', 15260],
      ['930100204', 16805]
    ]);
  });

  it('reads the secrecy marker s as secret', async () => {
    const batch = await read(comparateurTerritoiresAdapter, 'comparateur-secret-marker.csv');
    const secret = batch.values.filter((v) => v.status === 'secret').map((v) => v.variable);
    expect(secret).toEqual(['NBMENFISC21', 'PIMP21', 'MED21', 'TP6021']);
    expect(batch.values.find((v) => v.variable === 'MED21')?.marker).toBe('s');
  });
});
