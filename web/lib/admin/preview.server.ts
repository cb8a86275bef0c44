/**
 * Whether the page is shown on a draft's preview build: the visitor chose a preview
 * (cookie `obs_apercu`, set by /admin/apercu/[draft]) and the API agrees — a logged-in
 * statistician and a preview that exists. Anyone else sees the public build and no banner.
 */
import { DRAFT_ID, PREVIEW_COOKIE } from './paths.ts';
import type { DraftView } from './types.ts';

type Fetch = typeof fetch;

export interface ActivePreview {
  draftId: string;
  indicatorId: string;
  label: string;
  year: number;
}

export async function activePreview(fetch: Fetch, cookies: { get(name: string): string | undefined }): Promise<ActivePreview | null> {
  const wanted = cookies.get(PREVIEW_COOKIE);
  if (!wanted || !DRAFT_ID.test(wanted)) return null;
  try {
    const response = await fetch(`/api/admin/drafts/${encodeURIComponent(wanted)}`, { headers: { Accept: 'application/json' } });
    if (!response.ok) return null;
    const { draft } = (await response.json()) as { draft: DraftView };
    if (!draft.preview || draft.state !== 'brouillon') return null;
    return { draftId: draft.id, indicatorId: draft.indicatorId, label: draft.description.label, year: draft.year };
  } catch {
    // the banner is a courtesy: a page must not fail because the back office is unreachable
    return null;
  }
}
