/**
 * The portal's configuration: every environment variable the server process reads, in
 * one place, validated once at startup. A bad value stops the process with a French
 * message naming the variable; nothing else in `server/` reads `process.env`.
 *
 * The web app (SvelteKit) reads a few of these itself through `$env` (`ORIGIN`,
 * `PUBLIC_OBS_SITE_URL`, `OBS_CHROMIUM`…): they are validated here too, so a typo fails
 * at startup rather than on the first PDF.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'text';

export interface Config {
  nodeEnv: string;
  port: number;
  host: string;
  /** `data/` by default: builds, cache, published datasets, administration store. */
  dataDir: string;
  /** The symlink (or pointer file) designating the build in service. */
  dbPath: string;
  mirror: string | undefined;
  /** The administration store; `<dataDir>/admin/observatoire-admin.duckdb` by default. */
  adminDb: string;
  /**
   * Whether this process runs the back office. Off for extra read-only replicas: the
   * administration store has a single writer, so exactly one process keeps it.
   */
  backOffice: boolean;
  cookieSecure: boolean;
  trustProxy: boolean;
  log: { level: LogLevel; format: LogFormat; access: boolean };
  tileCacheBytes: number;
  reloadIntervalMs: number;
  limits: Limits;
  metrics: { enabled: false } | { enabled: true; token: string | undefined };
  /** Read by the web app through `$env`; kept here so they are validated and listed. */
  web: {
    origin: string | undefined;
    siteUrl: string | undefined;
    basemapStyle: string | undefined;
    chromium: string | undefined;
    internalOrigin: string | undefined;
  };
}

export interface Limits {
  /** A DuckDB statement running longer is interrupted (503 `delai_depasse`). */
  queryTimeoutMs: number;
  /** Whole request (headers and body) must arrive within this (408). */
  requestTimeoutMs: number;
  /** Headers must arrive within this (408): the slowloris guard. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic either way for this long is closed (a client that stops reading). */
  socketTimeoutMs: number;
  /** Concurrent heavy requests (PDF, XLSX and GeoPackage exports); beyond, 503 with Retry-After. */
  heavyMax: number;
  /** SIGTERM: in-flight requests get this long to finish before their connections are cut. */
  shutdownTimeoutMs: number;
  /** Readiness: the trivial query must answer within this. */
  readyTimeoutMs: number;
}

/** Defaults of `Limits`, shared with `startServer` when it is called without a configuration. */
export const DEFAULT_LIMITS: Readonly<Limits> = {
  queryTimeoutMs: 15_000,
  requestTimeoutMs: 120_000,
  headersTimeoutMs: 20_000,
  keepAliveTimeoutMs: 5000,
  socketTimeoutMs: 120_000,
  heavyMax: 4,
  shutdownTimeoutMs: 25_000,
  readyTimeoutMs: 2000
};

export class ConfigError extends Error {
  readonly problems: readonly { variable: string; message: string }[];
  constructor(problems: readonly { variable: string; message: string }[]) {
    super(`Configuration invalide :\n${problems.map((p) => `  - ${p.variable} : ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const repoRootDefault = resolve(fileURLToPath(import.meta.url), '../..');

const TRUE = ['true', '1', 'on', 'oui', 'yes'];
const FALSE = ['false', '0', 'off', 'non', 'no'];

/** Empty means unset: `FOO=` in an EnvironmentFile should not be an error. */
const unset = (v: unknown) => (v === '' ? undefined : v);

const flag = (fallback: boolean) =>
  z.preprocess(
    unset,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return fallback;
        const low = v.trim().toLowerCase();
        if (TRUE.includes(low)) return true;
        if (FALSE.includes(low)) return false;
        ctx.addIssue({ code: 'custom', message: 'un booléen est attendu (true ou false)' });
        return z.NEVER;
      })
  );

const integer = (fallback: number, min: number, max: number, unit = '') =>
  z.preprocess(
    unset,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return fallback;
        const n = /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
        if (!Number.isSafeInteger(n) || n < min || n > max) {
          ctx.addIssue({ code: 'custom', message: `un entier entre ${min} et ${max}${unit} est attendu` });
          return z.NEVER;
        }
        return n;
      })
  );

