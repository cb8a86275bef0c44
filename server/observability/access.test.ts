import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../errors.ts';
import { ROUTES, annotateRequest, classifyUnannotated, requestObserver, splitTarget } from './access.ts';
import type { AccessRecord } from './logger.ts';
import type { ServerMetrics, StatusLabel } from './metrics.ts';

describe('splitTarget', () => {
  it('keeps the path apart from the query string', () => {
    expect(splitTarget('/api/indicators/population/values?level=commune&year=2021')).toEqual({
      path: '/api/indicators/population/values',
      query: 'level=commune&year=2021'
    });
    expect(splitTarget('/api/health')).toEqual({ path: '/api/health' });
    expect(splitTarget('/api/health?')).toEqual({ path: '/api/health' });
  });

  it('masks the values of sensitive parameters, however they are spelled', () => {
    const { query } = splitTarget('/x?token=abc&Password=s3cret&api%5Fkey=k&session_id=1&csrf=t&level=commune&q=mot+de+passe');
    expect(query).toBe('token=***&Password=***&api%5Fkey=***&session_id=***&csrf=***&level=commune&q=mot+de+passe');
    expect(query).not.toMatch(/abc|s3cret|=k&/);
  });

  it('bounds what a client can make us write', () => {
    const { path, query } = splitTarget(`/${'a'.repeat(5000)}?q=${'b'.repeat(5000)}`);
    expect(path.length).toBe(1024);
    expect(query?.length).toBe(1024);
  });
});

describe('classifyUnannotated', () => {
  it('gives the web app, its PDFs, its static files and the metrics a few fixed labels', () => {
    expect(classifyUnannotated('/carte?indicateur=x')).toBe(ROUTES.web);
    expect(classifyUnannotated('/portrait/commune/93010-bondy')).toBe(ROUTES.web);
    expect(classifyUnannotated('/portrait/commune/93010-bondy/pdf')).toBe(ROUTES.webPdf);
    expect(classifyUnannotated('/_app/immutable/chunks/a.js')).toBe(ROUTES.webStatic);
    expect(classifyUnannotated('/favicon.png')).toBe(ROUTES.webStatic);
    expect(classifyUnannotated('/metrics')).toBe(ROUTES.metrics);
    expect(classifyUnannotated('/api/nimporte/quoi')).toBe(ROUTES.unrouted);
  });
});

/** A recording stand-in for the Prometheus side, to see what the observer reports. */
function recordingMetrics() {
  const samples: { route: string; method: string; status: StatusLabel }[] = [];
  const codes: string[] = [];
  const metrics: ServerMetrics = {
    contentType: 'text/plain',
    observeHttp: (route, method, status) => samples.push({ route, method, status }),
    countError: (code) => codes.push(code),
    countRejected: () => undefined,
    render: async () => ''
  };
  return { metrics, samples, codes };
}

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
});

async function serve(records: AccessRecord[], metrics: ServerMetrics) {
  const app = new Hono<{ Variables: { build: { id: string } } }>();
  app.use('*', annotateRequest);
  app.use('/api/*', async (c, next) => {
    c.set('build', { id: 'build-7' });
    await next();
  });
  app.get('/api/territories/:level/:code', (c) => c.json({ code: c.req.param('code') }));
  app.get('/api/tiles/:z/:y{[0-9]+\\.pbf}', (c) => c.body(null, 204));
  app.get('/api/refus', () => {
    throw new ApiError(400, 'parametre_invalide', 'non');
  });
  app.use('/api/prive/*', async (c, next) => (c.req.header('authorization') ? next() : c.json({ error: { code: 'authentification_requise' } }, 401)));
  app.get('/api/prive/:id', (c) => c.json({ id: c.req.param('id') }));
  app.get('/api/panne', () => {
    throw new Error('boum');
  });
  app.notFound((c) => c.json({ error: { code: 'route_inconnue' } }, 404));
  app.onError((err, c) => c.json({ error: { message: err.message } }, err instanceof ApiError ? err.status : 500));
  const hono = getRequestListener(app.fetch);
  const observer = requestObserver({ access: (r) => records.push(r), metrics, currentBuild: () => 'build-courant' });
  server = createServer((req, res) => {
    observer.observe(req, res);
    if (req.url === '/carte') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<p>carte</p>');
    void hono(req, res);
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, observer };
}

describe('requestObserver', () => {
  it('writes one access record per request, labelled with the route pattern rather than the path', async () => {
    const records: AccessRecord[] = [];
    const { metrics, samples, codes } = recordingMetrics();
    const { url, observer } = await serve(records, metrics);
    const ok = await fetch(`${url}/api/territories/commune/93010?token=secret`, { headers: { Cookie: 'obs_session=abc', 'X-Request-Id': 'req-42' } });
    const body = await ok.text();
    await fetch(`${url}/api/tiles/12/1408.pbf`);
    await fetch(`${url}/api/refus`);
    await fetch(`${url}/api/prive/7`);
    await fetch(`${url}/api/panne`);
    await fetch(`${url}/api/absente/1`);
    await fetch(`${url}/carte`);
    await new Promise((r) => setTimeout(r, 50));
    expect(records.map((r) => [r.method, r.route, r.status])).toEqual([
      ['GET', '/api/territories/{level}/{code}', 200],
      ['GET', '/api/tiles/{z}/{y}.pbf', 204],
      ['GET', '/api/refus', 400],
      ['GET', '/api/prive/{id}', 401],
      ['GET', '/api/panne', 500],
      ['GET', ROUTES.unrouted, 404],
      ['GET', ROUTES.web, 200]
    ]);
    const first = records[0] as AccessRecord;
    expect(first).toMatchObject({ path: '/api/territories/commune/93010', query: 'token=***', build: 'build-7', requestId: 'req-42' });
    expect(first.bytes).toBeGreaterThan(Buffer.byteLength(body));
    expect(first.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(records)).not.toMatch(/obs_session|abc|secret/);
    expect(records[6]?.build).toBe('build-courant');
    expect(records[4]?.err?.message).toBe('boum');
    expect(records[2]?.err).toBeUndefined();
    expect(samples.map((s) => s.route)).toEqual(records.map((r) => r.route));
    expect(codes).toEqual(['parametre_invalide', 'erreur_interne']);
    expect(observer.inFlight()).toBe(0);
  });

  it('marks a request the client abandoned', async () => {
    const records: AccessRecord[] = [];
    const { metrics, samples } = recordingMetrics();
    const observer = requestObserver({ access: (r) => records.push(r), metrics, currentBuild: () => 'b' });
    server = createServer((req, res) => {
      observer.observe(req, res);
      res.writeHead(200).write('début');
      // never ended: the client gives up
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/lent`, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(observer.inFlight()).toBe(1);
    controller.abort();
    const deadline = Date.now() + 2000;
    while (records.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(records[0]).toMatchObject({ path: '/lent', aborted: true });
    expect(samples[0]?.status).toBe('abandon');
    expect(observer.inFlight()).toBe(0);
  });
});
