/**
 * One `etl/cli.ts build` in a child process, measured from outside: wall time, CPU time
 * of all its threads (DuckDB's included) and peak resident memory, read from /proc like
 * `/usr/bin/time -v` does (VmHWM, the kernel's own high-water mark, polled until exit).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../etl/core/paths.ts';

export interface MeasuredBuild {
  wallMs: number;
  /** User + system time of the process, every thread. */
  cpuMs: number;
  peakRssBytes: number;
  /** Each step the pipeline logs (« — lecture des … »), with its wall time and the largest RSS seen during it. */
  steps: [name: string, ms: number, peakRssBytes: number][];
  /** The CLI's summary line (« Construction … : N territoires, … valeurs … »). */
  summary: string;
}

export interface BuildRequest {
  profile: string;
  mirror: string;
  dataDir: string;
  /** Polling period of /proc (ms). */
  sampleMs?: number;
}

/** Kernel clock ticks per second; 100 on every Linux this runs on (getconf CLK_TCK). */
const TICKS = 100;

function sample(pid: number): { rssKb: number; hwmKb: number; cpuTicks: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces, closed by the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0),
      hwmKb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0),
      cpuTicks: Number(fields[11]) + Number(fields[12])
    };
  } catch {
    return null;
  }
}

export function measureBuild(req: BuildRequest): Promise<MeasuredBuild> {
  const args = ['--import', 'tsx', join(repoRoot, 'etl', 'cli.ts'), 'build', '--profile', req.profile, '--mirror', req.mirror, '--offline', '--data-dir', req.dataDir, '--keep', '1'];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let hwmKb = 0;
    let cpuTicks = 0;
    const marks: [string, number][] = [];
    /** Largest RSS sampled during each step, by index of its mark. */
    const stepRssKb: number[] = [];
    let summary = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('— ')) {
          marks.push([line.slice(2).replace(/ \d{8}T\d{6}Z-[0-9a-f]+$/, ''), performance.now()]);
          stepRssKb.push(0);
        }
        if (line.startsWith('Construction ')) summary = line;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    const timer = setInterval(() => {
      const s = child.pid === undefined ? null : sample(child.pid);
      if (s) {
        hwmKb = Math.max(hwmKb, s.hwmKb);
        cpuTicks = Math.max(cpuTicks, s.cpuTicks);
        if (stepRssKb.length) stepRssKb[stepRssKb.length - 1] = Math.max(stepRssKb.at(-1)!, s.rssKb);
      }
    }, req.sampleMs ?? 50);
    child.on('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearInterval(timer);
      const end = performance.now();
      if (code !== 0) {
        reject(new Error(`La construction du profil ${req.profile} a échoué (code ${code}) :\n${stderr}`));
        return;
      }
      const steps = marks.map(([name, t], i): [string, number, number] => [name, (marks[i + 1]?.[1] ?? end) - t, (stepRssKb[i] ?? 0) * 1024]);
      resolve({ wallMs: end - t0, cpuMs: (cpuTicks / TICKS) * 1000, peakRssBytes: hwmKb * 1024, steps, summary });
    });
  });
}
