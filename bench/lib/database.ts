/**
 * The DuckDB build a benchmark runs against: `BENCH_DB` when set, else a fresh build
 * from the mirror into a temporary folder (offline, quiet), removed by `dispose()`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryLogger } from '../../etl/core/logger.ts';
import { runBuild } from '../../etl/pipeline.ts';
import { mirrorDir } from '../../etl/testing/mirror.ts';

export interface BenchDatabase {
  /** `observatoire.duckdb` (symlink or pointer) or a build file. */
  path: string;
  /** How it was obtained, for the report. */
  origin: string;
  buildMs: number | null;
  dispose(): void;
}

export async function benchDatabase(): Promise<BenchDatabase> {
  const given = process.env.BENCH_DB;
  if (given) {
    const path = resolve(given);
    if (!existsSync(path)) throw new Error(`BENCH_DB désigne ${path}, introuvable.`);
    return { path, origin: `BENCH_DB=${path}`, buildMs: null, dispose: () => undefined };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'obs-bench-server-'));
  const t0 = performance.now();
  try {
    await runBuild({ dataDir, mirror: mirrorDir(), offline: true, logger: memoryLogger() });
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const buildMs = performance.now() - t0;
  return {
    path: join(dataDir, 'observatoire.duckdb'),
    origin: 'construite depuis le miroir (hors ligne) dans un dossier temporaire',
    buildMs,
    dispose: () => rmSync(dataDir, { recursive: true, force: true })
  };
}
