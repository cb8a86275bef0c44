import { redirect } from '@sveltejs/kit';
import { PREVIEW_COOKIE, safeLocalPath } from '$lib/admin/paths';
import type { RequestHandler } from './$types';

/** Back to the public build: forgets the preview, then opens `?vers=` (a page of this site). */
export const GET: RequestHandler = ({ url, cookies }) => {
  cookies.delete(PREVIEW_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:' });
  redirect(303, safeLocalPath(url.searchParams.get('vers'), '/'));
};
