/**
 * What the bytes of an upload are, decided by their content, never by the file name:
 * statisticians rename files, and a PNG or a failed download's HTML page saved as
 * `.csv` must be refused with a message that says what it really is.
 */
import { InputError } from '../../core/errors.ts';

export type Container = 'gzip' | 'zip' | 'text';

interface Signature {
  bytes: readonly number[];
  what: string;
  hint: string;
}

const SAVE_AS = 'Enregistrez le tableau en CSV (UTF-8, séparateur « ; ») ou en XLSX';

const BINARY_SIGNATURES: readonly Signature[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'une image PNG', hint: SAVE_AS },
  { bytes: [0xff, 0xd8, 0xff], what: 'une image JPEG', hint: SAVE_AS },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'une image GIF', hint: SAVE_AS },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'un document PDF', hint: 'Un PDF ne se lit pas comme un tableau : demandez au partenaire un export CSV ou XLSX' },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    what: 'un classeur Excel 97-2003 (.xls) ou un classeur protégé par mot de passe',
    hint: 'Ouvrez-le dans le tableur, retirez le mot de passe s’il y en a un et enregistrez-le au format XLSX ou CSV'
  },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'une archive 7z', hint: 'Décompressez l’archive et déposez le tableau qu’elle contient' },
  { bytes: [0x52, 0x61, 0x72, 0x21], what: 'une archive RAR', hint: 'Décompressez l’archive et déposez le tableau qu’elle contient' },
  { bytes: [0x42, 0x5a, 0x68], what: 'une archive bzip2', hint: 'Décompressez l’archive ou recompressez le tableau en gzip' },
  { bytes: [0x50, 0x41, 0x52, 0x31], what: 'un fichier Parquet', hint: SAVE_AS },
  { bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65], what: 'une base SQLite', hint: SAVE_AS },
  { bytes: [0x4d, 0x5a], what: 'un programme Windows', hint: SAVE_AS },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'un programme', hint: SAVE_AS }
];

const SAMPLE = 64 * 1024;

function startsWith(bytes: Uint8Array, sig: readonly number[]): boolean {
  return bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);
}

/** Refuses what is not a table and says whether the bytes are gzip, zip (XLSX) or text. */
export function sniff(bytes: Uint8Array, file: string): Container {
  if (bytes.length === 0) {
    throw new InputError({ file, line: 1, column: 1, expected: 'un tableau CSV ou XLSX', found: 'un fichier vide' });
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  for (const sig of BINARY_SIGNATURES) {
    if (startsWith(bytes, sig.bytes)) {
      throw new InputError({ file, expected: 'un tableau CSV ou XLSX', found: `${sig.what} (fichier binaire)`, hint: sig.hint });
    }
  }
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) throw utf16Error(file);
  const sample = bytes.subarray(0, SAMPLE);
  const nul = sample.indexOf(0);
  if (nul >= 0) {
    // « Texte Unicode » from Excel is UTF-16: every other byte of ASCII text is NUL.
    let alternating = 0;
    for (let i = 1; i < Math.min(sample.length, 400); i += 2) if (sample[i] === 0 && sample[i - 1] !== 0) alternating++;
    if (alternating > 20) throw utf16Error(file);
    throw new InputError({
      file,
      expected: 'un tableau CSV ou XLSX',
      found: `un fichier binaire (octet nul à la position ${nul + 1})`,
      hint: SAVE_AS
    });
  }
  let controls = 0;
  for (const b of sample) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1a) controls++;
  if (controls > Math.max(8, sample.length / 100)) {
    throw new InputError({
      file,
      expected: 'un tableau CSV ou XLSX',
      found: `un fichier binaire (${controls} caractères de contrôle dans les ${sample.length} premiers octets)`,
      hint: SAVE_AS
    });
  }
  const head = new TextDecoder('latin1').decode(sample.subarray(0, 512)).replace(/^\uFEFF|^ï»¿/, '').trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) {
    throw new InputError({
      file,
      line: 1,
      column: 1,
      expected: 'un tableau CSV ou XLSX',
      found: 'une page web (HTML)',
      hint: 'Le téléchargement a probablement échoué (page d’erreur ou de connexion enregistrée à la place du fichier) : retéléchargez le fichier'
    });
  }
  if (head.startsWith('<?xml')) {
    throw new InputError({
      file,
      line: 1,
      column: 1,
      expected: 'un tableau CSV ou XLSX',
      found: 'un document XML (par exemple « Feuille de calcul XML 2003 »)',
      hint: SAVE_AS
    });
  }
  return 'text';
}

function utf16Error(file: string): InputError {
  return new InputError({
    file,
    line: 1,
    column: 1,
    expected: 'un texte UTF-8 ou Latin-1',
    found: 'un texte UTF-16 (« Texte Unicode » d’Excel)',
    hint: 'Enregistrez le tableau au format « CSV UTF-8 (délimité par des points-virgules) » ou en XLSX'
  });
}
