import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import type { Db } from './db.ts';
import { type FixtureApp, fixtureApp } from './testing/fixture-app.ts';

let t: FixtureApp;
beforeAll(async () => {
  t = await fixtureApp();
});
afterAll(() => t.close());

/** The fixture's Db, whose every query fails. */
function failingDb(): Db {
  return {
    ...t.db,
    acquire: () => {
      const lease = t.db.acquire();
      const fail = () => Promise.reject(new Error('disque plein'));
      return { build: { ...lease.build, all: fail, one: fail, memo: (_k, compute) => compute() }, release: lease.release };
    }
  };
}

describe('createApp', () => {
  it('reports its health: build id, creation time and sources with vintages', async () => {
    const { status, body } = await t.json<Record<string, unknown>>('/api/health');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      time: '2026-11-23T15:00:00.000Z',
      build: { id: t.fixture.buildId, createdAt: '2026-11-23T12:00:00Z', cogVintage: '2025' }
    });
    expect(body.sources).toContainEqual(
      expect.objectContaining({ id: 'insee-rp-2015', vintage: '2015', licence: 'Licence Ouverte / Open Licence 2.0', producer: 'INSEE' })
    );
  });

  it('lists levels, zonings included', async () => {
    const { body } = await t.json<{ levels: { id: string; kind: string }[] }>('/api/levels');
    expect(body.levels.map((l) => l.id)).toEqual(['iris', 'commune', 'ept', 'bassin-exemple', 'departement', 'region']);
    expect(body.levels.find((l) => l.id === 'bassin-exemple')?.kind).toBe('zoning');
  });

  it('names the build that answered, on successes, errors and unknown routes alike', async () => {
    for (const [path, status] of [
      ['/api/indicators', 200],
      [`/tiles/${t.fixture.buildId}/commune/12/2076/1408.pbf`, 200],
      ['/tiles/ancien-build/commune/12/2076/1408.pbf', 302],
      ['/api/territories/commune/00000', 404],
      ['/api/territories?limit=abc', 400],
      ['/nope', 404]
    ] as const) {
      const res = await t.app.request(path, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(res.status, path).toBe(status);
      expect(res.headers.get('X-Observatoire-Build'), path).toBe(t.fixture.buildId);
    }
    const { app } = createApp({ db: failingDb(), logger: { info() {}, warn() {}, error() {} } });
    const failed = await app.request('/api/indicators');
    expect(failed.status).toBe(500);
    expect(failed.headers.get('X-Observatoire-Build')).toBe(t.fixture.buildId);
  });

  it('answers unknown routes with a 404 JSON error', async () => {
    for (const path of ['/api/nope', '/api/territories/commune/93010/extra', '/ailleurs']) {
      const res = await t.json<{ error: { code: string; message: string } }>(path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('route_inconnue');
      expect(res.body.error.message).toContain('Aucune route');
    }
  });

  it('turns an unexpected failure into a logged 500 without details', async () => {
    const broken = failingDb();
    const logger = { lines: [] as string[], info() {}, warn() {}, error(m: string) { this.lines.push(m); } };
    const { app } = createApp({ db: broken, logger });
    const res = await app.request('/api/indicators');
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('erreur_interne');
    expect(body.error.message).not.toContain('disque plein');
    expect(logger.lines.join('\n')).toContain('disque plein');
  });

  it('releases the build of every request, failed ones included', async () => {
    let held = 0;
    const counting: Db = {
      ...t.db,
      acquire: () => {
        const lease = t.db.acquire();
        held++;
        return { build: lease.build, release: () => { held--; lease.release(); } };
      }
    };
    const { app } = createApp({ db: counting, logger: t.logger });
    await Promise.all(['/api/health', '/api/territories/commune/00000', '/api/territories?q=', '/nope'].map((p) => app.request(p)));
    expect(held).toBe(0);
  });
});

describe('bad input', () => {
  const templates = [
    (a: string) => `/api/territories?q=${a}`,
    (a: string, b: string) => `/api/territories?q=bondy&level=${a}&limit=${b}`,
    (a: string, b: string) => `/api/territories/${a}/${b}`,
    (a: string) => `/api/indicators/${a}`,
    (a: string, b: string) => `/api/indicators/population/values?level=${a}&year=${b}`,
    (a: string, b: string) => `/api/indicators/${a}/values?within=${b}&format=csv`,
    (a: string, b: string) => `/api/portraits/${a}/${b}`,
    (a: string, b: string) => `/tiles/${a}/12/2076/${b}.pbf`,
    (a: string, b: string) => `/tiles/${a}/${b}/1/1/1.pbf`,
    (a: string) => `/tiles/${a}.json`
  ];
  const raw = ['%', '%E0%A4%A', '..', '', ' ', "'", '"', '%00', '\u00e9', '🦆', '-1', '1e309', 'NaN', '[]', '{}', 'a'.repeat(300)];

  it('never answers 500, whatever the path and query hold', async () => {
    const fc = await import('fast-check');
    const segment = fc.oneof(fc.constantFrom(...raw), fc.string({ maxLength: 40 }).map(encodeURIComponent), fc.string({ maxLength: 12 }));
    await fc.assert(
      fc.asyncProperty(fc.nat(templates.length - 1), segment, segment, async (i, a, b) => {
        const res = await t.app.request((templates[i] as (a: string, b: string) => string)(a, b));
        expect(res.status, `${res.status} ${await res.clone().text()}`).toBeLessThan(500);
      }),
      { numRuns: 300 }
    );
  });

  it('never answers 500 to odd aggregate bodies', async () => {
    const fc = await import('fast-check');
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        const res = await t.app.request('/api/aggregate', { method: 'POST', body: JSON.stringify(body) });
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 200 }
    );
  });
});
