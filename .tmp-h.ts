import { readEtalabParcels, BONDY_PARCEL_SOURCES } from './etl/sources/cadastre/etalab-geojson.ts';
import { computeHistory, type HistoryParcel } from './etl/cadastre/history.ts';
const vs = [];
for (const s of BONDY_PARCEL_SOURCES) {
  const b = await readEtalabParcels('/work/shared/data/' + s.mirrorPath, s);
  vs.push({ vintage: s.vintage, parcels: new Map<string, HistoryParcel>(b.parcels.map((p) => [p.id, { id: p.id, section: p.section, geometry: p.geometry, bbox: p.bbox, geojson: p.geometry ? JSON.stringify(p.geometry) : null }])) });
}
for (let i = 1; i < vs.length; i++) {
  const t = performance.now();
  const h = computeHistory('93010', vs[i - 1]!, vs[i]!);
  console.log(vs[i-1]!.vintage, vs[i]!.vintage, (performance.now() - t).toFixed(0), 'ms', h.counts, h.countTo - h.countFrom, h.unmeasured.length);
  for (const r of h.rows.filter(r => r.change === 'merged' || r.change === 'split').slice(0, 4)) console.log('  ', r.change, r.id, r.relatedIds.join(','));
}
const t = performance.now();
const h = computeHistory('93010', vs[0]!, vs[4]!);
console.log('first-last', (performance.now() - t).toFixed(0), h.counts, h.countTo - h.countFrom);
import { area, intersect, featureCollection, polygon } from '@turf/turf';
for (let i = 1; i < vs.length; i++) {
  const A = vs[i-1]!.parcels, B = vs[i]!.parcels; const ious: [number, string, number, number][] = [];
  for (const [id, a] of A) { const b = B.get(id); if (!b || a.geojson === b.geojson) continue;
    const fa = polygon((a.geometry as any).coordinates), fb = polygon((b.geometry as any).coordinates);
    const inter = intersect(featureCollection([fa, fb])); const s = inter ? area(inter) : 0; const aa = area(fa), ab = area(fb);
    ious.push([s / (aa + ab - s), id, aa, ab]); }
  ious.sort((x, y) => x[0] - y[0]);
  console.log(vs[i]!.vintage, ious.length, ious.slice(0, 6).map(x => `${x[1]} ${x[0].toFixed(4)} ${x[2].toFixed(0)}→${x[3].toFixed(0)}`));
}
