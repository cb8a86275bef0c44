import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inputErrorOf } from '../testing/errors.ts';
import { mirrorFile } from '../testing/mirror.ts';
import { InputError } from './errors.ts';
import { decodeText, firstInvalidUtf8, positionAt } from './text.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const latin1 = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

const errorOf = inputErrorOf;

describe('decodeText', () => {
  it('strips a UTF-8 BOM and keeps accented text intact', () => {
    const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('Code;Libellé\n')]);
    expect(decodeText(bytes, { file: 'f.csv', encoding: 'utf-8' })).toBe('Code;Libellé\n');
  });

  it('turns CRLF line endings into LF', () => {
    expect(decodeText(utf8('a;b\r\n1;2\r\n'), { file: 'f.csv', encoding: 'utf-8' })).toBe('a;b\n1;2\n');
  });

  it('gunzips a gzip file transparently', () => {
    const text = 'a;b\n' + '1;2\n'.repeat(1000);
    expect(decodeText(gzipSync(utf8(text)), { file: 'f.csv.gz', encoding: 'utf-8' })).toBe(text);
  });

  it('reports a truncated gzip with the position where readable content stops', () => {
    let text = 'a;b\n';
    for (let i = 0; i < 2000; i++) text += `${i};${(i * 7919) % 10007}\n`;
    const gz = gzipSync(utf8(text));
    const error = errorOf(() => decodeText(gz.subarray(0, gz.length - 10), { file: 'x.csv.gz', encoding: 'utf-8' }));
    expect(error.message).toContain('archive gzip tronquée');
    expect(error.detail.file).toBe('x.csv.gz');
    expect(error.detail.line).toBeGreaterThan(1000);
    expect(error.detail.column).toBeTypeOf('number');
  });

  it('reports a corrupted gzip as unreadable rather than returning garbage', () => {
    const gz = gzipSync(utf8('a;b\n' + '1;2\n'.repeat(100)));
    const bad = Uint8Array.from(gz);
    bad[12] = (bad[12] ?? 0) ^ 0xff;
    expect(() => decodeText(bad, { file: 'x.gz', encoding: 'utf-8' })).toThrow(InputError);
  });

  it('locates the first invalid byte of a Latin-1 file declared UTF-8 and suggests Latin-1', () => {
    const file = mirrorFile('insee/filosofi/FILO2013_DISP_MED_IRIS_bondy.csv');
    const error = errorOf(() => decodeText(readFileSync(file), { file, encoding: 'utf-8' }));
    // Line 11 is « 930100204;Le Moulin à Vent;… »: « à » is the 21st character.
    expect(error.detail).toMatchObject({ file, line: 11, column: 21 });
    expect(error.detail.found).toContain('0xE0');
    expect(error.message).toContain('Latin-1');
    expect(error.message).toContain('Le Moulin à Vent');
  });

  it('counts columns in characters, not bytes, before the invalid byte', () => {
    const bytes = Uint8Array.from([...utf8('é;à;'), 0xff]);
    expect(errorOf(() => decodeText(bytes, { file: 'f', encoding: 'utf-8' })).detail).toMatchObject({ line: 1, column: 5 });
  });

  it('decodes a Latin-1 file declared latin1', () => {
    const file = mirrorFile('insee/filosofi/FILO2013_DISP_MED_IRIS_bondy.csv');
    const text = decodeText(readFileSync(file), { file, encoding: 'latin1' });
    expect(text).toContain('930100204;Le Moulin à Vent;93010;Bondy;16805,6');
  });

  it('reads Windows-1252 bytes of « Œ » in a latin1 file as Œ, not as a control character', () => {
    expect(decodeText(Uint8Array.from([0x8c, ...latin1('uilly;é')]), { file: 'f', encoding: 'latin1' })).toBe('Œuilly;é');
  });

  it('refuses a UTF-8 file declared latin1 instead of producing mojibake', () => {
    const error = errorOf(() => decodeText(utf8('a;b\nx;Château\n'), { file: 'f.csv', encoding: 'latin1' }));
    expect(error.detail).toMatchObject({ file: 'f.csv', line: 2, column: 5 });
    expect(error.message).toContain('UTF-8');
  });

  it('refuses a BOM in a file declared latin1', () => {
    const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('a;b\n')]);
    expect(errorOf(() => decodeText(bytes, { file: 'f', encoding: 'latin1' })).detail).toMatchObject({ line: 1, column: 1 });
  });
});

describe('firstInvalidUtf8', () => {
  it('accepts valid 1- to 4-byte sequences', () => {
    expect(firstInvalidUtf8(utf8('aé€𝄞'))).toBe(-1);
  });

  it('rejects overlong encodings, surrogates and sequences cut by the end of the data', () => {
    expect(firstInvalidUtf8(Uint8Array.from([0x41, 0xc0, 0xaf]))).toBe(1); // overlong « / »
    expect(firstInvalidUtf8(Uint8Array.from([0x41, 0xe0, 0x80, 0xaf]))).toBe(1); // overlong 3 bytes
    expect(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0); // UTF-16 surrogate
    expect(firstInvalidUtf8(Uint8Array.from([0x41, 0x42, 0xe2, 0x82]))).toBe(2); // cut « € »
    expect(firstInvalidUtf8(Uint8Array.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // above U+10FFFF
  });
});

describe('positionAt', () => {
  it('gives 1-based line and character column of a byte offset', () => {
    const bytes = utf8('ab\nçé;x');
    expect(positionAt(bytes, bytes.length - 1)).toEqual({ line: 2, column: 4 });
  });
});
