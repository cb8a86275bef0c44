/**
 * `npm run bench:etl`: the whole build from the mirror, its peak memory, and time per
 * step; in the same run, GDAL's ogr2ogr loads the same geometry files into a
 * GeoPackage (reprojecting the Lambert-93 IRIS like we do), and the ratio is printed.
 * Goals (issue 2): full build < 60 s, peak memory < 2 GB on 2 cores.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger } from '../etl/core/logger.ts';
import { mirrorDir } from '../etl/testing/mirror.ts';
import { runBuild } from '../etl/pipeline.ts';
import { GEO_ADAPTERS } from '../etl/sources/registry.ts';

const runs = Number(process.env.BENCH_RUNS ?? 2);
const mirror = mirrorDir();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function ours(): Promise<{ total: number; steps: Map<string, number> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'obs-bench-'));
  const marks: [string, number][] = [];
  const t0 = performance.now();
  try {
    await runBuild({
      dataDir,
      mirror,
      offline: true,
      logger: memoryLogger(),
      onStep: (s) => marks.push([s.replace(/ \d{8}T.*$/, ''), performance.now()])
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const end = performance.now();
  const steps = new Map<string, number>();
  marks.forEach(([name, t], i) => steps.set(name, (marks[i + 1]?.[1] ?? end) - t));
  return { total: end - t0, steps };
}

function ogr2ogr(): number | null {
  const probe = spawnSync('ogr2ogr', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'obs-bench-gdal-'));
  const gpkg = join(dir, 'geometries.gpkg');
  const t0 = performance.now();
  try {
    for (const a of Object.values(GEO_ADAPTERS)) {
      const file = join(mirror, a.source.mirrorPath);
      const r = spawnSync('ogr2ogr', ['-f', 'GPKG', '-append', '-t_srs', 'EPSG:4326', '-nln', a.source.id.replace(/\W/g, '_'), gpkg, file], {
        encoding: 'utf8'
      });
      if (r.status !== 0) throw new Error(`ogr2ogr a échoué sur ${file} : ${r.stderr}`);
    }
    return performance.now() - t0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const totals: number[] = [];
const geoSteps: number[] = [];
const gdal: number[] = [];
let lastSteps = new Map<string, number>();
for (let i = 0; i < runs; i++) {
  const r = await ours();
  totals.push(r.total);
  lastSteps = r.steps;
  geoSteps.push((r.steps.get('lecture des géométries') ?? 0) + (r.steps.get('territoires et géométries') ?? 0));
  const g = ogr2ogr();
  if (g !== null) gdal.push(g);
}
const peakMb = process.resourceUsage().maxRSS / 1024;

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`\nConstruction complète (${runs} passages, médiane) : ${s(median(totals))} — objectif < 60 s`);
console.log(`Mémoire maximale (RSS du processus) : ${peakMb.toFixed(0)} Mo — objectif < 2 048 Mo`);
console.log('\nÉtapes (dernier passage) :');
for (const [name, ms] of lastSteps) console.log(`  ${name.padEnd(45)} ${s(ms)}`);
if (gdal.length) {
  const ours = median(geoSteps);
  const peer = median(gdal);
  console.log(`\nGéométries (lecture, reprojection, topologie, 4 bandes de zoom, dissolutions) : ${s(ours)}`);
  console.log(`ogr2ogr → GeoPackage des mêmes fichiers (lecture + reprojection seulement) : ${s(peer)}`);
  console.log(`Rapport nous / ogr2ogr : ${(ours / peer).toFixed(2)}`);
  console.log(`Rapport construction complète / ogr2ogr : ${(median(totals) / peer).toFixed(2)}`);
} else {
  console.log('\nogr2ogr absent (apt-get install gdal-bin) : pas de comparaison.');
}
