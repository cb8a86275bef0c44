import { DuckDBInstance, listValue, LIST, VARCHAR } from '@duckdb/node-api';
const inst = await DuckDBInstance.create('.test-data/data/observatoire.duckdb', { access_mode: 'READ_ONLY' });
const c = await inst.connect();
const all = (await (await c.runAndReadAll(`SELECT code FROM territories WHERE level='commune'`)).getRowObjectsJS()).map(r => r.code as string);
const ids = (await (await c.runAndReadAll(`SELECT indicator_id || ':' || max(year)::VARCHAR k FROM indicator_series GROUP BY indicator_id`)).getRowObjectsJS()).map(r => r.k as string);
const sqls = {
  lc: `SELECT indicator_id, year, code, value, numerator, denominator, status, secret_parts, missing_parts, parts FROM indicator_values WHERE level = 'commune' AND list_contains($codes, code) AND list_contains($keys, indicator_id || ':' || year::VARCHAR)`,
  semi: `SELECT indicator_id, year, code, value, numerator, denominator, status, secret_parts, missing_parts, parts FROM indicator_values WHERE level = 'commune' AND code IN (SELECT unnest($codes)) AND indicator_id || ':' || year::VARCHAR IN (SELECT unnest($keys))`,
};
for (const [name, sql] of Object.entries(sqls)) for (let i = 0; i < 3; i++) {
  const p = await c.prepare(sql);
  p.bindValue(p.parameterIndex('codes'), listValue(all), LIST(VARCHAR));
  p.bindValue(p.parameterIndex('keys'), listValue(ids), LIST(VARCHAR));
  const t0 = performance.now();
  const reader = await p.runAndReadAll();
  const t1 = performance.now();
  const rows = reader.getRowObjectsJS();
  const t2 = performance.now();
  const cols = reader.getColumnsJS();
  const t3 = performance.now();
  const rows2 = reader.getRows();
  const t4 = performance.now();
  console.log(name, 'query', (t1 - t0).toFixed(0), 'objectsJS', (t2 - t1).toFixed(0), 'columnsJS', (t3 - t2).toFixed(0), 'getRows', (t4-t3).toFixed(0), rows.length, cols.length, rows2.length);
}