const url = z.preprocess(
  unset,
  z
    .string()
    .optional()
    .refine((v) => v === undefined || /^https?:\/\/[^\s/]+/.test(v), { message: 'une adresse http:// ou https:// est attendue' })
);

const path = z.preprocess(unset, z.string().optional());

/** One of `values`, any case; undefined when unset (the default depends on other variables). */
const choice = <T extends string>(values: readonly [T, ...T[]]) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v !== '' ? v.trim().toLowerCase() : undefined),
    z.enum(values, { error: () => ({ message: `valeur attendue : ${values.join(', ')}` }) }).optional()
  );

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Each variable and its rule; the key is the variable's name, so an issue names it. */
const EnvSchema = z.object({
  NODE_ENV: z.preprocess(unset, z.string().default('development')),
  PORT: integer(3000, 0, 65535),
  HOST: z.preprocess(unset, z.string().default('0.0.0.0')),
  OBS_DATA_DIR: path,
  OBS_DB: path,
  OBS_MIRROR: path,
  OBS_ADMIN_DB: path,
  OBS_BACK_OFFICE: flag(true),
  OBS_COOKIE_SECURE: flag(false),
  OBS_TRUST_PROXY: flag(false),
  OBS_LOG_LEVEL: choice(LOG_LEVELS),
  OBS_LOG_FORMAT: choice(['json', 'text']),
  OBS_ACCESS_LOG: flag(true),
  OBS_TILE_CACHE_MB: integer(64, 1, 65_536, ' Mio'),
  OBS_RELOAD_INTERVAL_MS: integer(5000, 0, HOUR, ' ms (0 : jamais)'),
  OBS_QUERY_TIMEOUT_MS: integer(DEFAULT_LIMITS.queryTimeoutMs, 10, HOUR, ' ms'),
  OBS_REQUEST_TIMEOUT_MS: integer(DEFAULT_LIMITS.requestTimeoutMs, 100, HOUR, ' ms'),
  OBS_HEADERS_TIMEOUT_MS: integer(DEFAULT_LIMITS.headersTimeoutMs, 100, HOUR, ' ms'),
  OBS_KEEPALIVE_TIMEOUT_MS: integer(DEFAULT_LIMITS.keepAliveTimeoutMs, 100, HOUR, ' ms'),
  OBS_SOCKET_TIMEOUT_MS: integer(DEFAULT_LIMITS.socketTimeoutMs, 0, HOUR, ' ms (0 : jamais)'),
  OBS_HEAVY_MAX: integer(DEFAULT_LIMITS.heavyMax, 1, 1000),
  OBS_SHUTDOWN_TIMEOUT_MS: integer(DEFAULT_LIMITS.shutdownTimeoutMs, 0, 10 * MINUTE, ' ms'),
  OBS_READY_TIMEOUT_MS: integer(DEFAULT_LIMITS.readyTimeoutMs, 10, MINUTE, ' ms'),
  OBS_METRICS: choice(['off', 'on']),
  OBS_METRICS_TOKEN: z.preprocess(
    unset,
    z
      .string()
      .optional()
      .refine((v) => v === undefined || /^[\x21-\x7e]{16,}$/.test(v), {
        message: 'au moins 16 caractères imprimables sans espace (par ex. « openssl rand -hex 32 »)'
      })
  ),
  ORIGIN: url,
  PUBLIC_OBS_SITE_URL: url,
  PUBLIC_OBS_BASEMAP_STYLE: url,
  OBS_INTERNAL_ORIGIN: url,
  OBS_CHROMIUM: path
});

/** Variables whose value must never be echoed in an error. */
const SECRET = new Set(['OBS_METRICS_TOKEN']);

export interface ConfigFlags {
  /** `--port`, over `PORT`. */
  port?: string | undefined;
  /** `--db`, over `OBS_DB`. */
  db?: string | undefined;
}

