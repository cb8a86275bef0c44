import { loadMapData } from '$lib/server/map-data';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ fetch, url }) => loadMapData(fetch, url);
