import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DuckDBInstance,
  LIST,
  VARCHAR,
  listValue,
  type DuckDBAppender,
  type DuckDBConnection
} from '@duckdb/node-api';

export interface OpenDb {
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  close(): void;
}

export async function openDb(path: string, opts: { readOnly?: boolean } = {}): Promise<OpenDb> {
  const instance = await DuckDBInstance.create(path, opts.readOnly ? { access_mode: 'READ_ONLY' } : {});
  const conn = await instance.connect();
  return {
    instance,
    conn,
    close() {
      conn.closeSync();
      instance.closeSync();
    }
  };
}

const schemaPath = join(dirname(fileURLToPath(import.meta.url)), 'schema.sql');

export async function createSchema(conn: DuckDBConnection): Promise<void> {
  await conn.run(readFileSync(schemaPath, 'utf8'));
}

export type ColumnType = 'varchar' | 'double' | 'integer' | 'boolean' | 'varchar[]' | 'timestamp';
export type Cell = string | number | boolean | null | readonly string[] | Date;

const VARCHAR_LIST = LIST(VARCHAR);

function appendCell(app: DuckDBAppender, type: ColumnType, v: Cell, where: () => string): void {
  if (v === null) return app.appendNull();
  switch (type) {
    case 'varchar':
      if (typeof v !== 'string') throw new TypeError(`${where()} : texte attendu`);
      return app.appendVarchar(v);
    case 'double':
      if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${where()} : nombre attendu`);
      return app.appendDouble(v);
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${where()} : entier attendu`);
      return app.appendInteger(v);
    case 'boolean':
      if (typeof v !== 'boolean') throw new TypeError(`${where()} : booléen attendu`);
      return app.appendBoolean(v);
    case 'varchar[]':
      if (!Array.isArray(v)) throw new TypeError(`${where()} : liste attendue`);
      return app.appendList(listValue(v as string[]), VARCHAR_LIST);
    case 'timestamp':
      if (!(v instanceof Date)) throw new TypeError(`${where()} : date attendue`);
      // Timestamps go through VARCHAR: the appender casts ISO strings to TIMESTAMP.
      return app.appendVarchar(v.toISOString().replace('T', ' ').replace('Z', ''));
  }
}

/** Bulk insert through DuckDB's appender; columns must be listed in table order. */
export async function appendRows(
  conn: DuckDBConnection,
  table: string,
  columns: readonly (readonly [name: string, type: ColumnType])[],
  rows: Iterable<readonly Cell[]>
): Promise<number> {
  const app = await conn.createAppender(table);
  let n = 0;
  try {
    for (const row of rows) {
      if (row.length !== columns.length) {
        throw new TypeError(`${table} : ${columns.length} colonnes attendues, ${row.length} reçues`);
      }
      for (let i = 0; i < columns.length; i++) {
        const [name, type] = columns[i]!;
        appendCell(app, type, row[i]!, () => `${table}.${name} (ligne ${n + 1})`);
      }
      app.endRow();
      n++;
    }
    app.flushSync();
  } finally {
    app.closeSync();
  }
  return n;
}

export async function queryRows<T = Record<string, unknown>>(
  conn: DuckDBConnection,
  sql: string,
  params?: Record<string, string | number | boolean | null> | (string | number | boolean | null)[]
): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params as never);
  return reader.getRowObjectsJS() as T[];
}
