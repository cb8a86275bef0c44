import { isHttpError, isRedirect } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { adminGet, loadSession } from './load.server.ts';
import { activePreview } from './preview.server.ts';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const answering = (response: () => Response) => {
  const asked: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    asked.push(String(input));
    return response();
  }) as typeof globalThis.fetch;
  return { fetch, asked };
};
const thrown = async (run: () => Promise<unknown>): Promise<unknown> => run().then(() => null, (e: unknown) => e);

describe('back-office loads', () => {
  const url = new URL('http://portail.test/admin/journal?page=2');

  it('returns the JSON of a successful answer', async () => {
    const { fetch } = answering(() => json(200, { drafts: [] }));
    expect(await adminGet({ fetch, url }, '/api/admin/drafts')).toEqual({ drafts: [] });
  });

  it('sends an anonymous visitor to the login page, back to where they were going', async () => {
    const { fetch } = answering(() => json(401, { error: { code: 'authentification_requise', message: 'Connectez-vous.' } }));
    const e = await thrown(() => adminGet({ fetch, url }, '/api/admin/drafts'));
    expect(isRedirect(e)).toBe(true);
    expect(isRedirect(e) && [e.status, e.location]).toEqual([303, '/admin/connexion?suite=%2Fadmin%2Fjournal%3Fpage%3D2']);
  });

  it('says why when the session ended', async () => {
    const { fetch } = answering(() => json(401, { error: { code: 'session_expiree', message: 'Session expirée.' } }));
    const e = await thrown(() => adminGet({ fetch, url }, '/api/admin/drafts'));
    expect(isRedirect(e) && e.location).toBe('/admin/connexion?suite=%2Fadmin%2Fjournal%3Fpage%3D2&motif=expiree');
  });

  it('shows a refused role as a 403 page with the API’s French message, and a server failure as a 502', async () => {
    const refused = answering(() => json(403, { error: { code: 'acces_refuse', message: 'Cette action est réservée aux administrateurs.' } }));
    const e = await thrown(() => adminGet({ fetch: refused.fetch, url }, '/api/admin/users'));
    expect(isHttpError(e) && [e.status, e.body.message, e.body.code]).toEqual([403, 'Cette action est réservée aux administrateurs.', 'acces_refuse']);
    const broken = answering(() => new Response('oops', { status: 500 }));
    const f = await thrown(() => adminGet({ fetch: broken.fetch, url }, '/api/admin/users'));
    expect(isHttpError(f) && f.status).toBe(502);
  });

  it('makes the whole /admin space a 404 on a server without the back office', async () => {
    const { fetch } = answering(() => json(404, { error: { code: 'route_inconnue', message: 'Aucune route.' } }));
    const e = await thrown(() => loadSession(fetch));
    expect(isHttpError(e) && [e.status, e.body.message]).toEqual([404, 'L’espace statisticiens n’est pas activé sur ce serveur.']);
  });
});

describe('preview banner', () => {
  const cookies = (value?: string) => ({ get: (name: string) => (name === 'obs_apercu' ? value : undefined) });
  const draft = { id: 'brouillon-abc-1', indicatorId: 'x', year: 2022, state: 'brouillon', preview: true, description: { label: 'Libellé <b>x</b>' } };

  it('asks nothing without a preview cookie, or with a malformed one', async () => {
    const { fetch, asked } = answering(() => json(200, { draft }));
    expect(await activePreview(fetch, cookies())).toBeNull();
    expect(await activePreview(fetch, cookies('../../etc'))).toBeNull();
    expect(asked).toEqual([]);
  });

  it('shows the banner only when the API serves the preview to this visitor', async () => {
    const ok = answering(() => json(200, { draft }));
    expect(await activePreview(ok.fetch, cookies('brouillon-abc-1'))).toEqual({ draftId: 'brouillon-abc-1', indicatorId: 'x', label: 'Libellé <b>x</b>', year: 2022 });
    expect(ok.asked).toEqual(['/api/admin/drafts/brouillon-abc-1']);
    const visitor = answering(() => json(401, { error: { code: 'authentification_requise', message: '…' } }));
    expect(await activePreview(visitor.fetch, cookies('brouillon-abc-1'))).toBeNull();
    const notBuilt = answering(() => json(200, { draft: { ...draft, preview: false } }));
    expect(await activePreview(notBuilt.fetch, cookies('brouillon-abc-1'))).toBeNull();
    const published = answering(() => json(200, { draft: { ...draft, state: 'publie' } }));
    expect(await activePreview(published.fetch, cookies('brouillon-abc-1'))).toBeNull();
  });
});
