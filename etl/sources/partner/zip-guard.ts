/**
 * Checks a zip archive before exceljs (JSZip) inflates it: a 20 MB upload can declare,
 * or really hold, gigabytes once inflated. We read the central directory ourselves
 * (APPNOTE.TXT §4.3.12–16), refuse on entry count, declared total size and per-entry
 * compression ratio, then inflate every entry with `maxOutputLength` set to its declared
 * size: an archive whose headers lie about sizes is refused as well. The same pass
 * counts the cells of each worksheet so that the XLSX cell cap holds before exceljs
 * builds its in-memory model.
 */
import { inflateRawSync } from 'node:zlib';
import { InputError } from '../../core/errors.ts';
import { LIMITS, formatBytes, formatCount } from './limits.ts';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export interface XlsxInspection {
  entries: ZipEntry[];
  /** `<c>` elements across worksheets. */
  cells: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function fail(file: string, found: string, hint?: string): never {
  throw new InputError({ file, expected: 'un classeur XLSX', found, hint });
}

/** Entries of the central directory, with structural and size checks (no inflation yet). */
export function centralDirectory(bytes: Uint8Array, file: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail(file, 'une archive zip tronquée ou corrompue (répertoire central introuvable)', 'Retéléchargez ou réenregistrez le classeur');
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    fail(file, 'une archive ZIP64 (plus de 65 535 entrées ou de 4 Go)', 'Un classeur de moins de 20 Mo n’en a pas besoin : réenregistrez-le depuis le tableur');
  }
  if (count > LIMITS.zipEntries) {
    fail(file, `une archive de ${formatCount(count)} entrées (au plus ${formatCount(LIMITS.zipEntries)})`, 'Ce n’est pas un classeur ordinaire : réenregistrez-le depuis le tableur');
  }
  if (cdOffset + cdSize > eocd) fail(file, 'une archive zip corrompue (répertoire central hors du fichier)');

  const entries: ZipEntry[] = [];
  let total = 0;
  let at = cdOffset;
  for (let n = 0; n < count; n++) {
    if (at + 46 > eocd || view.getUint32(at, true) !== CENTRAL) fail(file, 'une archive zip corrompue (entrée du répertoire central illisible)');
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const compressedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const localOffset = view.getUint32(at + 42, true);
    const name = new TextDecoder('utf-8').decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (flags & 1) fail(file, `une archive chiffrée (entrée « ${name} »)`, 'Retirez le mot de passe dans le tableur puis réenregistrez le classeur');
    if (method !== 0 && method !== 8) fail(file, `une méthode de compression non prise en charge (${method}) pour « ${name} »`, 'Réenregistrez le classeur depuis le tableur');
    if (size === 0xffffffff || compressedSize === 0xffffffff) fail(file, `une entrée ZIP64 (« ${name} »)`, 'Réenregistrez le classeur depuis le tableur');
    if (size > LIMITS.zipRatioFloor && size > compressedSize * LIMITS.zipRatio) {
      fail(
        file,
        'une bombe de décompression',
        `« ${name} » passe de ${formatCount(compressedSize)} octets à ${formatBytes(size)} (rapport ${formatCount(Math.round(size / Math.max(1, compressedSize)))}, au plus ${LIMITS.zipRatio}) : ` +
          'fichier refusé par sécurité ; demandez au partenaire un export CSV ou XLSX ordinaire'
      );
    }
    total += size;
    if (total > LIMITS.zipBytes) {
      fail(
        file,
        `une archive qui se décompresse en plus de ${formatBytes(LIMITS.zipBytes)}`,
        'Fichier refusé par sécurité ; s’il s’agit d’un très grand tableau, déposez-le en CSV (compressé en gzip si besoin)'
      );
    }
    entries.push({ name, method, compressedSize, size, localOffset });
  }
  return entries;
}

function entryData(bytes: Uint8Array, entry: ZipEntry, file: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL) fail(file, 'une archive zip corrompue', `en-tête local de « ${entry.name} » introuvable : retéléchargez ou réenregistrez le classeur`);
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) fail(file, 'une archive zip tronquée', `« ${entry.name} » dépasse la fin du fichier : retéléchargez le classeur`);
  return bytes.subarray(start, end);
}

