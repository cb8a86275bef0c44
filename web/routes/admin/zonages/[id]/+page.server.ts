import { getJson } from '$lib/api';
import { adminGet } from '$lib/admin/load.server';
import type { Job, ZoningView } from '$lib/admin/types';
import type { BBox } from '$lib/map/territory-map';
import type { Level, TerritoryDetail, ValuesResponse } from '$lib/types';
import type { PageServerLoad } from './$types';

/** `nouveau` opens an empty editor; any other id, the stored zoning. */
export const load: PageServerLoad = async (event) => {
  const { params, fetch } = event;
  const isNew = params.id === 'nouveau';
  const [zoning, { jobs }, communes, { levels }, departement] = await Promise.all([
    isNew ? null : adminGet<{ zoning: ZoningView }>(event, `/api/admin/zonings/${encodeURIComponent(params.id)}`).then((r) => r.zoning),
    adminGet<{ jobs: Job[] }>(event, '/api/admin/jobs'),
    // names and codes of the 93's communes (the map and the list show them)
    getJson<ValuesResponse>(fetch, '/api/indicators/population-municipale/values?level=commune&within=departement:93'),
    getJson<{ levels: Level[] }>(fetch, '/api/levels'),
    getJson<TerritoryDetail>(fetch, '/api/territories/departement/93')
  ]);
  const job = zoning ? (jobs.find((j) => j.target === zoning.id && (j.kind === 'zonage' || j.kind === 'depublication-zonage')) ?? null) : null;
  return {
    zoning,
    job,
    communes: communes.values.map((v) => ({ code: v.code, name: v.name })).sort((a, b) => a.name.localeCompare(b.name, 'fr')),
    minZoom: levels.find((l) => l.id === 'commune')?.minZoom ?? 0,
    bounds: (departement.bbox ?? [2.28, 48.8, 2.61, 49.02]) as BBox
  };
};
