import { getJson } from '$lib/api';
import type { Health } from '$lib/types';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ fetch }) => {
  const health = await getJson<Health>(fetch, '/api/health');
  return { build: { id: health.build.id, createdAt: health.build.createdAt } };
};
