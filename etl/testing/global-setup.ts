import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TestProject } from 'vitest/node';
import { memoryLogger } from '../core/logger.ts';
import { repoRoot } from '../core/paths.ts';
import { mirrorDir } from './mirror.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Data dir of the database built from ../shared/data for this run (read-only for tests). */
    testDataDir: string;
    /** Why the shared database could not be built, if it could not. */
    testDbError: string | null;
    /** Names this run: the browser tests build the web app once per run (web/e2e/harness.ts). */
    testRunId: string;
  }
}

/** A fingerprint of everything a build depends on, so repeated local runs reuse it. */
function fingerprint(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (!f.endsWith('.test.ts')) h.update(relative(repoRoot, p)).update(readFileSync(p));
    }
  };
  for (const d of ['etl', 'data/indicators', 'data/zonings']) walk(join(repoRoot, d));
  h.update(mirrorDir());
  return h.digest('hex');
}

/**
 * Builds one database from ../shared/data (or OBS_MIRROR) for the whole run; tests
 * open it read-only. A failed build does not stop unit tests: database tests fail
 * with the build's error message instead.
 */
export default async function setup(project: TestProject): Promise<void> {
  const dataDir = join(repoRoot, '.test-data', 'data');
  mkdirSync(dataDir, { recursive: true });
  const stampFile = join(dataDir, 'fingerprint');
  let error: string | null = null;
  try {
    const fp = fingerprint();
    const fresh =
      process.env.CI !== 'true' &&
      existsSync(join(dataDir, 'observatoire.duckdb')) &&
      existsSync(stampFile) &&
      readFileSync(stampFile, 'utf8') === fp;
    if (!fresh) {
      const { runBuild } = await import('../pipeline.ts');
      const logger = memoryLogger();
      await runBuild({ dataDir, mirror: mirrorDir(), logger, offline: true, keepBuilds: 1 });
      writeFileSync(stampFile, fp);
    }
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    console.error(`La base de test n'a pas pu être construite : ${error}`);
  }
  project.provide('testDataDir', dataDir);
  project.provide('testDbError', error);
  project.provide('testRunId', `${process.pid}-${Date.now()}`);
}
