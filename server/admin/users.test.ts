import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAudit } from './audit.ts';
import { verifyPassword } from './auth/passwords.ts';
import { createSession, resolveSession } from './auth/sessions.ts';
import { type AdminStore, openAdminStore } from './store.ts';
import { createUser, credentials, getUser, listUsers, setDisabled, setPassword } from './users.ts';

const T0 = new Date('2026-11-23T15:00:00Z');
const clock = () => T0;
const times = { idleTimeoutMs: 7_200_000, absoluteTimeoutMs: 43_200_000, touchIntervalMs: 60_000 };
const cli = { username: null, context: { via: 'cli' } };

let dir: string;
let store: AdminStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'obs-users-'));
  store = await openAdminStore(join(dir, 'admin.duckdb'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const code = (p: Promise<unknown>) => p.then(
  () => 'ok',
  (e: { code?: string }) => e.code
);

describe('createUser', () => {
  it('stores a lower-case username, a display name, a role and an scrypt hash, and audits the creation', async () => {
    const account = await createUser(store, clock, { username: ' Alice.M ', displayName: 'Alice Martin', role: 'admin', password: 'une phrase assez longue' }, cli);
    expect(account).toEqual({ username: 'alice.m', displayName: 'Alice Martin', role: 'admin', disabled: false, createdAt: T0.toISOString(), lastLoginAt: null });
    const stored = await credentials(store, 'alice.m');
    expect(stored?.passwordHash.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(await verifyPassword('une phrase assez longue', stored?.passwordHash as string)).toBe(true);
    const { entries } = await readAudit(store, { limit: 10, offset: 0 });
    expect(entries).toEqual([
      { id: expect.any(Number), at: T0.toISOString(), username: null, action: 'compte_cree', target: 'alice.m', details: JSON.stringify({ role: 'admin', via: 'cli' }) }
    ]);
  });

  it('refuses a duplicate, a weak password, a malformed username and an unknown role', async () => {
    await createUser(store, clock, { username: 'alice', role: 'admin', password: 'une phrase assez longue' }, cli);
    expect(await code(createUser(store, clock, { username: 'ALICE', role: 'statisticien', password: 'une autre phrase longue' }, cli))).toBe('compte_existant');
    expect(await code(createUser(store, clock, { username: 'bob', role: 'statisticien', password: 'trop court' }, cli))).toBe('mot_de_passe_faible');
    expect(await code(createUser(store, clock, { username: 'b', role: 'statisticien', password: 'une phrase assez longue' }, cli))).toBe('parametre_invalide');
    expect(await code(createUser(store, clock, { username: "bob'; DROP TABLE users; --", role: 'statisticien', password: 'une phrase assez longue' }, cli))).toBe(
      'parametre_invalide'
    );
    expect(await code(createUser(store, clock, { username: 'bob', role: 'root' as 'admin', password: 'une phrase assez longue' }, cli))).toBe('parametre_invalide');
    expect((await listUsers(store)).map((u) => u.username)).toEqual(['alice']);
  });
});

describe('setDisabled', () => {
  it('ends the account’s sessions when disabling, audits both ways, and keeps the last admin enabled', async () => {
    await createUser(store, clock, { username: 'alice', role: 'admin', password: 'une phrase assez longue' }, cli);
    await createUser(store, clock, { username: 'bob', role: 'statisticien', password: 'une phrase assez longue' }, cli);
    const session = await createSession(store, T0, times, 'bob');
    expect((await setDisabled(store, clock, 'bob', true, { username: 'alice' })).disabled).toBe(true);
    expect((await resolveSession(store, T0, times, session.token)).state).toBe('ended');
    expect(await code(setDisabled(store, clock, 'alice', true, { username: 'alice' }))).toBe('dernier_administrateur');
    expect((await getUser(store, 'alice'))?.disabled).toBe(false);
    await setDisabled(store, clock, 'bob', false, { username: 'alice' });
    expect(await code(setDisabled(store, clock, 'personne', true, cli))).toBe('compte_inconnu');
    const actions = (await readAudit(store, { limit: 10, offset: 0, username: 'alice' })).entries.map((e) => [e.action, e.target, e.details]);
    expect(actions).toEqual([
      ['compte_reactive', 'bob', null],
      ['compte_desactive', 'bob', JSON.stringify({ revokedSessions: 1 })]
    ]);
  });
});

describe('setPassword', () => {
  it('replaces the hash and ends the other sessions, keeping the one named', async () => {
    await createUser(store, clock, { username: 'bob', role: 'statisticien', password: 'une phrase assez longue' }, cli);
    const kept = await createSession(store, T0, times, 'bob');
    const other = await createSession(store, T0, times, 'bob');
    await setPassword(store, clock, 'bob', 'la nouvelle phrase secrète', { username: 'bob' }, kept.tokenHash);
    const hash = (await credentials(store, 'bob'))?.passwordHash as string;
    expect(await verifyPassword('la nouvelle phrase secrète', hash)).toBe(true);
    expect(await verifyPassword('une phrase assez longue', hash)).toBe(false);
    expect((await resolveSession(store, T0, times, kept.token)).state).toBe('valid');
    expect((await resolveSession(store, T0, times, other.token)).state).toBe('ended');
    expect(await code(setPassword(store, clock, 'bob', 'bob bob bob bob', { username: 'bob' }))).toBe('mot_de_passe_faible');
    expect(await code(setPassword(store, clock, 'personne', 'la nouvelle phrase secrète', cli))).toBe('compte_inconnu');
  });
});

describe('listUsers', () => {
  it('never returns the password hash', async () => {
    await createUser(store, clock, { username: 'alice', role: 'admin', password: 'une phrase assez longue' }, cli);
    const listed = JSON.stringify(await listUsers(store));
    expect(listed).toContain('alice');
    expect(listed).not.toContain('scrypt');
  });
});
