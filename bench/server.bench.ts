/**
 * `npm run bench:server`: the server under load, on a real build (fresh from the mirror,
 * or `BENCH_DB`). Goals (issue: serveur) :
 *  - uncached tiles, zooms 0–14 over the 93, communes and IRIS, through the route's own
 *    code path: ≤ 0.5× the time of PostGIS ST_AsMVT on the same per-band geometries,
 *    measured in the same run;
 *  - cached tiles, 64 connections on the real HTTP server: ≥ 5 000 req/s, p99 < 20 ms;
 *  - values of the 93's communes: p95 ≤ 1.5× the bare DuckDB query the route runs;
 *  - POST /api/aggregate, 10 communes and every indicator: p95 < 50 ms.
 * Knobs: BENCH_DB, BENCH_RUNS (3), BENCH_LOAD_SECONDS (10), BENCH_LOAD_TOOL (wrk|autocannon),
 * BENCH_VALUES_REQUESTS (200), BENCH_AGGREGATE_REQUESTS (100).
 */
import { cpus, loadavg } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  DuckDBInstance,
  type DuckDBPreparedStatement,
  INTEGER,
  DOUBLE,
  LIST,
  VARCHAR,
  BOOLEAN,
  listValue
} from '@duckdb/node-api';
import type pg from 'pg';
import { memoryLogger } from '../etl/core/logger.ts';
import { createApp } from '../server/app.ts';
import { type Build, type SqlParam, type SqlParams, openDb } from '../server/db.ts';
import { catalogue, latestYear } from '../server/queries/catalogue.ts';
import { tileLayers } from '../server/queries/tiles.ts';
import { communeValues, levelValues } from '../server/queries/values.ts';
import { startServer } from '../server/serve.ts';
import { benchDatabase } from './lib/database.ts';
import { SequentialClient } from './lib/http.ts';
import { loadTest } from './lib/load.ts';
import { type Postgis, startPostgis } from './lib/postgis.ts';
import { type GeomRow, bandRanges, loadGeometries, postgisAllTilesOneQuery, postgisTile } from './lib/postgis-tiles.ts';
import { ogrinfoTile } from './lib/ogrinfo-tile.ts';
import { STAGE_LABELS, emptyStages, featureCodes, profileTile } from './lib/tile-profile.ts';
import { bytes, median, ms, num, percentile, ratio, seconds, sum } from './lib/stats.ts';
import { type TileRef, tileKey, tilesOver } from './lib/tileset.ts';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const LOAD_SECONDS = Math.max(1, Number(process.env.BENCH_LOAD_SECONDS ?? 10));
const VALUES_REQUESTS = Math.max(20, Number(process.env.BENCH_VALUES_REQUESTS ?? 200));
const AGGREGATE_REQUESTS = Math.max(20, Number(process.env.BENCH_AGGREGATE_REQUESTS ?? 100));
const LOAD_TOOL = process.env.BENCH_LOAD_TOOL as 'wrk' | 'autocannon' | undefined;
const CONNECTIONS = 64;
const MAX_ZOOM = 14;
const TILE_LAYERS = ['commune', 'iris'];
const VALUES_PATH = '/api/indicators/taux-chomage/values?level=commune&within=departement:93';
const GZIP = { 'Accept-Encoding': 'gzip' };

interface Verdict {
  measure: string;
  value: string;
  goal: string;
  ok: boolean | null;
}
const verdicts: Verdict[] = [];

function title(s: string): void {
  console.log(`\n== ${s} ==`);
}

/** Binds like server/db.ts does, so the bare query runs with the same parameter types. */
function bindLikeServer(statement: DuckDBPreparedStatement, params: SqlParams): void {
  statement.clearBindings();
  for (const [name, value] of Object.entries(params) as [string, SqlParam][]) {
    const index = statement.parameterIndex(name);
    if (value === null) statement.bindNull(index);
    else if (typeof value === 'string') statement.bindValue(index, value, VARCHAR);
    else if (typeof value === 'boolean') statement.bindValue(index, value, BOOLEAN);
    else if (typeof value === 'number')
      statement.bindValue(index, value, Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? INTEGER : DOUBLE);
    else statement.bindValue(index, listValue([...value]), LIST(VARCHAR));
  }
}

/**
 * The SQL statements and parameters a query module sends on a warm build, caught with a
 * stand-in build: it is called twice, memoised values (territory lists…) computed on the
 * first call only, and the second call's statements are kept.
 */
