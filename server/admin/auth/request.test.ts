import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { foreignOrigin } from './csrf.ts';
import { clientIp, isHttps, requestOrigin } from './request.ts';

function probe(trustProxy: boolean) {
  const app = new Hono();
  app.all('*', (c) => c.json({ ip: clientIp(c, trustProxy), origin: requestOrigin(c, trustProxy), https: isHttps(c, trustProxy), foreign: foreignOrigin(c, trustProxy) }));
  return async (url: string, headers: Record<string, string> = {}) => (await app.request(url, { headers })).json();
}

describe('client address and origin', () => {
  it('ignores X-Forwarded-* unless the proxy is trusted', async () => {
    const ask = probe(false);
    expect(await ask('http://portail:3000/x', { 'X-Forwarded-For': '203.0.113.5', 'X-Forwarded-Proto': 'https', Origin: 'http://portail:3000' })).toEqual({
      ip: 'inconnue',
      origin: 'http://portail:3000',
      https: false,
      foreign: false
    });
  });

  it('behind a trusted proxy, takes the last X-Forwarded-For entry and the forwarded scheme and host', async () => {
    const ask = probe(true);
    const answer = await ask('http://127.0.0.1:3000/x', {
      'X-Forwarded-For': '6.6.6.6, 203.0.113.5',
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Host': 'Observatoire.example:443',
      Origin: 'https://observatoire.example'
    });
    expect(answer).toEqual({ ip: '203.0.113.5', origin: 'https://observatoire.example', https: true, foreign: false });
  });

  it('flags an Origin from another site, or the opaque origin null', async () => {
    const ask = probe(false);
    expect((await ask('http://portail/x', { Origin: 'http://evil.example' })).foreign).toBe(true);
    expect((await ask('http://portail/x', { Origin: 'null' })).foreign).toBe(true);
    expect((await ask('http://portail/x', { Origin: 'https://portail' })).foreign).toBe(true);
    expect((await ask('http://portail/x')).foreign).toBe(false);
  });
});

describe('client address over a real socket', () => {
  it('is the socket’s remote address (getConnInfo) when not behind a trusted proxy', async () => {
    const { serve } = await import('@hono/node-server');
    const app = new Hono();
    app.get('/ip', (c) => c.text(clientIp(c, false)));
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    try {
      const { port } = server.address() as { port: number };
      const ip = await (await fetch(`http://127.0.0.1:${port}/ip`, { headers: { 'X-Forwarded-For': '203.0.113.5' } })).text();
      expect(ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
