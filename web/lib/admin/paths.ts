/**
 * Where the back office sends people after a login or a preview switch. The target comes
 * from the URL (`?suite=`, `?vers=`), so only paths of this site are followed: an open
 * redirect would let a forged link send a statistician, just logged in, to another site.
 */

/** A same-site path (`/carte?indicateur=x`), or `fallback` for anything else (`//evil`, `https://…`, `/\evil`, control characters). */
export function safeLocalPath(target: string | null | undefined, fallback = '/admin'): string {
  if (!target || target.length > 2000) return fallback;
  if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(target)) return fallback;
  try {
    const url = new URL(target, 'http://observatoire.invalid');
    if (url.origin !== 'http://observatoire.invalid') return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}

/** The login page, remembering where the user was going and why they are sent there. */
export function loginPath(next: string, reason?: 'expiree' | 'deconnecte'): string {
  const params = new URLSearchParams();
  const suite = safeLocalPath(next, '/admin');
  if (suite !== '/admin') params.set('suite', suite);
  if (reason) params.set('motif', reason);
  const q = params.toString();
  return `/admin/connexion${q ? `?${q}` : ''}`;
}

/** The endpoint that turns a draft's preview on, then opens `target` (web/routes/admin/apercu/[draft]). */
export function previewPath(draftId: string, target: string): string {
  return `/admin/apercu/${encodeURIComponent(draftId)}?${new URLSearchParams({ vers: safeLocalPath(target, '/carte') })}`;
}

/** The endpoint that turns the preview off, then opens `target`. */
export function leavePreviewPath(target: string): string {
  return `/admin/apercu/quitter?${new URLSearchParams({ vers: safeLocalPath(target, '/') })}`;
}

/** The name of the cookie the server reads (server/admin/publishing/context.ts, PREVIEW_COOKIE). */
export const PREVIEW_COOKIE = 'obs_apercu';

/** What a draft id looks like (server/admin/publishing/previews.ts): refuse anything else before setting a cookie. */
export const DRAFT_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;
