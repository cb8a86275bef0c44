import type { SessionUser } from '../../routing.ts';
import type { AdminQueries } from '../store.ts';
import { TOKEN_PATTERN, randomToken, sha256Hex } from './tokens.ts';

export interface SessionTimes {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  touchIntervalMs: number;
}

export interface NewSession {
  /** Goes into the cookie only; the store keeps its SHA-256. */
  token: string;
  tokenHash: string;
  csrfToken: string;
}

export async function createSession(store: AdminQueries, now: Date, times: SessionTimes, username: string): Promise<NewSession> {
  const token = randomToken();
  const csrfToken = randomToken();
  const tokenHash = sha256Hex(token);
  await store.run(
    `INSERT INTO sessions (token_hash, username, csrf_token, created_at, last_seen_at, expires_at)
     VALUES ($hash, $username, $csrf, make_timestamp(CAST($now AS BIGINT) * 1000), make_timestamp(CAST($now AS BIGINT) * 1000),
             make_timestamp(CAST($expires AS BIGINT) * 1000))`,
    { hash: tokenHash, username, csrf: csrfToken, now: now.getTime(), expires: now.getTime() + times.absoluteTimeoutMs }
  );
  return { token, tokenHash, csrfToken };
}

export type SessionLookup =
  | { state: 'valid'; user: SessionUser; tokenHash: string }
  /** The cookie names no usable session: expired, logged out, revoked, account disabled, or forged. */
  | { state: 'ended'; reason: 'inconnue' | 'expiree' | 'compte_desactive' };

interface SessionRow {
  username: string;
  csrf_token: string;
  seen_ms: number;
  expires_ms: number;
  display_name: string | null;
  role: 'admin' | 'statisticien' | null;
  disabled: boolean | null;
}

/**
 * The session a cookie's token opens, if any. An ended session is deleted on the spot;
 * a valid one has its `last_seen_at` moved forward, at most once per `touchIntervalMs`.
 */
export async function resolveSession(store: AdminQueries, now: Date, times: SessionTimes, token: string): Promise<SessionLookup> {
  if (!TOKEN_PATTERN.test(token)) return { state: 'ended', reason: 'inconnue' };
  const tokenHash = sha256Hex(token);
  const row = await store.one<SessionRow>(
    `SELECT s.username, s.csrf_token, epoch_ms(s.last_seen_at) AS seen_ms, epoch_ms(s.expires_at) AS expires_ms,
            u.display_name, u.role, u.disabled
     FROM sessions s LEFT JOIN users u ON u.username = s.username
     WHERE s.token_hash = $hash`,
    { hash: tokenHash }
  );
  if (!row) return { state: 'ended', reason: 'inconnue' };
  const t = now.getTime();
  const reason = row.role === null || row.disabled ? 'compte_desactive' : t >= row.expires_ms || t - row.seen_ms >= times.idleTimeoutMs ? 'expiree' : null;
  if (reason) {
    await store.run('DELETE FROM sessions WHERE token_hash = $hash', { hash: tokenHash });
    return { state: 'ended', reason };
  }
  if (t - row.seen_ms >= times.touchIntervalMs) {
    await store.run('UPDATE sessions SET last_seen_at = make_timestamp(CAST($now AS BIGINT) * 1000) WHERE token_hash = $hash', {
      hash: tokenHash,
      now: t
    });
  }
  return {
    state: 'valid',
    tokenHash,
    user: { username: row.username, displayName: row.display_name ?? row.username, role: row.role as SessionUser['role'], csrfToken: row.csrf_token }
  };
}

export async function deleteSession(store: AdminQueries, tokenHash: string): Promise<void> {
  await store.run('DELETE FROM sessions WHERE token_hash = $hash', { hash: tokenHash });
}

/** Ends every session of an account, except the one given (the request changing its own password). */
export async function revokeSessions(store: AdminQueries, username: string, exceptTokenHash: string | null = null): Promise<number> {
  const row = await store.one<{ n: number }>(
    `SELECT count(*)::INTEGER AS n FROM sessions WHERE username = $username AND token_hash IS DISTINCT FROM CAST($keep AS VARCHAR)`,
    { username, keep: exceptTokenHash }
  );
  await store.run('DELETE FROM sessions WHERE username = $username AND token_hash IS DISTINCT FROM CAST($keep AS VARCHAR)', { username, keep: exceptTokenHash });
  return row?.n ?? 0;
}

/** Drops sessions past either limit, so the table holds only live ones (run at each login). */
export async function purgeEndedSessions(store: AdminQueries, now: Date, times: SessionTimes): Promise<void> {
  await store.run(
    `DELETE FROM sessions
     WHERE expires_at <= make_timestamp(CAST($now AS BIGINT) * 1000)
        OR last_seen_at <= make_timestamp(CAST($idle AS BIGINT) * 1000)`,
    { now: now.getTime(), idle: now.getTime() - times.idleTimeoutMs }
  );
}
