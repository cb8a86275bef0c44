import { getJson } from '$lib/api';
import { adminGet } from '$lib/admin/load.server';
import type { DraftView, Job, UploadView } from '$lib/admin/types';
import type { IndicatorSummary } from '$lib/types';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const id = event.params.id;
  const [{ upload }, { drafts }, { jobs }, { indicators }] = await Promise.all([
    adminGet<{ upload: UploadView }>(event, `/api/admin/uploads/${encodeURIComponent(id)}`),
    adminGet<{ drafts: DraftView[] }>(event, '/api/admin/drafts'),
    adminGet<{ jobs: Job[] }>(event, '/api/admin/jobs'),
    getJson<{ indicators: IndicatorSummary[] }>(event.fetch, '/api/indicators')
  ]);
  // drafts come newest first: the upload's latest description is the one the wizard continues
  const draft = drafts.find((d) => d.uploadId === id) ?? null;
  const job = draft ? (jobs.find((j) => j.target === draft.id) ?? null) : null;
  return { upload, draft, job, indicators: indicators.map((i) => ({ id: i.id, label: i.label })) };
};
