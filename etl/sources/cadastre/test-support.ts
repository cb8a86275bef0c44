/**
 * Helpers for the cadastre tests: damaged copies of the real files are written to a
 * temporary directory (never to the repository), and a minimal tar writer rebuilds
 * an EDIGEO lot with a member removed (no bzip2 encoder is available in JavaScript
 * here; the loader accepts an uncompressed tar as well).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../core/errors.ts';
import type { ArchiveMember } from './edigeo-archive.ts';

/** Writes `content` to a fresh temporary file named `name` and returns its path. */
export function tempFile(name: string, content: string | Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), 'obs-cadastre-')), name);
  writeFileSync(path, content);
  return path;
}

/** Awaits `p` and returns the InputError it rejects with; fails when it resolves or rejects otherwise. */
export async function rejectionOf(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('aucune InputError levée');
}

/** A POSIX ustar archive of regular files. */
export function writeTar(members: readonly ArchiveMember[]): Buffer {
  const blocks: Buffer[] = [];
  for (const m of members) {
    const header = Buffer.alloc(512);
    header.write(m.name, 0, 100, 'latin1');
    header.write('0000644\0', 100, 'latin1');
    header.write('0000000\0', 108, 'latin1');
    header.write('0000000\0', 116, 'latin1');
    header.write(`${m.data.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    header.write('00000000000\0', 136, 'latin1');
    header.write('        ', 148, 'latin1');
    header.write('0', 156, 'latin1');
    header.write('ustar\x0000', 257, 'latin1');
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    blocks.push(header, m.data, Buffer.alloc((512 - (m.data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
