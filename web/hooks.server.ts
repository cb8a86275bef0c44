import type { Handle } from '@sveltejs/kit';
import { runtime } from '$lib/server/runtime';

/** Hono owns these paths (as in server/serve.ts); SvelteKit everything else. */
const OWNED = /^\/(api|tiles)(\/|$)/;

/**
 * `/api` and `/tiles` answered in-process by the Hono app: the `fetch` of `load`
 * reaches the API without an HTTP hop, and `vite dev` serves the API too.
 */
export const handle: Handle = async ({ event, resolve }) => {
  if (OWNED.test(event.url.pathname)) {
    const { fetch } = await runtime();
    return fetch(event.request);
  }
  const response = await resolve(event);
  response.headers.set('X-Content-Type-Options', 'nosniff');
  response.headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
  return response;
};
