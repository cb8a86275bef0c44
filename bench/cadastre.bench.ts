/**
 * `npm run bench:cadastre` (tsx bench/cadastre.bench.ts): the cadastre load and its
 * parcel tiles, against GDAL in the same run, then at scale.
 *
 *  1. Real inputs: `loadCadastre` (etl/cadastre) into a temp DuckDB — every Etalab
 *     millésime, the EDIGEO feuilles, DVF, the history — vs `ogr2ogr` loading the same
 *     Etalab GeoJSON.gz into a GeoPackage; parcel tiles z13–16 over Bondy (latest
 *     millésime) cut by the server's own code path (uncached render) vs
 *     `ogr2ogr -f MVT -dsco MINZOOM=13 -dsco MAXZOOM=16` on the same parcels.
 *  2. Scale: Bondy's five millésimes translated into a grid of copies (each copy a
 *     préfixe of its own, so ids stay unique), written as the Etalab files of the same
 *     sources, loaded by `loadCadastre`, for ~100 k, 300 k and 1 M parcels: load time,
 *     peak memory, and uncached z16 parcel tiles served by the app (goal: < 50 ms at 1 M),
 *     growth per 100 k parcels (goal: linear).
 * Each load and each tile run is a child process, so peak memory is its own.
 * Knobs: BENCH_CADASTRE_SCALES (100000,300000,1000000; empty for none),
 * BENCH_CADASTRE_Z16_TILES (200), BENCH_CADASTRE_OGR_SCALE (1: ogr2ogr load at scale too; 0: not),
 * BENCH_CADASTRE_KEEP (1: keep the temp folder).
 * Nothing generated is committed: everything lives under the OS temp folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip, gunzipSync } from 'node:zlib';
import type { FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import type { AppEnv } from '../server/routing.ts';

const SELF = fileURLToPath(import.meta.url);
const BONDY = '93010';

// ---------------------------------------------------------------- helpers

function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(Math.max(Math.ceil((p / 100) * s.length), 1), s.length) - 1] as number;
}
const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits).replace('.', ',') : '—');
const sec = (msValue: number) => `${fmt(msValue / 1000, 2)} s`;
const mb = (bytes: number) => `${fmt(bytes / 1024 / 1024, 0)} Mo`;

interface TileRef {
  z: number;
  x: number;
  y: number;
}

function tileAt(lon: number, lat: number, z: number): { x: number; y: number } {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const rad = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return { x: Math.min(Math.max(x, 0), n - 1), y: Math.min(Math.max(y, 0), n - 1) };
}

function tilesOver(b: { minx: number; miny: number; maxx: number; maxy: number }, minZoom: number, maxZoom: number): TileRef[] {
  const out: TileRef[] = [];
  for (let z = minZoom; z <= maxZoom; z++) {
    const nw = tileAt(b.minx, b.maxy, z);
    const se = tileAt(b.maxx, b.miny, z);
    for (let x = nw.x; x <= se.x; x++) for (let y = nw.y; y <= se.y; y++) out.push({ z, x, y });
  }
  return out;
}

/** Runs this file as a child in worker mode; resolves to the JSON it prints last. */
async function child<T>(args: string[]): Promise<T> {
  const proc = spawn(process.execPath, [...process.execArgv, SELF, '--worker', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (d: string) => (out += d));
  const [code] = (await once(proc, 'close')) as [number];
  const line = out.trim().split('\n').filter((l) => l.startsWith('RESULT ')).at(-1);
  if (code !== 0 || !line) throw new Error(`worker ${args.join(' ')} : code ${code}\n${out}`);
  return JSON.parse(line.slice('RESULT '.length)) as T;
}

function ogr(args: string[]): number {
  const t = performance.now();
  const r = spawnSync('ogr2ogr', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`ogr2ogr ${args.join(' ')} : ${r.stderr}`);
  return performance.now() - t;
}

const hasOgr = spawnSync('ogr2ogr', ['--version']).status === 0;

// ---------------------------------------------------------------- scaled inputs

/** Bondy's millésimes, K copies each on a grid, as gzipped Etalab files keyed by source id. */
async function writeScaledSources(dir: string, copies: number): Promise<Map<string, string>> {
  const { BONDY_PARCEL_SOURCES } = await import('../etl/sources/cadastre/etalab-geojson.ts');
  const { mirrorFile } = await import('../etl/testing/mirror.ts');
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, string>();
  const cols = Math.ceil(Math.sqrt(copies));
  for (const source of BONDY_PARCEL_SOURCES) {
    const fc = JSON.parse(gunzipSync(readFileSync(mirrorFile(source.mirrorPath))).toString('utf8')) as FeatureCollection<Polygon | MultiPolygon>;
    const file = join(dir, `${source.id}.json.gz`);
    const gz = createGzip({ level: 1 });
    const ws = createWriteStream(file);
    gz.pipe(ws);
    gz.write('{"type":"FeatureCollection","features":[\n');
    let first = true;
    for (let k = 0; k < copies; k++) {
      const dx = (k % cols) * 0.035;
      const dy = -Math.floor(k / cols) * 0.035;
      const prefixe = String(k).padStart(3, '0');
      const shift = (c: unknown): unknown =>
        typeof (c as Position)[0] === 'number'
          ? [Math.round(((c as Position)[0] as number) * 1e7 + dx * 1e7) / 1e7, Math.round(((c as Position)[1] as number) * 1e7 + dy * 1e7) / 1e7]
          : (c as unknown[]).map(shift);
      const chunk: string[] = [];
      for (const f of fc.features) {
        const p: Record<string, unknown> = { ...f.properties, prefixe };
        const id = `${BONDY}${prefixe}${String(p.section).padStart(2, '0')}${String(p.numero).padStart(4, '0')}`;
        p.id = id;
        const geometry = { type: f.geometry.type, coordinates: shift(f.geometry.coordinates) };
        chunk.push(`${first ? '' : ',\n'}${JSON.stringify({ type: 'Feature', id, geometry, properties: p })}`);
        first = false;
      }
      if (!gz.write(chunk.join(''))) await once(gz, 'drain');
    }
    gz.end(']}\n');
    await once(ws, 'close');
    files.set(source.id, file);
  }
  return files;
}

// ---------------------------------------------------------------- workers

interface LoadResult {
  ms: number;
  parcels: number;
  counts: Record<string, number>;
  timingsMs: Record<string, number>;
  peakRssBytes: number;
  dbBytes: number;
}

/** loadCadastre into `db`, with the mirror's files, Bondy's replaced by `scaledDir`'s when given. */
async function workerLoad(db: string, scaledDir: string | null): Promise<LoadResult> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { buildTerritoryIndex, DEFAULT_SCOPE } = await import('../etl/build/territory-index.ts');
  const { loadZonings } = await import('../etl/build/zonings.ts');
  const { memoryLogger } = await import('../etl/core/logger.ts');
  const { loadCog } = await import('../etl/sources/cog/decoupage-administratif.ts');
  const { mirrorFile, repoRoot } = await import('../etl/testing/mirror.ts');
  const { CADASTRE_SOURCES, loadCadastre } = await import('../etl/cadastre/index.ts');
  const files = new Map(CADASTRE_SOURCES.map((s) => [s.id, mirrorFile(s.mirrorPath)]));
  if (scaledDir) for (const [id, file] of JSON.parse(readFileSync(join(scaledDir, 'files.json'), 'utf8')) as [string, string][]) files.set(id, file);
  const cog = loadCog();
  const { zonings } = loadZonings(join(repoRoot, 'data', 'zonings'), cog);
  const index = buildTerritoryIndex(cog, DEFAULT_SCOPE, [], zonings);
  const instance = await DuckDBInstance.create(db);
  const conn = await instance.connect();
  await conn.run(
    `CREATE TABLE build_info (key VARCHAR PRIMARY KEY, value VARCHAR);
     INSERT INTO build_info VALUES ('build_id', 'bench-cadastre-${Date.now()}'), ('created_at', '${new Date().toISOString()}')`
  );
  const t = performance.now();
  const result = await loadCadastre(conn, files, { logger: memoryLogger(), index });
  const elapsed = performance.now() - t;
  await conn.run('CHECKPOINT');
  conn.closeSync();
  instance.closeSync();
  return {
    ms: elapsed,
    parcels: result.counts.parcels ?? 0,
    counts: result.counts,
    timingsMs: result.timingsMs,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    dbBytes: statSync(db).size
  };
}

