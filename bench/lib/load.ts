/**
 * Load test of a fixed list of paths: wrk (Debian, C, cheap on a 2-core machine) when
 * installed, else autocannon (npm) in a child process, so that the load generator never
 * shares the server's event loop.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LoadOptions {
  /** `http://127.0.0.1:port` */
  origin: string;
  paths: readonly string[];
  headers: Record<string, string>;
  connections: number;
  durationS: number;
  /** `BENCH_LOAD_TOOL=wrk|autocannon` forces one. */
  tool?: 'wrk' | 'autocannon';
}

export interface LoadResult {
  tool: string;
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Non-2xx answers, socket errors and timeouts. */
  failures: number;
}

const MARK = 'BENCH_JSON ';

export function wrkAvailable(): boolean {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8', timeout: 5000 }).error === undefined;
}

export async function loadTest(o: LoadOptions): Promise<LoadResult> {
  const tool = o.tool ?? (wrkAvailable() ? 'wrk' : 'autocannon');
  return tool === 'wrk' ? wrk(o) : autocannon(o);
}

/** Runs a command to its end (bounded by `timeoutMs`), resolving to its stdout. */
function runChild(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${file} a échoué (code ${code}) : ${err || out}`));
    });
  });
}

function parseMarked(out: string): Record<string, number> {
  const line = out.split('\n').find((l) => l.startsWith(MARK));
  if (!line) throw new Error(`Résultat introuvable dans la sortie :\n${out}`);
  return JSON.parse(line.slice(MARK.length)) as Record<string, number>;
}

const luaString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

async function wrk(o: LoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-bench-wrk-'));
  const script = join(dir, 'paths.lua');
  const headers = Object.entries(o.headers)
    .map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`)
    .join(', ');
  writeFileSync(
    script,
    `local paths = { ${o.paths.map(luaString).join(',\n')} }
local headers = { ${headers} }
local i = 0
function setup(thread) thread:set("offset", math.random(#paths)) end
function init(args) i = offset or 0 end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], headers)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARK}{"requests":%d,"duration_us":%d,"p50":%d,"p99":%d,"max":%d,"failures":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.status + e.timeout))
end
`
  );
  try {
    const out = await runChild(
      'wrk',
      ['-t1', `-c${o.connections}`, `-d${o.durationS}s`, '--timeout', '5s', '-s', script, o.origin],
      (o.durationS + 30) * 1000
    );
    const r = parseMarked(out);
    const durationS = (r.duration_us as number) / 1e6;
    return {
      tool: 'wrk (1 fil)',
      requests: r.requests as number,
      durationS,
      rps: (r.requests as number) / durationS,
      p50Ms: (r.p50 as number) / 1000,
      p99Ms: (r.p99 as number) / 1000,
      maxMs: (r.max as number) / 1000,
      failures: r.failures as number
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function autocannon(o: LoadOptions): Promise<LoadResult> {
  const child = fileURLToPath(new URL('./autocannon-child.ts', import.meta.url));
  const config = JSON.stringify({ ...o, mark: MARK });
  const out = await runChild(process.execPath, ['--import', 'tsx', child, config], (o.durationS + 60) * 1000);
  const r = parseMarked(out);
  return {
    tool: 'autocannon (processus séparé)',
    requests: r.requests as number,
    durationS: r.durationS as number,
    rps: (r.requests as number) / (r.durationS as number),
    p50Ms: r.p50 as number,
    p99Ms: r.p99 as number,
    maxMs: r.max as number,
    failures: r.failures as number
  };
}
