import { redirect } from '@sveltejs/kit';
import { loadSession } from '$lib/admin/load.server';
import { loginPath } from '$lib/admin/paths';
import type { LayoutServerLoad } from './$types';

/** Every /admin page but the login form needs a session; the token for POSTs comes from here. */
export const load: LayoutServerLoad = async ({ fetch, url, cookies, setHeaders }) => {
  // pages carry the anti-CSRF token and unpublished data: never kept by a cache
  setHeaders({ 'cache-control': 'private, no-store' });
  // read before the API answers: an ended session's cookie is cleared by that answer
  const hadSession = Boolean(cookies.get('obs_session'));
  const session = await loadSession(fetch);
  if (!session.user && url.pathname !== '/admin/connexion') {
    redirect(303, loginPath(`${url.pathname}${url.search}`, hadSession ? 'expiree' : undefined));
  }
  return { user: session.user, csrfToken: session.csrfToken };
};
