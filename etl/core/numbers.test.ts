import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inputErrorOf } from '../testing/errors.ts';
import { InputError } from './errors.ts';
import { numberParser, parseNumberCell, type CellLocation, type NumberFormat } from './numbers.ts';

const at: CellLocation = { file: 'base.csv', line: 7, column: 16, columnName: 'PIMP21' };
const COMMA_S: NumberFormat = { decimal: ',', markers: { s: 'secret', '': 'missing' } };
const POINT: NumberFormat = { decimal: '.', markers: {} };

const errorOf = inputErrorOf;

describe('numberParser', () => {
  it('reads PIMP21 written with a decimal comma', () => {
    expect(parseNumberCell('69,0', COMMA_S, at)).toEqual({ value: 69, status: 'ok' });
    expect(parseNumberCell('-15,1', COMMA_S, at)).toEqual({ value: -15.1, status: 'ok' });
  });

  it('reads integers and weighted census counts written with a decimal point', () => {
    const parse = numberParser(POINT);
    expect(parse('123', at).value).toBe(123);
    expect(parse('34990.0902194347', at).value).toBe(34990.0902194347);
    expect(parse('-15.1', at).value).toBe(-15.1);
  });

  it('maps producer markers to their status and keeps the marker', () => {
    const parse = numberParser({ decimal: '.', markers: { s: 'secret', '': 'secret', NA: 'missing' } });
    expect(parse('s', at)).toEqual({ value: null, status: 'secret', marker: 's' });
    expect(parse('', at)).toEqual({ value: null, status: 'secret', marker: '' });
    expect(parse('NA', at)).toEqual({ value: null, status: 'missing', marker: 'NA' });
    const other = numberParser({ decimal: '.', markers: { nd: 'missing', secret: 'secret' } });
    expect(other('nd', at)).toEqual({ value: null, status: 'missing', marker: 'nd' });
    expect(other('secret', at)).toEqual({ value: null, status: 'secret', marker: 'secret' });
  });

  it('rejects 12a with file, line, column name and index, expectation and found text', () => {
    const error = errorOf(() => parseNumberCell('12a', COMMA_S, at));
    expect(error.detail).toMatchObject({ file: 'base.csv', line: 7, column: '16 (PIMP21)', found: '12a' });
    expect(error.detail.expected).toBe(
      'un nombre (séparateur décimal : virgule) ou un marqueur de secret ou d’absence (s, vide)'
    );
    expect(error.message).toContain('base.csv, ligne 7, colonne 16 (PIMP21)');
  });

  it('rejects a marker the producer does not use', () => {
    expect(() => parseNumberCell('NA', COMMA_S, at)).toThrow(InputError);
    expect(() => parseNumberCell('', POINT, at)).toThrow(InputError);
  });

  it('explains a decimal separator the column does not use', () => {
    expect(errorOf(() => parseNumberCell('36.0', COMMA_S, at)).detail.hint).toContain('« . » inattendu');
    expect(errorOf(() => parseNumberCell('36,0', POINT, at)).detail.hint).toContain('« , » inattendu');
  });

  it('accepts space and no-break-space thousands separators only when the producer uses them', () => {
    expect(() => parseNumberCell('1 234', POINT, at)).toThrow(InputError);
    const grouped: NumberFormat = { decimal: ',', thousands: true, markers: {} };
    expect(parseNumberCell('1 234 567,5', grouped, at).value).toBe(1234567.5);
    expect(parseNumberCell('12\u00a0345', grouped, at).value).toBe(12345);
    expect(parseNumberCell('-1\u202f000', grouped, at).value).toBe(-1000);
    expect(() => parseNumberCell('12 34', grouped, at)).toThrow(InputError);
  });

  it('rejects what Number() would accept but no producer writes', () => {
    for (const raw of ['NaN', 'Infinity', '1e5', '+5', ' 5', '5 ', '0x10', '.5', '5.', '1.2.3']) {
      expect(() => parseNumberCell(raw, POINT, at), raw).toThrow(InputError);
    }
  });

  it('round-trips any decimal written by a producer, with either separator', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.nat(999_999), (int, frac) => {
        const text = `${int}.${frac}`;
        const expected = Number(text);
        expect(parseNumberCell(text, POINT, at).value).toBe(expected);
        expect(parseNumberCell(text.replace('.', ','), COMMA_S, at).value).toBe(expected);
      })
    );
  });
});
