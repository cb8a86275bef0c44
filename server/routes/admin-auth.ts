import { z } from 'zod';
import { type AuditQuery, audit, readAudit } from '../admin/audit.ts';
import { clearSessionCookie, setSessionCookie } from '../admin/auth/cookies.ts';
import { anonymousCsrfToken, clearCsrfCookie } from '../admin/auth/csrf.ts';
import { LoginRefused, login, loginLimiters } from '../admin/auth/login.ts';
import { type AuthDeps, currentSessionHash, requireUser } from '../admin/auth/middleware.ts';
import { verifyPassword } from '../admin/auth/passwords.ts';
import { clientIp } from '../admin/auth/request.ts';
import { deleteSession } from '../admin/auth/sessions.ts';
import { authSettings } from '../admin/auth/settings.ts';
import { type Account, MAX_DISPLAY_NAME, USERNAME_PATTERN, createUser, credentials, listUsers, setDisabled, setPassword } from '../admin/users.ts';
import { ApiError, ErrorBodySchema } from '../errors.ts';
import { type Ctx, Router, type SessionUser } from '../routing.ts';

const RoleSchema = z.enum(['admin', 'statisticien']);

const PublicUserSchema = z.object({ username: z.string(), displayName: z.string(), role: RoleSchema });

const SessionResponse = z.object({
  user: PublicUserSchema.nullable().meta({ description: 'null pour un visiteur non connecté' }),
  csrfToken: z.string().meta({ description: 'À renvoyer dans l’en-tête X-CSRF-Token de toute requête POST' })
});

const AccountSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  role: RoleSchema,
  disabled: z.boolean(),
  createdAt: z.string().meta({ description: 'ISO 8601' }),
  lastLoginAt: z.string().nullable().meta({ description: 'Dernière connexion (ISO 8601), null si jamais' })
});
const AccountResponse = z.object({ user: AccountSchema });

const AuditResponse = z.object({
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  entries: z.array(
    z.object({
      id: z.number().int(),
      at: z.string(),
      username: z.string().nullable(),
      action: z.string(),
      target: z.string().nullable(),
      details: z.string().nullable().meta({ description: 'JSON' })
    })
  )
});

const UsernameParam = z.object({ username: z.string().regex(USERNAME_PATTERN, 'identifiant attendu') });
// The policy (length, username inside) is checked by users.ts, with its own French messages.
const Password = z.string().min(1).max(1024);
const NoBody = z.object({}).meta({ description: 'Objet vide `{}`' });

const error = (description: string) => ({ description, schema: ErrorBodySchema });
const NEEDS_SESSION = { 401: error('Non connecté ou session expirée'), 403: error('Jeton anti-CSRF invalide, ou rôle insuffisant') };

const publicUser = (u: SessionUser | Account) => ({ username: u.username, displayName: u.displayName, role: u.role });
const account = (a: Account) => ({
  username: a.username,
  displayName: a.displayName,
  role: a.role,
  disabled: a.disabled,
  createdAt: a.createdAt,
  lastLoginAt: a.lastLoginAt
});

/**
 * `/api/admin`: session (login, logout), own password, accounts (admin), audit log.
 * The session and CSRF middlewares (server/admin/auth/middleware.ts) run before these.
 */
