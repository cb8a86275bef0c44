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

export interface OpenDbOptions {
  readOnly?: boolean;
  /**
   * DuckDB's own memory cap (`'1.5GB'`); sorts and aggregates past it spill to a temporary
   * folder next to the file. DuckDB's default, 80 % of the machine, lets a national build
   * take several gigabytes on top of the Node heap.
   */
  memoryLimit?: string;
}

export async function openDb(path: string, opts: OpenDbOptions = {}): Promise<OpenDb> {
  const config: Record<string, string> = {};
  if (opts.readOnly) config.access_mode = 'READ_ONLY';
  if (opts.memoryLimit) config.memory_limit = opts.memoryLimit;
  const instance = await DuckDBInstance.create(path, config);
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

function appendCell(app: DuckDBAppender, type: ColumnType, v: Cell): boolean {
  if (v === null) {
    app.appendNull();
    return true;
  }
  switch (type) {
    case 'varchar':
      if (typeof v !== 'string') return false;
      app.appendVarchar(v);
      return true;
    case 'double':
      if (typeof v !== 'number' || Number.isNaN(v)) return false;
      app.appendDouble(v);
      return true;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) return false;
      app.appendInteger(v);
      return true;
    case 'boolean':
      if (typeof v !== 'boolean') return false;
      app.appendBoolean(v);
      return true;
    case 'varchar[]':
      if (!Array.isArray(v)) return false;
      app.appendList(listValue(v as string[]), VARCHAR_LIST);
      return true;
    case 'timestamp':
      if (!(v instanceof Date)) return false;
      // Timestamps go through VARCHAR: the appender casts ISO strings to TIMESTAMP.
      app.appendVarchar(v.toISOString().replace('T', ' ').replace('Z', ''));
      return true;
  }
}

const EXPECTED: Record<ColumnType, string> = {
  varchar: 'texte attendu',
  double: 'nombre attendu',
  integer: 'entier attendu',
  boolean: 'booléen attendu',
  'varchar[]': 'liste attendue',
  timestamp: 'date attendue'
};

/** Bulk insert through DuckDB's appender; columns must be listed in table order. */
export async function appendRows(
  conn: DuckDBConnection,
  table: string,
  columns: readonly (readonly [name: string, type: ColumnType])[],
  rows: Iterable<readonly Cell[]>
): Promise<number> {
  const app = await conn.createAppender(table);
  const types = columns.map(([, type]) => type);
  let n = 0;
  try {
    for (const row of rows) {
      if (row.length !== types.length) {
        throw new TypeError(`${table} : ${types.length} colonnes attendues, ${row.length} reçues`);
      }
      // A national build appends some 80 M cells: no allocation per cell.
      for (let i = 0; i < types.length; i++) {
        if (!appendCell(app, types[i]!, row[i]!)) {
          throw new TypeError(`${table}.${columns[i]![0]} (ligne ${n + 1}) : ${EXPECTED[types[i]!]}`);
        }
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
