import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';
import { formatDecimal } from './table.ts';

describe('toCsv', () => {
  it('writes a BOM, « ; » separators, decimal commas and CRLF', () => {
    const csv = toCsv({
      columns: [
        { key: 'nom', header: 'nom', kind: 'text' },
        { key: 'v', header: 'valeur', kind: 'number', decimals: 1 },
        { key: 'n', header: 'n', kind: 'number' }
      ],
      rows: [
        { nom: 'Bondy', v: 23.0769, n: 3000 },
        { nom: 'Épinay-sur-Seine; « test »', v: null, n: 0.125 },
        { nom: 'Dit "le Grand"', v: -0.04, n: null },
        { nom: '=HYPERLINK("x")', v: 1234567.891, n: 1e-7 }
      ]
    });
    expect(csv).toBe(
      '\uFEFFnom;valeur;n\r\n' +
        'Bondy;23,1;3000\r\n' +
        '"Épinay-sur-Seine; « test »";;0,125\r\n' +
        '"Dit ""le Grand""";0,0;\r\n' +
        `"'=HYPERLINK(""x"")";1234567,9;0\r\n`
    );
  });
});

describe('toCsv with labels typed by people', () => {
  it('defuses formulas in cells and headers, whatever their first sign', () => {
    const csv = toCsv({
      columns: [{ key: 'l', header: '=1+1', kind: 'text' }],
      rows: [{ l: '-2+3' }, { l: '+cmd' }, { l: '@SUM(A1)' }, { l: 'Bondy - centre' }]
    });
    expect(csv.split('\r\n')).toEqual(["\uFEFF'=1+1", "'-2+3", "'+cmd", "'@SUM(A1)", 'Bondy - centre', '']);
  });
});

describe('formatDecimal', () => {
  it('never writes an exponent nor a negative zero', () => {
    expect(formatDecimal(1e-7)).toBe('0');
    expect(formatDecimal(-0.0001, 2)).toBe('0,00');
    expect(formatDecimal(2470500)).toBe('2470500');
    expect(formatDecimal(14.705882352941178)).toBe('14,705882');
  });
});
