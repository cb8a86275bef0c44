import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mirrorFile } from '../../testing/mirror.ts';
import { rejectionOf, tempFile } from '../cadastre/test-support.ts';
import { DVF_2022_EXTRACT, isoDate, rName, readDvf } from './dvf.ts';

const FILE = mirrorFile(DVF_2022_EXTRACT.mirrorPath);
const text = readFileSync(FILE, 'utf8');
const [HEADER = '', ...LINES] = text.split('\n');

/** A small DVF file: the real header and the first `n` lines, each passed through `edit`. */
function extract(n: number, edit: (line: string, i: number) => string = (l) => l): string {
  return tempFile('dvf.csv', [HEADER, ...LINES.slice(0, n).map(edit)].join('\n') + '\n');
}

describe('DVF 2022 extract (R re-export, 4 communes of the 93)', async () => {
  const batch = await readDvf(FILE);

  it('reads the 8 199 lines', () => {
    expect(batch.rows).toBe(8199);
    expect(batch.lines).toHaveLength(8199);
    expect(batch.warnings).toEqual([]);
  });

  it('turns the first line into a checked record: apostrophe, dd/mm/yyyy, padded parcel id', () => {
    expect(batch.lines[0]).toEqual({
      line: 2, producerLine: 4308156, commune: '93063', date: '2022-01-03', nature: 'Vente', valeur: 340000, disposition: 1,
      codePostal: '93230', parcelId: '93063000AF0126', lot1: null, lots: 0, codeTypeLocal: 1, surfaceBati: 59, pieces: 3,
      natureCulture: 'S', natureCultureSpeciale: null, surfaceTerrain: 186
    });
  });

  it('covers the four communes with the documented number of lines', () => {
    const per = new Map<string, number>();
    for (const l of batch.lines) per.set(l.commune, (per.get(l.commune) ?? 0) + 1);
    expect(Object.fromEntries(per)).toEqual({ '93070': 3000, '93010': 1901, '93031': 1728, '93063': 1570 });
    expect(DVF_2022_EXTRACT.communes).toEqual([...per.keys()].sort());
  });

  it('reads prices R wrote in scientific notation (9e+05) and the NA of missing prices', () => {
    expect(batch.lines.filter((l) => l.valeur === null)).toHaveLength(7);
    const line61 = batch.lines.find((l) => l.line === 61);
    expect(line61?.valeur).toBe(900000);
    expect(Number.isInteger(line61?.valeur)).toBe(true);
  });

  it('maps R-mangled headers back to the producer’s names', () => {
    expect(rName('Date mutation')).toBe('Date.mutation');
    expect(rName('1er lot')).toBe('X1er.lot');
    expect(rName('B/T/Q')).toBe('B.T.Q');
  });

  it('accepts only real calendar dates', () => {
    expect(isoDate('29/02/2024')).toBe('2024-02-29');
    expect(isoDate('29/02/2022')).toBeNull();
    expect(isoDate('2022-01-03')).toBeNull();
  });
});

describe('damaged DVF files', () => {
  it('locates a date that is not dd/mm/yyyy', async () => {
    const file = extract(3, (l, i) => (i === 1 ? l.replace('"04/01/2022"', '"2022-01-04"') : l));
    const error = await rejectionOf(readDvf(file));
    expect(error.detail).toMatchObject({ file, line: 3, column: '11 (Date.mutation)', found: '2022-01-04' });
  });

  it('locates an impossible date', async () => {
    const file = extract(3, (l, i) => (i === 2 ? l.replace('"04/01/2022"', '"31/02/2022"') : l));
    const error = await rejectionOf(readDvf(file));
    expect(error.detail).toMatchObject({ line: 4, column: '11 (Date.mutation)', found: '31/02/2022' });
  });

  it('recognises a file saved with commas instead of semicolons', async () => {
    const file = tempFile('dvf-virgules.csv', [HEADER, ...LINES.slice(0, 2)].map((l) => l.replaceAll(';', ',')).join('\n'));
    const error = await rejectionOf(readDvf(file));
    expect(error.detail).toMatchObject({ file, line: 1, column: 1 });
    expect(error.detail.hint).toContain('« , »');
  });

  it('locates a decimal point where the producer writes a comma', async () => {
    const file = extract(2, (l, i) => (i === 1 ? l.replace(';59,64;', ';59.64;').replace(';163000;', ';163000.5;') : l));
    const error = await rejectionOf(readDvf(file));
    expect(error.detail).toMatchObject({ line: 3, column: '13 (Valeur.fonciere)', found: '163000.5' });
  });

  it('refuses a cog that contradicts Code.departement and Code.commune', async () => {
    const file = extract(2, (l, i) => (i === 0 ? l.replace('"\'93063"', '"\'93064"') : l));
    const error = await rejectionOf(readDvf(file));
    expect(error.detail).toMatchObject({ line: 2, column: '2 (cog)', found: "'93064" });
    expect(error.detail.expected).toContain('93063');
  });

  it('refuses a section that cannot be one', async () => {
    const file = extract(1, (l) => l.replace(';"AF";', ';"A-F";'));
    const error = await rejectionOf(readDvf(file));
    expect(error.detail).toMatchObject({ line: 2, column: '24 (Section)', found: 'A-F' });
  });

  it('keeps a line without cadastral reference, reported', async () => {
    const file = extract(1, (l) => l.replace(';"AF";126;', ';"";NA;'));
    const batch = await readDvf(file);
    expect(batch.lines[0]?.parcelId).toBeNull();
    expect(batch.warnings).toMatchObject([{ line: 2, column: 'Section', message: 'ligne sans référence cadastrale, non rattachable à une parcelle' }]);
  });

  it('refuses a file that lacks a column, naming it', async () => {
    const file = tempFile('dvf-sans-date.csv', [HEADER.replace('"Date.mutation"', '"Date"'), LINES[0]].join('\n'));
    const error = await rejectionOf(readDvf(file));
    expect(error.detail).toMatchObject({ line: 1, column: 'Date.mutation' });
  });
});
