import { openDb } from './db.ts';
import { createApp } from './app.ts';
const db = await openDb('.test-data/data/observatoire.duckdb');
const { app } = createApp({ db });
const b = db.current();
const epts = await b.all<{ code: string; communes: string[] }>(`SELECT p.parent_code AS code, list(p.code ORDER BY p.code) AS communes FROM territory_parents p WHERE p.level='commune' AND p.parent_level='ept' GROUP BY 1`);
const inds = (await b.all<{ id: string }>(`SELECT id FROM indicators ORDER BY id`)).map((r) => r.id);
let mismatches = 0, checked = 0;
for (const ept of epts) {
  const res = await app.request('/api/aggregate', { method: 'POST', body: JSON.stringify({ communes: ept.communes, indicators: inds }) });
  const body = await res.json() as { values: { indicator: string; year: number; value: number | null; status: string; secretParts: number; missingParts: number; parts: number }[] };
  const stored = await b.all<{ indicator_id: string; year: number; value: number | null; status: string; secret_parts: number; missing_parts: number; parts: number }>(`SELECT indicator_id, year, value, status, secret_parts, missing_parts, parts FROM indicator_values WHERE level='ept' AND code=$code`, { code: ept.code });
  for (const v of body.values) {
    const s = stored.find((r) => r.indicator_id === v.indicator && r.year === v.year);
    checked++;
    const same = s && s.status === v.status && (s.value === v.value || (s.value !== null && v.value !== null && Math.abs(s.value - v.value) < 1e-6 * Math.max(1, Math.abs(s.value))));
    if (!same) { mismatches++; if (mismatches < 15) console.log(ept.code, v.indicator, v.year, 'adhoc', v.status, v.value, v.secretParts, v.missingParts, v.parts, 'stored', s?.status, s?.value, s?.secret_parts, s?.missing_parts, s?.parts); }
  }
}
console.log('checked', checked, 'mismatches', mismatches);
await db.close();