/**
 * Reads and validates the configuration. Relative paths resolve against `cwd`.
 * Throws `ConfigError` listing every bad variable (not only the first).
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  options: { flags?: ConfigFlags; repoRoot?: string; cwd?: string; /** Standard output is a terminal. */ tty?: boolean } = {}
): Config {
  const flags = options.flags ?? {};
  const repoRoot = options.repoRoot ?? repoRootDefault;
  const cwd = options.cwd ?? process.cwd();
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(EnvSchema.shape)) input[key] = env[key];
  // a flag stands for its variable; errors name the flag the user actually typed
  const flagOf: Record<string, string> = {};
  if (flags.port !== undefined) [input.PORT, flagOf.PORT] = [flags.port, '--port'];
  if (flags.db !== undefined) [input.OBS_DB, flagOf.OBS_DB] = [flags.db, '--db'];

  const parsed = EnvSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '?');
      const raw = input[variable];
      const shown = raw === undefined || SECRET.has(variable) ? '' : ` (valeur reçue : « ${raw} »)`;
      return { variable: flagOf[variable] ?? variable, message: `${issue.message}${shown}` };
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  // node refuses a headers timeout longer than the request timeout (ERR_OUT_OF_RANGE)
  if (e.OBS_HEADERS_TIMEOUT_MS > e.OBS_REQUEST_TIMEOUT_MS) {
    throw new ConfigError([
      {
        variable: 'OBS_HEADERS_TIMEOUT_MS',
        message: `${e.OBS_HEADERS_TIMEOUT_MS} ms dépasse OBS_REQUEST_TIMEOUT_MS (${e.OBS_REQUEST_TIMEOUT_MS} ms) : les en-têtes font partie de la requête`
      }
    ]);
  }
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const dataDir = abs(e.OBS_DATA_DIR ?? join(repoRoot, 'data'));
  const metricsOn = e.OBS_METRICS === 'on' || (e.OBS_METRICS === undefined && e.OBS_METRICS_TOKEN !== undefined);
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    dbPath: abs(e.OBS_DB ?? join(dataDir, 'observatoire.duckdb')),
    mirror: e.OBS_MIRROR === undefined ? undefined : abs(e.OBS_MIRROR),
    adminDb: abs(e.OBS_ADMIN_DB ?? join(dataDir, 'admin', 'observatoire-admin.duckdb')),
    backOffice: e.OBS_BACK_OFFICE,
    cookieSecure: e.OBS_COOKIE_SECURE,
    trustProxy: e.OBS_TRUST_PROXY,
    log: {
      level: e.OBS_LOG_LEVEL ?? 'info',
      // a person at a terminal reads text; anything else (journald, Docker, a file) gets JSON
      format: e.OBS_LOG_FORMAT ?? (options.tty && e.NODE_ENV !== 'production' ? 'text' : 'json'),
      access: e.OBS_ACCESS_LOG
    },
    tileCacheBytes: e.OBS_TILE_CACHE_MB * 1024 * 1024,
    reloadIntervalMs: e.OBS_RELOAD_INTERVAL_MS,
    limits: {
      queryTimeoutMs: e.OBS_QUERY_TIMEOUT_MS,
      requestTimeoutMs: e.OBS_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: e.OBS_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: e.OBS_KEEPALIVE_TIMEOUT_MS,
      socketTimeoutMs: e.OBS_SOCKET_TIMEOUT_MS,
      heavyMax: e.OBS_HEAVY_MAX,
      shutdownTimeoutMs: e.OBS_SHUTDOWN_TIMEOUT_MS,
      readyTimeoutMs: e.OBS_READY_TIMEOUT_MS
    },
    metrics: metricsOn ? { enabled: true, token: e.OBS_METRICS_TOKEN } : { enabled: false },
    web: {
      origin: e.ORIGIN,
      siteUrl: e.PUBLIC_OBS_SITE_URL,
      basemapStyle: e.PUBLIC_OBS_BASEMAP_STYLE,
      chromium: e.OBS_CHROMIUM,
      internalOrigin: e.OBS_INTERNAL_ORIGIN
    }
  };
}

/** Every variable `loadConfig` reads, for the documentation test. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);
