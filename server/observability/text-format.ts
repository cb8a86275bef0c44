/**
 * `OBS_LOG_FORMAT=text`: each JSON line of pino as one line for a person at a terminal.
 * A few lines of code rather than pino-pretty (and its dozen dependencies) for a format
 * nobody parses.
 */

const LEVELS: Record<string, string> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'attention',
  error: 'erreur',
  fatal: 'fatal'
};

/** Fields shown in the line itself, or not worth repeating. */
const CONSUMED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'type', 'err', 'method', 'path', 'query', 'status', 'durationMs', 'bytes']);

function scalar(value: unknown): string {
  if (typeof value === 'string') return /[\s="]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

function duration(ms: number): string {
  return `${ms.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} ms`;
}

export function formatTextLine(line: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const time = typeof o.time === 'string' ? o.time.replace('T', ' ').replace(/Z$/, '') : '';
  const level = (LEVELS[String(o.level)] ?? String(o.level)).padEnd(9);
  let text: string;
  if (o.type === 'acces') {
    const target = typeof o.query === 'string' ? `${String(o.path)}?${o.query}` : String(o.path);
    text = `${String(o.method)} ${target} → ${String(o.status)} en ${duration(Number(o.durationMs))}, ${String(o.bytes)} o`;
  } else {
    text = String(o.msg ?? '');
  }
  const extras = Object.entries(o)
    .filter(([k]) => !CONSUMED.has(k))
    .map(([k, v]) => `${k}=${scalar(v)}`);
  let out = `${time} ${level} ${text}${extras.length ? `  ${extras.join(' ')}` : ''}\n`;
  const err = o.err as { type?: string; message?: string; stack?: string } | undefined;
  if (err) out += `${(err.stack ?? `${err.type ?? 'Error'}: ${err.message ?? ''}`).replace(/^/gm, '    ')}\n`;
  return out;
}
