import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../etl/core/logger.ts';
import type { AccessRecord } from './observability/logger.ts';
import { type RunningServer, type ServeOptions, startServer } from './serve.ts';
import { type FixtureDb, createFixtureDb } from './testing/fixture-db.ts';

let dir: string;
let fixture: FixtureDb;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'observatoire-ops-'));
  fixture = await createFixtureDb({ dir, buildId: 'build-ops' });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function withServer(options: Partial<ServeOptions>, run: (s: RunningServer) => Promise<void>): Promise<void> {
  const running = await startServer({ dbPath: fixture.path, port: 0, hostname: '127.0.0.1', logger: memoryLogger(), reloadIntervalMs: 0, admin: false, ...options });
  try {
    await run(running);
  } finally {
    await running.close({ timeoutMs: 500 });
  }
}

interface RawExchange {
  /** Everything the server wrote before closing. */
  text: string;
  /** From the first byte sent to the server closing the socket. */
  elapsedMs: number;
}

/** A client on a raw socket: sends `chunks` one every `everyMs`, then waits for the server to close. */
function rawClient(url: string, chunks: string[], everyMs: number, giveUpMs = 8000): Promise<RawExchange> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const received: Buffer[] = [];
    const started = Date.now();
    let i = 0;
    const timer = setInterval(() => {
      if (i < chunks.length && socket.writable) socket.write(chunks[i++] as string);
    }, everyMs);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`le serveur n'a pas fermé la connexion en ${giveUpMs} ms`));
    }, giveUpMs);
    socket.on('data', (d) => received.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ text: Buffer.concat(received).toString('utf8'), elapsedMs: Date.now() - started });
    });
  });
}

function jsonOf(raw: string): { error: { code: string; message: string } } {
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };
}

