/**
 * Turns a producer's file (bytes) into text the CSV reader can trust: gunzip when
 * the bytes are a gzip archive, strip the UTF-8 BOM, decode with the encoding the
 * adapter declared, normalise CRLF. A wrong encoding must fail loudly here: a
 * Latin-1 file read as UTF-8 would otherwise turn « Château » into mojibake that
 * survives all the way to the portal.
 */
import { readFile } from 'node:fs/promises';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { InputError } from './errors.ts';

/** Encodings producers actually use (SOURCES.md §0.5). */
export type TextEncoding = 'utf-8' | 'latin1';

export interface DecodeOptions {
  /** File name used in error messages. */
  file: string;
  /** Encoding declared by the adapter. */
  encoding: TextEncoding;
}

/** A 1-based position in a text file. */
export interface TextPosition {
  line: number;
  column: number;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** Reads `file` and decodes it (see `decodeText`). */
export async function readText(file: string, encoding: TextEncoding): Promise<string> {
  return decodeText(await readFile(file), { file, encoding });
}

/** Decodes a producer's file: gunzip if needed, strip BOM, decode, CRLF → LF. */
export function decodeText(input: Uint8Array, options: DecodeOptions): string {
  let bytes = isGzip(input) ? gunzip(input, options.file) : input;
  if (hasUtf8Bom(bytes)) {
    if (options.encoding === 'latin1') {
      throw new InputError({
        file: options.file,
        line: 1,
        column: 1,
        expected: 'un fichier encodé en Latin-1 (ISO-8859-1), comme déclaré par l’adaptateur',
        found: 'une marque d’ordre des octets UTF-8 (BOM)',
        hint: 'Le fichier semble encodé en UTF-8 : corrigez l’encodage déclaré ou le fichier'
      });
    }
    bytes = bytes.subarray(UTF8_BOM.length);
  }
  const text = options.encoding === 'utf-8' ? decodeUtf8(bytes, options.file) : decodeLatin1(bytes, options.file);
  return text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
}

function gunzip(bytes: Uint8Array, file: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'Z_BUF_ERROR') {
      // A download cut short: say where the readable content stops so the
      // statistician can compare with the producer's file size.
      const partial = gunzipSync(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      const end = positionAt(partial, partial.length);
      throw new InputError(
        {
          file,
          line: end.line,
          column: end.column,
          expected: 'une archive gzip complète',
          found: `archive gzip tronquée (${bytes.length} octets compressés, ${partial.length} octets lisibles)`,
          hint: 'Le téléchargement a probablement été interrompu : retéléchargez le fichier'
        },
        { cause: error }
      );
    }
    throw new InputError(
      {
        file,
        expected: 'une archive gzip lisible',
        found: `archive gzip corrompue (${(error as Error).message})`,
        hint: 'Retéléchargez le fichier'
      },
      { cause: error }
    );
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return utf8.decode(bytes);
  } catch (error) {
    // TextDecoder does not say where it failed; find it ourselves (error path only).
    const offset = firstInvalidUtf8(bytes);
    const at = positionAt(bytes, offset);
    const lineText = windows1252ToString(lineAround(bytes, offset));
    throw new InputError(
      {
        file,
        line: at.line,
        column: at.column,
        expected: 'du texte UTF-8 valide',
        found: `octet ${hex(bytes[offset])} invalide en UTF-8`,
        hint:
          `Le fichier semble encodé en Latin-1 (ISO-8859-1) : lue en Latin-1, la ligne donne « ${truncate(lineText, 80)} ». ` +
          'Déclarez l’encodage latin1 dans l’adaptateur ou convertissez le fichier en UTF-8'
      },
      { cause: error }
    );
  }
}

/** Decodes a file declared Latin-1, refusing one that is really UTF-8. */
function decodeLatin1(bytes: Uint8Array, file: string): string {
  if (isMostLikelyUtf8(bytes)) {
    const offset = firstNonAscii(bytes);
    const at = positionAt(bytes, offset);
    throw new InputError({
      file,
      line: at.line,
      column: at.column,
      expected: 'un fichier encodé en Latin-1 (ISO-8859-1), comme déclaré par l’adaptateur',
      found: `la séquence UTF-8 « ${utf8.decode(bytes.subarray(offset, offset + utf8SequenceLength(bytes[offset])))} »`,
      hint: 'Le fichier semble encodé en UTF-8 : corrigez l’encodage déclaré ou le fichier'
    });
  }
  return windows1252ToString(bytes);
}

/**
 * Files announced as ISO-8859-1 often come from Windows tools and are really
 * Windows-1252: its C1 range 0x80–0x9F, unused by ISO-8859-1 text, carries « Œ »
 * (communes Œting, Œuilly…), « € » and typographic quotes. Node's `latin1`
 * decoder maps those bytes to control characters, so we remap them.
 */
function windows1252ToString(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return /[\u0080-\u009f]/.test(text) ? text.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252[c] ?? c) : text;
}

const WINDOWS_1252: Record<string, string> = Object.fromEntries(
  (
    [
      [0x80, 0x20ac], [0x82, 0x201a], [0x83, 0x0192], [0x84, 0x201e], [0x85, 0x2026], [0x86, 0x2020],
      [0x87, 0x2021], [0x88, 0x02c6], [0x89, 0x2030], [0x8a, 0x0160], [0x8b, 0x2039], [0x8c, 0x0152],
      [0x8e, 0x017d], [0x91, 0x2018], [0x92, 0x2019], [0x93, 0x201c], [0x94, 0x201d], [0x95, 0x2022],
      [0x96, 0x2013], [0x97, 0x2014], [0x98, 0x02dc], [0x99, 0x2122], [0x9a, 0x0161], [0x9b, 0x203a],
      [0x9c, 0x0153], [0x9e, 0x017e], [0x9f, 0x0178]
    ] as const
  ).map(([from, to]) => [String.fromCharCode(from), String.fromCodePoint(to)])
);

/**
 * A file declared Latin-1 that contains non-ASCII bytes and is nevertheless valid
 * UTF-8 is UTF-8: real French Latin-1 text essentially never forms valid UTF-8
 * sequences (it would need pairs like « Ã© »).
 */
function isMostLikelyUtf8(bytes: Uint8Array): boolean {
  return firstNonAscii(bytes) >= 0 && firstInvalidUtf8(bytes) < 0;
}

function firstNonAscii(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] ?? 0) >= 0x80) return i;
  return -1;
}

function utf8SequenceLength(lead: number | undefined): number {
  if (lead === undefined || lead < 0xc0) return 1;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  return 4;
}

/** Offset of the first byte that starts an invalid UTF-8 sequence, or -1 (RFC 3629 rules). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    if (i + need >= n) return i; // sequence cut by the end of the file
    const second = bytes[i + 1] ?? 0;
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= need; k++) {
      const c = bytes[i + k] ?? 0;
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** 1-based line and column (in characters) of a byte offset; the bytes before it must be valid UTF-8. */
export function positionAt(bytes: Uint8Array, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const before = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset));
  return { line, column: [...before].length + 1 };
}

function lineAround(bytes: Uint8Array, offset: number): Uint8Array {
  let start = offset;
  while (start > 0 && bytes[start - 1] !== 0x0a) start--;
  let end = offset;
  while (end < bytes.length && bytes[end] !== 0x0a && bytes[end] !== 0x0d) end++;
  return bytes.subarray(start, end);
}

function hex(b: number | undefined): string {
  return `0x${(b ?? 0).toString(16).toUpperCase().padStart(2, '0')}`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
