import { openDb } from './db.ts';
import { createApp } from './app.ts';
const db = await openDb('.test-data/data/observatoire.duckdb');
const b = db.current();
console.log(b.id, b.info);
for (const sql of [
  'SELECT * FROM levels ORDER BY rank',
  'SELECT level, count(*)::INT n FROM territories GROUP BY 1 ORDER BY 1',
  'SELECT level, band, min_zoom, max_zoom, count(*)::INT n, sum(length(geojson))::BIGINT bytes FROM territory_geoms GROUP BY ALL ORDER BY 1,2',
  'SELECT layer, band, min_zoom, max_zoom, count(*)::INT n FROM overlay_features GROUP BY ALL ORDER BY 1,2',
  'SELECT id, kind, unit, decimals FROM indicators',
  'SELECT indicator_id, year, source_id, base_level, levels FROM indicator_series',
  'SELECT status, count(*)::INT n FROM indicator_values GROUP BY 1',
  "SELECT level, code, name, search_name, postcodes, former_codes FROM territories WHERE name LIKE 'Saint-Denis%' OR name LIKE '%Île%' LIMIT 5",
  'SELECT * FROM zonings',
  'SELECT count(*)::INT FROM indicator_values',
]) console.log(sql, '\n', await b.all(sql));
await db.close();
