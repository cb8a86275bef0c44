import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../core/errors.ts';
import { memoryLogger } from '../core/logger.ts';
import { archiveKind, extractMember } from './archive.ts';
import { formatBytes, terminalProgress } from './progress.ts';
import { makeZip } from './testing.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obs-archive-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('extractMember', () => {
  it('extracts a deflated member found by name in a folder, ignoring case', async () => {
    const data = Buffer.from('a;b\n'.repeat(10_000));
    await writeFile(join(dir, 'a.zip'), makeZip([{ name: 'dossier/BASE.csv', data }]));
    expect(await archiveKind(join(dir, 'a.zip'))).toBe('zip');
    const name = await extractMember(join(dir, 'a.zip'), 'base.csv', join(dir, 'out.csv'));
    expect(name).toBe('dossier/BASE.csv');
    expect(await readFile(join(dir, 'out.csv'))).toEqual(data);
  });

  it('gunzips a .gz archive', async () => {
    const data = Buffer.from('{"type":"FeatureCollection"}');
    await writeFile(join(dir, 'x.json.gz'), gzipSync(data));
    await extractMember(join(dir, 'x.json.gz'), 'x.json', join(dir, 'x.json'));
    expect(await readFile(join(dir, 'x.json'))).toEqual(data);
  });

  it('refuses a corrupted member and leaves no output', async () => {
    const zip = makeZip([{ name: 'b.csv', data: Buffer.from('hello world'), method: 0 }]);
    zip[30 + 'b.csv'.length] = 'H'.charCodeAt(0); // flips a stored byte: CRC no longer matches
    await writeFile(join(dir, 'c.zip'), zip);
    const err = await extractMember(join(dir, 'c.zip'), 'b.csv', join(dir, 'b.csv')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toContain('corrompu');
    await expect(readFile(join(dir, 'b.csv'))).rejects.toThrow();
  });
});

describe('progress', () => {
  it('formats sizes in French units', () => {
    expect(formatBytes(512)).toBe('512 o');
    expect(formatBytes(1536)).toBe('1,5 ko');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3 Mo');
  });

  it('writes periodic plain lines when not on a TTY', () => {
    const logger = memoryLogger();
    let t = 0;
    const reporter = terminalProgress({ logger, isTTY: false, intervalMs: 1000, now: () => t });
    const task = reporter.start('insee-test', 4096, 0);
    t = 500;
    task.update(1024); // too soon for a line
    t = 1000;
    task.update(2048);
    t = 2000;
    task.update(4096);
    task.stop(true);
    expect(logger.lines).toEqual([
      'info téléchargement de insee-test (4 ko)',
      'info insee-test : 2 ko / 4 ko (50 %) — 2 ko/s',
      'info insee-test : 4 ko / 4 ko (100 %) — 2 ko/s',
      'info insee-test : terminé, 4 ko'
    ]);
  });
});