describe('slow and abusive clients', () => {
  const limits = { headersTimeoutMs: 300, requestTimeoutMs: 600 };

  it('cuts a slowloris client that never finishes its headers, with a French JSON 408', async () => {
    await withServer({ limits }, async ({ url }) => {
      const drip = ['GET /api/health HTTP/1.1\r\n', 'Host: localhost\r\n', ...Array.from({ length: 100 }, (_, i) => `X-Lent-${i}: a\r\n`)];
      const { text, elapsedMs } = await rawClient(url, drip, 50);
      expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(jsonOf(text).error.code).toBe('delai_requete');
      expect(jsonOf(text).error.message).toMatch(/délai/);
      expect(elapsedMs).toBeGreaterThanOrEqual(250);
      expect(elapsedMs).toBeLessThan(3000);
    });
  });

  it('cuts a client that sends its body too slowly', async () => {
    await withServer({ limits }, async ({ url }) => {
      const head = 'POST /api/aggregate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
      const { text, elapsedMs } = await rawClient(url, [head, '{"communes":', '["93010"', ',"93048"'], 100);
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      expect(jsonOf(text).error.code).toBe('delai_requete');
      expect(elapsedMs).toBeLessThan(3000);
    });
  });

  it('closes a connection that never sends anything', async () => {
    await withServer({ limits }, async ({ url }) => {
      const { elapsedMs } = await rawClient(url, [], 1000);
      expect(elapsedMs).toBeLessThan(3000);
    });
  });

  it('closes an idle keep-alive connection after OBS_KEEPALIVE_TIMEOUT_MS', async () => {
    await withServer({ limits: { keepAliveTimeoutMs: 200 } }, async ({ url }) => {
      const { text, elapsedMs } = await rawClient(url, ['GET /api/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n'], 1);
      expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(text).toMatch(/keep-alive/i);
      // node adds 1 s to the keep-alive timeout; its default (5 s) would take over 6 s
      expect(elapsedMs).toBeLessThan(4000);
    });
  });

  it('answers a malformed request with a JSON 400 rather than a bare one', async () => {
    await withServer({}, async ({ url }) => {
      const { text } = await rawClient(url, ['GET /api/health HTTP/1.1\r\nHost localhost sans deux-points\r\n\r\n'], 1);
      expect(text).toMatch(/^HTTP\/1\.1 400 /);
      expect(jsonOf(text).error.code).toBe('requete_mal_formee');
    });
  });

  it('refuses an oversized JSON body with the route’s code, whether its length is declared or streamed', async () => {
    await withServer({}, async ({ url }) => {
      const big = JSON.stringify({ communes: Array.from({ length: 200_000 }, () => '93010'), indicators: ['population'] });
      expect(big.length).toBeGreaterThan(1024 * 1024);
      const declared = await fetch(`${url}/api/aggregate`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: big });
      expect(declared.status).toBe(400);
      expect(((await declared.json()) as { error: { code: string } }).error.code).toBe('corps_trop_grand');

      const bytes = new TextEncoder().encode(big);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024));
          controller.close();
        }
      });
      const streamed = await fetch(`${url}/api/aggregate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: stream,
        duplex: 'half'
      } as RequestInit);
      expect(streamed.status).toBe(400);
      expect(((await streamed.json()) as { error: { code: string } }).error.code).toBe('corps_trop_grand');
    });
  });

  it('answers 503 surcharge with Retry-After past the limit of concurrent PDFs', async () => {
    const pending: (() => void)[] = [];
    await withServer(
      {
        limits: { heavyMax: 1 },
        webHandler: (_req, res) => {
          pending.push(() => res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF'));
        }
      },
      async ({ url }) => {
        const first = fetch(`${url}/portrait/commune/93010-bondy/pdf`);
        while (pending.length === 0) await new Promise((r) => setTimeout(r, 5));
        const second = await fetch(`${url}/portrait/commune/93048-montreuil/pdf`);
        expect(second.status).toBe(503);
        expect(second.headers.get('retry-after')).toBe('10');
        expect(((await second.json()) as { error: { code: string } }).error.code).toBe('surcharge');
        pending[0]?.();
        expect((await first).status).toBe(200);
      }
    );
  });
});

describe('access log and metrics', () => {
  it('writes one access record per request, the fast path included', async () => {
    const records: AccessRecord[] = [];
    await withServer({ accessLog: (r) => records.push(r) }, async ({ url }) => {
      const tile = `${url}/tiles/build-ops/commune/12/2076/1408.pbf`;
      expect((await fetch(tile)).status).toBe(200);
      expect((await fetch(tile)).status).toBe(200);
      expect((await fetch(`${url}/api/territories/commune/93010?q=x`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
    });
    expect(records.map((r) => [r.path, r.route, r.status, r.build])).toEqual([
      ['/tiles/build-ops/commune/12/2076/1408.pbf', '/tiles/{build}/{layer}/{z}/{x}/{y}.pbf', 200, 'build-ops'],
      ['/tiles/build-ops/commune/12/2076/1408.pbf', '/tiles/{build}/{layer}/{z}/{x}/{y}.pbf', 200, 'build-ops'],
      ['/api/territories/commune/93010', '/api/territories/{level}/{code}', 200, 'build-ops']
    ]);
    expect(records.every((r) => r.bytes > 0 && r.durationMs >= 0)).toBe(true);
  });

  it('serves /metrics only with the bearer token, counting fast-path tiles and route patterns', async () => {
    const token = 'jeton-de-test-0123456789abcdef';
    await withServer({ metrics: { token, processMetrics: false } }, async ({ url }) => {
      const tile = `${url}/tiles/build-ops/commune/12/2076/1408.pbf`;
      await fetch(tile);
      await fetch(tile);
      await fetch(`${url}/api/territories/commune/93010`);
      await fetch(`${url}/api/territories/commune/99999`);
      const refused = await fetch(`${url}/metrics`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('authentification_requise');
      expect((await fetch(`${url}/metrics`, { headers: { Authorization: 'Bearer mauvais-jeton-0123456789' } })).status).toBe(401);
      const res = await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).toContain('observatoire_tile_fast_path_total 1');
      expect(text).toContain('observatoire_tile_cache_hits_total 1');
      expect(text).toContain('observatoire_tile_cache_misses_total 1');
      expect(text).toContain('observatoire_http_requests_total{route="/tiles/{build}/{layer}/{z}/{x}/{y}.pbf",method="GET",status_class="2xx"} 2');
      expect(text).toContain('observatoire_http_requests_total{route="/api/territories/{level}/{code}",method="GET",status_class="4xx"} 1');
      expect(text).toContain('observatoire_http_errors_total{code="territoire_inconnu"} 1');
      expect(text).toMatch(/observatoire_build_info\{build_id="build-ops",/);
      expect(text).not.toContain('93010');
    });
  });

  it('has no /metrics unless asked', async () => {
    await withServer({}, async ({ url }) => {
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('route_inconnue');
    });
  });
});

describe('graceful shutdown', () => {
  it('stops accepting, lets a request in flight finish, then closes the database and the administration store', async () => {
    const dataDir = await mkdtemp(join(dir, 'admin-'));
    let answer: (() => void) | undefined;
    const running = await startServer({
      dbPath: fixture.path,
      port: 0,
      hostname: '127.0.0.1',
      logger: memoryLogger(),
      reloadIntervalMs: 0,
      admin: { dataDir, storePath: join(dataDir, 'admin.duckdb') },
      webHandler: (_req, res) => {
        answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end('fini');
      }
    });
    const store = running.admin?.store;
    expect(await store?.all('SELECT 1 AS un')).toEqual([{ un: 1 }]);
    const inFlight = fetch(`${running.url}/carte`);
    while (!answer) await new Promise((r) => setTimeout(r, 5));
    const closing = running.close({ timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    await expect(fetch(`${running.url}/api/health/live`)).rejects.toThrow();
    let closed = false;
    void closing.then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    answer();
    const res = await inFlight;
    expect(await res.text()).toBe('fini');
    await closing;
    expect(() => running.db.acquire()).toThrow('La base est fermée.');
    await expect(store?.all('SELECT 1')).rejects.toThrow();
  });

  it('cuts requests still running when the shutdown delay runs out', async () => {
    const logger = memoryLogger();
    let started = false;
    const running = await startServer({
      dbPath: fixture.path,
      port: 0,
      hostname: '127.0.0.1',
      logger,
      reloadIntervalMs: 0,
      admin: false,
      webHandler: () => {
        started = true; // never answers
      }
    });
    const stuck = fetch(`${running.url}/carte`).then(
      () => 'réponse',
      () => 'coupée'
    );
    while (!started) await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    await running.close({ timeoutMs: 200 });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await stuck).toBe('coupée');
    expect(logger.lines.some((l) => /^warn arrêt : 1 requête\(s\) encore en cours après 200 ms/.test(l))).toBe(true);
  });

  it('answers readiness 503 while shutting down, on a connection opened before', async () => {
    let answer: (() => void) | undefined;
    const running = await startServer({
      dbPath: fixture.path,
      port: 0,
      hostname: '127.0.0.1',
      logger: memoryLogger(),
      reloadIntervalMs: 0,
      admin: false,
      webHandler: (_req, res) => {
        answer = () => res.writeHead(200).end();
      }
    });
    const { port } = new URL(running.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const inFlight = fetch(`${running.url}/carte`);
    while (!answer) await new Promise((r) => setTimeout(r, 5));
    const closing = running.close({ timeoutMs: 3000 });
    const received: Buffer[] = [];
    socket.on('data', (d) => received.push(d));
    socket.write('GET /api/health/ready HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((r) => socket.once('close', r));
    const text = Buffer.concat(received).toString('utf8');
    expect(text).toMatch(/^HTTP\/1\.1 503 /);
    expect(text).toMatch(/connection: close/i);
    expect(jsonOf(text).error.code).toBe('service_indisponible');
    answer();
    await inFlight;
    await closing;
  });
});
