import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAudit } from '../admin/audit.ts';
import { type Harness, authHarness } from '../admin/auth/test-harness.ts';
import { sha256Hex } from '../admin/auth/tokens.ts';
import { adminAuthRoutes } from './admin-auth.ts';

const ADMIN_PW = 'cheval correct agrafe';
const STAT_PW = 'observatoire du 93 !';
const MINUTE = 60_000;

let h: Harness;
beforeEach(async () => {
  h = await authHarness();
  await h.addUser('admin', 'admin', ADMIN_PW, 'Camille Admin');
  await h.addUser('stat', 'statisticien', STAT_PW, 'Sami Stat');
});
afterEach(() => h.close());

const cookieLine = (lines: string[], name: string) => lines.find((l) => l.startsWith(`${name}=`));
const sessionCount = async (username: string) =>
  (await h.store.one<{ n: number }>('SELECT count(*)::INTEGER AS n FROM sessions WHERE username = $u', { u: username }))?.n;
const auditActions = async () => (await readAudit(h.store, { limit: 500, offset: 0 })).entries;

describe('GET /api/admin/session', () => {
  it('gives a visitor no user, a login token and the matching HttpOnly SameSite=Strict obs_csrf cookie, reused afterwards', async () => {
    const b = h.browser();
    const first = await b.get('/api/admin/session');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ user: null, csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const line = cookieLine(first.setCookies, 'obs_csrf');
    expect(line).toBe(`obs_csrf=${first.body.csrfToken}; Path=/api/admin; HttpOnly; SameSite=Strict`);
    const second = await b.get('/api/admin/session');
    expect(second.body.csrfToken).toBe(first.body.csrfToken);
    expect(second.setCookies).toEqual([]);
    expect(first.headers.get('Cache-Control')).toBe('no-store');
  });

  it('names the logged-in user and gives the session’s token', async () => {
    const b = h.browser();
    const login = await b.login('admin', ADMIN_PW);
    const session = await b.get('/api/admin/session');
    expect(session.body).toEqual({ user: { username: 'admin', displayName: 'Camille Admin', role: 'admin' }, csrfToken: login.body.csrfToken });
  });
});

