/**
 * How a download tells the user where it is. The downloader only reports byte
 * counts; the reporter decides how to show them, so tests stay silent and CI
 * logs stay readable (a redrawn bar in a log file is a wall of control codes).
 */
import cliProgress from 'cli-progress';
import { consoleLogger, type Logger } from '../core/logger.ts';

export interface ProgressTask {
  /** Bytes of the file present so far, including those kept from an interrupted attempt. */
  update(transferred: number): void;
  /** Ends the display; `ok` is false when the attempt failed (a retry starts a new task). */
  stop(ok: boolean): void;
}

export interface ProgressReporter {
  /**
   * @param label what is downloaded (the source id)
   * @param total expected size in bytes, `undefined` when the server does not say
   * @param initial bytes already present (resumed `.part`)
   */
  start(label: string, total: number | undefined, initial: number): ProgressTask;
}

const noop = (): void => undefined;

/** Shows nothing: for tests and for callers that log on their own. */
export const silentProgress: ProgressReporter = {
  start: () => ({ update: noop, stop: noop })
};

const numberFr = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1, minimumFractionDigits: 0 });

/** `1536` → `1,5 ko`. French units (octets), as everything the user reads. */
export function formatBytes(bytes: number): string {
  const units = ['o', 'ko', 'Mo', 'Go', 'To'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${numberFr.format(value)} ${units[unit]}`;
}

export interface TerminalProgressOptions {
  /** Where the bar is drawn. Default `process.stderr`, so stdout stays clean for piping. */
  stream?: NodeJS.WriteStream;
  /** Forces bar (true) or log lines (false); default: whether `stream` is a TTY. */
  isTTY?: boolean;
  /** Receives the periodic lines when not a TTY. Default: the console logger. */
  logger?: Logger;
  /** Minimum time between two log lines when not a TTY (ms). Default 10 s. */
  intervalMs?: number;
  /** Milliseconds clock, for speed computation; injectable for tests. */
  now?: () => number;
}

/** A bar with bytes/total/speed on a terminal, plain periodic log lines otherwise (CI). */
export function terminalProgress(opts: TerminalProgressOptions = {}): ProgressReporter {
  const stream = opts.stream ?? process.stderr;
  const tty = opts.isTTY ?? stream.isTTY === true;
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 10_000;
  return {
    start(label, total, initial) {
      const startedAt = now();
      const speed = (n: number): string => {
        const seconds = (now() - startedAt) / 1000;
        return seconds > 0 ? `${formatBytes((n - initial) / seconds)}/s` : '…';
      };
      return tty
        ? barTask(stream, label, total, initial, speed)
        : lineTask(opts.logger ?? consoleLogger, label, total, initial, speed, now, interval);
    }
  };
}

function barTask(
  stream: NodeJS.WriteStream,
  label: string,
  total: number | undefined,
  initial: number,
  speed: (n: number) => string
): ProgressTask {
  // Without a known total a bar would lie; show the running count instead.
  const format =
    total !== undefined
      ? '{label} [{bar}] {percentage} % | {done} / {size} | {speed}'
      : '{label} {done} | {speed}';
  const bar = new cliProgress.SingleBar(
    { stream, format, hideCursor: true, barsize: 30, fps: 5, gracefulExit: true },
    cliProgress.Presets.shades_classic
  );
  const size = total !== undefined ? formatBytes(total) : '?';
  bar.start(total ?? 0, initial, { label, done: formatBytes(initial), size, speed: '…' });
  return {
    update(n) {
      bar.update(n, { done: formatBytes(n), speed: speed(n) });
    },
    stop() {
      bar.stop();
    }
  };
}

function lineTask(
  logger: Logger,
  label: string,
  total: number | undefined,
  initial: number,
  speed: (n: number) => string,
  now: () => number,
  interval: number
): ProgressTask {
  const describe = (n: number): string => {
    const pct = total ? ` (${Math.floor((n / total) * 100)} %)` : '';
    return `${formatBytes(n)}${total !== undefined ? ` / ${formatBytes(total)}` : ''}${pct}`;
  };
  const resumed = initial > 0 ? `, reprise à ${formatBytes(initial)}` : '';
  logger.info(`téléchargement de ${label} (${total !== undefined ? formatBytes(total) : 'taille inconnue'}${resumed})`);
  let lastLine = now();
  let last = initial;
  return {
    update(n) {
      last = n;
      if (now() - lastLine >= interval) {
        lastLine = now();
        logger.info(`${label} : ${describe(n)} — ${speed(n)}`);
      }
    },
    stop(ok) {
      if (ok) logger.info(`${label} : terminé, ${formatBytes(last)}`);
    }
  };
}
