/**
 * The deployment files (deploy/) cannot run here (no Docker daemon, no systemd as init):
 * this checks that what they name exists — scripts, files, flags, routes, variables — and
 * that they say what the deployment guide says they do.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, DEFAULT_LIMITS, loadConfig } from '../config.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: (op as string).toUpperCase(), args: rest.join(' ') };
    });
}

/** `Key=value` lines of a systemd unit (every occurrence). */
function unit(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const hit = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (hit) m.set(hit[1] as string, [...(m.get(hit[1] as string) ?? []), hit[2] as string]);
  }
  return m;
}

describe('deploy/Dockerfile', () => {
  const steps = instructions(read('deploy/Dockerfile'));
  const all = (op: string) => steps.filter((s) => s.op === op).map((s) => s.args);

  it('builds in two stages on node:20-bookworm-slim, with npm install rather than npm ci', () => {
    expect(all('FROM')).toEqual(['node:20-bookworm-slim AS build', 'node:20-bookworm-slim']);
    const runs = all('RUN').join('\n');
    expect(runs).toContain('npm install --no-audit --no-fund');
    expect(runs).not.toMatch(/npm ci\b/);
    expect(runs).toContain('npm run build');
    expect(pkg.scripts.build).toBe('vite build');
    expect(runs).toMatch(/apt-get install[^\n]*\bchromium\b/);
    // pruned to runtime dependencies: what the CMD runs must be one
    expect(runs).toContain('npm prune --omit=dev');
    expect(pkg.dependencies.tsx).toBeDefined();
  });

  it('needs no devDependency at run time: the server and the ETL import none (the image prunes them)', () => {
    const dev = new Set(Object.keys(pkg.devDependencies));
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(join(root, dir))) {
        const p = `${dir}/${f}`;
        if (statSync(join(root, p)).isDirectory()) {
          if (f !== 'testing') walk(p);
        } else if (f.endsWith('.ts') && !f.endsWith('.test.ts')) {
          for (const m of read(p).matchAll(/from '([^.'][^']*)'/g)) {
            const spec = m[1] as string;
            const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);
            if (dev.has(name)) offenders.push(`${p} : ${name}`);
          }
        }
      }
    };
    walk('server');
    walk('etl');
    expect(offenders).toEqual([]);
  });

  it('copies only paths that exist (or that the build stage makes), and the ignore file keeps them', () => {
    const copied = all('COPY')
      .filter((a) => a.startsWith('--from=build'))
      .flatMap((a) => a.split(/\s+/).slice(1, -1))
      .map((p) => p.replace(/^\/app\//, ''));
    expect(copied).toEqual(expect.arrayContaining(['server', 'etl', 'data/indicators', 'data/zonings', 'build', 'node_modules']));
    for (const p of copied.filter((c) => c !== 'build' && c !== 'node_modules')) expect(existsSync(join(root, p)), p).toBe(true);
    const ignored = read('deploy/Dockerfile.dockerignore')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['server', 'etl', 'data/indicators', 'data/zonings', 'package.json', 'package-lock.json', 'web']) expect(ignored).not.toContain(p);
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.git', 'data/builds', 'data/cache']));
  });

  it('runs the server as a non-root user, data dir as a volume, port 3000, health on the liveness route', () => {
    expect(all('USER')).toEqual(['observatoire']);
    const env = all('ENV').join(' ');
    expect(env).toContain('OBS_DATA_DIR=/var/lib/observatoire');
    expect(env).toContain('PORT=3000');
    expect(all('VOLUME')).toEqual(['["/var/lib/observatoire"]']);
    expect(all('EXPOSE')).toEqual(['3000']);
    expect(all('HEALTHCHECK')[0]).toContain('/api/health/live');
    expect(read('server/routes/health.ts')).toContain("'/health/live'");
    const cmd = JSON.parse(all('CMD')[0] as string) as string[];
    expect(cmd.slice(0, 4)).toEqual(['node', '--import', 'tsx', 'server/cli.ts']);
    expect(existsSync(join(root, cmd[3] as string))).toBe(true);
    expect(read('server/cli.ts')).toContain("'build-if-missing'");
  });
});

describe('deploy/*.service, *.timer', () => {
  const service = unit(read('deploy/observatoire.service'));
  const etl = unit(read('deploy/observatoire-etl.service'));
  const timer = unit(read('deploy/observatoire-etl.timer'));
  const one = (u: Map<string, string[]>, k: string) => u.get(k)?.[0];

  it('runs the server as a dedicated user from an EnvironmentFile, restarted on failure, hardened', () => {
    expect(one(service, 'User')).toBe('observatoire');
    expect(one(service, 'EnvironmentFile')).toBe('/etc/observatoire/observatoire.env');
    expect(one(service, 'Restart')).toBe('on-failure');
    expect(one(service, 'ProtectSystem')).toBe('strict');
    expect(one(service, 'NoNewPrivileges')).toBe('yes');
    expect(service.get('Environment')).toContain('OBS_DATA_DIR=/var/lib/observatoire');
    expect(one(service, 'ReadWritePaths')).toBe('/var/lib/observatoire');
    expect(one(service, 'ExecStart')).toBe('/usr/bin/node --import tsx server/cli.ts');
    expect(one(service, 'KillSignal')).toBe('SIGTERM');
    // systemd must wait longer than the server gives its requests in flight
    expect(Number(one(service, 'TimeoutStopSec'))).toBeGreaterThan(DEFAULT_LIMITS.shutdownTimeoutMs / 1000);
  });

  it('rebuilds with the ETL command and flags that exist, on a timer naming that service', () => {
    const exec = one(etl, 'ExecStart') as string;
    expect(exec).toContain('/usr/bin/node --import tsx etl/cli.ts build --data-dir ${OBS_DATA_DIR}');
    expect(existsSync(join(root, 'etl/cli.ts'))).toBe(true);
    expect(read('etl/cli.ts')).toContain("'data-dir': { type: 'string' }");
    expect(one(etl, 'Type')).toBe('oneshot');
    expect(one(etl, 'User')).toBe('observatoire');
    expect(one(etl, 'ReadWritePaths')).toBe('/var/lib/observatoire');
    expect(one(timer, 'Unit')).toBe('observatoire-etl.service');
    expect(one(timer, 'OnCalendar')).toBeDefined();
    expect(existsSync(join(root, 'deploy', one(timer, 'Unit') as string))).toBe(true);
  });
});

describe('deploy/observatoire.env.example and the guide', () => {
  it('sets only variables config.ts knows, to values it accepts', () => {
    const env = Object.fromEntries(
      read('deploy/observatoire.env.example')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])
    );
    expect(Object.keys(env).length).toBeGreaterThan(10);
    for (const name of Object.keys(env)) expect(CONFIG_VARIABLES, name).toContain(name);
    const config = loadConfig(env, { repoRoot: '/opt/observatoire', cwd: '/opt/observatoire' });
    expect(config).toMatchObject({ host: '127.0.0.1', port: 3000, cookieSecure: true, trustProxy: true, metrics: { enabled: false } });
    expect(read('deploy/nginx-observatoire.conf')).toContain(`server 127.0.0.1:${config.port};`);
  });

  it('creates the first administrator with the admin command the package defines', () => {
    expect(pkg.scripts.admin).toBe('tsx server/admin/cli.ts');
    const guide = read('deploy/README.md');
    expect(guide).toContain('npm run admin -- create');
    expect(guide).toContain('node --import tsx server/admin/cli.ts create');
    expect(read('server/admin/cli.ts')).toContain("'data-dir': { type: 'string' }");
  });
});