export function adminAuthRoutes(deps: AuthDeps): Router {
  const r = new Router('/api/admin', 'Administration : comptes');
  const settings = authSettings(deps);
  const limiters = loginLimiters(settings, deps.clock);
  const { store, clock } = deps;
  const actor = (u: SessionUser) => ({ username: u.username });

  r.app.use('*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    await next();
  });

  const anonymous = (c: Ctx) => ({ user: null, csrfToken: anonymousCsrfToken(c, settings) });

  r.get(
    '/session',
    {
      summary: 'Qui est connecté, et le jeton anti-CSRF',
      description: 'Pour un visiteur, pose aussi le cookie `obs_csrf` dont la valeur doit accompagner la connexion dans `X-CSRF-Token`.',
      response: SessionResponse
    },
    (c) => {
      const user = c.get('user');
      return c.json(user ? { user: publicUser(user), csrfToken: user.csrfToken } : anonymous(c));
    }
  );

  r.post(
    '/session',
    {
      summary: 'Se connecter',
      description:
        'Pose le cookie de session `obs_session`. Même réponse pour un identifiant inconnu, un mot de passe faux ou un compte désactivé. Après 5 échecs en 15 minutes pour un identifiant (20 pour une adresse), 429 avec `Retry-After`.',
      body: z.object({ username: z.string().min(1).max(200), password: Password }),
      maxBodyBytes: 4096,
      response: SessionResponse,
      responses: { 401: error('Identifiant ou mot de passe incorrect'), 403: error('Jeton anti-CSRF invalide'), 429: error('Trop de tentatives') }
    },
    async (c, { body }) => {
      let result: Awaited<ReturnType<typeof login>>;
      try {
        result = await login({ store, clock, settings, limiters }, { ...body, ip: clientIp(c, settings.trustProxy) });
      } catch (e) {
        if (e instanceof LoginRefused && e.retryAfterSeconds !== null) c.header('Retry-After', String(e.retryAfterSeconds));
        throw e;
      }
      // A fresh token every time: a session id planted before the login is never adopted.
      const previous = currentSessionHash(c);
      if (previous) await deleteSession(store, previous);
      setSessionCookie(c, settings, result.session.token);
      clearCsrfCookie(c, settings);
      return c.json({ user: publicUser(result.user), csrfToken: result.user.csrfToken });
    }
  );

  r.post(
    '/session/logout',
    { summary: 'Se déconnecter', description: 'Supprime la session ; renvoie un jeton pour une nouvelle connexion.', body: NoBody, maxBodyBytes: 1024, response: SessionResponse },
    async (c) => {
      const user = c.get('user');
      const hash = currentSessionHash(c);
      if (hash) await deleteSession(store, hash);
      if (user) await audit(store, clock, { username: user.username, action: 'deconnexion' });
      clearSessionCookie(c, settings);
      return c.json(anonymous(c));
    }
  );

  r.post(
    '/me/password',
    {
      summary: 'Changer son mot de passe',
      description: 'Ferme les autres sessions du compte.',
      body: z.object({ current: Password, next: Password }),
      maxBodyBytes: 4096,
      response: z.object({ user: PublicUserSchema }),
      responses: { ...NEEDS_SESSION, 400: error('Nouveau mot de passe trop faible'), 429: error('Trop de tentatives') }
    },
    async (c, { body }) => {
      const user = requireUser(c, 'statisticien');
      // A stolen session must not become a way to guess the password: same limiter as the login.
      const verdict = limiters.username.check(user.username);
      if (!verdict.allowed) {
        c.header('Retry-After', String(verdict.retryAfterSeconds));
        throw new ApiError(429, 'trop_de_tentatives', 'Trop de tentatives : réessayez plus tard.');
      }
      const stored = await credentials(store, user.username);
      if (!stored || !(await verifyPassword(body.current, stored.passwordHash))) {
        limiters.username.fail(user.username);
        throw new ApiError(403, 'identifiants_invalides', 'Le mot de passe actuel est incorrect.');
      }
      await setPassword(store, clock, user.username, body.next, actor(user), currentSessionHash(c));
      return c.json({ user: publicUser(user) });
    }
  );

  r.get('/users', { summary: 'Comptes (administrateurs)', response: z.object({ users: z.array(AccountSchema) }), responses: NEEDS_SESSION }, async (c) => {
    requireUser(c, 'admin');
    return c.json({ users: (await listUsers(store)).map(account) });
  });

  r.post(
    '/users',
    {
      summary: 'Créer un compte (administrateurs)',
      description: 'Mot de passe : au moins 12 caractères, sans l’identifiant.',
      body: z.object({
        username: z.string().regex(USERNAME_PATTERN, '3 à 40 caractères : minuscules, chiffres, « . », « _ », « - »'),
        displayName: z.string().trim().min(1).max(MAX_DISPLAY_NAME),
        role: RoleSchema,
        password: Password
      }),
      maxBodyBytes: 4096,
      responses: { 201: { description: 'Compte créé', schema: AccountResponse }, ...NEEDS_SESSION, 409: error('Le compte existe déjà') }
    },
    async (c, { body }) => {
      const admin = requireUser(c, 'admin');
      return c.json({ user: account(await createUser(store, clock, body, actor(admin))) }, 201);
    }
  );

  for (const [verb, disabled, summary] of [
    ['disable', true, 'Désactiver un compte (ses sessions sont fermées)'],
    ['enable', false, 'Réactiver un compte']
  ] as const) {
    r.post(
      `/users/:username/${verb}`,
      {
        summary: `${summary} (administrateurs)`,
        params: UsernameParam,
        body: NoBody,
        maxBodyBytes: 1024,
        response: AccountResponse,
        responses: { ...NEEDS_SESSION, 409: error('Dernier administrateur actif') }
      },
      async (c, { params }) => {
        const admin = requireUser(c, 'admin');
        return c.json({ user: account(await setDisabled(store, clock, params.username, disabled, actor(admin))) });
      }
    );
  }

  r.post(
    '/users/:username/password',
    {
      summary: 'Définir le mot de passe d’un compte (administrateurs)',
      description: 'Ferme les sessions du compte (sauf celle qui fait la demande).',
      params: UsernameParam,
      body: z.object({ password: Password }),
      maxBodyBytes: 4096,
      response: AccountResponse,
      responses: NEEDS_SESSION
    },
    async (c, { params, body }) => {
      const admin = requireUser(c, 'admin');
      return c.json({ user: account(await setPassword(store, clock, params.username, body.password, actor(admin), currentSessionHash(c))) });
    }
  );

  r.get(
    '/audit',
    {
      summary: 'Journal d’audit, du plus récent au plus ancien',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(500).default(50),
        offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
        username: z.string().min(1).max(100).optional(),
        action: z.string().regex(/^[a-z_-]{1,40}$/).optional()
      }),
      response: AuditResponse,
      responses: NEEDS_SESSION
    },
    async (c, { query }) => {
      requireUser(c, 'statisticien');
      const q: AuditQuery = { limit: query.limit, offset: query.offset, username: query.username, action: query.action };
      return c.json({ ...(await readAudit(store, q)), limit: query.limit, offset: query.offset });
    }
  );

  return r;
}
