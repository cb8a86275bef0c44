import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiPath } from './routing.ts';
import { type FixtureApp, fixtureApp } from './testing/fixture-app.ts';
import { FIXTURE } from './testing/fixture-db.ts';

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { summary: string; parameters: { name: string; in: string }[]; responses: Record<string, unknown>; requestBody?: unknown }>>;
  components: { schemas: Record<string, unknown> };
}

let t: FixtureApp;
let doc: OpenApi;
beforeAll(async () => {
  t = await fixtureApp();
  doc = (await t.json<OpenApi>('/api/openapi.json')).body;
});
afterAll(() => t.close());

describe('GET /api/openapi.json', () => {
  it('documents every route the app serves', () => {
    const served = t.app.routes
      .filter((r) => r.method === 'GET' || r.method === 'POST')
      .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path).replace(/\/$/, '') || '/'}`);
    expect(served.length).toBeGreaterThanOrEqual(14);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(new Set(documented)).toEqual(new Set(served));
  });

  it('is OpenAPI 3.1 with parameters and bodies from the zod schemas', () => {
    expect(doc.openapi).toBe('3.1.0');
    const values = doc.paths['/api/indicators/{id}/values']?.get;
    expect(values?.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['path:id', 'query:level', 'query:year', 'query:within', 'query:format']);
    expect(JSON.stringify(values?.parameters.find((p) => p.name === 'format'))).toContain('"enum":["json","csv","xlsx","geojson"]');
    const aggregate = doc.paths['/api/aggregate']?.post;
    expect(JSON.stringify(aggregate?.requestBody)).toContain('"communes"');
    expect(doc.paths['/tiles/{build}/{layer}/{z}/{x}/{y}.pbf']?.get?.responses).toHaveProperty('204');
    expect(doc.paths['/tiles/{layer}.json']?.get).toBeDefined();
    expect(doc.components.schemas.Erreur).toBeDefined();
  });

  it('matches what the routes answer (each documented JSON response parses)', async () => {
    const samples: Record<string, string> = {
      '/api/health': '/api/health',
      '/api/health/live': '/api/health/live',
      '/api/health/ready': '/api/health/ready',
      '/api/levels': '/api/levels',
      '/api/territories': '/api/territories?q=bondy',
      '/api/territories/{level}/{code}': `/api/territories/commune/${FIXTURE.bondy}`,
      '/api/indicators': '/api/indicators',
      '/api/indicators/{id}': '/api/indicators/taux-chomage',
      '/api/indicators/{id}/values': '/api/indicators/taux-chomage/values?level=commune',
      '/api/portraits/{level}/{code}': `/api/portraits/iris/${FIXTURE.irisCentre}`,
      '/api/portraits/groupe': `/api/portraits/groupe?communes=${FIXTURE.bondy},${FIXTURE.paris}`,
      '/tiles/{layer}.json': '/tiles/commune.json',
      '/api/openapi.json': '/api/openapi.json'
    };
    // the cadastre routes need the cadastre tables, absent from the fixture: routes/cadastre.test.ts checks them on the test build
    const withSchema = t.docs.filter((d) => d.method === 'get' && d.spec.response && !d.path.includes('/cadastre'));
    expect(withSchema.map((d) => d.path).sort()).toEqual(Object.keys(samples).sort());
    for (const route of withSchema) {
      const { status, body } = await t.json(samples[route.path] as string);
      expect(status, route.path).toBe(200);
      const parsed = route.spec.response?.safeParse(body);
      expect(parsed?.error, route.path).toBeUndefined();
    }
    const post = t.docs.find((d) => d.method === 'post');
    const { body } = await t.json('/api/aggregate', {
      method: 'POST',
      body: JSON.stringify({ communes: [FIXTURE.bondy], indicators: ['population', 'taux-chomage', 'revenu-median'] })
    });
    expect(post?.spec.response?.safeParse(body).error).toBeUndefined();
  });
});

describe('GET /api', () => {
  it('is a readable page listing every endpoint', async () => {
    const res = await t.app.request('/api');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('<html lang="fr">');
    for (const path of Object.keys(doc.paths)) expect(html).toContain(`<code>${path}</code>`);
    expect(html).toContain('href="/api/openapi.json"');
  });
});
