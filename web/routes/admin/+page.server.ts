import { adminGet } from '$lib/admin/load.server';
import type { DraftView, Job, ZoningView } from '$lib/admin/types';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const [{ drafts }, { jobs }, { zonings }] = await Promise.all([
    adminGet<{ drafts: DraftView[] }>(event, '/api/admin/drafts'),
    adminGet<{ jobs: Job[] }>(event, '/api/admin/jobs'),
    adminGet<{ zonings: ZoningView[] }>(event, '/api/admin/zonings')
  ]);
  return { drafts, jobs, zonings };
};
