import { describe, expect, it } from 'vitest';
import { AdminApiError, createAdminClient, errorFromResponse, frenchDelay, parseRetryAfter } from './api.ts';

interface Seen {
  url: string;
  method: string;
  headers: Headers;
  body: string | null;
}

/** A fetch answering from a table of canned responses, recording what it was sent. */
function recordingFetch(answer: (url: string) => Response) {
  const seen: Seen[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const body = init?.body instanceof Blob ? await init.body.text() : ((init?.body as string | undefined) ?? null);
    seen.push({ url, method: init?.method ?? 'GET', headers: new Headers(init?.headers), body });
    return answer(url);
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

describe('admin API client', () => {
  it('sends the current CSRF token on POSTs and uploads, not on GETs', async () => {
    let token = 'jeton-anonyme';
    const { fetch, seen } = recordingFetch(() => json(200, { ok: true }));
    const api = createAdminClient({ fetch, csrfToken: () => token });
    await api.get('/api/admin/session');
    await api.post('/api/admin/session', { username: 'stat', password: 'x' });
    token = 'jeton-de-session';
    await api.upload('/api/admin/uploads?filename=a.csv', new Blob(['code;valeur\n93010;1\n']));
    expect(seen.map((s) => [s.method, s.headers.get('X-CSRF-Token')])).toEqual([
      ['GET', null],
      ['POST', 'jeton-anonyme'],
      ['POST', 'jeton-de-session']
    ]);
    expect(JSON.parse(seen[1]!.body!)).toEqual({ username: 'stat', password: 'x' });
    expect(seen[2]!.body).toBe('code;valeur\n93010;1\n');
    expect(seen[2]!.headers.get('Content-Type')).toBe('application/octet-stream');
  });

  it('posts an empty JSON object when no body is given (the publishing routes parse JSON)', async () => {
    const { fetch, seen } = recordingFetch(() => json(202, { job: { id: 'j' } }));
    await createAdminClient({ fetch, csrfToken: () => 't' }).post('/api/admin/drafts/b-1/preview');
    expect(seen[0]!.body).toBe('{}');
  });

  it('turns an API error body into an AdminApiError with the server’s French message and code', async () => {
    const { fetch } = recordingFetch(() =>
      json(400, { error: { code: 'fichier_invalide', message: 'a.csv, ligne 4, colonne 2 : nombre attendu, trouvé « x ».', details: { line: 4 } } })
    );
    const api = createAdminClient({ fetch, csrfToken: () => 't' });
    const error = await api.post('/api/admin/uploads/x/options', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect(error).toMatchObject({ status: 400, code: 'fichier_invalide', message: 'a.csv, ligne 4, colonne 2 : nombre attendu, trouvé « x ».' });
    expect((error as AdminApiError).details).toEqual({ line: 4 });
  });

  it('calls onUnauthorized on a 401 and still throws, so the page can stop what it was doing', async () => {
    const { fetch } = recordingFetch(() => json(401, { error: { code: 'session_expiree', message: 'Session expirée.' } }));
    const called: string[] = [];
    const api = createAdminClient({ fetch, csrfToken: () => 't', onUnauthorized: (e) => called.push(e.code) });
    const error = (await api.get('/api/admin/drafts').catch((e: unknown) => e)) as AdminApiError;
    expect(called).toEqual(['session_expiree']);
    expect(error.needsLogin).toBe(true);
  });

  it('adds the wait to a rate-limit message from Retry-After', async () => {
    const { fetch } = recordingFetch(() =>
      json(429, { error: { code: 'trop_de_tentatives', message: 'Trop de tentatives de connexion pour ce compte.' } }, { 'Retry-After': '840' })
    );
    const error = (await createAdminClient({ fetch, csrfToken: () => 't' }).post('/api/admin/session', {}).catch((e: unknown) => e)) as AdminApiError;
    expect(error.message).toBe('Trop de tentatives de connexion pour ce compte. Réessayez dans 14 minutes.');
    expect(error.retryAfter).toBe(840);
  });

  it('explains a network failure and a non-JSON answer in French', async () => {
    const failing = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof globalThis.fetch;
    const down = (await createAdminClient({ fetch: failing, csrfToken: () => null }).get('/api/admin/jobs').catch((e: unknown) => e)) as AdminApiError;
    expect(down.code).toBe('reseau');
    expect(down.message).toMatch(/^Le serveur ne répond pas/);

    const { fetch } = recordingFetch(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    const proxy = (await createAdminClient({ fetch, csrfToken: () => null }).get('/api/admin/jobs').catch((e: unknown) => e)) as AdminApiError;
    expect(proxy.message).toBe('Le serveur a rencontré une erreur (502) : réessayez dans un instant.');
  });

  it('refuses to send anything outside /api/admin (the token must not leave the back office)', async () => {
    const { fetch, seen } = recordingFetch(() => json(200, {}));
    const api = createAdminClient({ fetch, csrfToken: () => 'secret' });
    await expect(api.post('https://ailleurs.example/api/admin/x', {})).rejects.toThrow(/hors de \/api\/admin/);
    await expect(api.post('/api/indicators', {})).rejects.toThrow(/hors de \/api\/admin/);
    expect(seen).toEqual([]);
  });
});

describe('French fallbacks', () => {
  it('uses a French message by code or status when the body has none', () => {
    expect(errorFromResponse(413, null).message).toMatch(/^Le fichier est trop grand \(20 Mo au plus\)/);
    expect(errorFromResponse(403, { error: { code: 'csrf_invalide' } }).message).toMatch(/jeton de sécurité invalide/);
    expect(errorFromResponse(404, 'pas un objet').code).toBe('http_404');
  });

  it('says delays the way people do', () => {
    expect(frenchDelay(1)).toBe('1 seconde');
    expect(frenchDelay(40)).toBe('40 secondes');
    expect(frenchDelay(61)).toBe('2 minutes');
    expect(frenchDelay(900)).toBe('15 minutes');
    expect(frenchDelay(3600)).toBe('1 heure');
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(parseRetryAfter('120')).toBe(120);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', new Date('2026-10-21T07:27:00Z'))).toBe(60);
    expect(parseRetryAfter('bientôt')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});