describe('POST /api/admin/session (login)', () => {
  it('opens a session: HttpOnly, SameSite=Strict, Path=/ cookie of 32 random bytes, only its SHA-256 stored', async () => {
    const b = h.browser();
    const res = await b.login('Admin', ADMIN_PW);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: { username: 'admin', displayName: 'Camille Admin', role: 'admin' }, csrfToken: expect.any(String) });
    const line = cookieLine(res.setCookies, 'obs_session') as string;
    expect(line).toMatch(/^obs_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(cookieLine(res.setCookies, 'obs_csrf')).toContain('Max-Age=0');
    const token = b.cookies.get('obs_session') as string;
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const rows = await h.store.all<{ token_hash: string }>('SELECT token_hash FROM sessions');
    expect(rows).toEqual([{ token_hash: sha256Hex(token) }]);
    expect(JSON.stringify(await h.store.all('SELECT * FROM sessions'))).not.toContain(token);
    expect((await b.get('/api/admin/probe')).body).toEqual({ user: 'admin' });
  });

  it('marks cookies Secure when secureCookies is set, or when the request came over https', async () => {
    const secureByOption = await authHarness({ secureCookies: true });
    try {
      await secureByOption.addUser('admin', 'admin', ADMIN_PW);
      const res = await secureByOption.browser().login('admin', ADMIN_PW);
      expect(cookieLine(res.setCookies, 'obs_session')).toMatch(/; Secure; SameSite=Strict$/);
    } finally {
      secureByOption.close();
    }
    const overHttps = await h.browser('https://portail.example').login('admin', ADMIN_PW);
    expect(cookieLine(overHttps.setCookies, 'obs_session')).toContain('; Secure');
    const plain = await h.browser().login('admin', ADMIN_PW);
    expect(cookieLine(plain.setCookies, 'obs_session')).not.toContain('Secure');
  });

  it('answers the same 401 for a wrong password, an unknown user and a disabled account, and audits each reason', async () => {
    await h.addUser('ancien', 'statisticien', 'un mot de passe valide');
    const admin = h.browser();
    await admin.login('admin', ADMIN_PW);
    expect((await admin.post('/api/admin/users/ancien/disable')).status).toBe(200);

    const answers = [
      await h.browser().login('stat', 'pas le bon mot de passe'),
      await h.browser().login('personne', 'pas le bon mot de passe'),
      await h.browser().login('ancien', 'un mot de passe valide')
    ];
    for (const a of answers) {
      expect(a.status).toBe(401);
      expect(a.body).toEqual({ error: { code: 'identifiants_invalides', message: 'Identifiant ou mot de passe incorrect.' } });
      expect(cookieLine(a.setCookies, 'obs_session')).toBeUndefined();
    }
    const refused = (await auditActions()).filter((e) => e.action === 'connexion_refusee');
    expect(refused.map((e) => [e.username, e.target, JSON.parse(e.details as string)])).toEqual([
      [null, 'ancien', { reason: 'compte_desactive', ip: 'inconnue' }],
      [null, 'personne', { reason: 'compte_inconnu', ip: 'inconnue' }],
      [null, 'stat', { reason: 'mot_de_passe_incorrect', ip: 'inconnue' }]
    ]);
  });

  it('refuses a login without the double-submit token, with a wrong one, or from a foreign Origin', async () => {
    const b = h.browser();
    await b.get('/api/admin/session');
    const body = { username: 'admin', password: ADMIN_PW };
    const missing = await b.post('/api/admin/session', body, { csrf: null });
    const wrong = await b.post('/api/admin/session', body, { csrf: 'A'.repeat(43) });
    const foreign = await b.post('/api/admin/session', body, { headers: { Origin: 'https://evil.example' } });
    const nullOrigin = await b.post('/api/admin/session', body, { headers: { Origin: 'null' } });
    for (const a of [missing, wrong, foreign, nullOrigin]) {
      expect(a.status).toBe(403);
      expect((a.body as { error: { code: string } }).error.code).toBe('csrf_invalide');
      expect(a.headers.get('Cache-Control')).toBe('no-store');
    }
    // A header without its cookie is not a double submit.
    const noCookie = await h.browser().post('/api/admin/session', body, { csrf: b.csrfToken });
    expect(noCookie.status).toBe(403);
    const sameOrigin = await b.post('/api/admin/session', body, { headers: { Origin: 'http://localhost' } });
    expect(sameOrigin.status).toBe(200);
    expect(await sessionCount('admin')).toBe(1);
  });

  it('blocks a username after 5 failures in 15 minutes with 429 and Retry-After, then lets it in after the window', async () => {
    const b = h.browser();
    for (let i = 0; i < 5; i++) {
      expect((await b.login('stat', `mauvais essai ${i}`)).status).toBe(401);
      h.advance(MINUTE);
    }
    // Even the right password is refused while blocked.
    const blocked = await b.login('stat', STAT_PW);
    expect(blocked.status).toBe(429);
    expect((blocked.body as { error: { code: string } }).error.code).toBe('trop_de_tentatives');
    // The first failure (5 min ago) leaves the 15-minute window in 10 minutes.
    expect(blocked.headers.get('Retry-After')).toBe(String(10 * 60));
    h.advance(10 * MINUTE - 1000);
    expect((await b.login('stat', STAT_PW)).status).toBe(429);
    h.advance(1000);
    expect((await b.login('stat', STAT_PW)).status).toBe(200);
    const tooMany = (await auditActions()).filter((e) => e.action === 'connexion_refusee' && e.details?.includes('trop_de_tentatives'));
    expect(tooMany).toHaveLength(2);
  });

  it('counts attempts sent in parallel: no more than 5 get a password check', async () => {
    const attempts = await Promise.all(Array.from({ length: 12 }, (_, i) => h.browser().login('stat', `essai parallèle ${i}`)));
    const statuses = attempts.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
  });

  it('resets the username’s counter on success', async () => {
    const b = h.browser();
    for (let i = 0; i < 4; i++) await b.login('stat', 'mauvais mot de passe');
    expect((await b.login('stat', STAT_PW)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await h.browser().login('stat', 'mauvais mot de passe')).status).toBe(401);
    expect((await h.browser().login('stat', STAT_PW)).status).toBe(200);
  });

  it('limits failures per client address across usernames (X-Forwarded-For only behind a trusted proxy)', async () => {
    const proxied = await authHarness({ trustProxy: true, loginLimitPerIp: { max: 3, windowMs: 15 * MINUTE } });
    try {
      await proxied.addUser('stat', 'statisticien', STAT_PW);
      const from = (ip: string) => ({ 'X-Forwarded-For': `203.0.113.99, ${ip}` });
      for (const name of ['a1', 'a2', 'a3']) expect((await proxied.browser().login(name, 'nimporte quoi !', from('198.51.100.7'))).status).toBe(401);
      expect((await proxied.browser().login('stat', STAT_PW, from('198.51.100.7'))).status).toBe(429);
      expect((await proxied.browser().login('stat', STAT_PW, from('198.51.100.8'))).status).toBe(200);
      const refused = (await readAudit(proxied.store, { limit: 10, offset: 0, action: 'connexion_refusee' })).entries;
      expect(JSON.parse(refused[0]?.details as string)).toEqual({ reason: 'trop_de_tentatives', ip: '198.51.100.7' });
    } finally {
      proxied.close();
    }
  });

  it('replaces the session the browser already had', async () => {
    const b = h.browser();
    await b.login('stat', STAT_PW);
    const before = b.cookies.get('obs_session');
    expect((await b.post('/api/admin/session', { username: 'admin', password: ADMIN_PW })).status).toBe(200);
    expect(b.cookies.get('obs_session')).not.toBe(before);
    expect(await sessionCount('stat')).toBe(0);
  });
});

