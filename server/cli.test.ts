import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureDb, createFixtureDb } from './testing/fixture-db.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

let dir: string;
let fixture: FixtureDb;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'observatoire-cli-'));
  fixture = await createFixtureDb({ dir, buildId: 'build-cli' });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Child {
  process: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

/** `npm start`'s command, with only the variables given (plus PATH). */
function start(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let pending = '';
  child.stdout?.on('data', (d: Buffer) => {
    const parts = (pending + d.toString('utf8')).split('\n');
    pending = parts.pop() ?? '';
    stdout.push(...parts);
  });
  child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, stdout, stderr, exited };
}

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`attendu en vain : ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('server/cli.ts', () => {
  it('refuses a bad variable with a French message naming it, and exit code 2', async () => {
    const child = start({ PORT: 'abc', OBS_DB: fixture.path });
    expect(await child.exited).toBe(2);
    expect(child.stderr.join('')).toContain('PORT : un entier entre 0 et 65535 est attendu (valeur reçue : « abc »)');
  });

  it('logs JSON lines, one per request, and stops cleanly on SIGTERM', async () => {
    const child = start({
      PORT: '0',
      HOST: '127.0.0.1',
      OBS_DB: fixture.path,
      OBS_DATA_DIR: dir,
      OBS_RELOAD_INTERVAL_MS: '0',
      OBS_METRICS: 'off'
    });
    try {
      const records = () => child.stdout.filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
      const url = await waitFor('la ligne de démarrage', () => records().find((r) => typeof r.url === 'string')?.url as string | undefined);
      const res = await fetch(`${url}/api/health/live?token=secret-de-test`, { headers: { Cookie: 'obs_session=cookie-de-test' } });
      expect(res.status).toBe(200);
      const access = await waitFor('la ligne du journal d’accès', () => records().find((r) => r.type === 'acces'));
      expect(access).toMatchObject({
        level: 'info',
        method: 'GET',
        path: '/api/health/live',
        query: 'token=***',
        route: '/api/health/live',
        status: 200,
        build: 'build-cli'
      });
      expect(access.bytes).toEqual(expect.any(Number));
      expect(access.durationMs).toEqual(expect.any(Number));
      expect(child.stdout.join('\n')).not.toMatch(/secret-de-test|cookie-de-test/);

      child.process.kill('SIGTERM');
      expect(await child.exited).toBe(0);
      expect(records().map((r) => r.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/^SIGTERM reçu/), 'arrêt terminé']));
      expect(records().every((r) => typeof r.time === 'string' && typeof r.level === 'string')).toBe(true);
    } finally {
      child.process.kill('SIGKILL');
    }
  });
});
