import { openDb } from './db.ts';
const db = await openDb('.test-data/data/observatoire.duckdb');
const b = db.current();
console.log(await b.all(`SELECT indicator_id, year, level, code, value, status, secret_parts, missing_parts, parts, provenance FROM indicator_values WHERE indicator_id='logements-sociaux' AND year=2019 AND (level='ept' AND code='200057867' OR level='commune' AND code IN (SELECT code FROM territory_parents WHERE parent_level='ept' AND parent_code='200057867' AND level='commune')) LIMIT 8`));
console.log(await b.all(`SELECT * FROM indicator_series WHERE indicator_id IN ('logements-sociaux','taux-pauvrete')`));
await db.close();