describe('session lifetime', () => {
  it('ends a session idle for 2 hours: 401 session_expiree, cookie cleared, row deleted', async () => {
    const b = h.browser();
    await b.login('stat', STAT_PW);
    h.advance(119 * MINUTE);
    expect((await b.get('/api/admin/probe')).status).toBe(200);
    h.advance(119 * MINUTE);
    expect((await b.get('/api/admin/probe')).status).toBe(200);
    h.advance(120 * MINUTE);
    const expired = await b.get('/api/admin/probe');
    expect(expired.status).toBe(401);
    expect((expired.body as { error: { code: string } }).error.code).toBe('session_expiree');
    expect(cookieLine(expired.setCookies, 'obs_session')).toMatch(/^obs_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(await sessionCount('stat')).toBe(0);
  });

  it('ends a session 12 hours after the login however active it is', async () => {
    const b = h.browser();
    await b.login('stat', STAT_PW);
    for (let hour = 1; hour < 12; hour++) {
      h.advance(60 * MINUTE);
      expect((await b.get('/api/admin/probe')).status, `heure ${hour}`).toBe(200);
    }
    h.advance(60 * MINUTE);
    const expired = await b.get('/api/admin/probe');
    expect(expired.status).toBe(401);
    expect((expired.body as { error: { code: string } }).error.code).toBe('session_expiree');
  });

  it('writes last_seen_at at most once a minute', async () => {
    const b = h.browser();
    await b.login('stat', STAT_PW);
    const seen = async () => (await h.store.one<{ ms: number }>('SELECT epoch_ms(last_seen_at) AS ms FROM sessions'))?.ms;
    const loginTime = h.now().getTime();
    h.advance(30_000);
    await b.get('/api/admin/probe');
    expect(await seen()).toBe(loginTime);
    h.advance(31_000);
    await b.get('/api/admin/probe');
    expect(await seen()).toBe(loginTime + 61_000);
  });

  it('answers an expired session with POST too, rather than a CSRF refusal', async () => {
    const b = h.browser();
    await b.login('admin', ADMIN_PW);
    h.advance(121 * MINUTE);
    const res = await b.post('/api/admin/users', { username: 'nouveau', displayName: 'N', role: 'statisticien', password: 'une phrase assez longue' });
    expect(res.status).toBe(401);
    expect((res.body as { error: { code: string } }).error.code).toBe('session_expiree');
  });

  it('leaves public routes alone with an ended session: anonymous, no Set-Cookie', async () => {
    const b = h.browser();
    await b.login('stat', STAT_PW);
    expect((await b.get('/api/public')).body).toEqual({ user: 'stat' });
    h.advance(121 * MINUTE);
    const res = await b.get('/api/public');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: null });
    expect(res.setCookies).toEqual([]);
  });

  it('stops a disabled account’s sessions at once, however it was disabled', async () => {
    const stat = h.browser();
    await stat.login('stat', STAT_PW);
    const admin = h.browser();
    await admin.login('admin', ADMIN_PW);
    expect((await admin.post('/api/admin/users/stat/disable')).status).toBe(200);
    expect((await stat.get('/api/admin/probe')).status).toBe(401);

    await admin.post('/api/admin/users/stat/enable');
    await stat.login('stat', STAT_PW);
    await h.store.run("UPDATE users SET disabled = true WHERE username = 'stat'");
    const res = await stat.get('/api/admin/probe');
    expect(res.status).toBe(401);
    expect((res.body as { error: { code: string } }).error.code).toBe('session_expiree');
  });

  it('logout deletes the session: the old cookie opens nothing afterwards', async () => {
    const b = h.browser();
    await b.login('stat', STAT_PW);
    const token = b.cookies.get('obs_session') as string;
    const out = await b.post('/api/admin/session/logout');
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ user: null, csrfToken: expect.any(String) });
    expect(cookieLine(out.setCookies, 'obs_session')).toContain('Max-Age=0');
    expect(await sessionCount('stat')).toBe(0);
    const replay = await h.app.request('/api/admin/probe', { headers: { Cookie: `obs_session=${token}` } });
    expect(replay.status).toBe(401);
    expect((await auditActions())[0]).toMatchObject({ action: 'deconnexion', username: 'stat' });
  });
});

