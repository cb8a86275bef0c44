/**
 * Starts `server-child.ts` (the real server) in its own process and waits until it listens.
 * Its own process, so that load generators, the ETL and the test never share its event loop,
 * and so that /proc can tell its memory and its open files.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../../etl/core/paths.ts';
import type { ServerChildConfig } from './server-child.ts';

export interface ServerProcess {
  url: string;
  pid: number;
  /** The build it opened at startup. */
  build: string;
  /** Its log so far (stderr). */
  log(): string;
  /** SIGHUP: look for a new build now. */
  reload(): void;
  /** SIGTERM, then the exit code; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));

export function spawnServer(config: ServerChildConfig, startTimeoutMs = 90_000): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(config)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`le serveur ne démarre pas en ${startTimeoutMs} ms :\n${err.slice(-4000)}`));
    }, startTimeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`le serveur s'est arrêté au démarrage (code ${code}) :\n${err.slice(-4000)}`));
    };
    child.once('exit', onExit);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line || !out.includes('\n')) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      const started = JSON.parse(line) as { url: string; pid: number; build: string };
      resolve({
        ...started,
        log: () => err,
        reload: () => child.kill('SIGHUP'),
        async stop(graceMs = 10_000) {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
          const code = await exited;
          clearTimeout(kill);
          return code;
        }
      });
    });
  });
}
