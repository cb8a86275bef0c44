import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../core/errors.ts';
import { memoryLogger } from '../core/logger.ts';
import type { SourceDescription } from '../core/types.ts';
import { locateSource, locateSources, mirrorFromArgs, type LocateOptions } from './locate.ts';
import { readManifest } from './manifest.ts';
import { closedPort, makeZip, serveWithRanges, startServer, type TestServer } from './testing.ts';

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const csv = Buffer.from('CODGEO;P22_POP\n93001;1000\n93005;2000\n', 'utf8');

let dir: string;
let cacheDir: string;
let server: TestServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obs-locate-'));
  cacheDir = join(dir, 'cache');
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

function source(url: string, extra: Partial<SourceDescription> = {}): SourceDescription {
  return {
    id: 'insee-test',
    label: 'Test',
    producer: 'INSEE',
    licence: 'Licence ouverte',
    vintage: '2022',
    url,
    format: 'CSV ;',
    mirrorPath: 'insee/test/base.csv',
    ...extra
  };
}

/** A fetch that fails the test if anything tries the network. */
const noNetwork: typeof fetch = () => {
  throw new Error('network must not be used');
};

function options(extra: Partial<LocateOptions> = {}): LocateOptions & { logger: ReturnType<typeof memoryLogger> } {
  return {
    cacheDir,
    logger: memoryLogger(),
    backoffMs: 1,
    now: () => new Date('2025-03-04T05:06:07.000Z'),
    ...extra
  } as LocateOptions & { logger: ReturnType<typeof memoryLogger> };
}

async function serveCsv(): Promise<TestServer> {
  server = await startServer((req, res) => serveWithRanges(res, req, csv));
  return server;
}

