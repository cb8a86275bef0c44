/**
 * Local accounts of the back office. No account exists by default: the first admin is
 * created with the CLI (`npm run admin -- create …`). Every change is audited in the same
 * transaction as the change itself.
 */
import { ApiError } from '../errors.ts';
import { audit } from './audit.ts';
import { hashPassword, passwordProblem } from './auth/passwords.ts';
import { revokeSessions } from './auth/sessions.ts';
import type { AdminQueries, AdminStore } from './store.ts';

export type Role = 'admin' | 'statisticien';
export const ROLES: readonly Role[] = ['admin', 'statisticien'];

/** Lower case, 3 to 40 characters: letters, digits, `.`, `_`, `-`. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,39}$/;
export const MAX_DISPLAY_NAME = 100;

export interface Account {
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  /** From the audit log; null before the first login. */
  lastLoginAt: string | null;
}

/** Who acts, for the audit log: an account, or the command line (no account). */
export interface Actor {
  username: string | null;
  /** Extra context kept in the audit entry's details (e.g. `{ via: 'cli' }`). */
  context?: Record<string, string>;
}

/** Usernames are stored in lower case; what people type is brought to that form. */
export function normalizeUsername(raw: string): string {
  return raw.trim().toLowerCase();
}

interface AccountRow {
  username: string;
  display_name: string;
  role: Role;
  disabled: boolean;
  created_ms: number;
  last_login_ms: number | null;
}

const ACCOUNT_COLUMNS = `username, display_name, role, disabled, epoch_ms(created_at) AS created_ms,
  (SELECT epoch_ms(max(a.at_time)) FROM audit_log a WHERE a.action = 'connexion' AND a.username = users.username) AS last_login_ms`;

const toAccount = (r: AccountRow): Account => ({
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  disabled: r.disabled,
  createdAt: new Date(r.created_ms).toISOString(),
  lastLoginAt: r.last_login_ms === null ? null : new Date(r.last_login_ms).toISOString()
});

const unknownAccount = (username: string) => new ApiError(404, 'compte_inconnu', `Aucun compte « ${username} ».`);

function details(actor: Actor, extra: Record<string, unknown> = {}): string | null {
  const all = { ...extra, ...actor.context };
  return Object.keys(all).length ? JSON.stringify(all) : null;
}

export async function listUsers(store: AdminQueries): Promise<Account[]> {
  return (await store.all<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM users ORDER BY username`)).map(toAccount);
}

export async function getUser(store: AdminQueries, username: string): Promise<Account | undefined> {
  const row = await store.one<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM users WHERE username = $username`, { username });
  return row && toAccount(row);
}

/** The stored hash, for the login and the password change only; never leaves the server. */
export async function credentials(store: AdminQueries, username: string): Promise<(Account & { passwordHash: string }) | undefined> {
  const row = await store.one<AccountRow & { password_hash: string }>(
    `SELECT ${ACCOUNT_COLUMNS}, password_hash FROM users WHERE username = $username`,
    { username }
  );
  return row && { ...toAccount(row), passwordHash: row.password_hash };
}

export interface NewAccount {
  username: string;
  displayName?: string | undefined;
  role: Role;
  password: string;
}

function checkUsername(username: string): void {
  if (!USERNAME_PATTERN.test(username)) {
    throw new ApiError(
      400,
      'parametre_invalide',
      `Identifiant « ${username} » invalide : 3 à 40 caractères, minuscules, chiffres, « . », « _ » ou « - », commençant par une lettre ou un chiffre.`
    );
  }
}

function checkPassword(password: string, username: string): void {
  const problem = passwordProblem(password, username);
  if (problem) throw new ApiError(400, 'mot_de_passe_faible', problem);
}

export async function createUser(store: AdminStore, clock: () => Date, input: NewAccount, actor: Actor): Promise<Account> {
  const username = normalizeUsername(input.username);
  checkUsername(username);
  if (!ROLES.includes(input.role)) throw new ApiError(400, 'parametre_invalide', `Rôle inconnu : « ${input.role} » (admin ou statisticien).`);
  const displayName = (input.displayName ?? '').trim() || username;
  if ([...displayName].length > MAX_DISPLAY_NAME) {
    throw new ApiError(400, 'parametre_invalide', `Le nom affiché ne doit pas dépasser ${MAX_DISPLAY_NAME} caractères.`);
  }
  checkPassword(input.password, username);
  if (await getUser(store, username)) throw new ApiError(409, 'compte_existant', `Le compte « ${username} » existe déjà.`);
  // Hashed outside the transaction: scrypt takes ~0.1 s and the store runs one statement at a time.
  const hash = await hashPassword(input.password);
  const now = clock();
  return store.transaction(async (tx) => {
    if (await getUser(tx, username)) throw new ApiError(409, 'compte_existant', `Le compte « ${username} » existe déjà.`);
    await tx.run(
      `INSERT INTO users (username, display_name, role, password_hash, created_at, disabled)
       VALUES ($username, $name, $role, $hash, make_timestamp(CAST($now AS BIGINT) * 1000), false)`,
      { username, name: displayName, role: input.role, hash, now: now.getTime() }
    );
    await audit(tx, clock, { username: actor.username, action: 'compte_cree', target: username, details: details(actor, { role: input.role }) });
    return (await getUser(tx, username)) as Account;
  });
}

/**
 * Disables or re-enables an account. Disabling ends its sessions at once; the last
 * enabled admin cannot be disabled (nobody could manage accounts from the portal).
 */
export async function setDisabled(store: AdminStore, clock: () => Date, rawUsername: string, disabled: boolean, actor: Actor): Promise<Account> {
  const username = normalizeUsername(rawUsername);
  return store.transaction(async (tx) => {
    const account = await getUser(tx, username);
    if (!account) throw unknownAccount(username);
    if (account.disabled === disabled) return account;
    let revoked = 0;
    if (disabled) {
      if (account.role === 'admin') {
        const admins = await tx.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM users WHERE role = 'admin' AND NOT disabled`);
        if ((admins?.n ?? 0) <= 1) {
          throw new ApiError(409, 'dernier_administrateur', `« ${username} » est le dernier administrateur actif : créez-en un autre avant de le désactiver.`);
        }
      }
      revoked = await revokeSessions(tx, username);
    }
    await tx.run('UPDATE users SET disabled = $disabled WHERE username = $username', { username, disabled });
    await audit(tx, clock, {
      username: actor.username,
      action: disabled ? 'compte_desactive' : 'compte_reactive',
      target: username,
      details: details(actor, disabled ? { revokedSessions: revoked } : {})
    });
    return { ...account, disabled };
  });
}

/**
 * Sets a new password and ends the account's other sessions (all of them, unless
 * `keepSessionHash` names the one asking for the change).
 */
export async function setPassword(
  store: AdminStore,
  clock: () => Date,
  rawUsername: string,
  password: string,
  actor: Actor,
  keepSessionHash: string | null = null
): Promise<Account> {
  const username = normalizeUsername(rawUsername);
  if (!(await getUser(store, username))) throw unknownAccount(username);
  checkPassword(password, username);
  const hash = await hashPassword(password);
  return store.transaction(async (tx) => {
    const account = await getUser(tx, username);
    if (!account) throw unknownAccount(username);
    await tx.run('UPDATE users SET password_hash = $hash WHERE username = $username', { username, hash });
    const revoked = await revokeSessions(tx, username, keepSessionHash);
    await audit(tx, clock, { username: actor.username, action: 'mot_de_passe_change', target: username, details: details(actor, { revokedSessions: revoked }) });
    return account;
  });
}
