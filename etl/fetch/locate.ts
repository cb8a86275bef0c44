/**
 * Finds the local file an adapter will read for a source: in the mirror when
 * one is given (never touching the network nor writing into it), else in the
 * download cache, downloading from the producer's official URL when the cache
 * does not hold a verified copy.
 */
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { EnvironmentError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { SourceDescription } from '../core/types.ts';
import { extractMember } from './archive.ts';
import { DownloadError, downloadFile, hostOf } from './download.ts';
import { hashFile, readManifest, recordManifestEntry, type ManifestEntry } from './manifest.ts';
import type { ProgressReporter } from './progress.ts';

export interface LocatedFile {
  /** Absolute path of the file to read. */
  path: string;
  /** `published`: a dataset published from the portal (`<data-dir>/published/`). */
  origin: 'mirror' | 'cache' | 'published';
  /** `mirrorPath` for the mirror, `<source>/<name>` for the cache: stable across machines, for provenance. */
  relative: string;
  sha256: string;
  bytes: number;
}

export interface LocateOptions {
  /** Directory laid out like shared/data (`--mirror DIR` / `OBS_MIRROR=DIR`). */
  mirror?: string;
  cacheDir: string;
  /** Never use the network: only the mirror or what the cache already holds. */
  offline?: boolean;
  fetchImpl?: typeof fetch;
  progress?: ProgressReporter;
  logger: Logger;
  /** Further download attempts after the first (see `downloadFile`). */
  retries?: number;
  /** Date recorded in the manifest. */
  now?: () => Date;
  /** Backoff base and inactivity timeout of downloads (ms); tests shorten them. */
  backoffMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Precedence of the two ways to name a mirror: the flag wins over the environment. */
export function mirrorFromArgs(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = flag ?? env.OBS_MIRROR;
  return dir && dir.trim() !== '' ? resolve(dir) : undefined;
}

export async function locateSource(source: SourceDescription, opts: LocateOptions): Promise<LocatedFile> {
  return opts.mirror !== undefined ? fromMirror(source, opts.mirror) : fromCache(source, opts);
}

/** Locates sources in order; stops at the first that cannot be had (its error says why and how to fix it). */
export async function locateSources(
  sources: readonly SourceDescription[],
  opts: LocateOptions
): Promise<Map<string, LocatedFile>> {
  const located = new Map<string, LocatedFile>();
  for (const source of sources) located.set(source.id, await locateSource(source, opts));
  return located;
}

async function fromMirror(source: SourceDescription, mirrorDir: string): Promise<LocatedFile> {
  const mirror = resolve(mirrorDir);
  if (!(await isDirectory(mirror))) {
    throw new EnvironmentError(
      `Le miroir ${mirror} n’existe pas ou n’est pas un dossier. ` +
        'Indiquez avec --mirror DIR ou OBS_MIRROR=DIR un dossier organisé comme shared/data.'
    );
  }
  const path = resolve(mirror, source.mirrorPath);
  const inside = relative(mirror, path);
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw new EnvironmentError(`Source ${source.id} : chemin de miroir ${source.mirrorPath} hors du miroir ${mirror}.`);
  }
  if (!(await isFile(path))) {
    throw new EnvironmentError(
      `Fichier introuvable dans le miroir : ${path} (source ${source.id}, attendu en ${source.mirrorPath} ` +
        `sous le miroir ${mirror}). Le miroir doit être organisé comme shared/data.`
    );
  }
  // Only read: the mirror may be shared or read-only, and is never ours to change.
  const { sha256, bytes } = await hashFile(path);
  return { path, origin: 'mirror', relative: source.mirrorPath.split(sep).join('/'), sha256, bytes };
}

async function fromCache(source: SourceDescription, opts: LocateOptions): Promise<LocatedFile> {
  const { logger } = opts;
  const cacheDir = resolve(opts.cacheDir);
  const name = cacheFileName(source);
  const rel = `${source.id}/${name}`;
  const path = join(cacheDir, source.id, name);
  const now = opts.now ?? (() => new Date());

  if (await isFile(path)) {
    const found = await hashFile(path);
    const entry = (await readManifest(cacheDir, logger)).sources[source.id];
    const located: LocatedFile = { path, origin: 'cache', relative: rel, ...found };
    if (!entry || entry.file !== rel) {
      // A file put there by hand — the remedy our no-network message suggests.
      logger.info(`${source.id} : fichier placé à la main dans le cache (${path}), sha256 ${found.sha256} enregistré`);
      await recordManifestEntry(
        cacheDir,
        source.id,
        { file: rel, url: null, origin: 'manual', ...found, recordedAt: now().toISOString() },
        logger
      );
      return located;
    }
    if (entry.sha256 === found.sha256) {
      if (entry.url === null || entry.url === source.url || opts.offline) return located;
      logger.info(`${source.id} : l’URL officielle a changé (${entry.url} → ${source.url}), nouveau téléchargement`);
    } else {
      logger.warn(
        `${source.id} : le fichier du cache ${path} ne correspond pas à la somme enregistrée ` +
          `(sha256 ${found.sha256.slice(0, 12)}… au lieu de ${entry.sha256.slice(0, 12)}…), ` +
          (opts.offline ? 'et le mode hors ligne interdit de le retélécharger' : 'nouveau téléchargement')
      );
      if (opts.offline) throw offlineError(source, cacheDir, path, 'est corrompue dans le cache');
    }
  }

  if (opts.offline) throw offlineError(source, cacheDir, path, 'n’est pas dans le cache');

  try {
    return await download(source, opts, cacheDir, name, rel, path, now);
  } catch (e) {
    if (e instanceof DownloadError && e.kind === 'unreachable') throw noNetworkError(source, cacheDir, path, e);
    throw e;
  }
}

async function download(
  source: SourceDescription,
  opts: LocateOptions,
  cacheDir: string,
  name: string,
  rel: string,
  path: string,
  now: () => Date
): Promise<LocatedFile> {
  const common = {
    url: source.url,
    logger: opts.logger,
    label: source.id,
    fetchImpl: opts.fetchImpl,
    progress: opts.progress,
    retries: opts.retries,
    backoffMs: opts.backoffMs,
    timeoutMs: opts.timeoutMs,
    sleep: opts.sleep
  };
  let entry: ManifestEntry;
  if (source.urlServes === 'archive') {
    // The archive keeps its own name next to the extracted file: the manifest
    // records both checksums, the archive's being the one the producer could publish.
    let archiveName = urlBasename(source.url) || `${name}.archive`;
    if (archiveName === name) archiveName = `${name}.archive`;
    const archivePath = join(cacheDir, source.id, archiveName);
    const got = await downloadFile({ ...common, dest: archivePath });
    const member = await extractMember(got.path, name, path);
    opts.logger.info(`${source.id} : ${member} extrait de ${archiveName}`);
    const found = await hashFile(path);
    entry = {
      file: rel,
      url: source.url,
      origin: 'download',
      ...found,
      recordedAt: now().toISOString(),
      archive: { file: `${source.id}/${archiveName}`, sha256: got.sha256, bytes: got.bytes }
    };
  } else {
    const got = await downloadFile({ ...common, dest: path });
    entry = {
      file: rel,
      url: source.url,
      origin: 'download',
      sha256: got.sha256,
      bytes: got.bytes,
      recordedAt: now().toISOString()
    };
  }
  await recordManifestEntry(cacheDir, source.id, entry, opts.logger);
  return { path, origin: 'cache', relative: rel, sha256: entry.sha256, bytes: entry.bytes };
}

/** `cacheName`, else the URL's last path segment; never a path (it is joined under the cache). */
export function cacheFileName(source: SourceDescription): string {
  const name = source.cacheName ?? urlBasename(source.url);
  if (!name || name === '.' || name === '..' || /[/\\]/.test(name)) {
    throw new EnvironmentError(
      `Source ${source.id} : impossible de déduire un nom de fichier de ${source.url} ; ` +
        'déclarez `cacheName` dans sa description.'
    );
  }
  return name;
}

function urlBasename(url: string): string {
  try {
    return decodeURIComponent(basename(new URL(url).pathname));
  } catch {
    return '';
  }
}

const HOW_TO_FIX = 'relancez avec --mirror DIR ou OBS_MIRROR=DIR (un dossier organisé comme shared/data), ou placez les fichiers dans';

function cacheHint(cacheDir: string, path: string): string {
  return `${HOW_TO_FIX} ${displayPath(cacheDir)}/<source>/ (ici : ${displayPath(path)})`;
}

function noNetworkError(source: SourceDescription, cacheDir: string, path: string, cause: DownloadError): EnvironmentError {
  return new EnvironmentError(
    `Pas d’accès réseau à ${hostOf(source.url)} (${cause.code ?? 'connexion impossible'} en téléchargeant ` +
      `la source ${source.id} depuis ${source.url}) et aucun miroir n’a été donné. ` +
      `Pour construire sans réseau, ${cacheHint(cacheDir, path)}.`,
    { cause }
  );
}

function offlineError(source: SourceDescription, cacheDir: string, path: string, what: string): EnvironmentError {
  return new EnvironmentError(
    `Mode hors ligne : aucun accès réseau tenté. La source ${source.id} ${what} (${displayPath(path)}) ` +
      `et aucun miroir n’a été donné. Pour la fournir, ${cacheHint(cacheDir, path)} ; ` +
      `ou relancez sans le mode hors ligne pour la télécharger depuis ${source.url}.`
  );
}

/** Relative to the working directory when inside it (`data/cache`), as the user typed it. */
function displayPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r.split(sep).join('/') : p;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
