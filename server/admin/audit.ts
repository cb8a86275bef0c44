import type { AdminQueries } from './store.ts';

/**
 * One line of the audit log: who did what to what, when. Actions are French verbs of the
 * back office (connexion, depot, publication, depublication…), listed in schema.sql.
 */
export interface AuditEntry {
  /** null for an anonymous attempt (a refused login names the account tried in `target`). */
  username: string | null;
  action: string;
  target?: string | null;
  /** JSON text: what a reader of the log needs to understand the action afterwards. */
  details?: string | null;
}

export interface AuditRow {
  id: number;
  at: string;
  username: string | null;
  action: string;
  target: string | null;
  details: string | null;
}

/** Appends to the audit log; the clock is passed in so tests pin the time. */
export async function audit(store: AdminQueries, clock: () => Date, entry: AuditEntry): Promise<void> {
  await store.run(
    `INSERT INTO audit_log (at_time, username, action, target, details)
     VALUES (CAST($at AS TIMESTAMP), $username, $action, $target, $details)`,
    {
      at: clock().toISOString(),
      username: entry.username,
      action: entry.action,
      target: entry.target ?? null,
      details: entry.details ?? null
    }
  );
}

export interface AuditQuery {
  limit: number;
  offset: number;
  username?: string | undefined;
  action?: string | undefined;
}

/** The log, newest first. */
export async function readAudit(store: AdminQueries, q: AuditQuery): Promise<{ total: number; entries: AuditRow[] }> {
  const where = `WHERE (CAST($username AS VARCHAR) IS NULL OR username = CAST($username AS VARCHAR)) AND (CAST($action AS VARCHAR) IS NULL OR action = CAST($action AS VARCHAR))`;
  const params = { username: q.username ?? null, action: q.action ?? null };
  const total = await store.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM audit_log ${where}`, params);
  const rows = await store.all<{ id: number; at_time: Date; username: string | null; action: string; target: string | null; details: string | null }>(
    `SELECT id, at_time, username, action, target, details FROM audit_log ${where} ORDER BY id DESC LIMIT $limit OFFSET $offset`,
    { ...params, limit: q.limit, offset: q.offset }
  );
  return {
    total: total?.n ?? 0,
    entries: rows.map((r) => ({ id: r.id, at: new Date(r.at_time).toISOString(), username: r.username, action: r.action, target: r.target, details: r.details }))
  };
}
