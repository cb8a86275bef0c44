import { getJson } from '$lib/api';
import type { SearchResult, ValuesResponse } from '$lib/types';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ fetch, url }) => {
  const q = url.searchParams.get('q')?.trim() ?? '';
  const [search, communes, epts] = await Promise.all([
    q ? getJson<{ results: SearchResult[] }>(fetch, `/api/territories?${new URLSearchParams({ q, limit: '20' })}`) : null,
    getJson<ValuesResponse>(fetch, '/api/indicators/population-municipale/values?level=commune&within=departement:93'),
    getJson<ValuesResponse>(fetch, '/api/indicators/population-municipale/values?level=ept&within=departement:93')
  ]);
  return { q, results: search?.results ?? [], communes, epts };
};
