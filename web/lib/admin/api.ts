/**
 * The back office's client for `/api/admin`: every state-changing request carries the
 * session's anti-CSRF token in `X-CSRF-Token` (server/admin/auth), and every failure
 * becomes an `AdminApiError` whose message is French and tells the statistician what to do.
 * Pure: `fetch` and the token are passed in, so it runs in the browser, in `load` and in tests.
 */

type Fetch = typeof fetch;

export class AdminApiError extends Error {
  readonly status: number;
  /** The API's stable code (`session_expiree`, `fichier_invalide`…), or `reseau` when no answer came. */
  readonly code: string;
  readonly details: unknown;
  /** Seconds to wait before retrying (429), from `Retry-After`. */
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, details?: unknown, retryAfter: number | null = null) {
    super(message);
    this.name = 'AdminApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }

  /** The session is missing or over: the page should send the user back to the login form. */
  get needsLogin(): boolean {
    return this.status === 401;
  }
}

/** Used when the server answered without a usable message (a proxy page, an empty body). */
const BY_CODE: Record<string, string> = {
  authentification_requise: 'Connectez-vous pour accéder à l’espace statisticiens.',
  session_expiree: 'Votre session a expiré : reconnectez-vous.',
  acces_refuse: 'Votre compte n’a pas accès à cette action.',
  csrf_invalide: 'La page a expiré (jeton de sécurité invalide) : rechargez-la puis recommencez.',
  trop_de_tentatives: 'Trop de tentatives de connexion.',
  identifiants_invalides: 'Identifiant ou mot de passe incorrect.',
  fichier_trop_grand: 'Le fichier est trop grand (20 Mo au plus) : découpez-le ou compressez-le en XLSX.',
  fichier_invalide: 'Le fichier n’a pas pu être lu comme un tableau CSV ou XLSX.'
};

const BY_STATUS: Record<number, string> = {
  400: 'La demande est invalide.',
  401: BY_CODE.authentification_requise as string,
  403: BY_CODE.acces_refuse as string,
  404: 'Élément introuvable : il a peut-être été supprimé.',
  409: 'Action impossible dans l’état actuel : rechargez la page.',
  413: BY_CODE.fichier_trop_grand as string,
  429: BY_CODE.trop_de_tentatives as string
};

/** « 15 minutes », « 40 secondes », « 1 heure » — rounded up, as a person would say it. */
export function frenchDelay(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} seconde${s > 1 ? 's' : ''}`;
  const m = Math.ceil(s / 60);
  if (m < 60) return `${m} minute${m > 1 ? 's' : ''}`;
  const h = Math.ceil(m / 60);
  return `${h} heure${h > 1 ? 's' : ''}`;
}

/** `Retry-After` is seconds or an HTTP date; anything else is ignored. */
export function parseRetryAfter(header: string | null, now: Date = new Date()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - now.getTime()) / 1000));
}

/** Builds the error for a failed answer: the API's French message when it gave one, a French fallback otherwise. */
export function errorFromResponse(status: number, body: unknown, retryAfterHeader: string | null = null, now?: Date): AdminApiError {
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  const code = typeof e?.code === 'string' && e.code ? e.code : status >= 500 ? 'erreur_interne' : `http_${status}`;
  let message =
    typeof e?.message === 'string' && e.message.trim()
      ? e.message.trim()
      : (BY_CODE[code] ?? BY_STATUS[status] ?? (status >= 500 ? `Le serveur a rencontré une erreur (${status}) : réessayez dans un instant.` : `Erreur ${status}.`));
  const retryAfter = parseRetryAfter(retryAfterHeader, now);
  if (status === 429 && retryAfter !== null && !/réessayez/i.test(message)) {
    message = `${message} Réessayez dans ${frenchDelay(retryAfter)}.`;
  }
  return new AdminApiError(status, code, message, e?.details, retryAfter);
}

export function networkError(cause: unknown): AdminApiError {
  const detail = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
  return new AdminApiError(0, 'reseau', `Le serveur ne répond pas${detail} : vérifiez votre connexion, puis réessayez.`);
}

/** The body as JSON, or null when it is empty or not JSON (a proxy's HTML error page). */
export function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export interface AdminClientOptions {
  fetch?: Fetch;
  /** The current anti-CSRF token (it changes at login and logout). */
  csrfToken: () => string | null | undefined;
  /** Called before an `AdminApiError` with status 401 is thrown (e.g. to go to the login page). */
  onUnauthorized?: (error: AdminApiError) => void;
}

export interface AdminClient {
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  /** POSTs raw bytes (a file), e.g. `/api/admin/uploads?filename=…`. */
  upload<T>(path: string, file: Blob): Promise<T>;
}

export function createAdminClient(options: AdminClientOptions): AdminClient {
  const doFetch: Fetch = options.fetch ?? ((input, init) => fetch(input, init));

  async function request<T>(path: string, init: RequestInit): Promise<T> {
    if (!path.startsWith('/api/admin/') && path !== '/api/admin') throw new Error(`chemin hors de /api/admin : ${path}`);
    let response: Response;
    try {
      response = await doFetch(path, { credentials: 'same-origin', ...init });
    } catch (cause) {
      if ((cause as Error)?.name === 'AbortError') throw cause;
      throw networkError(cause);
    }
    const body = parseJson(await response.text());
    if (!response.ok) {
      const error = errorFromResponse(response.status, body, response.headers.get('Retry-After'));
      if (error.status === 401) options.onUnauthorized?.(error);
      throw error;
    }
    if (body === null) throw new AdminApiError(response.status, 'reponse_invalide', `Réponse inattendue du serveur pour ${path}.`);
    return body as T;
  }

  function writeHeaders(contentType: string): Headers {
    const headers = new Headers({ Accept: 'application/json', 'Content-Type': contentType });
    const token = options.csrfToken();
    if (token) headers.set('X-CSRF-Token', token);
    return headers;
  }

  return {
    get: (path, signal) => request(path, { method: 'GET', headers: { Accept: 'application/json' }, ...(signal ? { signal } : {}) }),
    post: (path, body = {}) => request(path, { method: 'POST', headers: writeHeaders('application/json'), body: JSON.stringify(body) }),
    upload: (path, file) => request(path, { method: 'POST', headers: writeHeaders('application/octet-stream'), body: file })
  };
}