interface TilesResult {
  bondyTiles: number;
  bondyFeatures: number;
  bondyMs: number;
  bondyPerZoom: Record<number, { tiles: number; ms: number; p95: number }>;
  z16: { n: number; nonEmpty: number; p50: number; p95: number; max: number; features: number };
  firstRequestMs: number;
  rssBytes: number;
  peakRssBytes: number;
}

/**
 * Parcel tiles of `db`: z13–16 over the first copy of Bondy through the renderer
 * (uncached), and `z16Count` distinct z16 tiles over the whole extent through the app
 * (each requested once, so none is cached).
 */
async function workerTiles(dbPath: string, z16Count: number): Promise<TilesResult> {
  const { openDb } = await import('../server/db.ts');
  const { createApp } = await import('../server/app.ts');
  const { memoryLogger } = await import('../etl/core/logger.ts');
  const { CadastreTiles } = await import('../server/tiles/cadastre-layers.ts');
  const { CADASTRE_LAYERS } = await import('../server/queries/cadastre.ts');
  const db = await openDb(dbPath);
  const build = db.current();
  let { app } = createApp({ db, logger: memoryLogger() });
  if (!app.routes.some((r) => r.path.startsWith('/tiles/cadastre'))) {
    // routes not mounted by createApp (older server/app.ts): the routers alone, behind the same lease
    const { Hono } = await import('hono');
    const { cadastreRouters } = await import('../server/routes/cadastre.ts');
    app = new Hono<AppEnv>();
    app.use('*', async (c, next) => {
      const lease = db.acquire();
      c.set('build', lease.build);
      try {
        await next();
      } finally {
        lease.release();
      }
    });
    for (const r of cadastreRouters()) app.route(r.prefix, r.app);
  }
  // the first request builds the per-build inventory (millésimes and extents): timed apart
  const t0 = performance.now();
  await app.request('/tiles/cadastre/parcelles.json');
  const firstRequestMs = performance.now() - t0;

  const bondy = await build.one<{ minx: number; miny: number; maxx: number; maxy: number }>(
    `SELECT min(minx) AS minx, min(miny) AS miny, max(maxx) AS maxx, max(maxy) AS maxy FROM cadastre_parcels
     WHERE commune = '${BONDY}' AND prefixe = '000' AND vintage = (SELECT max(vintage) FROM cadastre_parcels WHERE commune = '${BONDY}')`
  );
  if (!bondy) throw new Error('Bondy absente de la base');
  const renderer = new CadastreTiles();
  const def = CADASTRE_LAYERS.parcelles;
  const perZoom: TilesResult['bondyPerZoom'] = {};
  const times = new Map<number, number[]>();
  let features = 0;
  const started = performance.now();
  const bondyTiles = tilesOver(bondy, 13, 16);
  for (const t of bondyTiles) {
    const s = performance.now();
    const tile = await renderer.render(build, def, null, t.z, t.x, t.y);
    const list = times.get(t.z) ?? [];
    list.push(performance.now() - s);
    times.set(t.z, list);
    features += tile.features;
  }
  const bondyMs = performance.now() - started;
  for (const [z, list] of times) perZoom[z] = { tiles: list.length, ms: list.reduce((a, b) => a + b, 0), p95: percentile(list, 95) };

  const all = await build.one<{ minx: number; miny: number; maxx: number; maxy: number }>(
    `SELECT min(minx) AS minx, min(miny) AS miny, max(maxx) AS maxx, max(maxy) AS maxy FROM cadastre_parcels WHERE commune = '${BONDY}'`
  );
  const candidates = tilesOver(all as NonNullable<typeof all>, 16, 16);
  // a fixed pseudo-random sample (LCG), the same at every scale for a given extent
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const chosen = new Map<string, TileRef>();
  while (chosen.size < Math.min(z16Count, candidates.length)) {
    const t = candidates[Math.floor(next() * candidates.length)] as TileRef;
    chosen.set(`${t.x}/${t.y}`, t);
  }
  const z16Times: number[] = [];
  let nonEmpty = 0;
  let z16Features = 0;
  const { gunzipSync: gunzip } = await import('node:zlib');
  const { VectorTile } = await import('@mapbox/vector-tile');
  const { PbfReader } = await import('pbf');
  for (const t of chosen.values()) {
    const s = performance.now();
    const res = await app.request(`/tiles/cadastre/${build.id}/parcelles/16/${t.x}/${t.y}.pbf`, { headers: { 'Accept-Encoding': 'gzip' } });
    const body = new Uint8Array(await res.arrayBuffer());
    z16Times.push(performance.now() - s);
    if (res.status === 200) {
      nonEmpty++;
      z16Features += new VectorTile(new PbfReader(gunzip(body))).layers.parcelles?.length ?? 0;
    } else if (res.status !== 204) throw new Error(`tuile 16/${t.x}/${t.y} : ${res.status}`);
  }
  const rssBytes = process.memoryUsage().rss;
  await db.close();
  return {
    bondyTiles: bondyTiles.length,
    bondyFeatures: features,
    bondyMs,
    bondyPerZoom: perZoom,
    z16: { n: z16Times.length, nonEmpty, p50: percentile(z16Times, 50), p95: percentile(z16Times, 95), max: Math.max(...z16Times), features: z16Features },
    firstRequestMs,
    rssBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024
  };
}

