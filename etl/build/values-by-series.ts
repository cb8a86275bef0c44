import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Copies the values, once written and clustered by territory, into
 * `indicator_values_by_series` in series order (schema.sql says why there are two). Run
 * after every value is in, the sales indicators included.
 */
export async function copyValuesBySeries(conn: DuckDBConnection): Promise<void> {
  await conn.run(`INSERT INTO indicator_values_by_series SELECT * FROM indicator_values ORDER BY indicator_id, year, level, code`);
}
