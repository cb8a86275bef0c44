/**
 * Properties of the delimited-text reader and the number parser: a table written
 * with proper CSV quoting reads back cell for cell with the right 1-based lines
 * (metadata, blank lines, multi-line quoted cells, CRLF, BOM); a decimal comma
 * parses like a point when the format says so; any other cell is an InputError
 * naming file, line and column, never another exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDelimited, valuesFromTable, type ValueTableSpec } from './csv.ts';
import { InputError } from './errors.ts';
import { memoryLogger } from './logger.ts';
import { numberParser, type NumberFormat } from './numbers.ts';
import { decodeText } from './text.ts';

const RUNS = 300;
const FILE = 'donnees/base.csv';

// ---------------------------------------------------------------------------
// Writing tables

const SEPARATORS = [';', ',', '\t', '|'] as const;

/** Cell text rich in what quoting must protect: separators, quotes, newlines (LF or CRLF), spaces, accents. */
const cellText = fc
  .array(fc.oneof({ weight: 6, arbitrary: fc.string({ maxLength: 4 }) }, { weight: 4, arbitrary: fc.constantFrom(';', ',', '\t', '|', '"', '""', '\n', '\r\n', ' ', 'é', '€', '🦆', "'", '\u00a0') }), { maxLength: 6 })
  .map((parts) => parts.join('').replace(/\r(?!\n)/g, ''));

interface Written {
  text: string;
  header: string[];
  rows: { line: number; cells: string[] }[];
  metadata: string[];
  headerLine: number;
  separator: string;
}

function quote(cell: string, separator: string, force: boolean): string {
  const needs = force || cell.includes(separator) || cell.includes('"') || cell.includes('\n') || cell.includes('\r');
  return needs ? `"${cell.replaceAll('"', '""')}"` : cell;
}

const newlines = (s: string) => s.split('\n').length - 1;

const table = fc
  .record({
    separator: fc.constantFrom(...SEPARATORS),
    eol: fc.constantFrom('\n', '\r\n'),
    width: fc.integer({ min: 2, max: 5 }),
    metadata: fc.array(fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ' ')), { maxLength: 3 }),
    trailingEol: fc.boolean(),
    seed: fc.integer()
  })
  .chain(({ width, ...rest }) =>
    fc.record({
      ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, fc.constant(v)])),
      header: fc.uniqueArray(cellText.filter((s) => s !== ''), { minLength: width, maxLength: width }),
      body: fc.array(
        fc.record({ blankBefore: fc.nat(2), cells: fc.array(cellText, { minLength: width, maxLength: width }), force: fc.array(fc.boolean(), { minLength: width, maxLength: width }) }),
        { maxLength: 12 }
      )
    })
  )
  .map((t): Written => {
    const { separator, eol, metadata, trailingEol } = t as unknown as { separator: string; eol: string; metadata: string[]; trailingEol: boolean };
    const write = (cells: string[], force: boolean[] = []) => cells.map((c, i) => quote(c, separator, force[i] ?? false)).join(separator);
    const lines: string[] = [...metadata];
    let line = metadata.length + 1;
    const headerLine = line;
    lines.push(write(t.header));
    line += 1 + t.header.reduce((n, c) => n + newlines(c), 0);
    const rows: Written['rows'] = [];
    for (const r of t.body) {
      for (let i = 0; i < r.blankBefore; i++) lines.push('');
      line += r.blankBefore;
      rows.push({ line, cells: r.cells });
      lines.push(write(r.cells, r.force));
      line += 1 + r.cells.reduce((n, c) => n + newlines(c), 0);
    }
    return { text: lines.join(eol) + (trailingEol ? eol : ''), header: t.header, rows, metadata, headerLine, separator };
  });

