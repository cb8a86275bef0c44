/**
 * The real ETL (`etl/cli.ts build`) in a child process, as `npm run etl` runs it, with the
 * moment each step started (its `— step` log lines) and a `kill -9`.
 *
 * Started as `node --import tsx` — one process — rather than through the `tsx` binary, which
 * forks node: a SIGKILL to the binary would leave the real ETL running. The child leads its
 * own process group so the kill also takes tsx's esbuild helper.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../etl/core/paths.ts';

export interface EtlStep {
  name: string;
  /** Milliseconds since the spawn. */
  atMs: number;
}

export interface EtlExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
}

export interface EtlRun {
  pid: number;
  steps: EtlStep[];
  output(): string;
  /** The id of the build being written, once its writing step has started. */
  buildId(): string | null;
  done: Promise<EtlExit>;
  /** SIGKILL to the ETL and its helpers. */
  kill(): void;
}

export interface EtlOptions {
  dataDir: string;
  mirror: string;
  args?: string[];
  /** Called as each step's log line arrives. */
  onStep?: (step: EtlStep) => void;
}

export function spawnEtl(options: EtlOptions): EtlRun {
  const started = Date.now();
  const args = ['--import', 'tsx', join(repoRoot, 'etl/cli.ts'), 'build', '--data-dir', options.dataDir, '--mirror', options.mirror, '--offline', '--no-cadastre', ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OBS_MIRROR: '' } });
  const pid = child.pid as number;
  const steps: EtlStep[] = [];
  let output = '';
  let pending = '';
  child.stdout.on('data', (d: Buffer) => {
    const text = d.toString();
    output += text;
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('— ')) continue;
      const step = { name: line.slice(2), atMs: Date.now() - started };
      steps.push(step);
      options.onStep?.(step);
    }
  });
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const done = new Promise<EtlExit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, durationMs: Date.now() - started })));
  return {
    pid,
    steps,
    output: () => output,
    buildId: () => steps.map((s) => /^écriture de la base (\S+)$/.exec(s.name)?.[1]).find((id) => id !== undefined) ?? null,
    done,
    kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
  };
}
