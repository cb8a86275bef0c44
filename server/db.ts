import { open, readFile, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  BOOLEAN,
  DOUBLE,
  DuckDBConnection,
  DuckDBInstance,
  type DuckDBPreparedStatement,
  type DuckDBType,
  type DuckDBValue,
  INTEGER,
  LIST,
  VARCHAR,
  listValue
} from '@duckdb/node-api';
import type { Logger } from '../etl/core/logger.ts';
import { ApiError } from './errors.ts';

export type SqlParam = string | number | boolean | null | readonly string[];
export type SqlParams = Readonly<Record<string, SqlParam>>;

/** One immutable build, opened read-only. Queries use named parameters (`$level`). */
export interface Build {
  readonly id: string;
  /** `build_info.created_at`, as written by the ETL. */
  readonly createdAt: string | null;
  /** All of `build_info`. */
  readonly info: Readonly<Record<string, string>>;
  /** The DuckDB file actually opened (symlink and pointer file resolved). */
  readonly file: string;
  all<T extends object>(sql: string, params?: SqlParams): Promise<T[]>;
  one<T extends object>(sql: string, params?: SqlParams): Promise<T | undefined>;
  /** Memoises a value for the lifetime of this build (the catalogue, the levels, the tile index…); dropped when it closes. */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

/** A build held for the duration of a request; `release()` exactly once. */
export interface Lease {
  readonly build: Build;
  release(): void;
}

export interface Db {
  /** The path given to `openDb` (usually the `data/observatoire.duckdb` symlink). */
  readonly path: string;
  current(): Build;
  acquire(): Lease;
  /**
   * Re-resolves `path`; when it designates another file, opens it and makes it current.
   * The previous build closes once its last lease is released. Resolves to true on a switch.
   */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** Connections per build; each runs one statement at a time. */
  connections?: number;
  logger?: Logger;
  /** A statement running longer is interrupted and fails with `QueryTimeoutError`; 0 never. */
  queryTimeoutMs?: number;
  /**
   * Folder of earlier builds (`data/builds`). When `path` cannot be opened (a truncated or
   * corrupted file, a link to nothing), the newest `*.duckdb` there that passes the checks of
   * `openBuild` is served instead and the failure is logged as an error.
   */
  fallbackDir?: string;
}

/** A statement interrupted at its time limit: the API answers 503 `delai_depasse`. */
export class QueryTimeoutError extends ApiError {
  constructor(timeoutMs: number, cause: unknown) {
    super(503, 'delai_depasse', `La requête a dépassé le délai de ${timeoutMs} ms et a été interrompue. Réessayez, ou restreignez-la (niveau, territoire, indicateurs).`);
    this.name = 'QueryTimeoutError';
    this.cause = cause;
  }
}

/**
 * Opens the build designated by `path`: a DuckDB file, a symlink to one, or a
 * pointer file whose content is the path of one (relative to the pointer's folder).
 */
export async function openDb(path: string, options: OpenDbOptions = {}): Promise<Db> {
  const connections = options.connections ?? 4;
  const logger = options.logger;
  const openTarget = (target: BuildFile) => openBuild(target, connections, options.queryTimeoutMs);
  let current = await openFirst(path, openTarget, options);
  let reloading: Promise<boolean> | null = null;
  let closed = false;
  let lastFailure: string | null = null;

  async function doReload(): Promise<boolean> {
    try {
      const target = await resolveBuildFile(path);
      if (target.identity === current.identity) return false;
      const next = await openTarget(target);
      const previous = current;
      current = next;
      lastFailure = null;
      previous.retire();
      logger?.info(`base : passage du build ${previous.id} au build ${next.id}`);
      return true;
    } catch (e) {
      // A broken target stays broken until the next build replaces it: reported once, not at every poll.
      const failure = e instanceof Error ? e.message : String(e);
      if (failure === lastFailure) return false;
      lastFailure = failure;
      throw e;
    }
  }

  return {
    path,
    current: () => current,
    acquire() {
      if (closed) throw new Error('La base est fermée.');
      return current.lease();
    },
    reload() {
      if (closed) return Promise.resolve(false);
      reloading ??= doReload().finally(() => {
        reloading = null;
      });
      return reloading;
    },
    async close() {
      closed = true;
      if (reloading) await reloading.catch(() => false);
      current.retire();
    }
  };
}

/** `path`, else (with `fallbackDir`) the newest earlier build that opens; the error names every file tried. */
async function openFirst(path: string, openTarget: (target: BuildFile) => Promise<OpenedBuild>, options: OpenDbOptions): Promise<OpenedBuild> {
  let failure: Error;
  try {
    return await openTarget(await resolveBuildFile(path));
  } catch (e) {
    if (!options.fallbackDir) throw e;
    failure = e instanceof Error ? e : new Error(String(e));
  }
  const dir = options.fallbackDir;
  const broken = await realpath(path).catch(() => null);
  const tried: string[] = [];
  for (const file of await earlierBuilds(dir)) {
    if (file === broken) continue;
    try {
      const build = await openTarget(await buildFile(file));
      options.logger?.error(
        `${failure.message}. Repli sur le build précédent ${build.id} (${file}), en service jusqu'à la prochaine construction réussie.`
      );
      return build;
    } catch (e) {
      tried.push(e instanceof Error ? e.message : String(e));
    }
  }
  const none = tried.length ? `aucun build précédent utilisable dans ${dir} (${tried.join(' ; ')})` : `aucun build précédent dans ${dir}`;
  throw new Error(`${failure.message} ; ${none}. Reconstruisez la base avec « npm run etl ».`, { cause: failure });
}

/** Finished builds of a folder (`<id>.duckdb`, never a `.partial`), newest first. */
async function earlierBuilds(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: { file: string; mtimeMs: number }[] = [];
  for (const name of names) {
    if (!name.endsWith('.duckdb')) continue;
    const file = join(dir, name);
    const s = await stat(file).catch(() => null);
    if (s?.isFile()) found.push({ file: await realpath(file), mtimeMs: s.mtimeMs });
  }
  return found.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.file < b.file ? 1 : -1)).map((f) => f.file);
}

