import type { Context } from 'hono';
import { clearCsrfCookie, readCsrfCookie, setCsrfCookie } from './cookies.ts';
import { requestOrigin } from './request.ts';
import type { AuthSettings } from './settings.ts';
import { TOKEN_PATTERN, randomToken, safeEqual } from './tokens.ts';

export const CSRF_HEADER = 'X-CSRF-Token';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isStateChanging(method: string): boolean {
  return STATE_CHANGING.has(method.toUpperCase());
}

/**
 * A browser names the page that sent a request in `Origin`; one from another site (or
 * `null`, from a sandboxed frame or a redirect) is refused even before the token is read.
 * No `Origin` at all is a non-browser client (curl, scripts), which the token still binds.
 */
export function foreignOrigin(c: Context, trustProxy: boolean): boolean {
  const origin = c.req.header('Origin');
  if (origin === undefined) return false;
  return origin.trim().toLowerCase() !== requestOrigin(c, trustProxy);
}

/** The token sent in `X-CSRF-Token` equals `expected` (constant-time). */
export function tokenSent(c: Context, expected: string | undefined): boolean {
  const sent = c.req.header(CSRF_HEADER);
  return sent !== undefined && expected !== undefined && TOKEN_PATTERN.test(expected) && safeEqual(sent, expected);
}

/** The double-submit pair of an anonymous request: header equal to the `obs_csrf` cookie. */
export function doubleSubmitValid(c: Context): boolean {
  return tokenSent(c, readCsrfCookie(c));
}

/**
 * The login token for a visitor: the one already in their cookie (several tabs share it),
 * or a new one set in the cookie.
 */
export function anonymousCsrfToken(c: Context, settings: Pick<AuthSettings, 'secureCookies' | 'trustProxy'>): string {
  const existing = readCsrfCookie(c);
  if (existing !== undefined && TOKEN_PATTERN.test(existing)) return existing;
  const token = randomToken();
  setCsrfCookie(c, settings, token);
  return token;
}

export { clearCsrfCookie };
