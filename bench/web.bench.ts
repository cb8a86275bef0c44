/**
 * `npm run bench:web`: the map page in headless Chromium (Debian's), against the built
 * app served by the real one-process server.
 *  - time from navigation to the map's first complete render (every tile of the view
 *    loaded and drawn with the values: the `carte:premier-rendu` mark), cold (fresh
 *    browser profile, server caches empty for run 1) and warm; goal < 2 s;
 *  - JS shipped (gzip), MapLibre apart from our code: what /carte actually loads, and the
 *    whole client build; goal: our JS < 250 KB gzip.
 * Knobs: BENCH_DB (a built database, else one is built from the mirror in a temporary
 * folder), BENCH_RUNS (5), CI=true rebuilds the web app.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { memoryLogger } from '../etl/core/logger.ts';
import { CHROMIUM, CHROMIUM_ARGS, ensureWebBuild, repoRoot, startPortal } from '../web/e2e/harness.ts';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const GOAL_RENDER_MS = 2000;
const GOAL_OUR_JS_KB = 250;
const MAP_URL = '/carte?indicateur=taux-chomage&niveau=commune';

const kb = (bytes: number) => `${(bytes / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Ko`;
const msText = (x: number) => `${Math.round(x).toLocaleString('fr-FR')} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;
const gz = (buf: Buffer) => gzipSync(buf, { level: 9 }).byteLength;

async function database(): Promise<{ path: string; dispose(): void; origin: string }> {
  if (process.env.BENCH_DB) {
    const path = resolve(process.env.BENCH_DB);
    if (!existsSync(path)) throw new Error(`BENCH_DB désigne ${path}, introuvable.`);
    return { path, dispose: () => undefined, origin: `BENCH_DB=${path}` };
  }
  const { runBuild } = await import('../etl/pipeline.ts');
  const { mirrorDir } = await import('../etl/testing/mirror.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'obs-bench-web-'));
  await runBuild({ dataDir, mirror: mirrorDir(), offline: true, logger: memoryLogger() });
  return {
    path: join(dataDir, 'observatoire.duckdb'),
    dispose: () => rmSync(dataDir, { recursive: true, force: true }),
    origin: 'construite depuis le miroir dans un dossier temporaire'
  };
}

/** Client files that are MapLibre's: its module chunk and its worker (from Vite's manifest). */
function maplibreFiles(): Set<string> {
  const manifest = JSON.parse(readFileSync(join(repoRoot, '.svelte-kit/output/client/.vite/manifest.json'), 'utf8')) as Record<
    string,
    { file: string }
  >;
  const files = new Set<string>();
  for (const [source, entry] of Object.entries(manifest)) {
    if (/node_modules\/maplibre-gl\/dist\/maplibre-gl(-worker)?\.mjs$/.test(source)) files.add(entry.file);
  }
  return files;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function buildSizes(maplibre: Set<string>): { ours: number; maplibre: number; oursFiles: number } {
  const client = join(repoRoot, 'build/web/client');
  let ours = 0;
  let ml = 0;
  let oursFiles = 0;
  for (const file of walk(client)) {
    if (!/\.m?js$/.test(file)) continue;
    const rel = relative(client, file);
    const size = gz(readFileSync(file));
    if (maplibre.has(rel)) ml += size;
    else {
      ours += size;
      oursFiles++;
    }
  }
  return { ours, maplibre: ml, oursFiles };
}

interface Run {
  firstRenderMs: number;
  wallMs: number;
  scripts: { path: string; bytes: number }[];
}

async function measure(origin: string, warm: boolean): Promise<Run> {
  const profile = mkdtempSync(join(tmpdir(), 'obs-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 }
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    if (warm) {
      await page.goto(origin + MAP_URL);
      await page.waitForSelector('.map[data-etat="pret"]', { timeout: 60_000 });
      await page.goto('about:blank');
    }
    const scripts: Run['scripts'] = [];
    page.on('response', (r) => {
      const url = new URL(r.url());
      if (url.origin === origin && /\.m?js$/.test(url.pathname)) scripts.push({ path: url.pathname, bytes: 0 });
    });
    const t0 = performance.now();
    await page.goto(origin + MAP_URL);
    await page.waitForSelector('.map[data-etat="pret"]', { timeout: 60_000 });
    const wallMs = performance.now() - t0;
    const firstRenderMs = await page.evaluate(() => performance.getEntriesByName('carte:premier-rendu')[0]?.startTime ?? Number.NaN);
    return { firstRenderMs, wallMs, scripts };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function main() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} est absent : apt-get install chromium.`);
  console.log('bench:web — carte dans Chromium sans tête');
  // timings are CPU-bound (JS parsing, the MapLibre worker, SwiftShader): a busy machine inflates them
  const load = () => loadavg()[0]?.toFixed(1) ?? '?';
  console.log(`machine : ${cpus().length} cœurs, charge moyenne ${load()} au départ\n`);
  const t0 = performance.now();
  const how = await ensureWebBuild();
  console.log(`application web : ${how === 'built' ? `construite (vite build, ${msText(performance.now() - t0)})` : 'build/web réutilisé (à jour)'}`);
  const db = await database();
  console.log(`base : ${db.origin}`);
  const portal = await startPortal(db.path);
  try {
    const cold: Run[] = [];
    const warm: Run[] = [];
    for (let i = 0; i < RUNS; i++) cold.push(await measure(portal.url, false));
    for (let i = 0; i < RUNS; i++) warm.push(await measure(portal.url, true));

    const maplibre = maplibreFiles();
    const client = join(repoRoot, 'build/web/client');
    const loaded = new Map<string, boolean>();
    for (const s of cold[0]?.scripts ?? []) loaded.set(s.path.replace(/^\//, ''), maplibre.has(s.path.replace(/^\//, '')));
    let pageOurs = 0;
    let pageMaplibre = 0;
    for (const [rel, isMaplibre] of loaded) {
      const file = join(client, rel);
      if (!existsSync(file)) continue;
      const size = gz(readFileSync(file));
      if (isMaplibre) pageMaplibre += size;
      else pageOurs += size;
    }
    const total = buildSizes(maplibre);

    const firstCold = cold[0] as Run;
    const rows: [string, string][] = [
      ['premier rendu, 1re visite (serveur à froid)', msText(firstCold.firstRenderMs)],
      [`premier rendu, profil neuf (médiane de ${RUNS})`, msText(median(cold.map((r) => r.firstRenderMs)))],
      [`premier rendu, cache navigateur chaud (médiane de ${RUNS})`, msText(median(warm.map((r) => r.firstRenderMs)))],
      ['navigation → carte prête, vue du test (médiane, profil neuf)', msText(median(cold.map((r) => r.wallMs)))],
      [`JS chargé par /carte : notre code (${[...loaded.values()].filter((m) => !m).length} fichiers, gzip)`, kb(pageOurs)],
      ['JS chargé par /carte : MapLibre (module + worker, gzip)', kb(pageMaplibre)],
      [`JS du build client : notre code (${total.oursFiles} fichiers, gzip)`, kb(total.ours)],
      ['JS du build client : MapLibre (gzip)', kb(total.maplibre)]
    ];
    rows.push(['charge moyenne de la machine à la fin (1 min)', `${load()} pour ${cpus().length} cœurs`]);
    const width = Math.max(...rows.map((r) => r[0].length));
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);

    const medianCold = median(cold.map((r) => r.firstRenderMs));
    const verdicts = [
      {
        what: `premier rendu < ${GOAL_RENDER_MS} ms (médiane des ${RUNS} profils neufs : ${msText(medianCold)} ; pire : ${msText(Math.max(...cold.map((r) => r.firstRenderMs)))})`,
        ok: medianCold < GOAL_RENDER_MS
      },
      { what: `notre JS chargé par /carte < ${GOAL_OUR_JS_KB} Ko gzip (${kb(pageOurs)})`, ok: pageOurs < GOAL_OUR_JS_KB * 1024 },
      { what: `tout notre JS client < ${GOAL_OUR_JS_KB} Ko gzip (${kb(total.ours)})`, ok: total.ours < GOAL_OUR_JS_KB * 1024 }
    ];
    console.log('');
    for (const v of verdicts) console.log(`${v.ok ? 'OK   ' : 'ÉCHEC'} ${v.what}`);
    if (verdicts.some((v) => !v.ok)) process.exitCode = 1;
  } finally {
    await portal.stop();
    db.dispose();
  }
}

await main();