describe('CSRF with a session', () => {
  it('needs the session’s own token in X-CSRF-Token for every POST', async () => {
    const b = h.browser();
    await b.get('/api/admin/session');
    const loginToken = b.csrfToken;
    await b.post('/api/admin/session', { username: 'stat', password: STAT_PW });
    for (const csrf of [null, 'x', loginToken]) {
      const res = await b.post('/api/admin/probe', {}, { csrf });
      expect(res.status, String(csrf)).toBe(403);
      expect((res.body as { error: { code: string } }).error.code).toBe('csrf_invalide');
    }
    expect((await b.post('/api/admin/probe')).status).toBe(200);
    expect((await b.post('/api/admin/probe', {}, { headers: { Origin: 'http://evil.example' } })).status).toBe(403);
  });

  it('checks the Origin against the public origin given by a trusted proxy', async () => {
    const proxied = await authHarness({ trustProxy: true });
    try {
      await proxied.addUser('stat', 'statisticien', STAT_PW);
      const b = proxied.browser();
      const forwarded = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'observatoire.seinesaintdenis.fr' };
      await b.login('stat', STAT_PW, forwarded);
      expect((await b.post('/api/admin/probe', {}, { headers: { ...forwarded, Origin: 'https://observatoire.seinesaintdenis.fr' } })).status).toBe(200);
      expect((await b.post('/api/admin/probe', {}, { headers: { ...forwarded, Origin: 'http://observatoire.seinesaintdenis.fr' } })).status).toBe(403);
    } finally {
      proxied.close();
    }
  });
});

