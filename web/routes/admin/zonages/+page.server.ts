import { adminGet } from '$lib/admin/load.server';
import type { ZoningView } from '$lib/admin/types';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { zonings } = await adminGet<{ zonings: ZoningView[] }>(event, '/api/admin/zonings');
  return { zonings };
};
