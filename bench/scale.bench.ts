/**
 * `npm run bench:scale`: the département profile (the 93 portal) and the national profile
 * (every level from the IRIS to France), in the same run.
 *  - ETL: `etl/cli.ts build --profile …` in a child process (cadastre included, like the
 *    real command): wall time, CPU time, peak RSS read from /proc (bench/lib/child-build.ts);
 *  - server: the real HTTP server (`startServer`, `admin: false`) on each build, sequential
 *    keep-alive requests: values of every commune and of every IRIS (a different indicator
 *    at each request, so no per-indicator memo helps), a commune portrait (a different
 *    commune each time), `POST /api/aggregate` of 10 and of 1 000 communes drawn at random
 *    with every commune indicator.
 * Then a table of both scales with the growth ratio national / département, and the
 * national goals: build < 5 min, peak memory < 4 GB, values of all communes p95 < 200 ms,
 * commune portrait p95 < 50 ms.
 * Knobs: BENCH_SCALE_REQUESTS (60), BENCH_SCALE_PROFILES (departement,national).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger } from '../etl/core/logger.ts';
import { mirrorDir } from '../etl/testing/mirror.ts';
import { startServer } from '../server/serve.ts';
import { type MeasuredBuild, measureBuild } from './lib/child-build.ts';
import { SequentialClient } from './lib/http.ts';
import { bytes, ms, num, percentile, ratio, seconds } from './lib/stats.ts';

const REQUESTS = Math.max(10, Number(process.env.BENCH_SCALE_REQUESTS ?? 60));
const PROFILES = (process.env.BENCH_SCALE_PROFILES ?? 'departement,national').split(',');
const LABELS: Record<string, string> = { departement: 'département', national: 'national' };

interface Latency {
  p50: number;
  p95: number;
  requests: number;
  /** Median response size. */
  bytes: number;
  /** What was asked, for the report (« 34 858 communes »). */
  what: string;
}

interface ScaleResult {
  profile: string;
  build: MeasuredBuild;
  counts: Record<string, number>;
  latencies: Map<string, Latency>;
}

/** A fixed pseudo-random sequence (LCG): the same draws at each run and each scale. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function sampleOf<T>(items: readonly T[], n: number, next: () => number): T[] {
  const pool = [...items];
  const out: T[] = [];
  for (let i = 0; i < n && pool.length > 0; i++) out.push(pool.splice(Math.floor(next() * pool.length), 1)[0] as T);
  return out;
}

async function timed(
  client: SequentialClient,
  n: number,
  request: (i: number) => { method: 'GET' | 'POST'; path: string; body?: string },
  what: string
): Promise<Latency> {
  const warm = Math.max(2, Math.ceil(n / 10));
  const times: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < warm + n; i++) {
    const r = request(i);
    const res = await client.send(r.method, r.path, r.body === undefined ? {} : { body: r.body });
    if (res.status !== 200) throw new Error(`${r.method} ${r.path} : HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
    if (i < warm) continue;
    times.push(res.ms);
    sizes.push(res.body.byteLength);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), requests: n, bytes: percentile(sizes, 50), what };
}

async function measureServer(dataDir: string): Promise<{ counts: Record<string, number>; latencies: Map<string, Latency> }> {
  const server = await startServer({
    dbPath: join(dataDir, 'observatoire.duckdb'),
    port: 0,
    hostname: '127.0.0.1',
    admin: false,
    logger: memoryLogger(),
    reloadIntervalMs: 0
  });
  const client = new SequentialClient(server.url);
  try {
    const getJson = async <T>(path: string): Promise<T> => {
      const res = await client.send('GET', path);
      if (res.status !== 200) throw new Error(`GET ${path} : HTTP ${res.status}`);
      return JSON.parse(res.body.toString()) as T;
    };
    const { indicators } = await getJson<{ indicators: { id: string; levels: string[] }[] }>('/api/indicators');
    const atCommune = indicators.filter((i) => i.levels.includes('commune')).map((i) => i.id);
    const atIris = indicators.filter((i) => i.levels.includes('iris')).map((i) => i.id);
    const all = await getJson<{ values: { code: string }[] }>('/api/indicators/population-municipale/values?level=commune');
    const communes = all.values.map((v) => v.code);
    const irisCount = (await getJson<{ values: unknown[] }>(`/api/indicators/${atIris[0]}/values?level=iris`)).values.length;
    const next = lcg(42);
    const latencies = new Map<string, Latency>();

    // Indicators in a shuffled order, one per request: each is asked about once per build.
    const rotate = (ids: string[]) => sampleOf(ids, ids.length, next);
    const communeIds = rotate(atCommune);
    latencies.set(
      'values-communes',
      await timed(client, REQUESTS, (i) => ({ method: 'GET', path: `/api/indicators/${communeIds[i % communeIds.length]}/values?level=commune` }), `${num(communes.length)} communes`)
    );
    const irisIds = rotate(atIris);
    latencies.set(
      'values-iris',
      await timed(client, REQUESTS, (i) => ({ method: 'GET', path: `/api/indicators/${irisIds[i % irisIds.length]}/values?level=iris` }), `${num(irisCount)} IRIS`)
    );
    const portraitCommunes = sampleOf(communes, REQUESTS * 2, next);
    latencies.set(
      'portrait',
      await timed(client, REQUESTS, (i) => ({ method: 'GET', path: `/api/portraits/commune/${portraitCommunes[i % portraitCommunes.length]}` }), 'une commune au hasard')
    );
    for (const size of [10, 1000]) {
      const n = size > 100 ? Math.max(10, Math.round(REQUESTS / 3)) : REQUESTS;
      latencies.set(
        `aggregate-${size}`,
        await timed(
          client,
          n,
          () => ({ method: 'POST', path: '/api/aggregate', body: JSON.stringify({ communes: sampleOf(communes, size, next), indicators: atCommune }) }),
          `${num(size)} communes au hasard, ${atCommune.length} indicateurs`
        )
      );
    }
    return { counts: { communes: communes.length, iris: irisCount, indicators: indicators.length }, latencies };
  } finally {
    client.close();
    await server.close();
  }
}

async function runProfile(profile: string, mirror: string): Promise<ScaleResult> {
  const dataDir = mkdtempSync(join(tmpdir(), `obs-bench-scale-${profile}-`));
  try {
    console.log(`\n== Profil ${LABELS[profile] ?? profile} ==`);
    const build = await measureBuild({ profile, mirror, dataDir });
    console.log(build.summary);
    console.log(
      `Construction : ${seconds(build.wallMs, 1)} (CPU ${seconds(build.cpuMs, 1)}), mémoire maximale ${bytes(build.peakRssBytes)} ; ` +
        `charge moyenne sur 1 min : ${num(loadavg()[0] ?? 0, 2)}`
    );
    for (const [name, t, rss] of build.steps) console.log(`  ${name.padEnd(50)} ${seconds(t, 1).padStart(8)}   RSS max ${bytes(rss)}`);
    const { counts, latencies } = await measureServer(dataDir);
    for (const [key, l] of latencies) console.log(`  ${key.padEnd(18)} p50 ${ms(l.p50, 1)}  p95 ${ms(l.p95, 1)}  (${l.requests} requêtes, ${l.what}, ${bytes(l.bytes)})`);
    return { profile, build, counts, latencies };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Row {
  measure: string;
  value: (r: ScaleResult) => number;
  format: (x: number) => string;
  /** National goal: the threshold the national value must stay under. */
  goal?: { under: number; label: string };
}

