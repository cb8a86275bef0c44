import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../core/errors.ts';
import { lineColumnAt, locateJsonError } from './json-position.ts';

/** Producers ship `.json.gz` and `.geojson` files that are secretly gzip: trust the bytes, not the name. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decodes the file's bytes to text, gunzipping when the gzip magic number is present. */
export function decodeText(bytes: Uint8Array, file: string): string {
  let raw = bytes;
  if (isGzip(bytes)) {
    try {
      raw = gunzipSync(bytes);
    } catch (e) {
      throw new InputError(
        {
          file,
          expected: 'un fichier gzip complet',
          found: (e as Error).message,
          hint: 'Le fichier compressé est tronqué ou corrompu ; téléchargez-le à nouveau'
        },
        { cause: e }
      );
    }
  }
  const text = new TextDecoder('utf-8').decode(raw);
  // A UTF-8 BOM is not JSON whitespace; some Windows exports add one.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** JSON.parse with an InputError carrying the line and column of the syntax error. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const offset = jsonErrorOffset(e as Error, text);
    const where = offset === null ? undefined : lineColumnAt(text, offset);
    // What sits at the error, up to the end of its line: enough to recognise it.
    const found = offset === null ? (e as Error).message : text.slice(offset, offset + 20).split(/\r?\n/)[0] || 'fin de fichier';
    throw new InputError(
      {
        file,
        line: where?.line,
        column: where?.column,
        expected: 'du JSON valide (GeoJSON)',
        found,
        hint: `Erreur de syntaxe JSON : ${(e as Error).message}`
      },
      { cause: e }
    );
  }
}

function jsonErrorOffset(error: Error, text: string): number | null {
  if (/Unexpected end of JSON input/.test(error.message)) return text.length;
  const m = /at position (\d+)/.exec(error.message);
  if (m) return Number(m[1]);
  return locateJsonError(text);
}

/** Reads a possibly gzip-compressed JSON file. */
export async function readJsonFile(file: string): Promise<unknown> {
  const bytes = await readFile(file);
  return parseJson(decodeText(bytes, file), file);
}
