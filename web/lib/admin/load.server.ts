/**
 * What every back-office `load` does with the API: read it with the visitor's cookies (the
 * `fetch` of `load` forwards them), send an anonymous or expired visitor to the login page,
 * and turn a refusal into the right error page.
 */
import { error, redirect } from '@sveltejs/kit';
import { errorFromResponse, networkError, parseJson } from './api.ts';
import { loginPath } from './paths.ts';
import type { SessionResponse } from './types.ts';

type Fetch = typeof fetch;

export interface AdminEvent {
  fetch: Fetch;
  url: URL;
}

async function read(fetch: Fetch, path: string): Promise<{ status: number; body: unknown; retryAfter: string | null }> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { Accept: 'application/json' } });
  } catch (cause) {
    error(503, { message: networkError(cause).message, code: 'reseau' });
  }
  return { status: response.status, body: parseJson(await response.text()), retryAfter: response.headers.get('Retry-After') };
}

/** GET under /api/admin: the JSON, or a redirect to the login page (401), or an error page. */
export async function adminGet<T>(event: AdminEvent, path: string): Promise<T> {
  const { status, body, retryAfter } = await read(event.fetch, path);
  if (status >= 200 && status < 300 && body !== null) return body as T;
  const e = errorFromResponse(status, body, retryAfter);
  if (status === 401) redirect(303, loginPath(`${event.url.pathname}${event.url.search}`, e.code === 'session_expiree' ? 'expiree' : undefined));
  error(status === 404 || status === 403 || status === 409 || status === 400 ? status : 502, { message: e.message, code: e.code });
}

/**
 * Who is logged in and the anti-CSRF token (GET /api/admin/session). A server started
 * without the back office answers 404 there: the whole /admin space is then a 404.
 */
export async function loadSession(fetch: Fetch): Promise<SessionResponse> {
  const { status, body, retryAfter } = await read(fetch, '/api/admin/session');
  if (status === 404) error(404, { message: 'L’espace statisticiens n’est pas activé sur ce serveur.', code: 'route_inconnue' });
  if (status !== 200 || body === null) {
    const e = errorFromResponse(status, body, retryAfter);
    error(502, { message: e.message, code: e.code });
  }
  return body as SessionResponse;
}
