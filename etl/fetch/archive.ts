/**
 * Extracts the one file an adapter reads from the archive a producer serves
 * (INSEE publishes its CSV inside a zip). Only what Node's `zlib` makes trivial:
 * gzip, and zip members that are stored or deflated, without zip64 or
 * encryption. Anything else stops with a message telling the user to extract
 * the file by hand, rather than pulling in an archive library for rare cases.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createGunzip, createInflateRaw } from 'node:zlib';
import { EnvironmentError } from '../core/errors.ts';

const ZIP_LOCAL = 0x04034b50;
const ZIP_CENTRAL = 0x02014b50;
const ZIP_END = 0x06054b50;

/** What `extractMember` can open, judged from the first bytes (not the name, which producers get wrong). */
export async function archiveKind(path: string): Promise<'zip' | 'gzip' | 'unknown'> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    if (bytesRead >= 4 && head.readUInt32LE(0) === ZIP_LOCAL) return 'zip';
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    return 'unknown';
  } finally {
    await fh.close();
  }
}

/**
 * Writes `member` of `archive` to `dest` (through a temporary file, so `dest`
 * only ever holds a complete extraction). For gzip the member name is ignored.
 * Returns the name of the member actually extracted.
 */
export async function extractMember(archive: string, member: string, dest: string): Promise<string> {
  const kind = await archiveKind(archive);
  const tmp = `${dest}.extract`;
  try {
    let extracted: string;
    if (kind === 'gzip') {
      await pipeline(createReadStream(archive), createGunzip(), createWriteStream(tmp));
      extracted = basename(archive).replace(/\.gz$/i, '');
    } else if (kind === 'zip') {
      extracted = await extractZipMember(archive, member, tmp, dest);
    } else {
      throw manual(archive, member, dest, 'ce n’est ni un zip ni un gzip (page HTML de téléchargement ou format 7z/tar ?)');
    }
    await rename(tmp, dest);
    return extracted;
  } catch (e) {
    await rm(tmp, { force: true });
    if (e instanceof EnvironmentError) throw e;
    throw manual(archive, member, dest, e instanceof Error ? e.message : String(e), e);
  }
}

interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

async function extractZipMember(archive: string, member: string, tmp: string, dest: string): Promise<string> {
  const entries = await readCentralDirectory(archive, member, dest);
  const entry = findEntry(entries, member);
  if (!entry) {
    const names = entries.filter((e) => !e.name.endsWith('/')).map((e) => e.name);
    throw manual(archive, member, dest, `aucun membre « ${member} » ; l’archive contient : ${names.join(', ') || '(rien)'}`);
  }
  if (entry.flags & 1) throw manual(archive, member, dest, `« ${entry.name} » est chiffré`);
  if (entry.method !== 0 && entry.method !== 8) {
    throw manual(archive, member, dest, `« ${entry.name} » utilise la méthode de compression ${entry.method}`);
  }
  if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff || entry.localOffset === 0xffffffff) {
    throw manual(archive, member, dest, 'archive zip64 (fichier de plus de 4 Go)');
  }

  const fh = await open(archive, 'r');
  let dataStart: number;
  try {
    const local = Buffer.alloc(30);
    await fh.read(local, 0, 30, entry.localOffset);
    if (local.readUInt32LE(0) !== ZIP_LOCAL) throw manual(archive, member, dest, 'en-tête local introuvable');
    dataStart = entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  } finally {
    await fh.close();
  }

  let crc = 0;
  let size = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      done(null, chunk);
    }
  });
  const source =
    entry.compressedSize > 0
      ? createReadStream(archive, { start: dataStart, end: dataStart + entry.compressedSize - 1 })
      : PassThrough.from([]);
  await pipeline(source, entry.method === 8 ? createInflateRaw() : new PassThrough(), check, createWriteStream(tmp));
  if (size !== entry.size || crc >>> 0 !== entry.crc) {
    throw manual(archive, member, dest, `« ${entry.name} » est corrompu (taille ou CRC incorrects)`);
  }
  return entry.name;
}

async function readCentralDirectory(archive: string, member: string, dest: string): Promise<ZipEntry[]> {
  const { size } = await stat(archive);
  const fh = await open(archive, 'r');
  try {
    // The end record is in the last 22 bytes plus at most a 65 535-byte comment.
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLength);
    await fh.read(tail, 0, tailLength, size - tailLength);
    let end = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === ZIP_END) {
        end = i;
        break;
      }
    }
    if (end < 0) throw manual(archive, member, dest, 'fin de l’archive zip introuvable (téléchargement incomplet ?)');
    const count = tail.readUInt16LE(end + 10);
    const cdSize = tail.readUInt32LE(end + 12);
    const cdOffset = tail.readUInt32LE(end + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      throw manual(archive, member, dest, 'archive zip64 (fichier de plus de 4 Go ou trop de membres)');
    }
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== ZIP_CENTRAL) {
        throw manual(archive, member, dest, 'répertoire central du zip illisible');
      }
      const flags = cd.readUInt16LE(p + 8);
      const nameLength = cd.readUInt16LE(p + 28);
      const nameBytes = cd.subarray(p + 46, p + 46 + nameLength);
      entries.push({
        // Bit 11: UTF-8 names; otherwise CP437, which for the ASCII names producers use reads the same as latin1.
        name: nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1'),
        flags,
        method: cd.readUInt16LE(p + 10),
        crc: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localOffset: cd.readUInt32LE(p + 42)
      });
      p += 46 + nameLength + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/** Exact path, else the file name in any folder, else the same ignoring case (INSEE changes case between editions). */
function findEntry(entries: ZipEntry[], member: string): ZipEntry | undefined {
  const files = entries.filter((e) => !e.name.endsWith('/'));
  const base = (n: string): string => n.slice(n.lastIndexOf('/') + 1);
  return (
    files.find((e) => e.name === member) ??
    unique(files.filter((e) => base(e.name) === member)) ??
    unique(files.filter((e) => base(e.name).toLowerCase() === member.toLowerCase()))
  );
}

function unique<T>(xs: T[]): T | undefined {
  return xs.length === 1 ? xs[0] : undefined;
}

function manual(archive: string, member: string, dest: string, reason: string, cause?: unknown): EnvironmentError {
  return new EnvironmentError(
    `Archive à décompresser manuellement : ${archive} (${reason}). ` +
      `Extrayez « ${member} » de cette archive et placez-le en ${dest}, puis relancez.`,
    { cause }
  );
}