interface BuildFile {
  file: string;
  /** Changes when the file is replaced, even at the same path (copy then rename). */
  identity: string;
  size: number;
}

const DUCKDB_MAGIC = 'DUCK';
/** A pointer file holds one relative path; anything larger is a damaged database, not a pointer. */
const POINTER_MAX_BYTES = 4096;

async function resolveBuildFile(path: string): Promise<BuildFile> {
  let file = await realpath(path).catch(async (cause: unknown) => {
    const link = await readlink(path).catch(() => null);
    throw new Error(`Base introuvable : ${path}${link === null ? '' : ` (lien vers ${link}, absent)`}`, { cause });
  });
  if (!(await isDuckDbFile(file))) {
    const { size } = await stat(file);
    const pointed = size <= POINTER_MAX_BYTES ? (await readFile(file, 'utf8')).trim() : '';
    if (!pointed || [...pointed].some((ch) => ch < ' ' || ch === '\ufffd')) {
      throw new Error(`Base illisible : ${file} n'est ni une base DuckDB (pas de signature « DUCK ») ni un fichier pointeur (${size} octets)`);
    }
    file = await realpath(resolve(dirname(file), pointed)).catch((cause: unknown) => {
      throw new Error(`Le fichier pointeur ${path} désigne ${pointed}, introuvable`, { cause });
    });
  }
  return buildFile(file);
}

async function buildFile(file: string): Promise<BuildFile> {
  const s = await stat(file);
  return { file, identity: `${file}:${s.ino}:${s.mtimeMs}:${s.size}`, size: s.size };
}

/** DuckDB files carry "DUCK" at byte 8 of their header. */
async function isDuckDbFile(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(12);
    const { bytesRead } = await handle.read(buffer, 0, 12, 0);
    return bytesRead === 12 && buffer.toString('latin1', 8, 12) === DUCKDB_MAGIC;
  } finally {
    await handle.close();
  }
}

interface PooledConnection {
  connection: DuckDBConnection;
  prepared: Map<string, DuckDBPreparedStatement>;
  tail: Promise<unknown>;
  pending: number;
}

interface OpenedBuild extends Build {
  readonly identity: string;
  lease(): Lease;
  retire(): void;
}

