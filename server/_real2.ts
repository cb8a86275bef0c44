import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { openDb } from './db.ts';
import { createApp } from './app.ts';
import { tileAt } from './tiles/mercator.ts';
const db = await openDb('.test-data/data/observatoire.duckdb');
const { app } = createApp({ db });
const b = db.current();
console.log(await b.all(`SELECT status, count(*)::INT n FROM indicator_values GROUP BY 1`));
console.log(await b.all(`SELECT level, code, name, search_name, postcodes, former_codes FROM territories WHERE search_name LIKE '%denis%' LIMIT 5`));
const time = async (url: string, init?: RequestInit) => { const t0 = performance.now(); const res = await app.request(url, init); const body = new Uint8Array(await res.arrayBuffer()); return { ms: +(performance.now() - t0).toFixed(1), status: res.status, len: body.length, body, res }; };
const inds = JSON.parse(new TextDecoder().decode((await time('/api/indicators')).body)).indicators as {id: string}[];
console.log(inds.length, 'indicators');
for (const url of ['/api/health', '/api/territories?q=saint%20denis', '/api/territories?q=93200', '/api/territories?q=93059', '/api/territories/commune/93066', '/api/territories/departement/93', '/api/portraits/commune/93066', '/api/portraits/commune/93066', '/api/portraits/commune/75056', '/api/portraits/departement/93', '/api/portraits/iris/930100101', '/api/portraits/bassins-exemple/' , `/api/indicators/${inds[0]!.id}/values?level=commune`, `/api/indicators/${inds[0]!.id}/values?level=iris&format=geojson`, `/api/indicators/${inds[3]!.id}/values?level=commune&within=departement:93&format=xlsx`, `/api/indicators/${inds[3]!.id}/values?level=commune&format=csv`, '/tiles/commune.json', '/tiles/qpv.json']) {
  const r = await time(url);
  console.log(r.status, r.ms, 'ms', r.len, 'B', url, r.status >= 400 || url.includes('territories?') ? new TextDecoder().decode(r.body).slice(0, 300) : '');
}
const codes = (await b.all<{code: string}>(`SELECT code FROM territories WHERE level='commune' AND departement='93'`)).map(r => r.code);
const ag = await time('/api/aggregate', { method: 'POST', body: JSON.stringify({ communes: codes, indicators: inds.map(i => i.id) }) });
console.log('aggregate', ag.status, ag.ms, new TextDecoder().decode(ag.body).slice(0, 600));
const all = (await b.all<{code: string}>(`SELECT code FROM territories WHERE level='commune'`)).map(r => r.code);
const ag2 = await time('/api/aggregate', { method: 'POST', body: JSON.stringify({ communes: all, indicators: inds.map(i => i.id) }) });
console.log('aggregate all', ag2.status, ag2.ms);
for (const [layer, z] of [['commune', 8], ['commune', 11], ['iris', 12], ['iris', 14], ['departement', 5], ['qpv', 13], ['commune', 3], ['ept', 10]] as const) {
  const { x, y } = tileAt(2.45, 48.9, z);
  const r = await time(`/tiles/${layer}/${z}/${x}/${y}.pbf`, { headers: { 'Accept-Encoding': 'gzip' } });
  const r2 = await time(`/tiles/${layer}/${z}/${x}/${y}.pbf`, { headers: { 'Accept-Encoding': 'gzip' } });
  let n = 0; if (r.status === 200) { const vt = new VectorTile(new PbfReader(gunzipSync(r.body))); n = vt.layers[layer]?.length ?? 0; }
  console.log('tile', layer, z, r.status, r.ms, 'ms (cached', r2.ms, 'ms)', r.len, 'B gz,', n, 'features');
}
await db.close();
