import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { Build } from './db.ts';
import { ApiError, validate } from './errors.ts';

/** The account behind a request, set by the session middleware (server/admin/auth). */
export interface SessionUser {
  username: string;
  displayName: string;
  role: 'admin' | 'statisticien';
  /** The session's anti-CSRF token, echoed by the client in `X-CSRF-Token`. */
  csrfToken: string;
}

export interface AppEnv {
  Variables: { build: Build; user?: SessionUser | undefined };
}
export type Ctx = Context<AppEnv>;

const Empty = z.object({});
type Empty = typeof Empty;

export interface ResponseDoc {
  description: string;
  /** JSON body; other content types are described by `contentType` alone. */
  schema?: z.ZodType;
  contentType?: string;
}

export interface RouteSpec<P extends z.ZodObject, Q extends z.ZodObject, B extends z.ZodType> {
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** The JSON body of a 200. */
  response?: z.ZodType;
  /** Other documented responses: downloads, 204, 304… */
  responses?: Record<number, ResponseDoc>;
}

export interface RouteDoc {
  method: 'get' | 'post';
  /** OpenAPI form: `/api/territories/{level}/{code}`. */
  path: string;
  tag: string;
  spec: RouteSpec<z.ZodObject, z.ZodObject, z.ZodType>;
}

export interface Input<P extends z.ZodObject, Q extends z.ZodObject, B> {
  params: z.output<P>;
  query: z.output<Q>;
  body: B;
}

type Handler<P extends z.ZodObject, Q extends z.ZodObject, B> = (
  c: Ctx,
  input: Input<P, Q, B>
) => Response | Promise<Response>;

/**
 * A Hono sub-app whose routes declare zod schemas: the same schemas validate the
 * request and generate the OpenAPI document, so the two cannot drift apart.
 */
export class Router {
  readonly app = new Hono<AppEnv>();
  readonly docs: RouteDoc[] = [];
  readonly prefix: string;
  readonly tag: string;

  constructor(prefix: string, tag: string) {
    this.prefix = prefix;
    this.tag = tag;
  }

  get<P extends z.ZodObject = Empty, Q extends z.ZodObject = Empty>(
    path: string,
    spec: RouteSpec<P, Q, z.ZodUndefined>,
    handler: Handler<P, Q, undefined>
  ): this {
    this.document('get', path, spec);
    this.app.get(path, (c) => {
      const params = validate(spec.params ?? Empty, c.req.param(), 'chemin') as z.output<P>;
      const query = validate(spec.query ?? Empty, c.req.query(), 'requête') as z.output<Q>;
      return handler(c, { params, query, body: undefined });
    });
    return this;
  }

  post<B extends z.ZodType, P extends z.ZodObject = Empty, Q extends z.ZodObject = Empty>(
    path: string,
    spec: RouteSpec<P, Q, B> & { body: B; maxBodyBytes: number },
    handler: Handler<P, Q, z.output<B>>
  ): this {
    this.document('post', path, spec);
    const limit = bodyLimit({
      maxSize: spec.maxBodyBytes,
      onError: () => {
        throw new ApiError(400, 'corps_trop_grand', `Le corps de la requête dépasse ${spec.maxBodyBytes} octets.`);
      }
    });
    this.app.post(path, limit, async (c) => {
      const params = validate(spec.params ?? Empty, c.req.param(), 'chemin') as z.output<P>;
      const query = validate(spec.query ?? Empty, c.req.query(), 'requête') as z.output<Q>;
      let json: unknown;
      try {
        json = JSON.parse(await c.req.text());
      } catch {
        // V8's parse message is English and adds nothing a client can act on.
        throw new ApiError(400, 'corps_invalide', "Le corps de la requête n'est pas du JSON valide.");
      }
      const body = validate(spec.body, json, 'corps');
      return handler(c, { params, query, body });
    });
    return this;
  }

  /**
   * A POST whose body is a file, read by the handler itself (uploads): no JSON parsing, the
   * handler enforces its own size limit while reading.
   */
  postBinary<P extends z.ZodObject = Empty, Q extends z.ZodObject = Empty>(
    path: string,
    spec: RouteSpec<P, Q, z.ZodUndefined>,
    handler: Handler<P, Q, undefined>
  ): this {
    this.document('post', path, { ...spec, body: z.unknown().meta({ description: 'Contenu brut du fichier' }) });
    this.app.post(path, (c) => {
      const params = validate(spec.params ?? Empty, c.req.param(), 'chemin') as z.output<P>;
      const query = validate(spec.query ?? Empty, c.req.query(), 'requête') as z.output<Q>;
      return handler(c, { params, query, body: undefined });
    });
    return this;
  }

  private document(method: RouteDoc['method'], path: string, spec: RouteSpec<z.ZodObject, z.ZodObject, z.ZodType>) {
    this.docs.push({ method, path: openApiPath(this.prefix + (path === '/' ? '' : path)), tag: this.tag, spec });
  }
}

/**
 * Hono path → OpenAPI path: `:level` → `{level}`, and a regex parameter keeps a
 * literal suffix it requires, so `:y{[0-9]+\.pbf}` → `{y}.pbf`.
 */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)(\{((?:[^{}]|\{[^{}]*\})*)\})?/g, (_match, name: string, _group, regex?: string) => {
    const suffix = regex ? /\\\.(\w+)$/.exec(regex)?.[1] : undefined;
    return suffix ? `{${name}}.${suffix}` : `{${name}}`;
  });
}
