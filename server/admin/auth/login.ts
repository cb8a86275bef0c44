import { ApiError } from '../../errors.ts';
import type { SessionUser } from '../../routing.ts';
import { audit } from '../audit.ts';
import type { AdminStore } from '../store.ts';
import { credentials, normalizeUsername } from '../users.ts';
import { verifyAgainstDecoy, verifyPassword } from './passwords.ts';
import { FailureLimiter } from './rate-limit.ts';
import { type NewSession, createSession, purgeEndedSessions } from './sessions.ts';
import type { AuthSettings } from './settings.ts';

/** The two counters of failed logins, per username and per client address. */
export interface LoginLimiters {
  username: FailureLimiter;
  ip: FailureLimiter;
}

export function loginLimiters(settings: AuthSettings, clock: () => Date): LoginLimiters {
  const maxKeys = settings.loginLimitMaxKeys;
  return {
    username: new FailureLimiter({ ...settings.loginLimitPerUsername, maxKeys, clock }),
    ip: new FailureLimiter({ ...settings.loginLimitPerIp, maxKeys, clock })
  };
}

export interface LoginDeps {
  store: AdminStore;
  clock: () => Date;
  settings: AuthSettings;
  limiters: LoginLimiters;
}

export interface LoginAttempt {
  username: string;
  password: string;
  ip: string;
}

/** A refused login; `retryAfterSeconds` is set for a 429. */
export class LoginRefused extends ApiError {
  readonly retryAfterSeconds: number | null;
  constructor(status: 401 | 429, message: string, retryAfterSeconds: number | null = null) {
    super(status, status === 429 ? 'trop_de_tentatives' : 'identifiants_invalides', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

// One message whatever went wrong: it must not tell which accounts exist or are disabled.
const BAD_CREDENTIALS = 'Identifiant ou mot de passe incorrect.';

type RefusalReason = 'trop_de_tentatives' | 'compte_inconnu' | 'mot_de_passe_incorrect' | 'compte_desactive';

/**
 * Checks the limiters, then the password (spending one scrypt even for an unknown
 * account), audits the outcome and opens a session. Throws `LoginRefused`.
 */
export async function login(deps: LoginDeps, attempt: LoginAttempt): Promise<{ user: SessionUser; session: NewSession }> {
  const { store, clock, limiters } = deps;
  // Kept short in the log: a password typed in the username field should not land there whole.
  const tried = normalizeUsername(attempt.username).slice(0, 64);
  const refuse = (reason: RefusalReason) =>
    audit(store, clock, { username: null, action: 'connexion_refusee', target: tried, details: JSON.stringify({ reason: reason, ip: attempt.ip }) });

  const verdicts = [limiters.ip.check(attempt.ip), limiters.username.check(tried)];
  const wait = Math.max(0, ...verdicts.map((v) => (v.allowed ? 0 : v.retryAfterSeconds)));
  if (wait > 0) {
    await refuse('trop_de_tentatives');
    const minutes = Math.ceil(wait / 60);
    throw new LoginRefused(429, `Trop de tentatives de connexion : réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}.`, wait);
  }

  // Counted as failures before the ~0.1 s of scrypt, then withdrawn on success: otherwise
  // attempts sent in parallel would all pass the check above before any failure is recorded.
  limiters.ip.fail(attempt.ip);
  limiters.username.fail(tried);
  const account = await credentials(store, tried);
  const passwordOk = account ? await verifyPassword(attempt.password, account.passwordHash) : await verifyAgainstDecoy(attempt.password);
  const reason: RefusalReason | null = !account ? 'compte_inconnu' : !passwordOk ? 'mot_de_passe_incorrect' : account.disabled ? 'compte_desactive' : null;
  if (reason || !account) {
    await refuse(reason ?? 'compte_inconnu');
    throw new LoginRefused(401, BAD_CREDENTIALS);
  }

  limiters.ip.forgive(attempt.ip);
  limiters.username.reset(tried);
  const now = clock();
  await purgeEndedSessions(store, now, deps.settings);
  const session = await createSession(store, now, deps.settings, account.username);
  await audit(store, clock, { username: account.username, action: 'connexion', details: JSON.stringify({ ip: attempt.ip }) });
  return { user: { username: account.username, displayName: account.displayName, role: account.role, csrfToken: session.csrfToken }, session };
}
