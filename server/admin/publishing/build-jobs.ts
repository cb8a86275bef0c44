/**
 * Builds asked for from the portal (a draft's preview, a publication, an unpublication),
 * run one at a time. Each is a whole ETL build in a child process: the server keeps
 * answering from the current build meanwhile (the ETL is CPU-bound and would stall the
 * event loop in-process), and a failed build changes nothing that is served.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '../../../etl/core/logger.ts';
import { repoRoot } from '../../../etl/core/paths.ts';

export interface BuildArgs {
  /** `--published` folders, later ones overriding earlier ones. */
  publishedDirs: string[];
  /** `indicator/year` keys to leave out. */
  exclude?: string[];
  /** Zoning ids to leave out. */
  excludeZonings?: string[];
  /** Write the build there and do not put it in service. */
  previewOutput?: string;
  noCadastre?: boolean;
}

/** Runs one build; `onLine` receives its log lines. Rejects with the build's error. */
export type BuildRunner = (args: BuildArgs, onLine: (line: string) => void) => Promise<void>;

export type JobKind = 'apercu' | 'publication' | 'depublication' | 'zonage' | 'depublication-zonage';
export type JobState = 'en_attente' | 'en_cours' | 'termine' | 'echec';

export interface Job {
  id: string;
  kind: JobKind;
  /** French, e.g. « Publication de taux-rsa 2024 ». */
  label: string;
  target: string;
  requestedBy: string;
  state: JobState;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  /** The last lines of the build's log. */
  log: string[];
}

export interface JobRequest {
  kind: JobKind;
  label: string;
  target: string;
  requestedBy: string;
  args: BuildArgs;
  /** After the build succeeded (move files, record the state); a throw fails the job. */
  onSuccess?: () => Promise<void>;
  /** After the build failed. */
  onFailure?: (error: Error) => Promise<void>;
}

const LOG_LINES = 40;
const KEEP_JOBS = 200;

export class BuildJobs {
  private readonly jobs = new Map<string, Job>();
  private tail: Promise<void> = Promise.resolve();
  private readonly runner: BuildRunner;
  private readonly clock: () => Date;
  private readonly logger: Logger;

  constructor(deps: { runner: BuildRunner; clock: () => Date; logger: Logger }) {
    this.runner = deps.runner;
    this.clock = deps.clock;
    this.logger = deps.logger;
  }

  enqueue(request: JobRequest): Job {
    const job: Job = {
      id: `${this.clock().toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`,
      kind: request.kind,
      label: request.label,
      target: request.target,
      requestedBy: request.requestedBy,
      state: 'en_attente',
      queuedAt: this.clock().toISOString(),
      startedAt: null,
      finishedAt: null,
      error: null,
      log: []
    };
    this.jobs.set(job.id, job);
    this.forgetOld();
    this.tail = this.tail.then(() => this.run(job, request));
    return { ...job };
  }

  get(id: string): Job | undefined {
    const j = this.jobs.get(id);
    return j ? { ...j, log: [...j.log] } : undefined;
  }

  list(): Job[] {
    return [...this.jobs.values()].reverse().map((j) => ({ ...j, log: [...j.log] }));
  }

  /** Resolves when every job queued so far has finished. */
  idle(): Promise<void> {
    return this.tail;
  }

  private async run(job: Job, request: JobRequest): Promise<void> {
    job.state = 'en_cours';
    job.startedAt = this.clock().toISOString();
    const onLine = (line: string) => {
      job.log.push(line);
      if (job.log.length > LOG_LINES) job.log.shift();
    };
    try {
      await this.runner(request.args, onLine);
      await request.onSuccess?.();
      job.state = 'termine';
      this.logger.info(`${job.label} : terminé`);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      job.state = 'echec';
      job.error = error.message;
      this.logger.warn(`${job.label} : échec — ${error.message}`);
      await request.onFailure?.(error).catch((f: unknown) => this.logger.error(`${job.label} : ${(f as Error).message}`));
    } finally {
      job.finishedAt = this.clock().toISOString();
    }
  }

  private forgetOld(): void {
    const finished = [...this.jobs.values()].filter((j) => j.state === 'termine' || j.state === 'echec');
    for (const j of finished.slice(0, Math.max(0, this.jobs.size - KEEP_JOBS))) this.jobs.delete(j.id);
  }
}

export interface ChildRunnerOptions {
  dataDir: string;
  mirror?: string;
  cacheDir?: string;
  offline?: boolean;
}

/** `tsx etl/cli.ts build …` in a child process: the same command a data manager would type. */
export function childProcessRunner(opts: ChildRunnerOptions): BuildRunner {
  return (args, onLine) =>
    new Promise((resolvePromise, reject) => {
      const argv = [join(repoRoot, 'etl/cli.ts'), 'build', '--data-dir', opts.dataDir];
      if (opts.mirror) argv.push('--mirror', opts.mirror);
      if (opts.cacheDir) argv.push('--cache-dir', opts.cacheDir);
      if (opts.offline) argv.push('--offline');
      for (const d of args.publishedDirs) argv.push('--published', d);
      for (const k of args.exclude ?? []) argv.push('--exclude', k);
      for (const k of args.excludeZonings ?? []) argv.push('--exclude-zoning', k);
      if (args.previewOutput) argv.push('--preview-output', args.previewOutput);
      if (args.noCadastre) argv.push('--no-cadastre');
      const child = spawn(join(repoRoot, 'node_modules/.bin/tsx'), argv, {
        cwd: repoRoot,
        env: { ...process.env, CI: process.env.CI ?? '' },
        stdio: ['ignore', 'pipe', 'pipe']
      });
      let buffer = '';
      const lines: string[] = [];
      const take = (d: Buffer) => {
        buffer += d.toString();
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).replace(/\r$/, '');
          buffer = buffer.slice(nl + 1);
          if (line.trim()) {
            lines.push(line);
            onLine(line);
          }
        }
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (code === 0) return resolvePromise();
        // The CLI prints the reason (file, line, column…) just before exiting with 1.
        const reason = lines.filter((l) => !l.startsWith('—')).slice(-6).join('\n');
        reject(new Error(reason || `la construction s'est arrêtée (code ${code ?? signal})`));
      });
    });
}
