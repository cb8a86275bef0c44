import type { Hono } from 'hono';
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from '../../../etl/core/logger.ts';
import { ApiError } from '../../errors.ts';
import type { AppEnv, Ctx, SessionUser } from '../../routing.ts';
import type { AdminStore } from '../store.ts';
import { clearSessionCookie, readSessionCookie } from './cookies.ts';
import { doubleSubmitValid, foreignOrigin, isStateChanging, tokenSent } from './csrf.ts';
import { resolveSession } from './sessions.ts';
import { type AuthOptions, authSettings } from './settings.ts';

export interface AuthDeps extends AuthOptions {
  store: AdminStore;
  clock: () => Date;
  logger: Logger;
}

export type Role = SessionUser['role'];

/** What the session middleware learnt about a request beyond `c.get('user')`. */
interface RequestSession {
  /** SHA-256 of the valid session's token (logout, password change keep or drop it). */
  tokenHash?: string;
  /** A session cookie came but opens nothing any more: answer `session_expiree`, not `authentification_requise`. */
  ended?: boolean;
}

// Keyed by the Context, the one object every middleware and handler of a request share
// (not c.req.raw: bodyLimit replaces it with a wrapped Request).
const perRequest = new WeakMap<Context, RequestSession>();

export function currentSessionHash(c: Context): string | null {
  return perRequest.get(c)?.tokenHash ?? null;
}

function sessionEnded(c: Context): boolean {
  return perRequest.get(c)?.ended === true;
}

const isAdminPath = (path: string) => path === '/api/admin' || path.startsWith('/api/admin/');

/**
 * Reads `obs_session` on every request and sets `c.get('user')` when it opens a live
 * session. A cookie that opens nothing is remembered (for a 401 `session_expiree`) and
 * cleared, but only on back-office answers: public answers may be cached by proxies, and
 * a cached `Set-Cookie` would log other people out.
 */
export function sessionMiddleware(deps: AuthDeps): MiddlewareHandler<AppEnv> {
  const settings = authSettings(deps);
  return async (c, next) => {
    const token = readSessionCookie(c);
    if (token === undefined || token === '') return next();
    const found = await resolveSession(deps.store, deps.clock(), settings, token);
    if (found.state === 'valid') {
      c.set('user', found.user);
      perRequest.set(c, { tokenHash: found.tokenHash });
    } else {
      perRequest.set(c, { ended: true });
      if (isAdminPath(c.req.path)) clearSessionCookie(c, settings);
    }
    return next();
  };
}

const sessionExpired = () => new ApiError(401, 'session_expiree', 'Votre session a expiré ou a été fermée : reconnectez-vous.');

/**
 * Mounted on `/api/admin/*`. A state-changing request must come from the portal's own
 * origin and carry `X-CSRF-Token`: the session's token, or, without a session (the
 * login), the value of the `obs_csrf` cookie given by `GET /api/admin/session`.
 */
export function csrfMiddleware(deps: AuthDeps): MiddlewareHandler<AppEnv> {
  const settings = authSettings(deps);
  return async (c, next) => {
    // The first middleware of every back-office answer, refusals included.
    c.header('Cache-Control', 'no-store');
    if (!isStateChanging(c.req.method)) return next();
    if (foreignOrigin(c, settings.trustProxy)) {
      throw new ApiError(403, 'csrf_invalide', 'Requête refusée : elle ne vient pas du portail (en-tête Origin d’un autre site).');
    }
    const user = c.get('user');
    const valid = user ? tokenSent(c, user.csrfToken) : doubleSubmitValid(c);
    if (!valid) {
      // Nothing would run either way; an ended session is the useful thing to tell the client.
      if (!user && sessionEnded(c)) throw sessionExpired();
      throw new ApiError(
        403,
        'csrf_invalide',
        'Jeton anti-CSRF absent ou invalide : rechargez la page (GET /api/admin/session donne le jeton à renvoyer dans X-CSRF-Token).'
      );
    }
    return next();
  };
}

/**
 * Mounted on `/api/admin/*` before the routes: everything but the session itself (`GET`
 * for the login token, `POST` to log in) needs a live session, checked before the request
 * is parsed, so a visitor learns nothing from validation errors. Roles are the routes' own.
 */
export function sessionRequired(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.path !== '/api/admin/session') requireUser(c, 'statisticien');
    return next();
  };
}

/**
 * The account behind the request, or a 401 (anonymous, or session ended) / 403 (role too
 * low). An admin may do everything a statisticien does.
 */
export function requireUser(c: Ctx, role: Role): SessionUser {
  const user = c.get('user');
  if (!user) {
    if (sessionEnded(c)) throw sessionExpired();
    throw new ApiError(401, 'authentification_requise', 'Connectez-vous pour accéder à l’administration du portail.');
  }
  if (role === 'admin' && user.role !== 'admin') {
    throw new ApiError(403, 'acces_refuse', 'Cette action est réservée aux administrateurs.');
  }
  return user;
}

/** The back office's middlewares, in order, as every app (and test app) mounts them. */
export function mountAuth(app: Hono<AppEnv>, deps: AuthDeps): void {
  // Every request learns who is asking (public routes serve previews to statisticians only).
  app.use('*', sessionMiddleware(deps));
  app.use('/api/admin/*', csrfMiddleware(deps));
  app.use('/api/admin/*', sessionRequired());
}
