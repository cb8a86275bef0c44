import { z } from 'zod';
import { apiPage, openApiDocument } from '../openapi.ts';
import { type RouteDoc, Router } from '../routing.ts';

export const API_VERSION = '1.0.0';

/** `docs()` returns every documented route, these two included, once the app is assembled. */
export function docsRoutes(docs: () => readonly RouteDoc[]): Router {
  const r = new Router('/api', 'Documentation');
  let document: Record<string, unknown> | null = null;
  const generated = () => (document ??= openApiDocument(docs(), { version: API_VERSION }));

  r.get(
    '/openapi.json',
    { summary: 'Document OpenAPI 3.1, généré depuis les schémas des routes', response: z.record(z.string(), z.unknown()) },
    (c) => c.json(generated())
  );
  r.get(
    '/',
    { summary: "Page lisible de l'API", responses: { 200: { description: 'Page HTML', contentType: 'text/html' } } },
    (c) => c.html(apiPage(generated()))
  );
  return r;
}
