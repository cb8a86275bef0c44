import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../core/logger.ts';
import { DownloadError, downloadFile, type DownloadOptions } from './download.ts';
import type { ProgressReporter } from './progress.ts';
import { closedPort, serveWithRanges, startServer, type TestServer } from './testing.ts';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const body = randomBytes(256 * 1024 + 17);

let dir: string;
let server: TestServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obs-download-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

function opts(url: string, extra: Partial<DownloadOptions> = {}): DownloadOptions {
  return { url, dest: join(dir, 'sub', 'file.csv'), logger: memoryLogger(), backoffMs: 1, ...extra };
}

async function writePart(dest: string, content: Buffer): Promise<void> {
  await mkdir(join(dir, 'sub'), { recursive: true });
  await writeFile(`${dest}.part`, content);
}

describe('downloadFile', () => {
  it('streams the file, computes its sha256 and leaves no .part', async () => {
    server = await startServer((req, res) => serveWithRanges(res, req, body));
    const seen: { label: string; total: number | undefined; last: number; ok?: boolean } = { label: '', total: 0, last: 0 };
    const progress: ProgressReporter = {
      start(label, total) {
        Object.assign(seen, { label, total });
        return { update: (n) => (seen.last = n), stop: (ok) => (seen.ok = ok) };
      }
    };
    const o = opts(server.url('/data/file.csv'), { progress, label: 'src' });
    const result = await downloadFile(o);
    expect(result).toMatchObject({ path: o.dest, sha256: sha(body), bytes: body.length, attempts: 1, resumed: false });
    expect((await readFile(o.dest)).equals(body)).toBe(true);
    expect(existsSync(`${o.dest}.part`)).toBe(false);
    expect(seen).toEqual({ label: 'src', total: body.length, last: body.length, ok: true });
    // We ask for the bytes as published: no transparent decompression.
    expect(server.requests[0]?.headers['accept-encoding']).toBe('identity');
  });

  it('resumes an existing .part with a Range request answered 206', async () => {
    const half = 100_000;
    server = await startServer((req, res) => {
      if (req.headers.range !== `bytes=${half}-`) {
        res.writeHead(400).end('Range attendu');
        return;
      }
      serveWithRanges(res, req, body);
    });
    const o = opts(server.url('/f'));
    await writePart(o.dest, body.subarray(0, half));
    const result = await downloadFile(o);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers.range).toBe(`bytes=${half}-`);
    expect(result.resumed).toBe(true);
    expect(result.sha256).toBe(sha(body));
    expect(result.bytes).toBe(body.length);
    expect((await readFile(o.dest)).equals(body)).toBe(true);
  });

  it('restarts cleanly when the server ignores Range and answers 200', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    });
    const o = opts(server.url('/f'));
    await writePart(o.dest, Buffer.from('stale bytes from another version'));
    const result = await downloadFile(o);
    expect(server.requests[0]?.headers.range).toBe('bytes=32-');
    expect(result.resumed).toBe(false);
    expect(result.sha256).toBe(sha(body));
    expect((await readFile(o.dest)).equals(body)).toBe(true);
  });

  it('resumes after the connection breaks mid-transfer', async () => {
    server = await startServer((req, res, n) => {
      if (n === 1) {
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, 64 * 1024), () => setTimeout(() => res.destroy(), 20));
        return;
      }
      serveWithRanges(res, req, body);
    });
    const logger = memoryLogger();
    const result = await downloadFile(opts(server.url('/f'), { logger }));
    expect(result.attempts).toBe(2);
    expect(result.resumed).toBe(true);
    expect(server.requests[1]?.headers.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(result.sha256).toBe(sha(body));
    expect(logger.lines.some((l) => l.startsWith('warn') && l.includes('nouvel essai'))).toBe(true);
  });

  it('retries with exponential backoff after two 500s, then succeeds', async () => {
    server = await startServer((req, res, n) => {
      if (n <= 2) res.writeHead(500, 'Internal Server Error').end('boom');
      else serveWithRanges(res, req, body);
    });
    const waits: number[] = [];
    const result = await downloadFile(
      opts(server.url('/f'), { backoffMs: 100, sleep: async (ms) => void waits.push(ms) })
    );
    expect(server.requests).toHaveLength(3);
    expect(waits).toEqual([100, 200]);
    expect(result.attempts).toBe(3);
    expect(result.sha256).toBe(sha(body));
  });

  it('gives up after the configured retries and says how many attempts were made', async () => {
    server = await startServer((_req, res) => res.writeHead(503).end());
    const err = await downloadFile(opts(server.url('/f'), { retries: 2 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).status).toBe(503);
    expect((err as Error).message).toMatch(/après 3 tentatives/);
    expect(server.requests).toHaveLength(3);
  });

  it('fails at once on 404 with the URL, leaving no file nor .part', async () => {
    server = await startServer((_req, res) => res.writeHead(404, 'Not Found').end());
    const o = opts(server.url('/absent.csv'));
    await writePart(o.dest, Buffer.from('old'));
    const err = await downloadFile(o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).kind).toBe('http');
    expect((err as Error).message).toContain(server.url('/absent.csv'));
    expect((err as Error).message).toContain('404');
    expect(server.requests).toHaveLength(1);
    expect(existsSync(o.dest)).toBe(false);
    expect(existsSync(`${o.dest}.part`)).toBe(false);
  });

  it('classifies a refused connection as unreachable', async () => {
    const port = await closedPort();
    const err = await downloadFile(opts(`http://127.0.0.1:${port}/f`, { retries: 1 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).kind).toBe('unreachable');
    expect((err as DownloadError).code).toBe('ECONNREFUSED');
  });

  it('aborts an attempt that receives nothing for timeoutMs', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': 10 });
      res.write('abc'); // then silence
    });
    const err = await downloadFile(opts(server.url('/slow'), { retries: 0, timeoutMs: 150 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).kind).toBe('timeout');
  });
});
