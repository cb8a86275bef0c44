import { loadPortrait, loadPortraitMaps } from '$lib/server/portrait';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ fetch, params, url }) => {
  const portrait = await loadPortrait(fetch, params.level, params.slug, '', url.search);
  const maps = await loadPortraitMaps(fetch, portrait, url.searchParams.get('indicateur'));
  return { portrait, maps, print: url.searchParams.has('impression') };
};
