import { open, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
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
}

/**
 * Opens the build designated by `path`: a DuckDB file, a symlink to one, or a
 * pointer file whose content is the path of one (relative to the pointer's folder).
 */
export async function openDb(path: string, options: OpenDbOptions = {}): Promise<Db> {
  const connections = options.connections ?? 4;
  const logger = options.logger;
  let current = await openBuild(await resolveBuildFile(path), connections);
  let reloading: Promise<boolean> | null = null;
  let closed = false;

  async function doReload(): Promise<boolean> {
    const target = await resolveBuildFile(path);
    if (target.identity === current.identity) return false;
    const next = await openBuild(target, connections);
    const previous = current;
    current = next;
    previous.retire();
    logger?.info(`base : passage du build ${previous.id} au build ${next.id}`);
    return true;
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

interface BuildFile {
  file: string;
  /** Changes when the file is replaced, even at the same path (copy then rename). */
  identity: string;
}

const DUCKDB_MAGIC = 'DUCK';

async function resolveBuildFile(path: string): Promise<BuildFile> {
  let file = await realpath(path).catch((cause: unknown) => {
    throw new Error(`Base introuvable : ${path}`, { cause });
  });
  if (!(await isDuckDbFile(file))) {
    const pointed = (await readFile(file, 'utf8')).trim();
    file = await realpath(resolve(dirname(file), pointed)).catch((cause: unknown) => {
      throw new Error(`Le fichier pointeur ${path} désigne ${pointed}, introuvable`, { cause });
    });
  }
  const s = await stat(file);
  return { file, identity: `${file}:${s.ino}:${s.mtimeMs}:${s.size}` };
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

async function openBuild(target: BuildFile, connectionCount: number): Promise<OpenedBuild> {
  const instance = await DuckDBInstance.create(target.file, { access_mode: 'READ_ONLY' });
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
    const run = slot.tail.then(() => execute<T>(slot, sql, params));
    slot.tail = run.then(
      () => undefined,
      () => undefined
    );
    return run.finally(() => {
      slot.pending--;
    });
  }

  const info = Object.fromEntries(
    (await all<{ key: string; value: string }>('SELECT key, value FROM build_info')).map((r) => [r.key, r.value])
  );
  const id = info.build_id;
  if (!id) throw new Error(`${target.file} : build_info ne contient pas de build_id`);

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

async function execute<T>(slot: PooledConnection, sql: string, params: SqlParams): Promise<T[]> {
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
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`Requête DuckDB en échec : ${message}\n${sql.trim()}`, { cause });
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
