import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Build } from '../db.ts';
import { ApiError } from '../errors.ts';
import type { AppEnv } from '../routing.ts';
import { versionedRoutes } from './versioned.ts';
import { type FixtureApp, fixtureApp } from '../testing/fixture-app.ts';
import { FIXTURE } from '../testing/fixture-db.ts';

let t: FixtureApp;
let build: string;
beforeAll(async () => {
  t = await fixtureApp();
  build = t.db.current().id;
});
afterAll(() => t.close());

describe('GET /api/b/{build}/{route}', () => {
  it('answers like the public route, with a year-long immutable cache policy', async () => {
    const path = `/portraits/commune/${FIXTURE.bondy}`;
    const plain = await t.app.request(`/api${path}`);
    const pinned = await t.app.request(`/api/b/${build}${path}`);
    expect(pinned.status).toBe(200);
    expect(pinned.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect(pinned.headers.get('X-Observatoire-Build')).toBe(build);
    expect(await pinned.json()).toEqual(await plain.json());
  });

  it('keeps the query string and the route’s own errors, which are not cached for a year', async () => {
    const values = await t.json<{ level: string }>(`/api/b/${build}/indicators/taux-chomage/values?level=commune`);
    expect(values.status).toBe(200);
    expect(values.body.level).toBe('commune');
    const unknown = await t.app.request(`/api/b/${build}/indicators/inconnu`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('Cache-Control') ?? '').not.toContain('immutable');
  });

  it('redirects a build that is no longer in service to the current one', async () => {
    const r = await t.app.request(`/api/b/20200101T000000Z-ancien/indicators?x=1`);
    expect(r.status).toBe(302);
    expect(r.headers.get('Location')).toBe(`/api/b/${encodeURIComponent(build)}/indicators?x=1`);
    expect(r.headers.get('Cache-Control')).toBe('no-store');
  });

  it('serves neither the back office nor itself', async () => {
    for (const route of ['admin/session', 'admin', `b/${build}/indicators`]) {
      const r = await t.json<{ error: { code: string } }>(`/api/b/${build}/${route}`);
      expect(r.status, route).toBe(400);
      expect(r.body.error.code).toBe('parametre_invalide');
    }
  });

  it('drops the cookie, so that nothing personal reaches a shared cache, and refuses an answer from another build', async () => {
    const seen: (string | null)[] = [];
    let answeredBy = 'b1';
    const app = new Hono<AppEnv>();
    app.use('*', async (c, next) => {
      c.set('build', { id: 'b1' } as Build);
      await next();
    });
    app.onError((e, c) => c.json({ error: { message: e.message } }, e instanceof ApiError ? e.status : 500));
    const router = versionedRoutes(() => (request) => {
      seen.push(request.headers.get('cookie'));
      return Response.json({ ok: true }, { headers: { 'X-Observatoire-Build': answeredBy } });
    });
    app.route(router.prefix, router.app);
    const ok = await app.request('/api/b/b1/levels', { headers: { Cookie: 'obs_session=abc; obs_apercu=brouillon-1' } });
    expect(ok.status).toBe(200);
    expect(seen).toEqual([null]);
    answeredBy = 'b2';
    expect((await app.request('/api/b/b1/levels')).status).toBe(503);
  });
});
