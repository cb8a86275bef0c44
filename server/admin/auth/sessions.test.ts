import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AdminStore, openAdminStore } from '../store.ts';
import { createUser } from '../users.ts';
import { createSession, purgeEndedSessions, resolveSession, revokeSessions } from './sessions.ts';
import { sha256Hex } from './tokens.ts';

const T0 = new Date('2026-11-23T15:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;
const times = { idleTimeoutMs: 120 * MIN, absoluteTimeoutMs: 720 * MIN, touchIntervalMs: MIN };

let dir: string;
let store: AdminStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'obs-sessions-'));
  store = await openAdminStore(join(dir, 'admin.duckdb'));
  for (const username of ['alice', 'bob']) {
    await createUser(store, () => T0, { username, role: 'statisticien', password: 'une phrase assez longue' }, { username: null });
  }
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = async () => (await store.one<{ n: number }>('SELECT count(*)::INTEGER AS n FROM sessions'))?.n;

describe('sessions', () => {
  it('opens with the token’s SHA-256 as key and its own CSRF token', async () => {
    const s = await createSession(store, T0, times, 'alice');
    expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.csrfToken).not.toBe(s.token);
    expect(await store.all('SELECT token_hash, username, csrf_token FROM sessions')).toEqual([
      { token_hash: sha256Hex(s.token), username: 'alice', csrf_token: s.csrfToken }
    ]);
    expect(await resolveSession(store, at(MIN), times, s.token)).toEqual({
      state: 'valid',
      tokenHash: sha256Hex(s.token),
      user: { username: 'alice', displayName: 'alice', role: 'statisticien', csrfToken: s.csrfToken }
    });
  });

  it('ends after the idle timeout or the absolute lifetime, and deletes the row', async () => {
    const idle = await createSession(store, T0, times, 'alice');
    expect((await resolveSession(store, at(120 * MIN - 1), times, idle.token)).state).toBe('valid');
    expect(await resolveSession(store, at(240 * MIN - 2), times, idle.token)).toMatchObject({ state: 'valid' });
    expect(await resolveSession(store, at(360 * MIN), times, idle.token)).toEqual({ state: 'ended', reason: 'expiree' });
    expect(await count()).toBe(0);

    const busy = await createSession(store, T0, times, 'alice');
    for (let m = 60; m < 720; m += 60) expect((await resolveSession(store, at(m * MIN), times, busy.token)).state).toBe('valid');
    expect(await resolveSession(store, at(720 * MIN), times, busy.token)).toEqual({ state: 'ended', reason: 'expiree' });
  });

  it('ends at once for a disabled or deleted account, and for an unknown or malformed token', async () => {
    const s = await createSession(store, T0, times, 'alice');
    await store.run("UPDATE users SET disabled = true WHERE username = 'alice'");
    expect(await resolveSession(store, at(1), times, s.token)).toEqual({ state: 'ended', reason: 'compte_desactive' });
    expect(await resolveSession(store, at(1), times, 'A'.repeat(43))).toEqual({ state: 'ended', reason: 'inconnue' });
    expect(await resolveSession(store, at(1), times, "' OR 1=1 --")).toEqual({ state: 'ended', reason: 'inconnue' });
  });

  it('revokes every session of an account but the one kept, and no other account’s', async () => {
    const a1 = await createSession(store, T0, times, 'alice');
    await createSession(store, T0, times, 'alice');
    const b = await createSession(store, T0, times, 'bob');
    expect(await revokeSessions(store, 'alice', a1.tokenHash)).toBe(1);
    expect((await resolveSession(store, at(1), times, a1.token)).state).toBe('valid');
    expect((await resolveSession(store, at(1), times, b.token)).state).toBe('valid');
    expect(await revokeSessions(store, 'alice')).toBe(1);
    expect((await resolveSession(store, at(1), times, a1.token)).state).toBe('ended');
  });

  it('purges the rows of ended sessions only', async () => {
    await createSession(store, T0, times, 'alice');
    const fresh = await createSession(store, at(200 * MIN), times, 'bob');
    await purgeEndedSessions(store, at(250 * MIN), times);
    expect(await store.all('SELECT username FROM sessions')).toEqual([{ username: 'bob' }]);
    expect((await resolveSession(store, at(250 * MIN), times, fresh.token)).state).toBe('valid');
  });
});