describe('parseDelimited on tables written with proper quoting', () => {
  it('gives back every cell with the 1-based line where its record starts', () => {
    fc.assert(
      fc.property(table, (w) => {
        const parsed = parseDelimited(w.text, { file: FILE, separator: w.separator, skipLines: w.metadata.length, columns: w.header });
        expect(parsed.header).toEqual(w.header);
        expect(parsed.headerLine).toBe(w.headerLine);
        expect(parsed.rows).toEqual(w.rows);
        const eolIsCrlf = w.text.includes('\r\n');
        expect(parsed.metadata.map((m) => (eolIsCrlf ? m.replace(/\r$/, '') : m))).toEqual(w.metadata);
      }),
      { seed: 1, numRuns: RUNS }
    );
  });

  it('reads the same table from the bytes of a file, with or without BOM, LF or CRLF (decodeText then parseDelimited)', () => {
    fc.assert(
      fc.property(table, fc.boolean(), (w, bom) => {
        const bytes = Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(w.text, 'utf8')]);
        const text = decodeText(bytes, { file: FILE, encoding: 'utf-8' });
        // decodeText turns every CRLF into LF, inside quoted cells too.
        const lf = (cells: string[]) => cells.map((c) => c.replaceAll('\r\n', '\n'));
        const parsed = parseDelimited(text, { file: FILE, separator: w.separator, skipLines: w.metadata.length, columns: lf(w.header) });
        expect(parsed.header).toEqual(lf(w.header));
        expect(parsed.headerLine).toBe(w.headerLine);
        expect(parsed.rows).toEqual(w.rows.map((r) => ({ line: r.line, cells: lf(r.cells) })));
      }),
      { seed: 2, numRuns: RUNS }
    );
  });

  it('rejects any text only with an InputError naming the file and a line', () => {
    const junk = fc.oneof(
      table.map((w) => w.text),
      table.chain((w) => fc.nat(w.text.length).map((cut) => w.text.slice(0, cut) + '"' + w.text.slice(cut))),
      fc.string({ maxLength: 80 }),
      fc.string({ unit: 'grapheme', maxLength: 40 })
    );
    fc.assert(
      fc.property(junk, fc.constantFrom(...SEPARATORS), fc.nat(2), fc.constantFrom(['a'], ['a', 'b'], ['CODGEO', 'P21_POP']), (text, separator, skipLines, columns) => {
        try {
          parseDelimited(text, { file: FILE, separator, skipLines, columns });
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          const e = error as InputError;
          expect(e.detail.file).toBe(FILE);
          expect(e.message).toContain(FILE);
        }
      }),
      { seed: 3, numRuns: RUNS }
    );
  });
});

// ---------------------------------------------------------------------------
// Numbers

const AT = { file: FILE, line: 7, column: 3, columnName: 'P21_POP' };
const MARKERS: NumberFormat['markers'] = { s: 'secret', nd: 'missing', '': 'missing' };

/** A decimal number as a producer writes it: sign, integer digits, optional fraction. */
const decimalParts = fc.record({
  negative: fc.boolean(),
  int: fc.oneof(fc.nat({ max: 999_999 }).map(String), fc.stringMatching(/^\d{1,15}$/)),
  frac: fc.option(fc.stringMatching(/^\d{1,10}$/))
});

describe('numberParser', () => {
  it('parses a decimal comma to the same value as a decimal point when the format says so', () => {
    const comma = numberParser({ decimal: ',', markers: MARKERS });
    const point = numberParser({ decimal: '.', markers: MARKERS });
    fc.assert(
      fc.property(decimalParts, ({ negative, int, frac }) => {
        const sign = negative ? '-' : '';
        const withPoint = `${sign}${int}${frac === null ? '' : `.${frac}`}`;
        const withComma = `${sign}${int}${frac === null ? '' : `,${frac}`}`;
        const a = comma(withComma, AT);
        const b = point(withPoint, AT);
        expect(a).toEqual({ value: Number(withPoint), status: 'ok' });
        expect(b).toEqual(a);
        // The other separator is refused (a point in a comma column, and the reverse).
        if (frac !== null) {
          expect(() => comma(withPoint, AT)).toThrow(InputError);
          expect(() => point(withComma, AT)).toThrow(InputError);
        }
      }),
      { seed: 4, numRuns: RUNS * 3 }
    );
  });

  it('reads thousands grouped by spaces like the plain number when the format allows it', () => {
    const grouped = numberParser({ decimal: ',', thousands: true, markers: {} });
    fc.assert(
      fc.property(decimalParts, fc.constantFrom(' ', '\u00a0', '\u202f'), ({ negative, int, frac }, space) => {
        const digits = String(Number(int)); // no leading zeros: "012 345" is not how anyone groups
        const groups = digits.replace(/\B(?=(\d{3})+(?!\d))/g, space);
        const sign = negative ? '-' : '';
        const cell = `${sign}${groups}${frac === null ? '' : `,${frac}`}`;
        expect(grouped(cell, AT)).toEqual({ value: Number(`${sign}${digits}${frac === null ? '' : `.${frac}`}`), status: 'ok' });
      }),
      { seed: 5, numRuns: RUNS }
    );
  });

  it('returns a finite number or a declared marker, and throws only InputErrors locating the cell', () => {
    const formats: NumberFormat[] = [
      { decimal: ',', markers: MARKERS },
      { decimal: '.', markers: { 'n.d.': 'missing', secret: 'secret' } },
      { decimal: ',', thousands: true, markers: { '': 'missing' } }
    ];
    const raw = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 8 }),
      fc.stringMatching(/^[-+ 0-9.,e\u00a0]{0,12}$/),
      fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e309', '0x10', '1_000', ' 1', '1 ', '+1', '١٢', '１２', '--1', '1,', ',5', '.5', '1.2.3', '1,2,3', 's ', 'S', 'nd\n')
    );
    fc.assert(
      fc.property(fc.nat(formats.length - 1), raw, (f, cell) => {
        const format = formats[f] as NumberFormat;
        let parsed;
        try {
          parsed = numberParser(format)(cell, AT);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          const e = error as InputError;
          expect(e.detail).toMatchObject({ file: AT.file, line: AT.line, column: '3 (P21_POP)', found: cell });
          expect(e.message).toContain(`${AT.file}, ligne 7, colonne 3 (P21_POP)`);
          return;
        }
        if (parsed.status === 'ok') {
          expect(Number.isFinite(parsed.value)).toBe(true);
          expect(cell).toMatch(/^-?\d/);
        } else {
          expect(Object.hasOwn(format.markers, cell)).toBe(true);
          expect(parsed).toEqual({ value: null, status: format.markers[cell], marker: cell });
        }
      }),
      { seed: 6, numRuns: RUNS * 3 }
    );
  });
  // A cell of more than ~309 digits matches the number pattern but is not a double.
  it('refuses a number too large for a double instead of returning Infinity', () => {
    const parse = numberParser({ decimal: ',', markers: {} });
    fc.assert(
      fc.property(fc.integer({ min: 310, max: 2000 }), fc.boolean(), (digits, negative) => {
        const cell = `${negative ? '-' : ''}${'9'.repeat(digits)}`;
        expect(() => parse(cell, AT)).toThrow(InputError);
      }),
      { seed: 8, numRuns: 20 }
    );
  });
});