describe('locateSource with a mirror', () => {
  it('uses <mirror>/<mirrorPath> without any network call and without writing into the mirror', async () => {
    const mirror = join(dir, 'mirror');
    await mkdir(join(mirror, 'insee/test'), { recursive: true });
    await writeFile(join(mirror, 'insee/test/base.csv'), csv);
    const located = await locateSource(source('https://www.insee.fr/x.zip'), options({ mirror, fetchImpl: noNetwork }));
    expect(located).toEqual({
      path: join(mirror, 'insee/test/base.csv'),
      origin: 'mirror',
      relative: 'insee/test/base.csv',
      sha256: sha(csv),
      bytes: csv.length
    });
    expect(await readdir(join(mirror, 'insee/test'))).toEqual(['base.csv']);
    expect(await readdir(mirror)).toEqual(['insee']);
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('names the expected path and the mirror when the file is missing', async () => {
    const mirror = join(dir, 'mirror');
    await mkdir(mirror);
    const err = await locateSource(source('https://x/y.csv'), options({ mirror, fetchImpl: noNetwork })).catch(
      (e: unknown) => e
    );
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toContain(join(mirror, 'insee/test/base.csv'));
    expect((err as Error).message).toContain(`miroir ${mirror}`);
  });

  it('says so when the mirror directory itself does not exist', async () => {
    const mirror = join(dir, 'nowhere');
    const err = await locateSource(source('https://x/y.csv'), options({ mirror })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toContain(mirror);
  });
});

describe('locateSource without a mirror', () => {
  it('downloads into cacheDir/<id>/<basename> and records checksum, URL, size and date', async () => {
    const s = await serveCsv();
    const url = s.url('/fichier/base-cc.csv');
    const located = await locateSource(source(url), options());
    const path = join(cacheDir, 'insee-test', 'base-cc.csv');
    expect(located).toEqual({ path, origin: 'cache', relative: 'insee-test/base-cc.csv', sha256: sha(csv), bytes: csv.length });
    expect(await readFile(path)).toEqual(csv);
    const manifest = JSON.parse(await readFile(join(cacheDir, 'manifest.json'), 'utf8')) as unknown;
    expect(manifest).toEqual({
      version: 1,
      sources: {
        'insee-test': {
          file: 'insee-test/base-cc.csv',
          url,
          origin: 'download',
          sha256: sha(csv),
          bytes: csv.length,
          recordedAt: '2025-03-04T05:06:07.000Z'
        }
      }
    });
    // Written through a temporary file: nothing else left in the cache root.
    expect((await readdir(cacheDir)).sort()).toEqual(['insee-test', 'manifest.json']);
  });

  it('uses cacheName when given', async () => {
    const s = await serveCsv();
    const located = await locateSource(source(s.url('/download?id=3'), { cacheName: 'base.csv' }), options());
    expect(located.relative).toBe('insee-test/base.csv');
  });

  it('reuses a cached file whose checksum matches the manifest, without network', async () => {
    const s = await serveCsv();
    const src = source(s.url('/base.csv'));
    await locateSource(src, options());
    const o = options({ fetchImpl: noNetwork });
    const again = await locateSource(src, o);
    expect(again.sha256).toBe(sha(csv));
    expect(s.requests).toHaveLength(1);
  });

  it('re-downloads a corrupted cached file and warns', async () => {
    const s = await serveCsv();
    const src = source(s.url('/base.csv'));
    const first = await locateSource(src, options());
    await writeFile(first.path, 'CODGEO;P22_POP\n93001;999\n');
    const o = options();
    const again = await locateSource(src, o);
    expect(s.requests).toHaveLength(2);
    expect(again.sha256).toBe(sha(csv));
    expect(await readFile(first.path)).toEqual(csv);
    expect(o.logger.lines.some((l) => l.startsWith('warn') && l.includes('ne correspond pas'))).toBe(true);
  });

  it('adopts a file placed by hand in cacheDir/<source>/ and records it', async () => {
    await mkdir(join(cacheDir, 'insee-test'), { recursive: true });
    await writeFile(join(cacheDir, 'insee-test', 'base.csv'), csv);
    const located = await locateSource(source('https://www.insee.fr/base.csv'), options({ fetchImpl: noNetwork }));
    expect(located.sha256).toBe(sha(csv));
    const entry = (await readManifest(cacheDir)).sources['insee-test'];
    expect(entry).toMatchObject({ origin: 'manual', url: null, sha256: sha(csv) });
  });

  it('without network and without mirror, says so and how to fix it', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/fichier/base.csv`;
    const err = await locateSources([source(url), source(url, { id: 'other' })], options({ retries: 1 })).catch(
      (e: unknown) => e
    );
    expect(err).toBeInstanceOf(EnvironmentError);
    const message = (err as Error).message;
    expect(message).toContain(`Pas d’accès réseau à 127.0.0.1:${port}`);
    expect(message).toContain('aucun miroir');
    expect(message).toContain('--mirror DIR');
    expect(message).toContain('OBS_MIRROR=DIR');
    expect(message).toContain('un dossier organisé comme shared/data');
    expect(message).toContain('/<source>/');
    expect(message).toContain(join('insee-test', 'base.csv'));
  });

  it('offline: never tries the network and says so', async () => {
    const err = await locateSource(
      source('https://www.insee.fr/base.csv'),
      options({ offline: true, fetchImpl: noNetwork })
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toMatch(/^Mode hors ligne : aucun accès réseau tenté/);
    expect((err as Error).message).toContain('--mirror DIR ou OBS_MIRROR=DIR');
  });

  it('offline: still serves a verified cached file', async () => {
    const s = await serveCsv();
    const src = source(s.url('/base.csv'));
    await locateSource(src, options());
    const again = await locateSource(src, options({ offline: true, fetchImpl: noNetwork }));
    expect(again.sha256).toBe(sha(csv));
  });

  it('reports a 404 with the URL', async () => {
    server = await startServer((_req, res) => res.writeHead(404).end());
    const url = server.url('/moved.csv');
    await expect(locateSource(source(url), options())).rejects.toThrow(url);
    expect(existsSync(join(cacheDir, 'insee-test', 'moved.csv'))).toBe(false);
  });
});

describe('archives', () => {
  it('extracts the member named by cacheName from a served zip and records both checksums', async () => {
    const zip = makeZip([
      { name: 'meta_base_cc.csv', data: Buffer.from('VAR;LIB\n') },
      { name: 'base/BASE_CC.CSV', data: csv },
      { name: 'notes.txt', data: Buffer.from('stored'), method: 0 }
    ]);
    server = await startServer((req, res) => serveWithRanges(res, req, zip));
    const url = server.url('/fichier/base-cc-2021.zip');
    const located = await locateSource(source(url, { urlServes: 'archive', cacheName: 'base_cc.csv' }), options());
    expect(await readFile(located.path)).toEqual(csv);
    expect(located).toMatchObject({ relative: 'insee-test/base_cc.csv', sha256: sha(csv), bytes: csv.length });
    const entry = (await readManifest(cacheDir)).sources['insee-test'];
    expect(entry?.archive).toEqual({ file: 'insee-test/base-cc-2021.zip', sha256: sha(zip), bytes: zip.length });
    // Second run: cache hit, no download.
    await locateSource(source(url, { urlServes: 'archive', cacheName: 'base_cc.csv' }), options({ fetchImpl: noNetwork }));
  });

  it('asks for manual extraction when the archive is not a zip or gzip', async () => {
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'));
    const err = await locateSource(
      source(server.url('/statistiques/2521169'), { urlServes: 'archive', cacheName: 'base.csv' }),
      options()
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toMatch(/^Archive à décompresser manuellement/);
    expect(existsSync(join(cacheDir, 'insee-test', 'base.csv'))).toBe(false);
  });

  it('lists the members when the wanted one is absent', async () => {
    const zip = makeZip([{ name: 'autre.csv', data: csv }]);
    server = await startServer((req, res) => serveWithRanges(res, req, zip));
    await expect(
      locateSource(source(server.url('/a.zip'), { urlServes: 'archive', cacheName: 'base.csv' }), options())
    ).rejects.toThrow(/autre\.csv/);
  });
});

describe('mirrorFromArgs', () => {
  it('prefers the flag over OBS_MIRROR and ignores an empty value', () => {
    expect(mirrorFromArgs('/a', { OBS_MIRROR: '/b' })).toBe('/a');
    expect(mirrorFromArgs(undefined, { OBS_MIRROR: '/b' })).toBe('/b');
    expect(mirrorFromArgs(undefined, { OBS_MIRROR: '' })).toBeUndefined();
    expect(mirrorFromArgs(undefined, {})).toBeUndefined();
  });
});
