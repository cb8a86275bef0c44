/**
 * Bytes of a delimited-text upload → text: bounded gunzip, encoding detection (UTF-8
 * with or without BOM, else Windows-1252/Latin-1), then the shared decoder of
 * `etl/core/text.ts`, whose errors are reworded for someone choosing options in the
 * portal rather than declaring an adapter.
 */
import { gunzipSync } from 'node:zlib';
import { InputError } from '../../core/errors.ts';
import { decodeText, firstInvalidUtf8, type TextEncoding } from '../../core/text.ts';
import { LIMITS, formatBytes } from './limits.ts';

export interface DecodedText {
  text: string;
  encoding: TextEncoding;
  /** What detection found (shown next to the statistician's choice). */
  detectedEncoding: TextEncoding;
  bom: boolean;
}

/** Gunzips without letting the output grow past `LIMITS.textBytes`. */
export function boundedGunzip(bytes: Uint8Array, file: string): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: LIMITS.textBytes });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InputError(
        {
          file,
          expected: `une archive gzip qui se décompresse en au plus ${formatBytes(LIMITS.textBytes)}`,
          found: `une archive de ${bytes.length} octets qui se décompresse au-delà (bombe de décompression ?)`,
          hint: 'Fichier refusé par sécurité ; découpez le tableau s’il est vraiment aussi grand'
        },
        { cause: error }
      );
    }
    if (code === 'Z_BUF_ERROR') {
      throw new InputError(
        {
          file,
          expected: 'une archive gzip complète',
          found: `une archive gzip tronquée (${bytes.length} octets)`,
          hint: 'Le téléchargement a probablement été interrompu : retéléchargez le fichier'
        },
        { cause: error }
      );
    }
    throw new InputError(
      { file, expected: 'une archive gzip lisible', found: `une archive gzip corrompue (${(error as Error).message})`, hint: 'Retéléchargez le fichier' },
      { cause: error }
    );
  }
}

function hasBom(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** UTF-8 when the bytes are valid UTF-8 (or start with its BOM), else Latin-1. */
export function detectEncoding(bytes: Uint8Array): TextEncoding {
  if (hasBom(bytes)) return 'utf-8';
  return firstInvalidUtf8(bytes) < 0 ? 'utf-8' : 'latin1';
}

export function decodeUpload(bytes: Uint8Array, file: string, forced?: TextEncoding): DecodedText {
  const bom = hasBom(bytes);
  const detectedEncoding = detectEncoding(bytes);
  const encoding = forced ?? detectedEncoding;
  try {
    return { text: decodeText(bytes, { file, encoding }), encoding, detectedEncoding, bom };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const d = error.detail;
    throw new InputError(
      {
        ...d,
        expected: encoding === 'utf-8' ? 'du texte UTF-8 valide (encodage choisi)' : 'du texte Latin-1 (encodage choisi)',
        hint:
          encoding === 'utf-8'
            ? 'Le fichier semble encodé en Latin-1 (Windows-1252) : choisissez l’encodage « latin1 » dans les options de lecture'
            : 'Le fichier semble encodé en UTF-8 : choisissez l’encodage « utf-8 » dans les options de lecture'
      },
      { cause: error }
    );
  }
}
