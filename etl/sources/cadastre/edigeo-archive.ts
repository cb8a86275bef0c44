/**
 * Opens a DGFiP EDIGEO delivery: one feuille per `.tar.bz2`. Decompression is pure
 * JavaScript (seek-bzip, the decoder @etalab/edigeo-parser itself relies on through
 * `decompress`), and the tar is read here: ustar is a few fixed-width fields, and
 * reading it ourselves lets a truncated or incomplete archive say exactly which
 * member is damaged instead of surfacing later as « Missing required files ».
 */
import bunzip from 'seek-bzip';
import { InputError } from '../../core/errors.ts';

export interface ArchiveMember {
  /** Path inside the archive (`ED0A01T1.VEC`). */
  name: string;
  data: Buffer;
}

const BLOCK = 512;

/**
 * The members of a lot file: `.tar.bz2` as the DGFiP publishes it, or a tar already
 * decompressed (by hand or by a proxy). The bytes decide, not the file name.
 */
export function readLotArchive(bytes: Uint8Array, file: string): ArchiveMember[] {
  return readTar(isTar(bytes) ? bytes : bunzip2(bytes, file), file);
}

/** ustar and GNU tar write their magic at offset 257. */
function isTar(bytes: Uint8Array): boolean {
  return bytes.length >= BLOCK && Buffer.from(bytes.buffer, bytes.byteOffset + 257, 5).toString('latin1') === 'ustar';
}

/** Decompresses a bzip2 buffer; InputError when it is not bzip2 or is damaged. */
export function bunzip2(bytes: Uint8Array, file: string): Buffer {
  if (!(bytes[0] === 0x42 && bytes[1] === 0x5a && bytes[2] === 0x68)) {
    throw new InputError({
      file,
      line: 1,
      column: 1,
      expected: 'une archive bzip2 (commençant par « BZh »), comme les lots EDIGéO de la DGFiP (.tar.bz2)',
      found: bytes.length === 0 ? 'un fichier vide' : `les octets ${[...bytes.subarray(0, 4)].map(hex).join(' ')}`,
      hint: bytes[0] === 0x1f && bytes[1] === 0x8b ? 'Le fichier est compressé en gzip : attendu .tar.bz2' : 'Le fichier n’est pas le lot EDIGéO attendu : retéléchargez-le'
    });
  }
  try {
    return bunzip.decode(bytes);
  } catch (error) {
    // seek-bzip reports « Data error » both for a cut download and for flipped bits:
    // the size is the clue a person needs to tell them apart.
    throw new InputError(
      {
        file,
        expected: 'une archive bzip2 complète et intègre',
        found: `archive bzip2 tronquée ou corrompue (${bytes.length} octets, ${(error as Error).message})`,
        hint: 'Le téléchargement a probablement été interrompu : retéléchargez le lot'
      },
      { cause: error }
    );
  }
}

/** Lists the regular files of a tar archive (ustar / GNU / v7 headers). */
export function readTar(tar: Uint8Array, file: string): ArchiveMember[] {
  const members: ArchiveMember[] = [];
  const buf = Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength);
  let offset = 0;
  while (offset + BLOCK <= buf.length) {
    const header = buf.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return members; // end-of-archive marker
    const name = tarName(header);
    checkChecksum(header, file, name);
    const size = parseOctal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] ?? 0);
    if (size === null) {
      throw new InputError({ file, column: name, expected: 'une taille de membre tar en octal', found: ascii(header.subarray(124, 136)) });
    }
    const start = offset + BLOCK;
    if (start + size > buf.length) {
      throw new InputError({
        file,
        column: name,
        expected: `le membre « ${name} » complet (${size} octets)`,
        found: `${Math.max(0, buf.length - start)} octets seulement`,
        hint: 'L’archive est tronquée : retéléchargez le lot'
      });
    }
    // '0' and NUL are regular files; directories, links and pax headers carry no data we read.
    if (type === '0' || type === '\0') members.push({ name, data: buf.subarray(start, start + size) });
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  if (offset === buf.length && members.length > 0) return members; // no end marker: tolerated, nothing is missing
  throw new InputError({
    file,
    expected: 'une archive tar complète (blocs de 512 octets terminés par deux blocs nuls)',
    found: `${buf.length} octets, dernier bloc incomplet`,
    hint: 'L’archive est tronquée : retéléchargez le lot'
  });
}

function tarName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  // POSIX ustar (magic `ustar\0`) splits long paths into prefix (345..500) + name;
  // GNU tar (magic `ustar  `) uses those bytes for other fields.
  const prefix = ascii(header.subarray(257, 263)) === 'ustar\0' ? cString(header.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function checkChecksum(header: Buffer, file: string, name: string): void {
  const declared = parseOctal(header.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  if (declared !== sum) {
    throw new InputError({
      file,
      column: name || '(en-tête sans nom)',
      expected: 'un en-tête tar valide (somme de contrôle correcte)',
      found: `somme ${declared ?? 'illisible'} au lieu de ${sum}`,
      hint: 'L’archive est corrompue : retéléchargez le lot'
    });
  }
}

function parseOctal(field: Buffer): number | null {
  const text = ascii(field).replace(/\0.*$/s, '').trim();
  if (!/^[0-7]+$/.test(text)) return text === '' ? 0 : null;
  return parseInt(text, 8);
}

function cString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('latin1');
}

function ascii(field: Buffer): string {
  return field.toString('latin1');
}

function hex(b: number): string {
  return `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
}
