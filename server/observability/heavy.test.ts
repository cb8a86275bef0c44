import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RETRY_AFTER_S, heavyLimiter, isHeavy } from './heavy.ts';

describe('isHeavy', () => {
  it('recognises PDFs and file exports, and nothing else', () => {
    expect(isHeavy('/portrait/commune/93010-bondy/pdf')).toBe(true);
    expect(isHeavy('/portrait/groupe/93010,93048/pdf?x=1')).toBe(true);
    expect(isHeavy('/portrait/commune/93010-bondy/donnees.xlsx')).toBe(true);
    expect(isHeavy('/api/indicators/population/values?level=commune&format=xlsx')).toBe(true);
    expect(isHeavy('/api/cadastre/93010/parcelles?format=gpkg&vintage=2024-01-01')).toBe(true);
    expect(isHeavy('/portrait/commune/93010-bondy')).toBe(false);
    expect(isHeavy('/portrait/commune/93010-bondy/donnees.csv')).toBe(false);
    expect(isHeavy('/api/indicators/population/values?level=commune&format=csv')).toBe(false);
    expect(isHeavy('/api/indicators/population/values?monformat=xlsx')).toBe(false);
    expect(isHeavy('/carte?format=xlsx')).toBe(false);
  });
});

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
});

describe('heavyLimiter', () => {
  it('answers 503 surcharge with Retry-After past the limit, and frees the slot when a response ends', async () => {
    const rejected: number[] = [];
    const limiter = heavyLimiter(1, () => rejected.push(1));
    const release: (() => void)[] = [];
    server = createServer((req, res) => {
      if (!limiter.admit(req, res)) return;
      release.push(() => res.end('%PDF'));
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const pdf = `${base}/portrait/commune/93010-bondy/pdf`;

    const first = fetch(pdf);
    while (release.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(limiter.inFlight()).toBe(1);
    const refused = await fetch(pdf);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe(String(RETRY_AFTER_S));
    expect(await refused.json()).toEqual({ error: { code: 'surcharge', message: expect.stringContaining('réessayez dans 10 secondes') } });
    expect(rejected).toHaveLength(1);

    // a light request is never held back
    const light = fetch(`${base}/portrait/commune/93010-bondy`);
    while (release.length < 2) await new Promise((r) => setTimeout(r, 5));
    release[1]?.();
    expect((await light).status).toBe(200);

    release[0]?.();
    expect(await (await first).text()).toBe('%PDF');
    const deadline = Date.now() + 2000;
    while (limiter.inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const again = fetch(pdf);
    while (release.length < 3) await new Promise((r) => setTimeout(r, 5));
    release[2]?.();
    expect((await again).status).toBe(200);
  });
});
