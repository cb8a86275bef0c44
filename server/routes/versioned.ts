import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { Router } from '../routing.ts';
import { IMMUTABLE } from '../tiles/http.ts';

/** What may be read under a build-versioned address: the public API, not the back office. */
const VERSIONED = /^(?!admin(\/|$)|b(\/|$))[\w./%~-]{1,500}$/;

/**
 * `GET /api/b/{build}/{route}` answers `GET /api/{route}` as computed on that build, with a
 * year-long immutable cache policy: a portrait or a map's values, seen a thousand times,
 * reach the server once per build when a CDN sits in front (tiles already work this way,
 * `/tiles/{build}/…`). The answer must not depend on who asks, so the inner request carries
 * no cookie: a statistician's preview never ends up in a shared cache. A build that is no
 * longer in service redirects (302) to the same route of the current build, like tiles.
 */
export function versionedRoutes(fetchApp: () => (request: Request) => Response | Promise<Response>): Router {
  const r = new Router('/api/b', 'Adresses versionnées');

  r.get(
    '/:build/:route{.+}',
    {
      summary: 'Une route publique de l’API, figée sur un build (cache immuable)',
      description:
        'Même réponse que `GET /api/{route}` (paramètres de requête compris), calculée sur le build nommé, avec `Cache-Control: ' +
        IMMUTABLE +
        '`. Un build qui n’est plus en service redirige (302) vers le build courant. Les routes d’administration ne sont pas servies ici.',
      params: z.object({
        build: z.string().regex(/^[\w.-]{1,128}$/, 'identifiant de build attendu'),
        route: z.string().regex(VERSIONED, 'route publique de l’API attendue (ni admin/ ni b/)')
      }),
      responses: { 302: { description: 'Build périmé : redirection vers le build courant' } }
    },
    async (c, { params }) => {
      const current = c.get('build').id;
      const url = new URL(c.req.url);
      if (params.build !== current) {
        c.header('Cache-Control', 'no-store');
        return c.redirect(`/api/b/${encodeURIComponent(current)}/${params.route}${url.search}`, 302);
      }
      const headers = new Headers(c.req.raw.headers);
      headers.delete('cookie');
      const inner = await fetchApp()(new Request(new URL(`/api/${params.route}${url.search}`, url), { method: 'GET', headers }));
      const served = inner.headers.get('X-Observatoire-Build');
      if (served !== null && served !== current) {
        // the build was swapped between the two requests: the versioned address names the old one
        throw new ApiError(503, 'service_indisponible', 'Le build vient de changer : réessayez.');
      }
      const out = new Response(inner.body, inner);
      if (inner.status === 200) out.headers.set('Cache-Control', IMMUTABLE);
      out.headers.set('Vary', 'Accept-Encoding');
      return out;
    }
  );

  return r;
}
