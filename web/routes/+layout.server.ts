import { getJson } from '$lib/api';
import { activePreview } from '$lib/admin/preview.server';
import type { Health } from '$lib/types';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ fetch, cookies }) => {
  const [health, preview] = await Promise.all([getJson<Health>(fetch, '/api/health'), activePreview(fetch, cookies)]);
  return { build: { id: health.build.id, createdAt: health.build.createdAt }, preview };
};