describe('roles', () => {
  it('refuses a visitor: 401 on reads, 403 without token and 401 with the login token on writes', async () => {
    const visitor = h.browser();
    const read = await visitor.get('/api/admin/users');
    expect(read.status).toBe(401);
    expect((read.body as { error: { code: string } }).error.code).toBe('authentification_requise');
    expect((await visitor.get('/api/admin/audit')).status).toBe(401);
    const newUser = { username: 'intrus', displayName: 'Intrus', role: 'admin', password: 'une phrase assez longue' };
    expect((await visitor.post('/api/admin/users', newUser)).status).toBe(403);
    await visitor.get('/api/admin/session');
    const withToken = await visitor.post('/api/admin/users', newUser);
    expect(withToken.status).toBe(401);
    expect((await visitor.post('/api/admin/users/stat/disable')).status).toBe(401);
    expect((await visitor.post('/api/admin/me/password', { current: 'x', next: 'y' })).status).toBe(401);
    expect((await h.store.all('SELECT username FROM users ORDER BY username')).map((r) => (r as { username: string }).username)).toEqual(['admin', 'stat']);
  });

  it('refuses admin-only routes to a statisticien (403 acces_refuse) and lets an admin do what a statisticien does', async () => {
    const stat = h.browser();
    await stat.login('stat', STAT_PW);
    for (const res of [
      await stat.get('/api/admin/users'),
      await stat.post('/api/admin/users', { username: 'autre', displayName: 'Autre', role: 'admin', password: 'une phrase assez longue' }),
      await stat.post('/api/admin/users/admin/disable'),
      await stat.post('/api/admin/users/admin/password', { password: 'une phrase assez longue' })
    ]) {
      expect(res.status).toBe(403);
      expect((res.body as { error: { code: string } }).error.code).toBe('acces_refuse');
    }
    expect((await stat.get('/api/admin/audit')).status).toBe(200);
    const admin = h.browser();
    await admin.login('admin', ADMIN_PW);
    expect((await admin.get('/api/admin/probe')).body).toEqual({ user: 'admin' });
    expect((await admin.get('/api/admin/audit')).status).toBe(200);
  });
});

describe('accounts (admin)', () => {
  it('creates, lists, disables and re-enables accounts, and refuses duplicates, weak passwords and the last admin', async () => {
    const admin = h.browser();
    await admin.login('admin', ADMIN_PW);
    const created = await admin.post('/api/admin/users', { username: 'lea', displayName: ' Léa Dupont ', role: 'statisticien', password: 'Seine-Saint-Denis 2026' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ user: { username: 'lea', displayName: 'Léa Dupont', role: 'statisticien', disabled: false, createdAt: h.now().toISOString(), lastLoginAt: null } });
    const duplicate = await admin.post('/api/admin/users', { username: 'lea', displayName: 'Autre', role: 'admin', password: 'Seine-Saint-Denis 2026' });
    expect(duplicate.status).toBe(409);
    expect((duplicate.body as { error: { code: string } }).error.code).toBe('compte_existant');
    const short = await admin.post('/api/admin/users', { username: 'tom', displayName: 'Tom', role: 'statisticien', password: 'court' });
    expect(short.status).toBe(400);
    expect(short.body).toMatchObject({ error: { code: 'mot_de_passe_faible', message: expect.stringContaining('au moins 12 caractères') } });
    const withName = await admin.post('/api/admin/users', { username: 'tom', displayName: 'Tom', role: 'statisticien', password: 'mon-nom-est-TOM-et-voila' });
    expect(withName.body).toMatchObject({ error: { code: 'mot_de_passe_faible', message: 'Le mot de passe ne doit pas contenir l’identifiant du compte.' } });

    const list = await admin.get<{ users: { username: string; disabled: boolean; lastLoginAt: string | null }[] }>('/api/admin/users');
    expect(list.body.users.map((u) => [u.username, u.lastLoginAt])).toEqual([
      ['admin', h.now().toISOString()],
      ['lea', null],
      ['stat', null]
    ]);
    expect((await admin.post('/api/admin/users/lea/disable')).body).toMatchObject({ user: { username: 'lea', disabled: true } });
    expect((await h.browser().login('lea', 'Seine-Saint-Denis 2026')).status).toBe(401);
    expect((await admin.post('/api/admin/users/lea/enable')).body).toMatchObject({ user: { disabled: false } });
    expect((await h.browser().login('lea', 'Seine-Saint-Denis 2026')).status).toBe(200);

    const last = await admin.post('/api/admin/users/admin/disable');
    expect(last.status).toBe(409);
    expect((last.body as { error: { code: string } }).error.code).toBe('dernier_administrateur');
    expect((await admin.post('/api/admin/users/inconnu/disable')).status).toBe(404);

    const actions = (await auditActions()).map((e) => `${e.action} ${e.target ?? ''}`);
    expect(actions).toEqual(expect.arrayContaining(['compte_cree lea', 'compte_desactive lea', 'compte_reactive lea']));
  });

  it('an admin setting a password ends that account’s sessions; the old password stops working', async () => {
    const stat = h.browser();
    await stat.login('stat', STAT_PW);
    const admin = h.browser();
    await admin.login('admin', ADMIN_PW);
    const res = await admin.post('/api/admin/users/stat/password', { password: 'nouvelle phrase de passe' });
    expect(res.status).toBe(200);
    expect((await stat.get('/api/admin/probe')).status).toBe(401);
    expect((await h.browser().login('stat', STAT_PW)).status).toBe(401);
    expect((await h.browser().login('stat', 'nouvelle phrase de passe')).status).toBe(200);
    expect((await auditActions()).find((e) => e.action === 'mot_de_passe_change')).toMatchObject({ username: 'admin', target: 'stat' });
  });
});

