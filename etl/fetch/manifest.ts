/**
 * `cacheDir/manifest.json`: what was downloaded, from where, when, and its
 * sha256. It is how a later run knows a cached file is whole and untouched,
 * and what the build records as provenance.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/logger.ts';

export interface ManifestEntry {
  /** Path of the file relative to the cache directory, `/`-separated (`<source>/<name>`). */
  file: string;
  /** URL it was downloaded from; `null` when the user placed the file by hand. */
  url: string | null;
  origin: 'download' | 'manual';
  sha256: string;
  bytes: number;
  /** ISO date of the download (or of the first time a hand-placed file was seen). */
  recordedAt: string;
  /** When the URL serves an archive: the archive as downloaded, kept next to the extracted file. */
  archive?: { file: string; sha256: string; bytes: number };
}

export interface Manifest {
  version: 1;
  sources: Record<string, ManifestEntry>;
}

export const MANIFEST_NAME = 'manifest.json';

const empty = (): Manifest => ({ version: 1, sources: {} });

/**
 * Reads the manifest; a missing one is empty. An unreadable one is also treated
 * as empty (with a warning): the cache then re-verifies or re-downloads, which is
 * safe, whereas refusing to build over a damaged bookkeeping file is not useful.
 */
export async function readManifest(cacheDir: string, logger?: Logger): Promise<Manifest> {
  const path = join(cacheDir, MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (isNotFound(e)) return empty();
    throw e;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Manifest>;
    if (parsed.version === 1 && parsed.sources && typeof parsed.sources === 'object') {
      return { version: 1, sources: parsed.sources };
    }
  } catch {
    // fall through to the warning below
  }
  logger?.warn(`${path} illisible : ignoré, les fichiers du cache seront revérifiés`);
  return empty();
}

/**
 * Records one source. Written to a temporary file then renamed, so an
 * interrupted run never leaves a truncated manifest behind.
 */
export async function recordManifestEntry(
  cacheDir: string,
  sourceId: string,
  entry: ManifestEntry,
  logger?: Logger
): Promise<void> {
  const manifest = await readManifest(cacheDir, logger);
  manifest.sources[sourceId] = entry;
  await writeFileAtomic(join(cacheDir, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
}

export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await mkdir(join(path, '..'), { recursive: true });
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** sha256 (hex) and size of a file, streamed so large files do not fill memory. */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    const buf = chunk as Buffer;
    hash.update(buf);
    bytes += buf.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
