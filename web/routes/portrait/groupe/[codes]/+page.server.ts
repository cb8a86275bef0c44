import { askedName, loadGroupMap, loadGroupPortrait } from '$lib/server/group-portrait';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ fetch, params, url }) => {
  const portrait = await loadGroupPortrait(fetch, params.codes, url);
  const map = await loadGroupMap(fetch, portrait);
  return { portrait, map, askedName: askedName(url), print: url.searchParams.has('impression') };
};
