import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { inject } from 'vitest';
import { CHROMIUM_ARGS } from '../lib/server/chromium-args.ts';
import { testDbPath } from '../../etl/testing/test-db.ts';
export { CHROMIUM_ARGS };

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
export const CHROMIUM = process.env.OBS_CHROMIUM || '/usr/bin/chromium';

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(' ')} a échoué (code ${code}) :\n${output.slice(-4000)}`))
    );
  });
}

/** Newest source the web build is made from: tests (and these browser tests) are not part of it. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'e2e' || entry.name.startsWith('.') || entry.name.endsWith('.test.ts')) continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const WEB_BUILD_LOCK = join(repoRoot, 'build', '.web-build.lock');
const RUN_MARKER = join(repoRoot, 'build', 'web', '.test-run');

/**
 * Browser test files run in parallel workers and each needs the built app; two `vite build`
 * at once write the same output folder and one of them fails. The build is taken under a
 * lock (a folder: `mkdir` is atomic), and a run builds it once: the first file writes the
 * run's id beside the build, the others find it and reuse it.
 */
async function withWebBuildLock<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(join(repoRoot, 'build'), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(WEB_BUILD_LOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // a lock older than any build was left by a killed run
      const since = statSync(WEB_BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > 10 * 60_000) rmSync(WEB_BUILD_LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${WEB_BUILD_LOCK} : la construction de l’application web ne se libère pas.`, { cause: e });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(WEB_BUILD_LOCK, { recursive: true, force: true });
  }
}

/**
 * `vite build` unless build/web is newer than every source it is made from; in CI
 * (`CI=true`) always, so a stale build can never pass — once per test run (`runId`).
 */
export async function ensureWebBuild(runId?: string): Promise<'built' | 'reused'> {
  return withWebBuildLock(async () => {
    const handler = join(repoRoot, 'build/web/handler.js');
    if (runId !== undefined && existsSync(handler) && existsSync(RUN_MARKER) && readFileSync(RUN_MARKER, 'utf8') === runId) return 'reused';
    const sources = ['web', 'server', 'etl'].map((d) => newestMtime(join(repoRoot, d)));
    for (const f of ['svelte.config.js', 'vite.config.ts', 'package.json']) sources.push(statSync(join(repoRoot, f)).mtimeMs);
    const fresh = process.env.CI !== 'true' && existsSync(handler) && statSync(handler).mtimeMs > Math.max(...sources);
    if (!fresh) await run(join(repoRoot, 'node_modules/.bin/vite'), ['build']);
    if (runId !== undefined) writeFileSync(RUN_MARKER, runId);
    return fresh ? 'reused' : 'built';
  });
}

export interface Portal {
  url: string;
  stop(): Promise<void>;
}

export interface PortalOptions {
  /** The back office's writable data dir (`serve.ts --data-dir`); a fresh temporary one by default. */
  dataDir?: string;
  /** Extra environment for the server (e.g. `OBS_MIRROR` for the builds publication runs). */
  env?: NodeJS.ProcessEnv;
}

/** The real server (web/e2e/serve.ts) in a child process, as in production. */
export function startPortal(dbPath: string, options: PortalOptions = {}): Promise<Portal> {
  return new Promise((resolvePromise, reject) => {
    const args = [join(repoRoot, 'web/e2e/serve.ts'), dbPath, ...(options.dataDir ? ['--data-dir', options.dataDir] : [])];
    const child: ChildProcess = spawn(join(repoRoot, 'node_modules/.bin/tsx'), args, {
      cwd: repoRoot,
      env: { ...process.env, ...options.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`le serveur ne démarre pas :\n${err}`)), 60_000);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      const { url } = JSON.parse(line) as { url: string };
      resolvePromise({
        url,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          })
      });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`le serveur s'est arrêté (code ${code}) :\n${err}`));
    });
  });
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's Chromium with a fresh profile. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'observatoire-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    acceptDownloads: true
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  };
}

/**
 * The test database (or `dbPath`), the built app served by one process, and Chromium: what
 * every browser test starts from.
 */
export async function openPortal(options: PortalOptions & { dbPath?: string } = {}): Promise<{ portal: Portal; browser: Browser }> {
  const dbPath = options.dbPath ?? (process.env.OBS_E2E_DB || testDbPath());
  await ensureWebBuild(inject('testRunId'));
  const [portal, browser] = await Promise.all([startPortal(dbPath, options), launchBrowser()]);
  return { portal, browser };
}

export async function closePortal(opened: { portal?: Portal; browser?: Browser }): Promise<void> {
  await opened.browser?.close();
  await opened.portal?.stop();
}