/** Inflates an entry, refusing one that expands beyond its declared size. */
export function inflateEntry(bytes: Uint8Array, entry: ZipEntry, file: string): Uint8Array {
  const data = entryData(bytes, entry, file);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) fail(file, 'une archive zip incohérente', `« ${entry.name} » est stocké sans compression mais change de taille : réenregistrez le classeur`);
    return data;
  }
  let out: Uint8Array;
  try {
    out = inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size) });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      fail(file, 'une bombe de décompression', `« ${entry.name} » se décompresse au-delà des ${formatCount(entry.size)} octets déclarés : fichier refusé par sécurité`);
    }
    fail(file, 'une archive zip corrompue', `« ${entry.name} » illisible (${(error as Error).message}) : retéléchargez ou réenregistrez le classeur`);
  }
  if (out.length !== entry.size) {
    fail(file, 'une archive zip incohérente', `« ${entry.name} » fait ${out.length} octets au lieu des ${entry.size} déclarés : retéléchargez ou réenregistrez le classeur`);
  }
  return out;
}

/** `<c …>` / `<x:c …>` elements: one per cell the worksheet declares. */
export function countCellElements(xml: Uint8Array): number {
  let n = 0;
  const len = xml.length;
  for (let i = 0; i < len - 2; i++) {
    if (xml[i] !== 0x3c) continue;
    let j = i + 1;
    // Optional namespace prefix (OpenXML SDK writes `x:c`).
    let k = j;
    while (k < len && k - j < 10 && isNameChar(xml[k]!)) k++;
    if (k < len && xml[k] === 0x3a && k > j) j = k + 1;
    if (xml[j] === 0x63 && (xml[j + 1] === 0x20 || xml[j + 1] === 0x3e || xml[j + 1] === 0x2f)) n++;
  }
  return n;
}

function isNameChar(b: number): boolean {
  return (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39);
}

/** What a zip archive holds, when it is not a workbook we read. */
function notXlsx(names: Set<string>): { found: string; hint: string } | null {
  if (names.has('xl/workbook.xml')) return null;
  if (names.has('xl/workbook.bin')) return { found: 'un classeur Excel binaire (.xlsb)', hint: 'Enregistrez-le au format XLSX ou CSV' };
  if (names.has('content.xml') && names.has('META-INF/manifest.xml')) {
    return { found: 'un document OpenDocument (ODS)', hint: 'Dans LibreOffice, enregistrez-le au format XLSX ou CSV' };
  }
  if (names.has('word/document.xml')) return { found: 'un document Word (DOCX)', hint: 'Déposez le tableau lui-même, en XLSX ou CSV' };
  if (names.has('ppt/presentation.xml')) return { found: 'une présentation PowerPoint (PPTX)', hint: 'Déposez le tableau lui-même, en XLSX ou CSV' };
  const inner = [...names].filter((n) => !n.endsWith('/')).slice(0, 3);
  return {
    found: `une archive zip (${inner.map((n) => `« ${n} »`).join(', ')}${names.size > 3 ? '…' : ''})`,
    hint: 'Décompressez l’archive et déposez le tableau qu’elle contient'
  };
}

/** Checks a zip that should be an XLSX: structure, type, sizes (declared and actual), cell count. */
export function inspectXlsx(bytes: Uint8Array, file: string): XlsxInspection {
  const entries = centralDirectory(bytes, file);
  const other = notXlsx(new Set(entries.map((e) => e.name)));
  if (other) fail(file, other.found, other.hint);
  let cells = 0;
  for (const entry of entries) {
    const data = inflateEntry(bytes, entry, file);
    if (/^xl\/worksheets\/[^/]+\.xml$/.test(entry.name)) cells += countCellElements(data);
  }
  if (cells > LIMITS.xlsxCells) {
    fail(
      file,
      `un classeur de ${formatCount(cells)} cellules (au plus ${formatCount(LIMITS.xlsxCells)} en XLSX)`,
      `Supprimez les feuilles et colonnes inutiles, ou déposez le tableau en CSV (jusqu’à ${formatCount(LIMITS.cells)} cellules)`
    );
  }
  return { entries, cells };
}
