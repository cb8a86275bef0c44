import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { memoryLogger } from '../../etl/core/logger.ts';
import { createApp } from '../app.ts';
import { type Db, openDb } from '../db.ts';
import { type FixtureDb, createFixtureDb } from '../testing/fixture-db.ts';

let fixture: FixtureDb;
let db: Db;
beforeAll(async () => {
  fixture = await createFixtureDb({ buildId: 'build-sante' });
  db = await openDb(fixture.path, { queryTimeoutMs: 3000, connections: 1 });
});
afterAll(async () => {
  await db.close();
  await fixture.cleanup();
});

const appWith = (notReady: () => string | null = () => null, timeoutMs = 2000) =>
  createApp({ db, logger: memoryLogger(), clock: () => new Date(), readiness: { notReady, timeoutMs } }).app;

describe('GET /api/health/live', () => {
  it('answers without touching the database', async () => {
    const all = vi.spyOn(db.current(), 'all');
    try {
      const res = await appWith().request('/api/health/live');
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toEqual({ status: 'ok', uptimeSeconds: expect.any(Number) });
      expect(all).not.toHaveBeenCalled();
    } finally {
      all.mockRestore();
    }
  });
});

describe('GET /api/health/ready', () => {
  it('answers 200 with the build once a trivial query succeeds on it', async () => {
    const res = await appWith().request('/api/health/ready');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', build: 'build-sante', queryMs: expect.any(Number) });
  });

  it('answers 503 with the server’s reason while it shuts down', async () => {
    const res = await appWith(() => 'Arrêt du serveur en cours.').request('/api/health/ready');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toEqual({ error: { code: 'service_indisponible', message: 'Arrêt du serveur en cours.' } });
  });

  it('answers 503 when the build does not answer in time', async () => {
    // the pool's one connection is busy until the query limit interrupts it (3 s)
    const busy = db.current().all('SELECT sum(i) FROM range(10000000000000) t(i)').catch(() => undefined);
    const t0 = Date.now();
    const res = await appWith(() => null, 100).request('/api/health/ready');
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error).toEqual({ code: 'service_indisponible', message: 'Le build build-sante ne répond pas en 100 ms (base occupée ou en cours de réouverture).' });
    await busy;
  });
});