// ---------------------------------------------------------------- GDAL side

async function ogrLoad(gpkg: string, files: { id: string; path: string }[]): Promise<number> {
  let total = 0;
  for (const f of files) {
    total += ogr(['-f', 'GPKG', '-append', '-nln', f.id.replace(/\W/g, '_'), gpkg, `/vsigzip/${f.path}`]);
  }
  return total;
}

function ogrMvt(gpkg: string, layer: string, out: string): number {
  return ogr(['-f', 'MVT', out, gpkg, layer, '-nln', 'parcelles', '-dsco', 'MINZOOM=13', '-dsco', 'MAXZOOM=16', '-dsco', 'MAX_SIZE=5000000', '-dsco', 'MAX_FEATURES=1000000']);
}

function countFiles(dir: string): number {
  const r = spawnSync('find', [dir, '-name', '*.pbf', '-type', 'f'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return r.stdout.split('\n').filter(Boolean).length;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const scales = (process.env.BENCH_CADASTRE_SCALES ?? '100000,300000,1000000')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
  const z16Count = Math.max(20, Number(process.env.BENCH_CADASTRE_Z16_TILES ?? 200));
  const ogrAtScale = process.env.BENCH_CADASTRE_OGR_SCALE !== '0';
  const root = mkdtempSync(join(tmpdir(), 'obs-bench-cadastre-'));
  const { CADASTRE_SOURCES } = await import('../etl/cadastre/index.ts');
  const { ETALAB_PARCEL_SOURCES, BONDY_PARCEL_SOURCES } = await import('../etl/sources/cadastre/etalab-geojson.ts');
  const { mirrorFile } = await import('../etl/testing/mirror.ts');
  console.log(`Banc cadastre — ${cpus().length} cœurs, charge ${loadavg().map((l) => fmt(l, 2)).join(' ')} ; dossier ${root}`);
  if (!hasOgr) console.log('ogr2ogr absent : comparaisons GDAL ignorées (apt-get install gdal-bin).');
  try {
    // ---- 1. real inputs
    const baseDb = join(root, 'base.duckdb');
    const load = await child<LoadResult>(['load', baseDb, '-']);
    console.log(`\n1. Entrées réelles (${CADASTRE_SOURCES.length} sources, ${load.parcels} parcelles, ${load.counts.historyRows} lignes d’historique, ${load.counts.dvfSales} ventes)`);
    console.log(`   loadCadastre : ${sec(load.ms)} (dont lecture Etalab ${sec(load.timingsMs['etalab-lecture'] ?? 0)}, EDIGEO ${sec(load.timingsMs['edigeo-lecture'] ?? 0)}, historique ${sec(load.timingsMs.historique ?? 0)}, écritures ${sec(load.timingsMs.ecriture ?? 0)}) ; mémoire max ${mb(load.peakRssBytes)}`);
    let ogrLoadMs = Number.NaN;
    let ogrMvtMs = Number.NaN;
    const gpkg = join(root, 'etalab.gpkg');
    if (hasOgr) {
      ogrLoadMs = await ogrLoad(gpkg, ETALAB_PARCEL_SOURCES.map((s) => ({ id: s.id, path: mirrorFile(s.mirrorPath) })));
      const etalabMs = (load.timingsMs['etalab-lecture'] ?? 0) + (load.timingsMs.ecriture ?? 0);
      console.log(`   ogr2ogr GeoJSON.gz → GPKG (les ${ETALAB_PARCEL_SOURCES.length} fichiers Etalab) : ${sec(ogrLoadMs)}`);
      console.log(
        `   ratio loadCadastre complet / ogr2ogr : ${fmt(load.ms / ogrLoadMs, 2)}× ; partie Etalab (lecture + toutes écritures) / ogr2ogr : ${fmt(etalabMs / ogrLoadMs, 2)}× ` +
          '(loadCadastre fait en plus : validation des identifiants, réparation des géométries, historique, EDIGEO, DVF)'
      );
    }
    const tiles = await child<TilesResult>(['tiles', baseDb, String(z16Count)]);
    const latest = (BONDY_PARCEL_SOURCES.at(-1) as { id: string }).id.replace(/\W/g, '_');
    console.log(
      `   Tuiles parcelles z13–16 sur Bondy (${latest.slice(-10).replace(/_/g, '-')}), rendu non mis en cache : ${tiles.bondyTiles} tuiles, ${tiles.bondyFeatures} entités, ` +
        `${sec(tiles.bondyMs)} (${fmt((tiles.bondyMs / tiles.bondyFeatures) * 1000, 0)} µs par entité)`
    );
    for (const [z, s] of Object.entries(tiles.bondyPerZoom)) console.log(`     z${z} : ${s.tiles} tuiles, ${fmt(s.ms, 0)} ms, p95 ${fmt(s.p95, 1)} ms`);
    if (hasOgr) {
      const out = join(root, 'mvt-base');
      ogrMvtMs = ogrMvt(gpkg, latest, out);
      console.log(`   ogr2ogr -f MVT z13–16 (même couche) : ${sec(ogrMvtMs)}, ${countFiles(out)} tuiles ; ratio nous / ogr2ogr : ${fmt(tiles.bondyMs / ogrMvtMs, 2)}×`);
    }
    console.log(`   z16 via l’app (${tiles.z16.n} tuiles distinctes, non cachées) : p50 ${fmt(tiles.z16.p50)} ms, p95 ${fmt(tiles.z16.p95)} ms, max ${fmt(tiles.z16.max)} ms`);

    // ---- 2. scale
    interface Row {
      target: number;
      copies: number;
      parcels: number;
      load: LoadResult;
      ogrMs: number;
      tiles: TilesResult;
    }
    const rows: Row[] = [];
    const basePerCopy = BONDY_PARCEL_SOURCES.length; // millésimes per copy
    const bondyParcels = await child<{ n: number }>(['count', baseDb]);
    const others = load.parcels - bondyParcels.n;
    for (const target of scales) {
      const copies = Math.max(1, Math.round((target - others) / bondyParcels.n));
      const dir = join(root, `scale-${target}`);
      const t = performance.now();
      const files = await writeScaledSources(dir, copies);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(dir, 'files.json'), JSON.stringify([...files]));
      console.log(`\n2. Échelle ~${target} : ${copies} copies × ${basePerCopy} millésimes de Bondy (fichiers générés en ${sec(performance.now() - t)})`);
      const dbPath = join(dir, 'cad.duckdb');
      const scaled = await child<LoadResult>(['load', dbPath, dir]);
      console.log(`   loadCadastre : ${scaled.parcels} parcelles en ${sec(scaled.ms)} ; mémoire max ${mb(scaled.peakRssBytes)} ; base ${mb(scaled.dbBytes)}`);
      let ogrMs = Number.NaN;
      if (hasOgr && ogrAtScale) {
        const list = [...files].map(([id, path]) => ({ id, path }));
        list.push({ id: 'paris18', path: mirrorFile((ETALAB_PARCEL_SOURCES.at(-1) as { mirrorPath: string }).mirrorPath) });
        ogrMs = await ogrLoad(join(dir, 'ogr.gpkg'), list);
        rmSync(join(dir, 'ogr.gpkg'), { force: true });
        console.log(`   ogr2ogr GeoJSON.gz → GPKG (mêmes fichiers Etalab) : ${sec(ogrMs)} ; ratio ${fmt(scaled.ms / ogrMs, 2)}×`);
      }
      const st = await child<TilesResult>(['tiles', dbPath, String(z16Count)]);
      console.log(
        `   z16 via l’app (${st.z16.n} tuiles distinctes non cachées, ${st.z16.nonEmpty} non vides, ${fmt(st.z16.features / Math.max(1, st.z16.nonEmpty), 0)} entités en moyenne) : ` +
          `p50 ${fmt(st.z16.p50)} ms, p95 ${fmt(st.z16.p95)} ms, max ${fmt(st.z16.max)} ms — objectif < 50 ms`
      );
      console.log(
        `   z13–16 sur la première copie : ${st.bondyTiles} tuiles, ${st.bondyFeatures} entités, en ${sec(st.bondyMs)} (${fmt((st.bondyMs / st.bondyFeatures) * 1000, 0)} µs par entité) ; ` +
          `inventaire (1re requête) ${fmt(st.firstRequestMs, 0)} ms ; mémoire du serveur ${mb(st.rssBytes)} (max ${mb(st.peakRssBytes)}) ; charge ${loadavg().map((l) => fmt(l, 2)).join(' ')}`
      );
      rows.push({ target, copies, parcels: scaled.parcels, load: scaled, ogrMs, tiles: st });
      rmSync(dbPath, { force: true });
      rmSync(`${dbPath}.wal`, { force: true });
      for (const f of files.values()) rmSync(f, { force: true });
    }
    if (rows.length) {
      console.log('\nCroissance (par 100 000 parcelles ; linéaire si constante) :');
      console.log('   parcelles | chargement | s/100k | ogr2ogr | mémoire chargement | z16 p50 | z16 p95 | z16 max | z13–16, µs/entité | mémoire serveur');
      for (const r of rows) {
        console.log(
          `   ${String(r.parcels).padStart(9)} | ${sec(r.load.ms).padStart(10)} | ${fmt((r.load.ms / 1000 / r.parcels) * 100000, 2).padStart(6)} | ${sec(r.ogrMs).padStart(7)} | ` +
            `${mb(r.load.peakRssBytes).padStart(18)} | ${fmt(r.tiles.z16.p50).padStart(7)} | ${fmt(r.tiles.z16.p95).padStart(7)} | ${fmt(r.tiles.z16.max).padStart(7)} | ` +
            `${fmt((r.tiles.bondyMs / r.tiles.bondyFeatures) * 1000, 0).padStart(16)} | ${mb(r.tiles.rssBytes)}`
        );
      }
      const last = rows.at(-1) as Row;
      const verdict = last.tiles.z16.p95 < 50 ? 'atteint' : 'NON atteint';
      console.log(`\nObjectif z16 non cachée < 50 ms à ${last.parcels} parcelles (p95) : ${verdict} (${fmt(last.tiles.z16.p95)} ms).`);
    }
  } finally {
    if (process.env.BENCH_CADASTRE_KEEP === '1') console.log(`(dossier conservé : ${root})`);
    else rmSync(root, { recursive: true, force: true });
  }
}

async function worker(args: string[]): Promise<void> {
  const [kind, db, arg] = args;
  let result: unknown;
  if (kind === 'load') result = await workerLoad(db as string, arg === '-' ? null : (arg as string));
  else if (kind === 'tiles') result = await workerTiles(db as string, Number(arg));
  else if (kind === 'count') {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(db as string, { access_mode: 'READ_ONLY' });
    const conn = await instance.connect();
    const reader = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM cadastre_parcels WHERE commune = '${BONDY}'`);
    result = { n: reader.getRowObjectsJS()[0]?.n };
    conn.closeSync();
    instance.closeSync();
  } else throw new Error(`worker inconnu : ${kind}`);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

const argv = process.argv.slice(2);
if (argv[0] === '--worker') await worker(argv.slice(1));
else await main();
