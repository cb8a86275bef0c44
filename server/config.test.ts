import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, DEFAULT_LIMITS, loadConfig } from './config.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const load = (env: Record<string, string>, flags = {}) => loadConfig(env, { repoRoot: '/srv/obs', cwd: '/var/lib', flags });

function problemsOf(env: Record<string, string>, flags = {}): { variable: string; message: string }[] {
  try {
    load(env, flags);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error('aucune erreur de configuration');
}

describe('loadConfig', () => {
  it('gives working defaults with an empty environment', () => {
    const c = load({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('0.0.0.0');
    expect(c.dataDir).toBe('/srv/obs/data');
    expect(c.dbPath).toBe('/srv/obs/data/observatoire.duckdb');
    expect(c.adminDb).toBe('/srv/obs/data/admin/observatoire-admin.duckdb');
    expect(c.mirror).toBeUndefined();
    expect(c.metrics).toEqual({ enabled: false });
    expect(c.log).toEqual({ level: 'info', format: 'json', access: true });
    expect(c.tileCacheBytes).toBe(64 * 1024 * 1024);
    expect(c.reloadIntervalMs).toBe(5000);
    expect(c.limits).toEqual(DEFAULT_LIMITS);
    expect(c.cookieSecure).toBe(false);
    expect(c.trustProxy).toBe(false);
    expect(c.backOffice).toBe(true);
  });

  it('leaves the back office out of a read-only replica', () => {
    expect(load({ OBS_BACK_OFFICE: 'false' }).backOffice).toBe(false);
    expect(problemsOf({ OBS_BACK_OFFICE: 'peut-être' }).map((p) => p.variable)).toEqual(['OBS_BACK_OFFICE']);
  });

  it('derives the database and the administration store from OBS_DATA_DIR, relative to the working directory', () => {
    const c = load({ OBS_DATA_DIR: 'observatoire' });
    expect(c.dataDir).toBe('/var/lib/observatoire');
    expect(c.dbPath).toBe('/var/lib/observatoire/observatoire.duckdb');
    expect(c.adminDb).toBe('/var/lib/observatoire/admin/observatoire-admin.duckdb');
    expect(load({ OBS_DATA_DIR: '/d', OBS_DB: '/x/base.duckdb', OBS_ADMIN_DB: '/y/admin.duckdb' })).toMatchObject({
      dbPath: '/x/base.duckdb',
      adminDb: '/y/admin.duckdb'
    });
  });

  it('reads every documented variable', () => {
    const c = load({
      PORT: '8080',
      HOST: '127.0.0.1',
      OBS_MIRROR: '/mnt/miroir',
      OBS_COOKIE_SECURE: 'true',
      OBS_TRUST_PROXY: 'oui',
      OBS_LOG_LEVEL: 'WARN',
      OBS_LOG_FORMAT: 'text',
      OBS_ACCESS_LOG: 'off',
      OBS_TILE_CACHE_MB: '128',
      OBS_RELOAD_INTERVAL_MS: '0',
      OBS_QUERY_TIMEOUT_MS: '3000',
      OBS_REQUEST_TIMEOUT_MS: '60000',
      OBS_HEADERS_TIMEOUT_MS: '10000',
      OBS_KEEPALIVE_TIMEOUT_MS: '65000',
      OBS_SOCKET_TIMEOUT_MS: '0',
      OBS_HEAVY_MAX: '2',
      OBS_SHUTDOWN_TIMEOUT_MS: '9000',
      OBS_READY_TIMEOUT_MS: '500',
      ORIGIN: 'https://observatoire.seinesaintdenis.fr',
      PUBLIC_OBS_SITE_URL: 'https://observatoire.seinesaintdenis.fr/'
    });
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      mirror: '/mnt/miroir',
      cookieSecure: true,
      trustProxy: true,
      log: { level: 'warn', format: 'text', access: false },
      tileCacheBytes: 128 * 1024 * 1024,
      reloadIntervalMs: 0,
      limits: {
        queryTimeoutMs: 3000,
        requestTimeoutMs: 60000,
        headersTimeoutMs: 10000,
        keepAliveTimeoutMs: 65000,
        socketTimeoutMs: 0,
        heavyMax: 2,
        shutdownTimeoutMs: 9000,
        readyTimeoutMs: 500
      },
      web: { origin: 'https://observatoire.seinesaintdenis.fr' }
    });
  });

  it('names the variable and the value it refused, in French', () => {
    expect(() => load({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => load({ PORT: 'abc' })).toThrow("Configuration invalide :\n  - PORT : un entier entre 0 et 65535 est attendu (valeur reçue : « abc »)");
    expect(problemsOf({ PORT: '70000' })).toEqual([{ variable: 'PORT', message: expect.stringContaining('entre 0 et 65535') }]);
    expect(problemsOf({ OBS_LOG_FORMAT: 'xml' })[0]).toEqual({ variable: 'OBS_LOG_FORMAT', message: expect.stringContaining('json, text') });
    expect(problemsOf({ OBS_COOKIE_SECURE: 'peut-être' })[0]).toEqual({
      variable: 'OBS_COOKIE_SECURE',
      message: 'un booléen est attendu (true ou false) (valeur reçue : « peut-être »)'
    });
    expect(problemsOf({ ORIGIN: 'observatoire.fr' })[0]?.variable).toBe('ORIGIN');
  });

  it('lists every bad variable at once, not only the first', () => {
    const problems = problemsOf({ PORT: '-1', OBS_TILE_CACHE_MB: '0', OBS_QUERY_TIMEOUT_MS: '2,5', OBS_METRICS: 'peut-etre' });
    expect(problems.map((p) => p.variable).sort()).toEqual(['OBS_METRICS', 'OBS_QUERY_TIMEOUT_MS', 'OBS_TILE_CACHE_MB', 'PORT']);
  });

  it('names the command-line flag when the flag is what was wrong', () => {
    expect(problemsOf({ PORT: '8080' }, { port: 'huit' })).toEqual([{ variable: '--port', message: expect.stringContaining('huit') }]);
    expect(load({ PORT: '8080' }, { port: '9090' }).port).toBe(9090);
    expect(load({ OBS_DB: '/a.duckdb' }, { db: 'b.duckdb' }).dbPath).toBe('/var/lib/b.duckdb');
  });

  it('logs text at a terminal outside production, JSON everywhere else, unless told', () => {
    const format = (env: Record<string, string>, tty: boolean) => loadConfig(env, { repoRoot: '/r', tty }).log.format;
    expect(format({}, true)).toBe('text');
    expect(format({ NODE_ENV: 'production' }, true)).toBe('json');
    expect(format({}, false)).toBe('json');
    expect(format({ OBS_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(format({ OBS_LOG_FORMAT: 'text', NODE_ENV: 'production' }, false)).toBe('text');
  });

  it('treats an empty value as unset, as an EnvironmentFile line « FOO= » means', () => {
    expect(load({ PORT: '', OBS_LOG_LEVEL: '', OBS_METRICS_TOKEN: '' })).toMatchObject({ port: 3000, log: { level: 'info' }, metrics: { enabled: false } });
  });

  it('turns metrics on with a token, and never echoes the token', () => {
    const token = 'a'.repeat(32);
    expect(load({ OBS_METRICS_TOKEN: token }).metrics).toEqual({ enabled: true, token });
    expect(load({ OBS_METRICS: 'on' }).metrics).toEqual({ enabled: true, token: undefined });
    expect(load({ OBS_METRICS: 'off', OBS_METRICS_TOKEN: token }).metrics).toEqual({ enabled: false });
    const problems = problemsOf({ OBS_METRICS_TOKEN: 'court secret' });
    expect(problems[0]?.variable).toBe('OBS_METRICS_TOKEN');
    expect(JSON.stringify(problems)).not.toContain('court secret');
  });

  it('refuses a headers timeout longer than the request timeout, which node would reject', () => {
    expect(problemsOf({ OBS_HEADERS_TIMEOUT_MS: '30000', OBS_REQUEST_TIMEOUT_MS: '10000' })[0]?.variable).toBe('OBS_HEADERS_TIMEOUT_MS');
  });
});

/** `process.env.X`, `env.X` (SvelteKit's `$env`) and `{ X }` destructured from them. */
function variablesUsedIn(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|svelte)$/.test(f) && !f.endsWith('.test.ts')) {
        const text = readFileSync(p, 'utf8');
        const readsEnv = text.includes('$env/');
        for (const m of text.matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g)) found.set(m[1] as string, relative(repoRoot, p));
        if (readsEnv) for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) found.set(m[1] as string, relative(repoRoot, p));
      }
    }
  };
  walk(join(repoRoot, dir));
  return found;
}

describe('the configuration table', () => {
  const serverReadme = readFileSync(join(repoRoot, 'server/README.md'), 'utf8');
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

  it('documents every variable config.ts reads, in server/README.md and the README', () => {
    for (const name of CONFIG_VARIABLES) {
      expect(serverReadme, name).toContain(`\`${name}\``);
      expect(readme, name).toContain(`\`${name}\``);
    }
  });

  it('documents every environment variable the server and the web app read', () => {
    const used = new Map([...variablesUsedIn('server'), ...variablesUsedIn('web/lib'), ...variablesUsedIn('web/routes')]);
    expect(used.size).toBeGreaterThan(3);
    const missing = [...used].filter(([name]) => !serverReadme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
