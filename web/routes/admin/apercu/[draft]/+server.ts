import { error, redirect } from '@sveltejs/kit';
import { adminGet } from '$lib/admin/load.server';
import { DRAFT_ID, PREVIEW_COOKIE, safeLocalPath } from '$lib/admin/paths';
import type { DraftView } from '$lib/admin/types';
import type { RequestHandler } from './$types';

/**
 * Turns a draft's preview on for this browser, then opens `?vers=` (a page of this site).
 * The cookie only chooses: the API serves the preview to logged-in statisticians alone
 * (server/admin/publishing/context.ts), so it is harmless in anyone else's hands; the
 * session cookie, SameSite=Strict, is what keeps other sites from using it.
 */
export const GET: RequestHandler = async (event) => {
  const { params, url, cookies } = event;
  if (!DRAFT_ID.test(params.draft)) error(404, { message: `Brouillon inconnu : ${params.draft}.`, code: 'brouillon_inconnu' });
  const { draft } = await adminGet<{ draft: DraftView }>(event, `/api/admin/drafts/${encodeURIComponent(params.draft)}`);
  if (draft.state !== 'brouillon') error(409, { message: `« ${draft.description.label} » n’est plus un brouillon (état : ${draft.state}) : il n’a pas d’aperçu.`, code: 'etat_incompatible' });
  if (!draft.preview) error(409, { message: `L’aperçu de « ${draft.description.label} » n’est pas encore construit : lancez-le depuis l’étape « Aperçu ».`, code: 'etat_incompatible' });
  cookies.set(PREVIEW_COOKIE, draft.id, { path: '/', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:' });
  redirect(303, safeLocalPath(url.searchParams.get('vers'), '/carte'));
};