const latencyRows = (key: string, label: string, goal?: number): Row[] => [
  { measure: `${label}, p50`, value: (r) => r.latencies.get(key)!.p50, format: (x) => ms(x, 1) },
  {
    measure: `${label}, p95`,
    value: (r) => r.latencies.get(key)!.p95,
    format: (x) => ms(x, 1),
    ...(goal === undefined ? {} : { goal: { under: goal, label: `< ${num(goal)} ms` } })
  }
];

const ROWS: Row[] = [
  { measure: 'Communes', value: (r) => r.counts.communes!, format: (x) => num(x) },
  { measure: 'IRIS', value: (r) => r.counts.iris!, format: (x) => num(x) },
  { measure: 'Construction (temps réel)', value: (r) => r.build.wallMs, format: (x) => seconds(x, 1), goal: { under: 5 * 60_000, label: '< 5 min' } },
  { measure: 'Construction (CPU, tous fils)', value: (r) => r.build.cpuMs, format: (x) => seconds(x, 1) },
  { measure: 'Mémoire maximale (RSS)', value: (r) => r.build.peakRssBytes, format: (x) => bytes(x), goal: { under: 4 * 1024 ** 3, label: '< 4 Gio' } },
  ...latencyRows('values-communes', 'Valeurs, toutes les communes', 200),
  ...latencyRows('values-iris', 'Valeurs, tous les IRIS'),
  ...latencyRows('portrait', "Portrait d'une commune", 50),
  ...latencyRows('aggregate-10', 'Agrégat libre, 10 communes'),
  ...latencyRows('aggregate-1000', 'Agrégat libre, 1 000 communes')
];

function printTable(results: ScaleResult[]): void {
  const dep = results.find((r) => r.profile === 'departement');
  const nat = results.find((r) => r.profile === 'national');
  const header = ['Mesure', ...results.map((r) => LABELS[r.profile] ?? r.profile), ...(dep && nat ? ['national / département'] : []), 'Objectif (national)'];
  const lines = ROWS.map((row) => {
    const cells = [row.measure, ...results.map((r) => row.format(row.value(r)))];
    if (dep && nat) cells.push(ratio(row.value(nat) / row.value(dep)));
    if (row.goal && nat) cells.push(`${row.goal.label} ${row.value(nat) < row.goal.under ? '✔' : '✘'}`);
    else cells.push('');
    return cells;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${fmt(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const l of lines) console.log(fmt(l));
}

console.log(`Node ${process.version}, ${cpus().length} cœurs, charge moyenne sur 1 min au départ : ${num(loadavg()[0] ?? 0, 2)} ; ${REQUESTS} requêtes par mesure`);
const mirror = mirrorDir();
const results: ScaleResult[] = [];
for (const profile of PROFILES) results.push(await runProfile(profile, mirror));
printTable(results);
console.log(`\nCharge moyenne sur 1 min à la fin : ${num(loadavg()[0] ?? 0, 2)} (machine partagée : à lire avec les mesures)`);
