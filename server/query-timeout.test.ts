import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../etl/core/logger.ts';
import { createApp } from './app.ts';
import { type Db, QueryTimeoutError, openDb } from './db.ts';
import { type FixtureDb, createFixtureDb } from './testing/fixture-db.ts';

/** Runs for hours unless interrupted: a sum over 10^13 generated rows. */
const ENDLESS = 'SELECT sum(i) AS s FROM range(10000000000000) t(i)';

let fixture: FixtureDb;
let db: Db;
beforeAll(async () => {
  fixture = await createFixtureDb();
  db = await openDb(fixture.path, { queryTimeoutMs: 150, connections: 2 });
});
afterAll(async () => {
  await db.close();
  await fixture.cleanup();
});

describe('query time limit (OBS_QUERY_TIMEOUT_MS)', () => {
  it('interrupts a statement past the limit with QueryTimeoutError, and the connection serves the next one', async () => {
    const build = db.current();
    const t0 = Date.now();
    const error = await build.all(ENDLESS).then(
      () => null,
      (e: unknown) => e
    );
    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect(error).toMatchObject({ status: 503, code: 'delai_depasse', message: expect.stringContaining('150 ms') });
    expect(Date.now() - t0).toBeLessThan(5000);
    // both connections of the pool answer afterwards
    const again = await Promise.all([build.all<{ x: number }>('SELECT 42 AS x'), build.all<{ x: number }>('SELECT 43 AS x')]);
    expect(again).toEqual([[{ x: 42 }], [{ x: 43 }]]);
  });

  it('interrupts only the statement past its limit, not the quick ones beside it', async () => {
    const build = db.current();
    const slow = build.all(ENDLESS).catch((e: unknown) => e);
    const quick = await Promise.all(Array.from({ length: 6 }, (_, i) => build.one<{ i: number }>('SELECT $i AS i', { i })));
    expect(quick.map((r) => r?.i)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await slow).toBeInstanceOf(QueryTimeoutError);
  });

  it('leaves statements alone when no limit is set', async () => {
    const unlimited = await openDb(fixture.path, { connections: 1 });
    try {
      const rows = await unlimited.current().all<{ n: number }>('SELECT count(*) AS n FROM range(3000000)');
      expect(rows).toEqual([{ n: 3000000 }]);
    } finally {
      await unlimited.close();
    }
  });

  it('answers 503 delai_depasse in French JSON through the API', async () => {
    const { app } = createApp({ db, logger: memoryLogger() });
    // a route of the test's own, on the app's real lease and error handling
    app.get('/api/essai/lent', async (c) => c.json(await c.get('build').all(ENDLESS)));
    const res = await app.request('/api/essai/lent');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: 'delai_depasse', message: expect.stringMatching(/^La requête a dépassé le délai de 150 ms/) } });
  });
});
