import { describe, expect, it } from 'vitest';
import { cellReader, reasonFor } from './cells.ts';

describe('cellReader', () => {
  it('reads a corrected XLSX cell as text: a native position no longer holding a number falls back to the decimal mark', () => {
    const read = cellReader(',', 'secret');
    expect(read('1234.5', true)).toEqual({ status: 'ok', value: 1234.5 });
    expect(read('1e-7', true)).toEqual({ status: 'ok', value: 1e-7 });
    expect(read('12,5', true)).toEqual({ status: 'ok', value: 12.5 });
    expect(read('1234.5', false)).toMatchObject({ status: 'error' });
    expect(read('s', true)).toEqual({ status: 'secret', marker: 's' });
  });

  it('refuses a number too large for a double rather than publishing Infinity', () => {
    const huge = '9'.repeat(400);
    expect(cellReader('.', 'secret')(huge, false)).toEqual({ status: 'error', reason: reasonFor(huge, '.') });
    expect(reasonFor(huge, '.')).toMatch(/trop grand/);
  });

  it('reads blank cells as the mapping says', () => {
    expect(cellReader(',', 'missing')('', false)).toEqual({ status: 'missing', marker: '' });
    expect(cellReader(',', 'secret')('', false)).toEqual({ status: 'secret', marker: '' });
  });
});
