import type { LimitRule } from './rate-limit.ts';

/** Tunables of the back office's authentication; every field has a default. */
export interface AuthOptions {
  /** Mark cookies `Secure` (also done for any request that arrived over https). */
  secureCookies?: boolean;
  /** Behind a reverse proxy: believe `X-Forwarded-For`, `-Proto` and `-Host`. */
  trustProxy?: boolean;
  /** A session unused for this long ends (2 h). */
  idleTimeoutMs?: number;
  /** A session ends this long after the login, however active (12 h). */
  absoluteTimeoutMs?: number;
  /** `last_seen_at` is rewritten at most this often (1 min), to spare a write per request. */
  touchIntervalMs?: number;
  /** Failed logins allowed per username (5 in 15 min). */
  loginLimitPerUsername?: LimitRule;
  /** Failed logins allowed per client address (20 in 15 min: offices share one address). */
  loginLimitPerIp?: LimitRule;
  /** Keys each login limiter remembers at most (10 000). */
  loginLimitMaxKeys?: number;
}

export type AuthSettings = Required<AuthOptions>;

const MINUTE = 60_000;

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  secureCookies: false,
  trustProxy: false,
  idleTimeoutMs: 120 * MINUTE,
  absoluteTimeoutMs: 12 * 60 * MINUTE,
  touchIntervalMs: MINUTE,
  loginLimitPerUsername: { max: 5, windowMs: 15 * MINUTE },
  loginLimitPerIp: { max: 20, windowMs: 15 * MINUTE },
  loginLimitMaxKeys: 10_000
};

/** The options with their defaults; a duration that is not a positive number throws. */
export function authSettings(options: AuthOptions): AuthSettings {
  const pick = <K extends keyof AuthSettings>(k: K): AuthSettings[K] => (options[k] ?? DEFAULT_AUTH_SETTINGS[k]) as AuthSettings[K];
  for (const k of ['idleTimeoutMs', 'absoluteTimeoutMs', 'touchIntervalMs', 'loginLimitMaxKeys'] as const) {
    const v = pick(k);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`Authentification : ${k} doit être un nombre positif (reçu ${v}).`);
  }
  return {
    secureCookies: pick('secureCookies'),
    trustProxy: pick('trustProxy'),
    idleTimeoutMs: pick('idleTimeoutMs'),
    absoluteTimeoutMs: pick('absoluteTimeoutMs'),
    touchIntervalMs: pick('touchIntervalMs'),
    loginLimitPerUsername: pick('loginLimitPerUsername'),
    loginLimitPerIp: pick('loginLimitPerIp'),
    loginLimitMaxKeys: pick('loginLimitMaxKeys')
  };
}
