import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeSync
} from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { EnvironmentError } from '../core/errors.ts';

/**
 * Where builds live. Every build is written to `builds/<id>.duckdb.partial`, validated,
 * renamed to `builds/<id>.duckdb`, then `observatoire.duckdb` — a symbolic link — is
 * replaced by a rename, which POSIX makes atomic: a reader sees the old build or the
 * new one, never a half-written file. A build killed at any point (`kill -9`, power cut)
 * leaves the previous link in place, or the new one pointing at a complete file; its
 * leftovers (`.partial`, DuckDB's `.partial.wal` and `.partial.tmp/`, `.tmp-link`) are
 * removed by the next build.
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

/** True for what an interrupted build leaves behind, never for a finished build. */
export function isLeftover(name: string): boolean {
  return name.includes('.partial') || name.endsWith('.tmp-link');
}

/** Removes a partial build with DuckDB's companions: its write-ahead log and its spill folder. */
export function discardPartial(partial: string): void {
  for (const f of [partial, `${partial}.wal`, `${partial}.tmp`]) rmSync(f, { force: true, recursive: true });
}

/** Removes leftovers of interrupted builds (never a finished build). */
export function removePartials(store: BuildStore): string[] {
  if (!existsSync(store.buildsDir)) return [];
  const removed: string[] = [];
  for (const f of readdirSync(store.buildsDir)) {
    if (!isLeftover(f)) continue;
    // DuckDB spills to a `<file>.tmp` folder: a plain rmSync would throw on it and stop every later build.
    rmSync(join(store.buildsDir, f), { force: true, recursive: true });
    removed.push(f);
  }
  return removed;
}

export function prepareStore(store: BuildStore): void {
  mkdirSync(store.buildsDir, { recursive: true });
}

/** Held by the build in progress; left behind by a killed one, whose successor takes it over. */
export const BUILD_LOCK_NAME = '.construction.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One build at a time per data dir: a second one would remove the first one's partial file
 * as a leftover (a publication from the portal, the systemd timer and a data manager typing
 * `npm run etl` can meet). The lock names its holder; a lock left by a killed build (its
 * process is gone) is taken over. Returns the release function.
 */
export function acquireBuildLock(store: BuildStore, now: Date = new Date()): () => void {
  const path = join(store.buildsDir, BUILD_LOCK_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: { pid?: number; started?: string } = {};
      try {
        holder = JSON.parse(readFileSync(path, 'utf8')) as typeof holder;
      } catch {
        // unreadable: written by a build killed mid-write, taken over below
      }
      if (typeof holder.pid === 'number' && alive(holder.pid)) {
        throw new EnvironmentError(
          `Une construction est déjà en cours dans ${store.dataDir} (processus ${holder.pid}, commencée le ${holder.started ?? '?'}) : ` +
            'attendez qu’elle finisse. La base en service reste celle d’avant.'
        );
      }
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, JSON.stringify({ pid: process.pid, started: now.toISOString() }));
    closeSync(fd);
    return () => rmSync(path, { force: true });
  }
  throw new EnvironmentError(`Le verrou de construction ${path} n’a pas pu être pris.`);
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

/**
 * Flushes a file's or a folder's entry to disk. A rename is atomic but not durable until
 * its folder is synced: after a power cut the link could point at a name the disk never got.
 */
function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Publishes a finished, validated build: rename partial → final, then swap the link atomically. */
export function publishBuild(store: BuildStore, id: string): string {
  const partial = partialPath(store, id);
  const final = finalPath(store, id);
  fsyncPath(partial);
  renameSync(partial, final);
  const tmpLink = join(store.buildsDir, `${id}.tmp-link`);
  rmSync(tmpLink, { force: true });
  symlinkSync(relative(store.dataDir, final), tmpLink);
  fsyncPath(store.buildsDir);
  renameSync(tmpLink, store.currentLink);
  fsyncPath(store.dataDir);
  return final;
}

/** Same file, whatever path leads to it (a link given as an absolute path, a symlinked data dir…). */
function sameFile(a: string, b: string | null): boolean {
  if (b === null) return false;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * Keeps the `keep` most recent finished builds plus the current one; returns what was removed.
 * A build that disappears meanwhile (another process pruning) is skipped, not an error: the
 * new build is already in service when this runs.
 */
export function pruneBuilds(store: BuildStore, keep: number): string[] {
  if (!existsSync(store.buildsDir)) return [];
  const current = currentBuildPath(store);
  const builds: { file: string; mtimeMs: number }[] = [];
  for (const f of readdirSync(store.buildsDir)) {
    if (!f.endsWith('.duckdb')) continue;
    const file = join(store.buildsDir, f);
    try {
      builds.push({ file, mtimeMs: statSync(file).mtimeMs });
    } catch {
      continue;
    }
  }
  builds.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.file < b.file ? 1 : -1));
  const removed: string[] = [];
  for (const { file } of builds.slice(Math.max(keep, 0))) {
    if (sameFile(file, current)) continue;
    rmSync(file, { force: true });
    rmSync(`${file}.wal`, { force: true });
    removed.push(basename(file));
  }
  return removed;
}
