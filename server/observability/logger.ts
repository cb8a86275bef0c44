import { type Logger as PinoLogger, pino } from 'pino';
import type { Logger } from '../../etl/core/logger.ts';
import type { LogFormat, LogLevel } from '../config.ts';
import { formatTextLine } from './text-format.ts';

/** One line of the access log (see `access.ts`): never a cookie, a header, a token or a body. */
export interface AccessRecord {
  method: string;
  /** The path as sent, without its query string. */
  path: string;
  /** The query string with sensitive values masked, when there is one. */
  query?: string;
  /** The route pattern (`/api/territories/{level}/{code}`, `web`…), bounded like the metrics labels. */
  route: string;
  status: number;
  durationMs: number;
  /** Bytes written on the connection for this answer, headers included (nginx's `bytes_sent`). */
  bytes: number;
  /** The build that answered (`X-Observatoire-Build`), else the build in service. */
  build: string;
  /** `X-Request-Id` from the reverse proxy, when it is well formed. */
  requestId?: string;
  /** The client went away before the answer was complete. */
  aborted?: boolean;
  /** The error behind a 5xx, with its stack. */
  err?: Error;
}

export type AccessSink = (record: AccessRecord) => void;

/** The project's `Logger`, plus what a long-running server needs. */
export interface ServerLogger extends Logger {
  access: AccessSink;
  /** An error with its stack as structured fields (`err.type`, `err.message`, `err.stack`). */
  failure(message: string, error: unknown): void;
  /** Writes what is still buffered; call before `process.exit`. */
  flush(): void;
  readonly pino: PinoLogger;
}

export interface PinoLoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go; standard output (asynchronous, flushed on exit) by default. */
  destination?: { write(line: string): unknown };
  clock?: () => Date;
}

/**
 * A pino logger behind the project's `Logger` interface, so the ETL, the app and the back
 * office log through it unchanged. JSON lines by default (one object per line, `level` as a
 * word, ISO `time`); `text` turns each into one readable line for a terminal.
 */
export function pinoLogger(options: PinoLoggerOptions = {}): ServerLogger {
  const format = options.format ?? 'json';
  const clock = options.clock ?? (() => new Date());
  const stdout = options.destination ? null : pino.destination({ dest: 1, sync: false });
  const sink = options.destination ?? (stdout as NonNullable<typeof stdout>);
  const destination = format === 'text' ? { write: (line: string) => sink.write(formatTextLine(line)) } : sink;
  const log = pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      timestamp: () => `,"time":"${clock().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err }
    },
    destination
  );
  return {
    pino: log,
    info: (message) => log.info(message),
    warn: (message) => log.warn(message),
    error: (message) => log.error(message),
    failure(message, error) {
      log.error({ err: error instanceof Error ? error : new Error(String(error)) }, message);
    },
    access(record) {
      const { err, ...fields } = record;
      const line = `${record.method} ${record.path} ${record.status}`;
      if (record.status >= 500) log.error({ type: 'acces', ...fields, ...(err ? { err } : {}) }, line);
      else log.info({ type: 'acces', ...fields }, line);
    },
    flush() {
      try {
        stdout?.flushSync();
      } catch {
        // nothing buffered yet, or stdout already closed: nothing more can be written anyway
      }
    }
  };
}
