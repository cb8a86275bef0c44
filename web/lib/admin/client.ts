/**
 * The API client of back-office pages: the token comes from the admin layout's data
 * (web/routes/admin/+layout.server.ts), and an ended session sends the user to the login
 * page, remembering the page they were on. Browser only (called from event handlers).
 */
import { goto } from '$app/navigation';
import { resolve } from '$app/paths';
import { page } from '$app/state';
import { type AdminClient, createAdminClient } from './api.ts';
import { loginPath } from './paths.ts';

export function adminApi(): AdminClient {
  return createAdminClient({
    csrfToken: () => (page.data as { csrfToken?: string }).csrfToken,
    onUnauthorized: (e) => {
      const target = loginPath(`${location.pathname}${location.search}`, e.code === 'session_expiree' ? 'expiree' : undefined);
      void goto(resolve(target as '/admin/connexion'), { invalidateAll: true });
    }
  });
}
