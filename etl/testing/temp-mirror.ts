import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { buildStore, prepareStore } from '../build/store.ts';
import { mirrorDir } from './mirror.ts';

/**
 * A mirror laid out like shared/data whose files are links to the real ones, except
 * `overrides` (mirror-relative path → new content), so a test can break one file.
 */
export function makeMirror(overrides: Record<string, string | Buffer> = {}): string {
  const src = mirrorDir();
  const dir = mkdtempSync(join(tmpdir(), 'obs-mirror-'));
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      const rel = relative(src, p);
      if (statSync(p).isDirectory()) walk(p);
      else if (!(rel in overrides)) {
        mkdirSync(dirname(join(dir, rel)), { recursive: true });
        symlinkSync(p, join(dir, rel));
      }
    }
  };
  walk(src);
  for (const [rel, content] of Object.entries(overrides)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

/** A data dir whose current build is a copy of `dbFile`, as if a previous `npm run etl` had run. */
export function dataDirWithBuild(dbFile: string): { dataDir: string; buildFile: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'obs-data-'));
  const store = buildStore(dataDir);
  prepareStore(store);
  const buildFile = join(store.buildsDir, '20260101T000000Z-previous.duckdb');
  copyFileSync(dbFile, buildFile);
  symlinkSync(relative(dataDir, buildFile), store.currentLink);
  return { dataDir, buildFile };
}