// ---------------------------------------------------------------------------
// valuesFromTable: the error names file, line and column of the bad cell

describe('valuesFromTable', () => {
  const spec: ValueTableSpec = {
    source: 'test',
    level: 'commune',
    encoding: 'utf-8',
    key: { column: 'CODGEO' },
    otherColumns: ['LIBGEO'],
    values: [
      { column: 'P21_POP', format: { decimal: ',', markers: MARKERS } },
      { column: 'SUPERF', format: { decimal: '.', markers: {} } }
    ]
  };
  const isValid = (cell: string, format: NumberFormat) => Object.hasOwn(format.markers, cell) || (format.decimal === ',' ? /^-?\d+(?:,\d+)?$/ : /^-?\d+(?:\.\d+)?$/).test(cell);
  const goodPop = fc.oneof(fc.constantFrom('s', 'nd', ''), decimalParts.map(({ int, frac }) => `${int}${frac === null ? '' : `,${frac}`}`));
  const goodSuperf = decimalParts.map(({ int, frac }) => `${int}${frac === null ? '' : `.${frac}`}`);
  const anyCell = fc.oneof(cellText, fc.string({ maxLength: 8 }), goodPop, goodSuperf);

  it('turns valid cells into values and any other cell into an InputError at its file, line and column', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(goodPop, goodSuperf), { minLength: 1, maxLength: 8 }),
        fc.nat(7),
        fc.boolean(),
        anyCell,
        fc.nat(2),
        (good, at, inPop, bad, metadataLines) => {
          const rows = good.map(([pop, superf], i) => ({ code: String(93001 + i), pop, superf }));
          const target = rows[at % rows.length];
          if (target) {
            if (inPop) target.pop = bad;
            else target.superf = bad;
          }
          const text = [
            ...Array.from({ length: metadataLines }, (_, i) => `Source : Insee ${i}`),
            'CODGEO;LIBGEO;P21_POP;SUPERF',
            ...rows.map((r) => [r.code, 'Commune "test"; bis', r.pop, r.superf].map((c) => quote(c, ';', false)).join(';'))
          ].join('\r\n');
          const table = parseDelimited(text, { file: FILE, skipLines: metadataLines, columns: ['CODGEO', 'LIBGEO', 'P21_POP', 'SUPERF'] });
          const valid = isValid(bad, inPop ? (spec.values[0]?.format as NumberFormat) : (spec.values[1]?.format as NumberFormat));
          const firstBad = rows.findIndex((r) => !isValid(r.pop, spec.values[0]?.format as NumberFormat) || !isValid(r.superf, spec.values[1]?.format as NumberFormat));
          let batch;
          try {
            batch = valuesFromTable(table, spec, { logger: memoryLogger() });
          } catch (error) {
            expect(error).toBeInstanceOf(InputError);
            expect(valid).toBe(false);
            const r = rows[firstBad];
            const line = (table.rows[firstBad] as { line: number }).line;
            expect(line).toBe(metadataLines + 2 + firstBad);
            const column = r && !isValid(r.pop, spec.values[0]?.format as NumberFormat) ? '3 (P21_POP)' : '4 (SUPERF)';
            expect((error as InputError).detail).toMatchObject({ file: FILE, line, column });
            expect((error as InputError).message).toContain(`${FILE}, ligne ${line}, colonne ${column}`);
            return;
          }
          expect(valid).toBe(true);
          expect(batch.values).toHaveLength(rows.length * 2);
          expect(batch.values.map((v) => v.line)).toEqual(rows.flatMap((_, i) => [metadataLines + 2 + i, metadataLines + 2 + i]));
        }
      ),
      { seed: 7, numRuns: RUNS }
    );
  });
});
