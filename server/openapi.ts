import { z } from 'zod';
import { ErrorBodySchema } from './errors.ts';
import type { RouteDoc } from './routing.ts';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function isOptional(schema: z.ZodType): boolean {
  return schema.safeParse(undefined).success;
}

function parameters(object: z.ZodObject | undefined, location: 'path' | 'query') {
  if (!object) return [];
  return Object.entries(object.shape).map(([name, field]) => {
    const schema = jsonSchema(field as z.ZodType, 'input');
    return {
      name,
      in: location,
      required: location === 'path' || !isOptional(field as z.ZodType),
      ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
      schema
    };
  });
}

const ERROR_REF = { $ref: '#/components/schemas/Erreur' };

/** OpenAPI 3.1 document generated from the routes' zod schemas. */
export function openApiDocument(docs: readonly RouteDoc[], info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of docs) {
    const { spec } = doc;
    const responses: Record<string, unknown> = {};
    if (spec.response) {
      responses['200'] = {
        description: 'Succès',
        content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } }
      };
    }
    for (const [status, r] of Object.entries(spec.responses ?? {})) {
      const existing = responses[status] as { content?: Record<string, unknown> } | undefined;
      const content: Record<string, unknown> = { ...existing?.content };
      if (r.schema) content['application/json'] = { schema: jsonSchema(r.schema, 'output') };
      if (r.contentType) content[r.contentType] = {};
      responses[status] = { description: r.description, ...(Object.keys(content).length ? { content } : {}) };
    }
    responses['400'] = { description: 'Paramètre ou corps invalide', content: { 'application/json': { schema: ERROR_REF } } };
    responses['404'] = { description: 'Niveau, territoire, indicateur ou couche inconnus', content: { 'application/json': { schema: ERROR_REF } } };
    const operation: Record<string, unknown> = {
      tags: [doc.tag],
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      operationId: `${doc.method}${doc.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch?: string) => (ch ? ch.toUpperCase() : ''))}`,
      parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
      responses
    };
    if (spec.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } };
    }
    (paths[doc.path] ??= {})[doc.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Observatoire — API',
      version: info.version,
      description:
        'Indicateurs, territoires, portraits et tuiles vectorielles de l’observatoire territorial de la Seine-Saint-Denis. ' +
        'Réponses JSON ; erreurs `{error: {code, message}}` avec un code stable et un message en français.'
    },
    paths,
    components: { schemas: { Erreur: jsonSchema(ErrorBodySchema, 'output') } }
  };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

interface Operation {
  summary: string;
  description?: string;
  parameters: { name: string; in: string; required: boolean; description?: string }[];
  requestBody?: unknown;
}

/** A readable page listing the endpoints of the document, without any script. */
export function apiPage(document: Record<string, unknown>): string {
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const sections = Object.entries(paths)
    .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })))
    .map(({ path, method, op }) => {
      const params = op.parameters
        .map(
          (p) =>
            `<li><code>${escape(p.name)}</code> <small>(${p.in === 'path' ? 'chemin' : 'requête'}${p.required ? ', obligatoire' : ''})</small>${p.description ? ` — ${escape(p.description)}` : ''}</li>`
        )
        .join('');
      return `<section>
<h2><span class="m">${method.toUpperCase()}</span> <code>${escape(path)}</code></h2>
<p>${escape(op.summary)}</p>${op.description ? `<p class="d">${escape(op.description)}</p>` : ''}
${params ? `<ul>${params}</ul>` : ''}${op.requestBody ? '<p><small>Corps JSON : voir le document OpenAPI.</small></p>' : ''}
</section>`;
    })
    .join('\n');
  const info = document.info as { title: string; version: string; description: string };
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escape(info.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
h2{font-size:1.05rem;margin:1.5rem 0 .25rem}.m{display:inline-block;min-width:3.5rem;color:#005a9c}.d{color:#444}
code{font-family:ui-monospace,monospace}section{border-top:1px solid #ddd}</style></head>
<body><h1>${escape(info.title)}</h1><p>${escape(info.description)}</p>
<p>Document OpenAPI 3.1 : <a href="/api/openapi.json">/api/openapi.json</a> — version ${escape(info.version)}</p>
${sections}
</body></html>`;
}