describe('POST /api/admin/me/password', () => {
  it('checks the current password, refuses a weak one, and ends the other sessions only', async () => {
    const here = h.browser();
    await here.login('stat', STAT_PW);
    const elsewhere = h.browser();
    await elsewhere.login('stat', STAT_PW);
    const wrong = await here.post('/api/admin/me/password', { current: 'pas le bon du tout', next: 'nouvelle phrase de passe' });
    expect(wrong.status).toBe(403);
    expect((wrong.body as { error: { code: string } }).error.code).toBe('identifiants_invalides');
    const weak = await here.post('/api/admin/me/password', { current: STAT_PW, next: 'trop court' });
    expect(weak.status).toBe(400);
    expect((weak.body as { error: { code: string } }).error.code).toBe('mot_de_passe_faible');
    const ok = await here.post('/api/admin/me/password', { current: STAT_PW, next: 'nouvelle phrase de passe' });
    expect(ok.status).toBe(200);
    expect((await here.get('/api/admin/probe')).status).toBe(200);
    expect((await elsewhere.get('/api/admin/probe')).status).toBe(401);
    expect((await h.browser().login('stat', 'nouvelle phrase de passe')).status).toBe(200);
    expect((await auditActions()).find((e) => e.action === 'mot_de_passe_change')).toMatchObject({
      username: 'stat',
      target: 'stat',
      details: JSON.stringify({ revokedSessions: 1 })
    });
  });

  it('rate-limits guesses of the current password from a session', async () => {
    const b = h.browser();
    await b.login('stat', STAT_PW);
    for (let i = 0; i < 5; i++) expect((await b.post('/api/admin/me/password', { current: `essai ${i} raté`, next: 'nouvelle phrase de passe' })).status).toBe(403);
    const blocked = await b.post('/api/admin/me/password', { current: STAT_PW, next: 'nouvelle phrase de passe' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('Retry-After'))).toBeGreaterThan(0);
  });
});

describe('GET /api/admin/audit', () => {
  it('lists newest first, filters by username and action, pages with limit and offset', async () => {
    const b = h.browser();
    await b.login('stat', 'mauvais mot de passe');
    await b.login('stat', STAT_PW);
    await b.post('/api/admin/session/logout');
    await b.login('admin', ADMIN_PW);
    const all = await b.get<{ total: number; entries: { id: number; action: string; username: string | null }[] }>('/api/admin/audit');
    expect(all.body.entries.map((e) => e.action)).toEqual(['connexion', 'deconnexion', 'connexion', 'connexion_refusee', 'compte_cree', 'compte_cree']);
    expect(all.body.total).toBe(6);
    const ids = all.body.entries.map((e) => e.id);
    expect([...ids].sort((x, y) => y - x)).toEqual(ids);
    const stat = await b.get<{ entries: { action: string }[] }>('/api/admin/audit?username=stat');
    expect(stat.body.entries.map((e) => e.action)).toEqual(['deconnexion', 'connexion']);
    const logins = await b.get<{ total: number; limit: number; offset: number; entries: { username: string }[] }>('/api/admin/audit?action=connexion&limit=1&offset=1');
    expect(logins.body).toMatchObject({ total: 2, limit: 1, offset: 1, entries: [{ username: 'stat' }] });
    expect((await b.get('/api/admin/audit?limit=0')).status).toBe(400);
  });
});

