/**
 * The auth middlewares and routes as server/app.ts mounts them, next to the publishing
 * routes that rely on them (requireUser) — not the test harness's copy of the wiring.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../etl/core/logger.ts';
import { createApp } from '../../app.ts';
import { type Db, openDb } from '../../db.ts';
import { type FixtureDb, createFixtureDb } from '../../testing/fixture-db.ts';
import { createPublishing } from '../publishing/context.ts';
import { type AdminStore, openAdminStore } from '../store.ts';
import { createUser } from '../users.ts';
import { Browser, START } from './test-harness.ts';

let dir: string;
let fixture: FixtureDb;
let db: Db;
let store: AdminStore;
let browser: () => Browser;
let openapi: { paths: Record<string, unknown> };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'obs-auth-app-'));
  fixture = await createFixtureDb();
  const logger = memoryLogger();
  db = await openDb(fixture.path, { logger });
  store = await openAdminStore(join(dir, 'admin.duckdb'));
  const clock = () => START;
  const publishing = createPublishing({
    dataDir: dir,
    db,
    store,
    clock,
    logger,
    runner: async () => {
      throw new Error('aucune construction dans ce test');
    }
  });
  const { app } = createApp({ db, clock, logger, admin: { auth: { store }, publishing } });
  browser = () => new Browser(app, 'http://localhost');
  await createUser(store, clock, { username: 'stat', role: 'statisticien', password: 'observatoire du 93 !' }, { username: null });
  openapi = (await (await app.request('/api/openapi.json')).json()) as typeof openapi;
});
afterAll(async () => {
  store.close();
  await db.close();
  await fixture.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('auth inside createApp', () => {
  it('guards the publishing routes: 401 for a visitor, 200 for a logged-in statisticien', async () => {
    const visitor = await browser().get('/api/admin/drafts');
    expect(visitor.status).toBe(401);
    expect(visitor.body).toMatchObject({ error: { code: 'authentification_requise' } });
    expect(visitor.headers.get('Cache-Control')).toBe('no-store');

    const b = browser();
    const login = await b.login('stat', 'observatoire du 93 !');
    expect(login.status).toBe(200);
    expect(login.setCookies.some((l) => l.startsWith('obs_session='))).toBe(true);
    const drafts = await b.get('/api/admin/drafts');
    expect(drafts.status).toBe(200);
    expect(drafts.body).toEqual({ drafts: [] });
  });

  it('refuses a publishing POST without the session’s CSRF token', async () => {
    const b = browser();
    await b.login('stat', 'observatoire du 93 !');
    const res = await b.post('/api/admin/zonings/abc/publish', {}, { csrf: null });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { code: 'csrf_invalide' } });
  });

  it('lists the account routes in /api/openapi.json', () => {
    for (const path of ['/api/admin/session', '/api/admin/session/logout', '/api/admin/me/password', '/api/admin/users', '/api/admin/users/{username}/disable', '/api/admin/audit']) {
      expect(openapi.paths, path).toHaveProperty([path]);
    }
  });
});
