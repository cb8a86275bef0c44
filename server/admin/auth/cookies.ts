import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import { isHttps } from './request.ts';
import type { AuthSettings } from './settings.ts';

export const SESSION_COOKIE = 'obs_session';
/** Double-submit token for the login form, before any session exists. */
export const CSRF_COOKIE = 'obs_csrf';
/** Only the back office's API reads the login token. */
const CSRF_COOKIE_PATH = '/api/admin';

type Settings = Pick<AuthSettings, 'secureCookies' | 'trustProxy'>;

function base(c: Context, settings: Settings, path: string): CookieOptions {
  return { httpOnly: true, sameSite: 'Strict', path, secure: settings.secureCookies || isHttps(c, settings.trustProxy) };
}

export function readSessionCookie(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

export function setSessionCookie(c: Context, settings: Settings & Pick<AuthSettings, 'absoluteTimeoutMs'>, token: string): void {
  setCookie(c, SESSION_COOKIE, token, { ...base(c, settings, '/'), maxAge: Math.floor(settings.absoluteTimeoutMs / 1000) });
}

export function clearSessionCookie(c: Context, settings: Settings): void {
  deleteCookie(c, SESSION_COOKIE, base(c, settings, '/'));
}

export function readCsrfCookie(c: Context): string | undefined {
  return getCookie(c, CSRF_COOKIE);
}

export function setCsrfCookie(c: Context, settings: Settings, token: string): void {
  setCookie(c, CSRF_COOKIE, token, base(c, settings, CSRF_COOKIE_PATH));
}

export function clearCsrfCookie(c: Context, settings: Settings): void {
  deleteCookie(c, CSRF_COOKIE, base(c, settings, CSRF_COOKIE_PATH));
}