describe('secrets never leave the server', () => {
  it('no answer of any route and no audit entry holds a password, a hash or a session token', async () => {
    const admin = h.browser();
    const stat = h.browser();
    const passwords = [ADMIN_PW, STAT_PW, 'Seine-Saint-Denis 2026', 'nouvelle phrase de passe', 'encore une autre phrase', 'mauvais mot de passe'];
    await admin.login('admin', ADMIN_PW);
    await stat.login('stat', 'mauvais mot de passe');
    await stat.login('stat', STAT_PW);
    const tokens = [admin.cookies.get('obs_session'), stat.cookies.get('obs_session')] as string[];
    await admin.get('/api/admin/session');
    await admin.post('/api/admin/users', { username: 'lea', displayName: 'Léa', role: 'statisticien', password: 'Seine-Saint-Denis 2026' });
    await admin.get('/api/admin/users');
    await admin.post('/api/admin/users/lea/password', { password: 'encore une autre phrase' });
    await admin.post('/api/admin/users/lea/disable');
    await admin.post('/api/admin/users/lea/enable');
    await stat.post('/api/admin/me/password', { current: STAT_PW, next: 'nouvelle phrase de passe' });
    await stat.get('/api/admin/audit?limit=500');
    await admin.get('/api/admin/audit?limit=500');
    await stat.post('/api/admin/session/logout');

    const answers = [...admin.received, ...stat.received].join('\n');
    const log = JSON.stringify(await h.store.all('SELECT * FROM audit_log'));
    const hashes = (await h.store.all<{ password_hash: string }>('SELECT password_hash FROM users')).map((r) => r.password_hash);
    expect(hashes).toHaveLength(3);
    for (const secret of [...passwords, ...tokens, ...hashes, 'scrypt$', 'password']) {
      expect(answers, secret).not.toContain(secret);
      expect(log, secret).not.toContain(secret);
    }
    expect(log).toContain('mot_de_passe_change');
  });
});

describe('documentation', () => {
  it('declares every route with its schemas for /api/openapi.json, and the JSON answers parse with them', async () => {
    const router = adminAuthRoutes(h.deps);
    expect(router.docs.map((d) => `${d.method} ${d.path}`).sort()).toEqual(
      [
        'get /api/admin/audit',
        'get /api/admin/session',
        'get /api/admin/users',
        'post /api/admin/me/password',
        'post /api/admin/session',
        'post /api/admin/session/logout',
        'post /api/admin/users',
        'post /api/admin/users/{username}/disable',
        'post /api/admin/users/{username}/enable',
        'post /api/admin/users/{username}/password'
      ].sort()
    );
    const admin = h.browser();
    const login = await admin.login('admin', ADMIN_PW);
    const schema = (path: string, method: 'get' | 'post') => router.docs.find((d) => d.path === path && d.method === method)?.spec.response;
    expect(schema('/api/admin/session', 'post')?.safeParse(login.body).error).toBeUndefined();
    for (const path of ['/api/admin/session', '/api/admin/users', '/api/admin/audit']) {
      const res = await admin.get(path);
      expect(schema(path, 'get')?.safeParse(res.body).error, path).toBeUndefined();
    }
    const disabled = await admin.post('/api/admin/users/stat/disable');
    expect(schema('/api/admin/users/{username}/disable', 'post')?.safeParse(disabled.body).error).toBeUndefined();
  });
});
