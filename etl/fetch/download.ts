/**
 * Downloads one URL to one file, the way a producer's multi-hundred-megabyte
 * file needs it: streamed to `<file>.part`, resumed with an HTTP Range request
 * after an interruption, retried with exponential backoff on transient failures,
 * hashed (sha256) while streaming, and renamed into place only when complete —
 * so the final name never points at a truncated file.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { setTimeout as delay } from 'node:timers/promises';
import { EnvironmentError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { formatBytes, silentProgress, type ProgressReporter } from './progress.ts';

/**
 * - `http`: the server answered with an error status (`status` is set).
 * - `unreachable`: no connection could be made (DNS, refused, no route): typically no network.
 * - `network`: the connection broke after it was made.
 * - `timeout`: nothing arrived for `timeoutMs`.
 * - `truncated`: the body ended before the announced size.
 */
export type DownloadFailureKind = 'http' | 'unreachable' | 'network' | 'timeout' | 'truncated';

export class DownloadError extends EnvironmentError {
  readonly url: string;
  readonly kind: DownloadFailureKind;
  readonly status: number | undefined;
  /** System error code when there is one (`ECONNREFUSED`, `ENOTFOUND`…). */
  readonly code: string | undefined;
  constructor(
    url: string,
    kind: DownloadFailureKind,
    message: string,
    extra: { status?: number; code?: string; cause?: unknown } = {}
  ) {
    super(message, { cause: extra.cause });
    this.name = 'DownloadError';
    this.url = url;
    this.kind = kind;
    this.status = extra.status;
    this.code = extra.code;
  }

  get retryable(): boolean {
    if (this.kind !== 'http') return true;
    const s = this.status ?? 0;
    return s >= 500 || s === 408 || s === 429;
  }
}

export interface DownloadOptions {
  url: string;
  /** Final path; bytes go to `<dest>.part` until the download is complete. */
  dest: string;
  logger: Logger;
  fetchImpl?: typeof fetch;
  progress?: ProgressReporter;
  /** Shown by the progress reporter and in warnings. Default: the URL. */
  label?: string;
  /** Further attempts after the first, on network errors, timeouts, truncation and 5xx/408/429. Default 3. */
  retries?: number;
  /** Attempt n+1 waits `backoffMs · 2^n`. Default 1000 ms. */
  backoffMs?: number;
  /**
   * An attempt is aborted (AbortSignal) when no byte arrives for this long. An
   * inactivity limit rather than a total one: a large file on a slow line is
   * legitimate, a silent connection is not. Default 30 s.
   */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface DownloadResult {
  path: string;
  sha256: string;
  bytes: number;
  /** Attempts made, 1 when the first one succeeded. */
  attempts: number;
  /** Whether bytes of a previous `.part` were kept (server answered 206). */
  resumed: boolean;
}

/** Connection-level codes: the host could not be reached at all. */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT'
]);

/** Internal: the server ignored or refused our Range request; start over without counting an attempt. */
class RestartFromScratch extends Error {}

export async function downloadFile(opts: DownloadOptions): Promise<DownloadResult> {
  const retries = opts.retries ?? 3;
  const backoff = opts.backoffMs ?? 1000;
  const sleep = opts.sleep ?? ((ms: number) => delay(ms));
  const label = opts.label ?? opts.url;
  const part = `${opts.dest}.part`;
  await mkdir(dirname(opts.dest), { recursive: true });

  let restarted = false;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await attemptDownload(opts, part, label);
      return { ...result, attempts: attempt };
    } catch (e) {
      if (e instanceof RestartFromScratch && !restarted) {
        restarted = true;
        await rm(part, { force: true });
        attempt--;
        continue;
      }
      const err = e instanceof DownloadError ? e : new DownloadError(opts.url, 'network', describe(e), { cause: e });
      if (!err.retryable) {
        // A 404 or 403 will not heal by itself: leave nothing behind that looks like progress.
        await rm(part, { force: true });
        throw err;
      }
      if (attempt > retries) {
        // The .part stays: the next run resumes from it.
        throw new DownloadError(
          opts.url,
          err.kind,
          `Téléchargement impossible après ${attempt} tentative${attempt > 1 ? 's' : ''} : ${err.message}`,
          { status: err.status, code: err.code, cause: err }
        );
      }
      const wait = backoff * 2 ** (attempt - 1);
      opts.logger.warn(`${label} : ${err.message} — nouvel essai dans ${wait / 1000} s (${attempt}/${retries})`);
      await sleep(wait);
    }
  }
}