async function captureSql(call: (build: Build) => Promise<unknown>, real: Build): Promise<{ sql: string; params: SqlParams }[]> {
  let captured: { sql: string; params: SqlParams }[] = [];
  const memos = new Map<string, Promise<unknown>>();
  const spy: Build = {
    ...real,
    all: (sql: string, params: SqlParams = {}) => {
      captured.push({ sql, params });
      return real.all(sql, params);
    },
    one: async (sql: string, params: SqlParams = {}) => (await spy.all(sql, params))[0],
    memo: <T>(key: string, compute: () => Promise<T>) => {
      if (!memos.has(key)) memos.set(key, compute());
      return memos.get(key) as Promise<T>;
    }
  } as Build;
  await call(spy);
  captured = [];
  await call(spy);
  if (captured.length === 0) throw new Error('Aucune requête capturée.');
  return captured;
}

function check(cond: boolean, message: string): void {
  if (!cond) throw new Error(message);
}

const cleanups: (() => Promise<void> | void)[] = [];
async function cleanup(): Promise<void> {
  for (const f of cleanups.reverse()) {
    try {
      await f();
    } catch (e) {
      console.error(`nettoyage : ${(e as Error).message}`);
    }
  }
}

try {
  console.log(
    `Node ${process.version}, ${cpus().length} cœurs (charge moyenne sur 1 min au départ : ${num(loadavg()[0] ?? 0, 2)}), ${RUNS} passages par mesure de tuiles`
  );
  const database = await benchDatabase();
  cleanups.push(() => database.dispose());
  console.log(`Base : ${database.origin}${database.buildMs !== null ? ` (${seconds(database.buildMs, 1)})` : ''}`);

  const db = await openDb(database.path);
  cleanups.push(() => db.close());
  const build = db.current();
  const layers = await tileLayers(build);
  const bbox93 = await build.one<{ minx: number; miny: number; maxx: number; maxy: number }>(
    "SELECT minx, miny, maxx, maxy FROM territories WHERE level = 'departement' AND code = '93'"
  );
  check(!!bbox93, 'La base ne contient pas la Seine-Saint-Denis (departement:93).');
  const tiles = tilesOver(
    bbox93!,
    TILE_LAYERS.map((id) => {
      const layer = layers.get(id);
      check(!!layer, `Couche absente : ${id}`);
      return { layer: id, minZoom: layer!.minZoom };
    }),
    0,
    MAX_ZOOM
  );
  const perLayer = TILE_LAYERS.map((id) => `${id} ${tiles.filter((t) => t.layer === id).length} (z${layers.get(id)!.minZoom}–${MAX_ZOOM})`);
  console.log(`Build ${build.id} ; ${tiles.length} tuiles sur l'emprise du 93 : ${perLayer.join(', ')}`);

  // ---------------------------------------------------------------- uncached tiles
  title('Tuiles sans cache : notre route contre PostGIS ST_AsMVT');
  // tileCacheBytes 0: ByteLruCache never keeps an entry, so each request renders its tile
  const uncached = createApp({ db, logger: memoryLogger(), tileCacheBytes: 0 });
  const tilePath = (t: TileRef) => `/tiles/${encodeURIComponent(build.id)}/${t.layer}/${t.z}/${t.x}/${t.y}.pbf`;

  async function oursPass(collect?: Map<string, Uint8Array | null>): Promise<number> {
    const t0 = performance.now();
    for (const t of tiles) {
      const res = await uncached.app.request(tilePath(t), { headers: GZIP });
      if (res.status !== 200 && res.status !== 204) throw new Error(`${tilePath(t)} : HTTP ${res.status} ${await res.text()}`);
      const body = res.status === 200 ? new Uint8Array(await res.arrayBuffer()) : null;
      collect?.set(tileKey(t), body);
    }
    return performance.now() - t0;
  }

  let pgis: Postgis | null = null;
  let pgClient: pg.Client | null = null;
  let pgMissing: string | null = null;
  let ranges = new Map<string, { min: number; max: number }>();
  try {
    pgis = await startPostgis();
    cleanups.push(() => pgis?.stop());
    pgClient = await pgis.client();
    cleanups.push(() => pgClient?.end());
    const rows = await build.all<GeomRow>(
      `SELECT g.level, g.code, t.name, g.band::INTEGER AS band, g.min_zoom::INTEGER AS min_zoom, g.max_zoom::INTEGER AS max_zoom, g.geojson
       FROM territory_geoms g JOIN territories t ON t.level = g.level AND t.code = g.code
       WHERE list_contains($levels, g.level)`,
      { levels: TILE_LAYERS }
    );
    const loadMs = await loadGeometries(pgClient, rows);
    ranges = await bandRanges(pgClient);
    console.log(`${pgis.version} sur 127.0.0.1:${pgis.port} ; ${num(rows.length)} géométries (toutes bandes) chargées et indexées (GiST) en ${seconds(loadMs)}`);
  } catch (e) {
    pgMissing = (e as Error).message;
    console.log(`\n!!! PostGIS indisponible : ${pgMissing}\n!!! Pas de comparaison ; seules nos mesures sont données.\n`);
  }

  const pgGzipMs: number[] = [];
  async function postgisPass(collect?: Map<string, Uint8Array | null>): Promise<number> {
    let gz = 0;
    const t0 = performance.now();
    for (const t of tiles) {
      const mvt = await postgisTile(pgClient!, ranges, t);
      // the same output contract as our route: a gzipped MVT, ready to send
      const g0 = performance.now();
      if (mvt) gzipSync(mvt);
      gz += performance.now() - g0;
      collect?.set(tileKey(t), mvt);
    }
    pgGzipMs.push(gz);
    return performance.now() - t0;
  }

  // warm-up pass on both sides (JIT, DuckDB and PostgreSQL buffers), kept for the equivalence check
  const oursTiles = new Map<string, Uint8Array | null>();
  const pgTiles = new Map<string, Uint8Array | null>();
  await oursPass(oursTiles);
  check(uncached.tiles.stats().entries === 0, 'Le cache de tuiles devait être désactivé.');
  if (pgClient) await postgisPass(pgTiles);

  const nonEmpty = [...oursTiles.values()].filter((b) => b !== null) as Uint8Array[];
  const gzBytes = sum(nonEmpty.map((b) => b.byteLength));
  const mvtBytes = sum(nonEmpty.map((b) => gunzipSync(b).byteLength));
  console.log(`Nous : ${nonEmpty.length} tuiles non vides, ${bytes(mvtBytes)} de MVT (${bytes(gzBytes)} gzip)`);
  const sample = tiles.find((t) => t.layer === 'commune' && t.z === 10 && oursTiles.get(tileKey(t)));
  if (sample) {
    const mvt = gunzipSync(oursTiles.get(tileKey(sample))!);
    const read = ogrinfoTile(mvt, sample.layer, sample.z, sample.x, sample.y);
    const expected = featureCodes(mvt, sample.layer).length;
    if (read === null) console.log('ogrinfo absent (apt-get install gdal-bin) : tuile non relue par GDAL.');
    else {
      console.log(`GDAL (ogrinfo, pilote MVT) relit ${tileKey(sample)} : ${read.ok ? `${read.features} entités, ${expected} attendues` : `échec — ${read.detail}`}`);
      verdicts.push({ measure: 'Tuile relue par GDAL (ogrinfo)', value: read.ok ? `${read.features} / ${expected} entités` : 'échec', goal: 'identique', ok: read.ok && read.features === expected });
    }
  }
  if (pgClient) {
    const pgNonEmpty = [...pgTiles.values()].filter((b) => b !== null) as Uint8Array[];
    let differing = 0;
    let oursFeatures = 0;
    let pgFeatures = 0;
    const examples: string[] = [];
    for (const t of tiles) {
      const key = tileKey(t);
      const a = featureCodes(oursTiles.get(key) ? gunzipSync(oursTiles.get(key)!) : null, t.layer);
      const b = featureCodes(pgTiles.get(key) ?? null, t.layer);
      oursFeatures += a.length;
      pgFeatures += b.length;
      if (a.join() !== b.join()) {
        differing++;
        if (examples.length < 3) examples.push(`${key} (${a.length} contre ${b.length})`);
      }
    }
    console.log(`PostGIS : ${pgNonEmpty.length} tuiles non vides, ${bytes(sum(pgNonEmpty.map((b) => b.byteLength)))} de MVT`);
    console.log(
      `Entités par tuile : ${num(oursFeatures)} chez nous, ${num(pgFeatures)} chez PostGIS ; ${differing} tuile(s) sur ${tiles.length} diffèrent` +
        (examples.length ? ` (ex. ${examples.join(', ')})` : '')
    );
  }

  const oursMs: number[] = [];
  const pgMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    oursMs.push(await oursPass());
    if (pgClient) pgMs.push(await postgisPass());
  }
  const oursMed = median(oursMs);
  console.log(
    `Nous, app.request sur une app neuve sans cache (${RUNS} passages, médiane) : ${seconds(oursMed)} — ${ms(oursMed / tiles.length)} par tuile`
  );
  if (pgClient) {
    const pgMed = median(pgMs);
    console.log(
      `PostGIS, une requête préparée par tuile + gzip (médiane) : ${seconds(pgMed)} — ${ms(pgMed / tiles.length)} par tuile (dont gzip ${ms(median(pgGzipMs.slice(1)) / tiles.length, 3)})`
    );
    const one = await postgisAllTilesOneQuery(pgClient, ranges, tiles);
    console.log(`PostGIS, toutes les tuiles en une seule requête (sans allers-retours ni gzip) : ${seconds(one.ms)}`);
    const r = oursMed / pgMed;
    console.log(`Rapport nous / PostGIS : ${ratio(r)}`);
    verdicts.push({ measure: 'Tuiles sans cache, nous / PostGIS', value: ratio(r), goal: '≤ 0,50×', ok: r <= 0.5 });
  } else {
    verdicts.push({ measure: 'Tuiles sans cache, nous / PostGIS', value: `${seconds(oursMed)} (PostGIS absent)`, goal: '≤ 0,50×', ok: null });
  }

  // where our time goes: per tile, the route then its render stages one by one with the
  // server's own functions, paired so that a noisy neighbour weighs on both alike
  const stages = emptyStages();
  let pairedRoute = 0;
  for (const t of tiles) {
    const t0 = performance.now();
    const res = await uncached.app.request(tilePath(t), { headers: GZIP });
    await res.arrayBuffer();
    pairedRoute += performance.now() - t0;
    await profileTile(build, layers, t, stages);
  }
  const stageTotal = stages.search + stages.encode + stages.gzip;
  console.log(`\nRépartition de notre temps (un passage apparié : la route ${seconds(pairedRoute)}, puis ses étapes chronométrées une à une) :`);
  const share = (v: number) => `${num((100 * v) / pairedRoute, 0).padStart(3)} %`;
  for (const [key, label] of Object.entries(STAGE_LABELS)) {
    const v = stages[key as keyof typeof STAGE_LABELS];
    console.log(`  ${label.padEnd(46)} ${seconds(v).padStart(9)}  ${share(v)}`);
  }
  const rest = pairedRoute - stageTotal;
  console.log(`  ${'reste : Hono, zod, bail, en-têtes, Response'.padEnd(46)} ${seconds(rest).padStart(9)}  ${share(rest)}`);
  console.log(`  (${num(stages.features)} entités candidates)`);

  // ---------------------------------------------------------------- HTTP server
  const server = await startServer({ dbPath: database.path, port: 0, hostname: '127.0.0.1', logger: memoryLogger(), reloadIntervalMs: 0 });
  cleanups.push(() => server.close());
  const client = new SequentialClient(server.url);
  cleanups.push(() => client.close());

  title(`Tuiles en cache : ${CONNECTIONS} connexions, ${LOAD_SECONDS} s, serveur HTTP réel`);
  const warmPaths = tiles.filter((t) => oursTiles.get(tileKey(t))).map(tilePath);
  for (const path of warmPaths) {
    const r = await client.send('GET', path, { headers: GZIP });
    check(r.status === 200, `${path} : HTTP ${r.status}`);
  }
  const health = JSON.parse((await client.send('GET', '/api/health')).body.toString()) as {
    tileCache: { entries: number; bytes: number; maxBytes: number };
  };
  check(health.tileCache.entries >= warmPaths.length, `Cache incomplet : ${health.tileCache.entries} tuiles pour ${warmPaths.length}.`);
  console.log(`${warmPaths.length} tuiles non vides réchauffées (cache : ${health.tileCache.entries} entrées, ${bytes(health.tileCache.bytes)})`);
  const cpu0 = process.cpuUsage();
  const load = await loadTest({ origin: server.url, paths: warmPaths, headers: GZIP, connections: CONNECTIONS, durationS: LOAD_SECONDS, tool: LOAD_TOOL });
  const cpu = process.cpuUsage(cpu0);
  const cpuPerRequest = (cpu.user + cpu.system) / Math.max(1, load.requests);
  console.log(
    `${load.tool} : ${num(load.requests)} requêtes en ${seconds(load.durationS * 1000, 1)} → ${num(load.rps)} req/s ; ` +
      `p50 ${ms(load.p50Ms)}, p99 ${ms(load.p99Ms)}, max ${ms(load.maxMs)} ; échecs ${load.failures}`
  );
  // independent of the neighbours' load: the CPU our process spent per answered request
  console.log(
    `CPU du processus serveur : ${num(cpuPerRequest)} µs par requête (${num((100 * (cpu.user + cpu.system)) / 1e6 / load.durationS)} % d'un cœur) ` +
      `→ plafond ≈ ${num(1e6 / cpuPerRequest)} req/s sur un cœur libre`
  );
  verdicts.push({ measure: 'Tuiles en cache, débit (64 conn.)', value: `${num(load.rps)} req/s`, goal: '≥ 5 000 req/s', ok: load.rps >= 5000 && load.failures === 0 });
  verdicts.push({ measure: 'Tuiles en cache, p99', value: `${ms(load.p99Ms)} (p50 ${ms(load.p50Ms)})`, goal: '< 20 ms', ok: load.p99Ms < 20 });
  verdicts.push({ measure: 'Tuiles en cache, CPU par requête', value: `${num(cpuPerRequest)} µs (≈ ${num(1e6 / cpuPerRequest)} req/s/cœur)`, goal: 'information', ok: null });

  // ---------------------------------------------------------------- values
  title(`Valeurs : ${VALUES_PATH}`);
  const first = await client.send('GET', VALUES_PATH);
  check(first.status === 200, `${VALUES_PATH} : HTTP ${first.status} ${first.body.toString()}`);
  const payload = JSON.parse(first.body.toString()) as { year: number; values: unknown[] };
  const valuesSql = await captureSql(
    (b) => levelValues(b, { indicator: 'taux-chomage', year: payload.year, level: 'commune', within: { level: 'departement', code: '93' } }),
    build
  );
  const bare = await DuckDBInstance.create(build.file, { access_mode: 'READ_ONLY' });
  const bareConnection = await bare.connect();
  cleanups.push(() => {
    bareConnection.closeSync();
    bare.closeSync();
  });

  type Prepared = { statement: DuckDBPreparedStatement; params: SqlParams }[];
  /** The route's statements one after the other; rows: those of the largest result. */
  async function bareQuery(statements: Prepared): Promise<{ ms: number; rows: number }> {
    const t0 = performance.now();
    let rows = 0;
    for (const { statement, params } of statements) {
      bindLikeServer(statement, params);
      const reader = await statement.runAndReadAll();
      rows = Math.max(rows, reader.getColumnsJS()[0]?.length ?? 0);
    }
    return { ms: performance.now() - t0, rows };
  }
  const prepare = async (captured: { sql: string; params: SqlParams }[]): Promise<Prepared> =>
    Promise.all(captured.map(async (c) => ({ statement: await bareConnection.prepare(c.sql), params: c.params })));
  const release = (statements: Prepared) => statements.forEach((s) => s.statement.destroySync());

  /** HTTP, in-process (app.request, no socket) and bare SQL, interleaved so that a noisy neighbour hits all three alike. */
  async function interleaved(
    n: number,
    http: () => Promise<{ status: number; ms: number }>,
    inProcess: () => Promise<number>,
    sql: Prepared
  ): Promise<{ http: number[]; app: number[]; bare: number[]; rows: number }> {
    const out = { http: [] as number[], app: [] as number[], bare: [] as number[], rows: 0 };
    const warm = Math.ceil(n / 10);
    for (let i = 0; i < warm + n; i++) {
      const h = await http();
      check(h.status === 200, `HTTP ${h.status}`);
      const a = await inProcess();
      const b = await bareQuery(sql);
      out.rows = b.rows;
      if (i < warm) continue;
      out.http.push(h.ms);
      out.app.push(a);
      out.bare.push(b.ms);
    }
    return out;
  }

  async function timedAppRequest(path: string, init?: RequestInit): Promise<number> {
    const t0 = performance.now();
    const res = await uncached.app.request(path, init);
    await res.arrayBuffer();
    check(res.status === 200, `${path} : HTTP ${res.status}`);
    return performance.now() - t0;
  }

  const valuesStatements = await prepare(valuesSql);
  const values = await interleaved(
    VALUES_REQUESTS,
    () => client.send('GET', VALUES_PATH),
    () => timedAppRequest(VALUES_PATH),
    valuesStatements
  );
  release(valuesStatements);
  const vHttp = percentile(values.http, 95);
  const vBare = percentile(values.bare, 95);
  console.log(`${payload.values.length} communes, année ${payload.year}, ${VALUES_REQUESTS} requêtes séquentielles (après ${Math.ceil(VALUES_REQUESTS / 10)} de chauffe)`);
  console.log(`  HTTP (keep-alive)                     p50 ${ms(percentile(values.http, 50))}  p95 ${ms(vHttp)}`);
  console.log(`  app.request (sans socket)             p50 ${ms(percentile(values.app, 50))}  p95 ${ms(percentile(values.app, 95))}`);
  console.log(`  requêtes DuckDB nues, en série (${valuesSql.length}, ${values.rows} lignes au plus)  p50 ${ms(percentile(values.bare, 50))}  p95 ${ms(vBare)}`);
  const vRatio = vHttp / vBare;
  console.log(`Rapport p95 HTTP / p95 requête nue : ${ratio(vRatio)}`);
  verdicts.push({ measure: 'Valeurs communes du 93, surcoût p95', value: `${ratio(vRatio)} (${ms(vHttp)} / ${ms(vBare)})`, goal: '≤ 1,50×', ok: vRatio <= 1.5 });

  // ---------------------------------------------------------------- aggregate
  title('POST /api/aggregate : 10 communes du 93, tous les indicateurs');
  const list = JSON.parse((await client.send('GET', '/api/indicators')).body.toString()) as { indicators: { id: string; levels: string[] }[] };
  const indicators = list.indicators.filter((i) => i.levels.includes('commune')).map((i) => i.id);
  const communes = (
    await build.all<{ code: string }>("SELECT code FROM territories WHERE level = 'commune' AND departement = '93' ORDER BY code LIMIT 10")
  ).map((r) => r.code);
  const body = JSON.stringify({ communes, indicators });
  const aggFirst = await client.send('POST', '/api/aggregate', { body });
  check(aggFirst.status === 200, `/api/aggregate : HTTP ${aggFirst.status} ${aggFirst.body.toString().slice(0, 500)}`);
  const { byId } = await catalogue(build);
  const keys = indicators.map((id) => `${id}:${latestYear(byId.get(id)!, 'commune')}`);
  const aggStatements = await prepare(await captureSql((b) => communeValues(b, keys, communes), build));
  const agg = await interleaved(
    AGGREGATE_REQUESTS,
    () => client.send('POST', '/api/aggregate', { body }),
    () => timedAppRequest('/api/aggregate', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } }),
    aggStatements
  );
  release(aggStatements);
  const aP95 = percentile(agg.http, 95);
  console.log(`${communes.length} communes (${communes[0]}…), ${indicators.length} indicateurs, ${AGGREGATE_REQUESTS} requêtes séquentielles ; réponse ${bytes(aggFirst.body.byteLength)}`);
  console.log(`  HTTP (keep-alive)                     p50 ${ms(percentile(agg.http, 50))}  p95 ${ms(aP95)}`);
  console.log(`  app.request (sans socket)             p50 ${ms(percentile(agg.app, 50))}  p95 ${ms(percentile(agg.app, 95))}`);
  console.log(`  requête DuckDB des contributions nue (${agg.rows} lignes)  p50 ${ms(percentile(agg.bare, 50))}  p95 ${ms(percentile(agg.bare, 95))}`);
  verdicts.push({ measure: 'Agrégat libre, p95', value: ms(aP95), goal: '< 50 ms', ok: aP95 < 50 });

  // ---------------------------------------------------------------- summary
  title('Résumé');
  const w = [Math.max(...verdicts.map((v) => v.measure.length)), Math.max(...verdicts.map((v) => v.value.length)), 14];
  console.log(`${'Mesure'.padEnd(w[0]!)}  ${'Valeur'.padEnd(w[1]!)}  ${'Objectif'.padEnd(w[2]!)}  `);
  console.log(`${'-'.repeat(w[0]!)}  ${'-'.repeat(w[1]!)}  ${'-'.repeat(w[2]!)}  --`);
  for (const v of verdicts) {
    const mark = v.ok === null ? (v.goal === 'information' ? '·' : '?') : v.ok ? '✔' : '✘';
    console.log(`${v.measure.padEnd(w[0]!)}  ${v.value.padEnd(w[1]!)}  ${v.goal.padEnd(w[2]!)}  ${mark}`);
  }
  if (pgMissing) console.log(`\nPostGIS indisponible : ${pgMissing}`);
  console.log(`Charge moyenne sur 1 min à la fin : ${num(loadavg()[0] ?? 0, 2)} (machine partagée : à lire avec les mesures)`);
} finally {
  await cleanup();
}
