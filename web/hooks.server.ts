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
    let api: Awaited<ReturnType<typeof runtime>>;
    try {
      api = await runtime();
    } catch (e) {
      console.error(`API indisponible : ${(e as Error).message}`);
      const message = `La base de données n'a pas pu être ouverte : ${(e as Error).message}`;
      return Response.json({ error: { code: 'erreur_interne', message } }, { status: 503 });
    }
    return api.fetch(event.request);
  }
  const response = await resolve(event);
  // A page rendered on a draft's preview build is a statistician's alone: never cached.
  if (event.cookies.get('obs_apercu')) response.headers.set('Cache-Control', 'private, no-store');
  response.headers.set('X-Content-Type-Options', 'nosniff');
  response.headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
  return response;
};