async function attemptDownload(
  opts: DownloadOptions,
  part: string,
  label: string
): Promise<Omit<DownloadResult, 'attempts'>> {
  const { url } = opts;
  const fetchImpl = opts.fetchImpl ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const have = await sizeOf(part);
  // Hash the kept bytes before the request, so a large .part does not eat into the timeout.
  const keptHash = createHash('sha256');
  if (have > 0) await feedFile(keptHash, part);

  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), timeoutMs);
  };
  const timeoutError = (cause: unknown): DownloadError =>
    new DownloadError(url, 'timeout', `aucune donnée reçue de ${url} pendant ${timeoutMs / 1000} s`, { cause });

  // identity: a transparently decompressed body would not match the producer's
  // file, its checksum nor its Content-Length, and could not be resumed by offset.
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (have > 0) headers.range = `bytes=${have}-`;

  arm();
  try {
    let res: Response;
    try {
      res = await fetchImpl(url, { headers, signal: controller.signal, redirect: 'follow' });
    } catch (e) {
      if (controller.signal.aborted) throw timeoutError(e);
      throw connectionError(url, e);
    }

    if (res.status === 416 && have > 0) {
      await res.body?.cancel();
      throw new RestartFromScratch();
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw httpError(url, res);
    }

    let resumed = false;
    if (res.status === 206) {
      const start = contentRangeStart(res.headers.get('content-range'));
      if (have === 0 || start !== have) {
        await res.body?.cancel();
        throw new RestartFromScratch();
      }
      resumed = true;
    }
    // On 200 the server sends the whole file, whatever we asked: start cleanly.
    const offset = resumed ? have : 0;
    const total = expectedTotal(res, resumed, offset);

    const hash = resumed ? keptHash : createHash('sha256');
    if (!res.body) throw new DownloadError(url, 'network', `${url} a répondu sans contenu`);

    const task = (opts.progress ?? silentProgress).start(label, total, offset);
    let received = offset;
    try {
      await pipeline(
        Readable.fromWeb(res.body as unknown as NodeReadableStream<Uint8Array>),
        async function* (source: AsyncIterable<Uint8Array>) {
          for await (const chunk of source) {
            arm();
            hash.update(chunk);
            received += chunk.length;
            task.update(received);
            yield chunk;
          }
        },
        createWriteStream(part, { flags: resumed ? 'a' : 'w' })
      );
    } catch (e) {
      task.stop(false);
      if (controller.signal.aborted) throw timeoutError(e);
      throw new DownloadError(url, 'network', `connexion interrompue pendant le téléchargement de ${url} (${describe(e)})`, {
        code: errorCodes(e)[0],
        cause: e
      });
    }
    if (total !== undefined && received !== total) {
      task.stop(false);
      throw new DownloadError(
        url,
        'truncated',
        `${url} : ${formatBytes(received)} reçus sur ${formatBytes(total)} annoncés`
      );
    }
    task.stop(true);
    await rename(part, opts.dest);
    return { path: opts.dest, sha256: hash.digest('hex'), bytes: received, resumed };
  } finally {
    clearTimeout(timer);
  }
}

function httpError(url: string, res: Response): DownloadError {
  const status = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  const hint =
    res.status === 404 || res.status === 410
      ? ' : le fichier n’existe pas (ou plus) à cette adresse. Vérifiez l’URL officielle du producteur (SOURCES.md §8) ou utilisez un miroir (--mirror DIR)'
      : '';
  return new DownloadError(url, 'http', `${url} a répondu ${status}${hint}`, { status: res.status });
}

function connectionError(url: string, e: unknown): DownloadError {
  const codes = errorCodes(e);
  const code = codes.find((c) => UNREACHABLE_CODES.has(c));
  // undici reports every connection failure as "fetch failed"; without a more
  // specific code, the host could not be reached.
  const unreachable = code !== undefined || (codes.length === 0 && /fetch failed/i.test(describe(e)));
  const host = hostOf(url);
  return unreachable
    ? new DownloadError(url, 'unreachable', `${host} injoignable${code ? ` (${code})` : ''} pour ${url}`, { code, cause: e })
    : new DownloadError(url, 'network', `échec de connexion à ${host} (${describe(e)})`, { code: codes[0], cause: e });
}

/** System codes found on the error, its causes and aggregated errors (undici nests them). */
export function errorCodes(e: unknown): string[] {
  const codes: string[] = [];
  const seen = new Set<unknown>();
  const visit = (x: unknown, depth: number): void => {
    if (!x || typeof x !== 'object' || seen.has(x) || depth > 6) return;
    seen.add(x);
    const code = (x as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    visit((x as { cause?: unknown }).cause, depth + 1);
    const errors = (x as { errors?: unknown }).errors;
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
  };
  visit(e, 0);
  return codes;
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = e.cause instanceof Error ? ` : ${e.cause.message}` : '';
    return `${e.message}${cause}`;
  }
  return String(e);
}

/** `bytes 100-199/200` → 100. */
function contentRangeStart(header: string | null): number | undefined {
  const m = header ? /^bytes\s+(\d+)-\d+\/(?:\d+|\*)$/i.exec(header.trim()) : null;
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

/** Size of the complete file, when the server says it. */
function expectedTotal(res: Response, resumed: boolean, offset: number): number | undefined {
  if (resumed) {
    const m = /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '');
    if (m?.[1] !== undefined) return Number(m[1]);
  }
  const encoding = res.headers.get('content-encoding');
  if (encoding && encoding !== 'identity') return undefined;
  const length = res.headers.get('content-length');
  if (length === null || !/^\d+$/.test(length)) return undefined;
  return offset + Number(length);
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function feedFile(hash: Hash, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}
