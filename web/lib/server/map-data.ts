import { env } from '$env/dynamic/public';
import { getJson } from '$lib/api';
import { parseMapState, valuesPath } from '$lib/map-state';
import type { BBox } from '$lib/map/territory-map';
import type { IndicatorSummary, Level, TerritoryDetail, ValuesResponse } from '$lib/types';

type Fetch = typeof fetch;

/** Everything the map maker needs for the state in `url`: catalogue, levels, extents and the values drawn first. */
export async function loadMapData(fetch: Fetch, url: URL) {
  const [{ indicators }, { levels }, departement, region] = await Promise.all([
    getJson<{ indicators: IndicatorSummary[] }>(fetch, '/api/indicators'),
    getJson<{ levels: Level[] }>(fetch, '/api/levels'),
    getJson<TerritoryDetail>(fetch, '/api/territories/departement/93'),
    getJson<TerritoryDetail>(fetch, '/api/territories/region/11')
  ]);
  const state = parseMapState(url.searchParams, indicators, levels);
  const values = await getJson<ValuesResponse>(fetch, valuesPath(state));
  const fallback: BBox = [2.28, 48.8, 2.61, 49.02];
  return {
    // the page needs names, units, levels and years: sources travel with the values
    catalogue: indicators.map((i) => ({ ...i, source: null, vintage: null })),
    levels,
    state,
    values,
    bounds: { departement: (departement.bbox ?? fallback) as BBox, region: (region.bbox ?? departement.bbox ?? fallback) as BBox },
    basemap: env.PUBLIC_OBS_BASEMAP_STYLE || null
  };
}
