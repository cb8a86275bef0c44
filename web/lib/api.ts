import { error } from '@sveltejs/kit';
import type { ApiErrorBody } from './types';

type Fetch = typeof fetch;

/** GETs an API path and parses its JSON; an API error becomes a SvelteKit error with the API's French message. */
export async function getJson<T>(fetch: Fetch, path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    error(503, { message: `L’API ne répond pas (${path}) : ${(cause as Error).message}` });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    error(502, { message: `Réponse inattendue de l’API pour ${path} (statut ${response.status}).` });
  }
  if (!response.ok) {
    const e = (body as ApiErrorBody).error;
    error(response.status === 404 ? 404 : response.status >= 500 ? 502 : response.status, {
      message: e?.message ?? `Erreur ${response.status} de l’API.`,
      code: e?.code
    });
  }
  return body as T;
}

/** Client-side: same, but throws a plain Error (no SvelteKit error page in the middle of an interaction). */
export async function fetchJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(path, { signal, headers: { Accept: 'application/json' } });
  const body = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const message = (body as ApiErrorBody | null)?.error?.message ?? `Erreur ${response.status}`;
    throw new Error(message);
  }
  return body as T;
}
