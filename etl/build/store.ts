import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, lstatSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';

/**
 * Where builds live. Every build is written to `builds/<id>.duckdb.partial`, validated,
 * renamed to `builds/<id>.duckdb`, then `observatoire.duckdb` — a symbolic link — is
 * replaced by a rename, which POSIX makes atomic: a reader sees the old build or the
 * new one, never a half-written file. An interrupted build leaves only a `.partial`
 * file that the next build removes.
 */
export interface BuildStore {
  dataDir: string;
  buildsDir: string;
  currentLink: string;
}

export const CURRENT_DB_NAME = 'observatoire.duckdb';

export function buildStore(dataDir: string): BuildStore {
  const dir = resolve(dataDir);
  return { dataDir: dir, buildsDir: join(dir, 'builds'), currentLink: join(dir, CURRENT_DB_NAME) };
}

export function newBuildId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export function partialPath(store: BuildStore, id: string): string {
  return join(store.buildsDir, `${id}.duckdb.partial`);
}

export function finalPath(store: BuildStore, id: string): string {
  return join(store.buildsDir, `${id}.duckdb`);
}

/** Removes leftovers of interrupted builds (never a finished build). */
export function removePartials(store: BuildStore): string[] {
  if (!existsSync(store.buildsDir)) return [];
  const removed: string[] = [];
  for (const f of readdirSync(store.buildsDir)) {
    if (f.includes('.partial') || f.endsWith('.tmp-link')) {
      rmSync(join(store.buildsDir, f), { force: true });
      removed.push(f);
    }
  }
  return removed;
}

export function prepareStore(store: BuildStore): void {
  mkdirSync(store.buildsDir, { recursive: true });
}

/** The build file the current link points to, or null when there is none. */
export function currentBuildPath(store: BuildStore): string | null {
  try {
    const st = lstatSync(store.currentLink);
    if (st.isSymbolicLink()) {
      const target = resolve(store.dataDir, readlinkSync(store.currentLink));
      return existsSync(target) ? target : null;
    }
    return st.isFile() ? store.currentLink : null;
  } catch {
    return null;
  }
}

/** Publishes a finished, validated build: rename partial → final, then swap the link atomically. */
export function publishBuild(store: BuildStore, id: string): string {
  const partial = partialPath(store, id);
  const final = finalPath(store, id);
  renameSync(partial, final);
  const tmpLink = join(store.buildsDir, `${id}.tmp-link`);
  rmSync(tmpLink, { force: true });
  symlinkSync(relative(store.dataDir, final), tmpLink);
  renameSync(tmpLink, store.currentLink);
  return final;
}

/** Keeps the `keep` most recent finished builds plus the current one; returns what was removed. */
export function pruneBuilds(store: BuildStore, keep: number): string[] {
  if (!existsSync(store.buildsDir)) return [];
  const current = currentBuildPath(store);
  const builds = readdirSync(store.buildsDir)
    .filter((f) => f.endsWith('.duckdb'))
    .map((f) => join(store.buildsDir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  const removed: string[] = [];
  for (const f of builds.slice(keep)) {
    if (f === current) continue;
    rmSync(f, { force: true });
    rmSync(`${f}.wal`, { force: true });
    removed.push(basename(f));
  }
  return removed;
}