async function openBuild(target: BuildFile, connectionCount: number, queryTimeoutMs = 0): Promise<OpenedBuild> {
  const instance = await DuckDBInstance.create(target.file, { access_mode: 'READ_ONLY' }).catch((cause: unknown) => {
    throw new Error(`Base illisible : ${target.file} (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  });
  const pool: PooledConnection[] = [];
  for (let i = 0; i < connectionCount; i++) {
    pool.push({ connection: await instance.connect(), prepared: new Map(), tail: Promise.resolve(), pending: 0 });
  }
  let refs = 0;
  let retired = false;
  let isClosed = false;
  const memos = new Map<string, Promise<unknown>>();

  function closeNow(): void {
    if (isClosed) return;
    isClosed = true;
    // memoised values (catalogue, tile index…) go with their build, even if something still holds it
    memos.clear();
    for (const p of pool) {
      for (const statement of p.prepared.values()) statement.destroySync();
      p.connection.closeSync();
    }
    instance.closeSync();
  }

  function all<T extends object>(sql: string, params: SqlParams = {}): Promise<T[]> {
    if (isClosed) return Promise.reject(new Error(`Le build ${target.file} est fermé.`));
    let chosen = pool[0] as PooledConnection;
    for (const p of pool) if (p.pending < chosen.pending) chosen = p;
    const slot = chosen;
    slot.pending++;
    const run = slot.tail.then(() => execute<T>(slot, sql, params, queryTimeoutMs));
    slot.tail = run.then(
      () => undefined,
      () => undefined
    );
    return run.finally(() => {
      slot.pending--;
    });
  }

  let info: Record<string, string>;
  try {
    info = await checkBuild(target, all);
  } catch (e) {
    closeNow();
    throw e;
  }
  const id = info.build_id as string;

  const build: OpenedBuild = {
    id,
    createdAt: info.created_at ?? null,
    info,
    file: target.file,
    identity: target.identity,
    all,
    async one<T extends object>(sql: string, params?: SqlParams) {
      return (await all<T>(sql, params))[0];
    },
    memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
      let value = memos.get(key) as Promise<T> | undefined;
      if (!value) {
        value = compute();
        memos.set(key, value);
        value.catch(() => memos.delete(key));
      }
      return value;
    },
    lease() {
      refs++;
      let released = false;
      return {
        build,
        release() {
          if (released) return;
          released = true;
          refs--;
          if (retired && refs === 0) closeNow();
        }
      };
    },
    retire() {
      retired = true;
      if (refs === 0) closeNow();
    }
  };
  return build;
}

/**
 * Cheap checks before a build is served: DuckDB opens a truncated file and answers until a
 * query reaches a missing block, so the file must be as long as its header says, and
 * `build_info` must name the build.
 */
async function checkBuild(
  target: BuildFile,
  all: <T extends object>(sql: string, params?: SqlParams) => Promise<T[]>
): Promise<Record<string, string>> {
  const illegible = (why: string) => new Error(`Base illisible : ${target.file} (${why})`);
  const [blocks] = await all<{ block_size: number; total_blocks: number }>(
    'SELECT block_size, total_blocks FROM pragma_database_size() WHERE database_name = current_database()'
  ).catch((cause: unknown) => {
    throw illegible(cause instanceof Error ? cause.message : String(cause));
  });
  // DuckDB's layout: three 4 KiB headers, then every block at full size.
  const expected = blocks ? 3 * 4096 + blocks.total_blocks * blocks.block_size : 0;
  if (target.size < expected) {
    throw illegible(`fichier tronqué : ${target.size} octets, au moins ${expected} attendus d'après son en-tête`);
  }
  const rows = await all<{ key: string; value: string }>('SELECT key, value FROM build_info').catch((cause: unknown) => {
    throw illegible(cause instanceof Error ? cause.message : String(cause));
  });
  const info = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  if (!info.build_id) throw illegible('build_info ne contient pas de build_id');
  return info;
}

async function execute<T>(slot: PooledConnection, sql: string, params: SqlParams, timeoutMs: number): Promise<T[]> {
  // The timer starts when the statement does, not while it queues behind others on its
  // connection, and interrupts that connection only: its one running statement is this one.
  let timedOut = false;
  const timer =
    timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          slot.connection.interrupt();
        }, timeoutMs)
      : undefined;
  try {
    let statement = slot.prepared.get(sql);
    if (!statement) {
      statement = await slot.connection.prepare(sql);
      slot.prepared.set(sql, statement);
    }
    statement.clearBindings();
    bindParams(statement, params);
    const reader = await statement.runAndReadAll();
    return rowObjects(reader.columnNames(), reader.getColumnsJS()) as T[];
  } catch (cause) {
    if (timedOut) throw new QueryTimeoutError(timeoutMs, cause);
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`Requête DuckDB en échec : ${message}\n${sql.trim()}`, { cause });
  } finally {
    clearTimeout(timer);
  }
}

/** Binds named parameters (`$name`); shared with the administration store. */
export function bindParams(statement: DuckDBPreparedStatement, params: SqlParams): void {
  for (const [name, value] of Object.entries(params)) bind(statement, name, value);
}

function bind(statement: DuckDBPreparedStatement, name: string, value: SqlParam): void {
  const index = statement.parameterIndex(name);
  if (value === null) return statement.bindNull(index);
  let type: DuckDBType;
  let duck: DuckDBValue;
  if (typeof value === 'string') [type, duck] = [VARCHAR, value];
  else if (typeof value === 'boolean') [type, duck] = [BOOLEAN, value];
  else if (typeof value === 'number')
    [type, duck] = [Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? INTEGER : DOUBLE, value];
  else [type, duck] = [LIST(VARCHAR), listValue([...value])];
  statement.bindValue(index, duck, type);
}

/**
 * Rows as plain objects, assembled from columns: several times faster than the
 * reader's own row objects on large results. BIGINT counts come back as bigint;
 * every count we read fits a double.
 */
function rowObjects(names: string[], columns: unknown[][]): Record<string, unknown>[] {
  const count = columns[0]?.length ?? 0;
  const rows: Record<string, unknown>[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const row: Record<string, unknown> = {};
    for (let j = 0; j < names.length; j++) {
      const v = (columns[j] as unknown[])[i];
      row[names[j] as string] = typeof v === 'bigint' ? Number(v) : v;
    }
    rows[i] = row;
  }
  return rows;
}
