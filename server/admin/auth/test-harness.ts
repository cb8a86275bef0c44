/**
 * For tests: a real admin store in a temp dir, the auth middlewares and routes mounted as
 * in server/app.ts (session on `*`, CSRF on `/api/admin/*`, same error rendering), a clock
 * the test moves, and a small browser that keeps cookies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { memoryLogger } from '../../../etl/core/logger.ts';
import { ApiError, errorBody } from '../../errors.ts';
import type { AppEnv } from '../../routing.ts';
import { adminAuthRoutes } from '../../routes/admin-auth.ts';
import { type AdminStore, openAdminStore } from '../store.ts';
import { type Role, createUser } from '../users.ts';
import { type AuthDeps, mountAuth, requireUser } from './middleware.ts';
import type { AuthOptions } from './settings.ts';

export const START = new Date('2026-11-23T15:00:00Z');

export interface Harness {
  app: Hono<AppEnv>;
  store: AdminStore;
  deps: AuthDeps;
  logger: ReturnType<typeof memoryLogger>;
  now(): Date;
  advance(ms: number): void;
  /** Creates an account directly in the store (as the CLI would). */
  addUser(username: string, role: Role, password: string, displayName?: string): Promise<void>;
  browser(base?: string): Browser;
  close(): void;
}

export async function authHarness(options: AuthOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-auth-'));
  const store = await openAdminStore(join(dir, 'admin.duckdb'));
  let now = START.getTime();
  const clock = () => new Date(now);
  const logger = memoryLogger();
  const deps: AuthDeps = { ...options, store, clock, logger };

  const app = new Hono<AppEnv>();
  mountAuth(app, deps);
  const router = adminAuthRoutes(deps);
  app.route(router.prefix, router.app);
  // Stand-ins for a public route and for the publishing routes (requireUser 'statisticien').
  app.get('/api/public', (c) => c.json({ user: c.get('user')?.username ?? null }));
  app.get('/api/admin/probe', (c) => c.json({ user: requireUser(c, 'statisticien').username }));
  app.post('/api/admin/probe', (c) => c.json({ user: requireUser(c, 'statisticien').username }));
  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.details), err.status);
    logger.error(String(err instanceof Error ? err.stack : err));
    return c.json(errorBody('erreur_interne', 'Erreur interne.'), 500);
  });

  return {
    app,
    store,
    deps,
    logger,
    now: clock,
    advance: (ms) => {
      now += ms;
    },
    addUser: async (username, role, password, displayName) => {
      await createUser(store, clock, { username, role, password, displayName }, { username: null, context: { via: 'test' } });
    },
    browser: (base = 'http://localhost') => new Browser(app, base),
    close: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
  /** Raw `Set-Cookie` lines of this answer. */
  setCookies: string[];
  text: string;
}

interface RequestOptions {
  body?: unknown;
  /** `X-CSRF-Token`; by default the token of the last /session answer, `null` sends none. */
  csrf?: string | null;
  headers?: Record<string, string>;
}

/** Keeps cookies (name → value, honouring `Max-Age=0`) and the last CSRF token it was given. */
export class Browser {
  readonly cookies = new Map<string, string>();
  csrfToken: string | null = null;
  /** Every body received, to check what never appears in an answer. */
  readonly received: string[] = [];

  constructor(
    private readonly app: Hono<AppEnv>,
    private readonly base: string
  ) {}

  async request<T = Record<string, unknown>>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = options.csrf === undefined ? this.csrfToken : options.csrf;
    if (csrf !== null && method !== 'GET') headers['X-CSRF-Token'] = csrf;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await this.app.request(`${this.base}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {})
    });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair as string).split('=');
      if (/;\s*Max-Age=0(;|$)/i.test(line)) this.cookies.delete(name as string);
      else this.cookies.set(name as string, value.join('='));
    }
    const text = await res.text();
    this.received.push(text);
    const body = (text ? JSON.parse(text) : null) as T;
    const token = (body as { csrfToken?: unknown } | null)?.csrfToken;
    if (typeof token === 'string') this.csrfToken = token;
    return { status: res.status, body, headers: res.headers, setCookies, text };
  }

  /** POSTs raw bytes (an upload), with the cookies and CSRF token like any other request. */
  async upload<T = Record<string, unknown>>(path: string, bytes: Uint8Array): Promise<Answer<T>> {
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) };
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.csrfToken) headers['X-CSRF-Token'] = this.csrfToken;
    const res = await this.app.request(`${this.base}${path}`, { method: 'POST', headers, body: bytes as Uint8Array<ArrayBuffer> });
    const text = await res.text();
    this.received.push(text);
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers, setCookies: res.headers.getSetCookie(), text };
  }

  get<T = Record<string, unknown>>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, options);
  }

  post<T = Record<string, unknown>>(path: string, body: unknown = {}, options: Omit<RequestOptions, 'body'> = {}) {
    return this.request<T>('POST', path, { ...options, body });
  }

  /** GET /session (for the login token), then POST /session. */
  async login(username: string, password: string, headers?: Record<string, string>): Promise<Answer> {
    await this.get('/api/admin/session');
    return this.post('/api/admin/session', { username, password }, headers ? { headers } : {});
  }
}
