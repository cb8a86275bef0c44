import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type SqlParams, bindParams } from '../db.ts';

/**
 * The administration store (accounts, sessions, audit, uploads, drafts): one DuckDB
 * file opened read-write by the server process. Statements run one at a time on one
 * connection, so a `transaction` sees no interleaved write.
 */
export interface AdminStore {
  readonly path: string;
  all<T extends object>(sql: string, params?: SqlParams): Promise<T[]>;
  one<T extends object>(sql: string, params?: SqlParams): Promise<T | undefined>;
  run(sql: string, params?: SqlParams): Promise<void>;
  /** Runs `fn` inside BEGIN … COMMIT (ROLLBACK on error); nothing else runs meanwhile. */
  transaction<T>(fn: (tx: AdminQueries) => Promise<T>): Promise<T>;
  close(): void;
}

export type AdminQueries = Pick<AdminStore, 'all' | 'one' | 'run'>;

export class AdminStoreLockedError extends Error {
  constructor(path: string, cause: unknown) {
    super(
      `La base d'administration ${path} est ouverte par un autre processus (le serveur du portail ?). ` +
        'Arrêtez-le le temps de cette commande, ou passez par les pages /admin du portail.',
      { cause }
    );
    this.name = 'AdminStoreLockedError';
  }
}

const schemaPath = join(dirname(fileURLToPath(import.meta.url)), 'schema.sql');

/** `<data-dir>/admin/observatoire-admin.duckdb` unless `OBS_ADMIN_DB` says otherwise. */
export function defaultAdminStorePath(dataDir: string): string {
  return process.env.OBS_ADMIN_DB || join(dataDir, 'admin', 'observatoire-admin.duckdb');
}

export async function openAdminStore(path: string): Promise<AdminStore> {
  mkdirSync(dirname(path), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path);
  } catch (cause) {
    if (/lock/i.test(String((cause as Error)?.message))) throw new AdminStoreLockedError(path, cause);
    throw cause;
  }
  const conn = await instance.connect();
  await conn.run(readFileSync(schemaPath, 'utf8'));
  let tail: Promise<unknown> = Promise.resolve();
  let inTransaction = false;

  const exec = async <T extends object>(c: DuckDBConnection, sql: string, params: SqlParams = {}): Promise<T[]> => {
    const statement = await c.prepare(sql);
    try {
      bindParams(statement, params);
      const reader = await statement.runAndReadAll();
      return reader.getRowObjectsJS().map((row) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? Number(v) : v;
        return out as T;
      });
    } catch (cause) {
      throw new Error(`Base d'administration : ${(cause as Error).message}`, { cause });
    } finally {
      statement.destroySync();
    }
  };
  // Serialises every statement (and whole transactions) on the one connection.
  const queued = <T>(job: () => Promise<T>): Promise<T> => {
    const run = tail.then(job);
    tail = run.then(
      () => undefined,
      () => undefined
    );
    return run;
  };
  const direct: AdminQueries = {
    all: (sql, params) => exec(conn, sql, params),
    one: async (sql, params) => (await exec(conn, sql, params))[0] as never,
    run: async (sql, params) => {
      await exec(conn, sql, params);
    }
  };

  return {
    path,
    all: (sql, params) => queued(() => direct.all(sql, params)),
    one: (sql, params) => queued(() => direct.one(sql, params)),
    run: (sql, params) => queued(() => direct.run(sql, params)),
    transaction<T>(fn: (tx: AdminQueries) => Promise<T>): Promise<T> {
      return queued(async () => {
        if (inTransaction) throw new Error('Transaction imbriquée dans la base d’administration.');
        inTransaction = true;
        await conn.run('BEGIN TRANSACTION');
        try {
          const result = await fn(direct);
          await conn.run('COMMIT');
          return result;
        } catch (e) {
          await conn.run('ROLLBACK');
          throw e;
        } finally {
          inTransaction = false;
        }
      });
    },
    close() {
      conn.closeSync();
      instance.closeSync();
    }
  };
}
