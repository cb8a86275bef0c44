import { describe, expect, it } from 'vitest';
import { pinoLogger } from './logger.ts';
import { formatTextLine } from './text-format.ts';

const NOW = new Date('2026-11-23T15:00:00.000Z');

function capture(options: Parameters<typeof pinoLogger>[0] = {}) {
  const lines: string[] = [];
  const logger = pinoLogger({ clock: () => NOW, destination: { write: (l: string) => lines.push(l) }, ...options });
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, records };
}

describe('pinoLogger', () => {
  it('writes one JSON object per line with the level as a word and an ISO time', () => {
    const { logger, records, lines } = capture();
    logger.info('base : passage du build a au build b');
    logger.warn('cache presque plein');
    logger.error('rechargement de la base : disque plein');
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    expect(records().map((r) => [r.level, r.msg, r.time])).toEqual([
      ['info', 'base : passage du build a au build b', NOW.toISOString()],
      ['warn', 'cache presque plein', NOW.toISOString()],
      ['error', 'rechargement de la base : disque plein', NOW.toISOString()]
    ]);
    expect(records()[0]?.pid).toBe(process.pid);
  });

  it('drops what is below OBS_LOG_LEVEL', () => {
    const { logger, records } = capture({ level: 'warn' });
    logger.info('bavard');
    logger.warn('utile');
    expect(records().map((r) => r.msg)).toEqual(['utile']);
  });

  it('logs an error with its type, message and stack as fields', () => {
    const { logger, records } = capture();
    logger.failure('démarrage impossible', new TypeError('port occupé'));
    const [r] = records();
    expect(r?.msg).toBe('démarrage impossible');
    expect(r?.err).toMatchObject({ type: 'TypeError', message: 'port occupé', stack: expect.stringContaining('logger.test.ts') });
  });

  it('writes access records at info, and 5xx at error with the stack', () => {
    const { logger, records } = capture();
    const base = { method: 'GET', path: '/api/health', route: '/api/health', durationMs: 2.5, bytes: 812, build: 'b1' };
    logger.access({ ...base, status: 200 });
    logger.access({ ...base, status: 500, err: new Error('boum') });
    const [ok, ko] = records();
    expect(ok).toMatchObject({ level: 'info', type: 'acces', msg: 'GET /api/health 200', status: 200, durationMs: 2.5, bytes: 812, build: 'b1' });
    expect(ok).not.toHaveProperty('err');
    expect(ko).toMatchObject({ level: 'error', status: 500, err: { message: 'boum', stack: expect.stringContaining('Error: boum') } });
  });

  it('turns each line into readable text with OBS_LOG_FORMAT=text', () => {
    const { logger, lines } = capture({ format: 'text' });
    logger.warn('cache presque plein');
    logger.access({ method: 'GET', path: '/api/levels', query: 'x=1', route: '/api/levels', status: 200, durationMs: 12.34, bytes: 900, build: 'b1' });
    logger.failure('échec', new Error('boum'));
    expect(lines[0]).toBe('2026-11-23 15:00:00.000 attention cache presque plein\n');
    expect(lines[1]).toBe('2026-11-23 15:00:00.000 info      GET /api/levels?x=1 → 200 en 12,3 ms, 900 o  route=/api/levels build=b1\n');
    expect(lines[2]).toMatch(/^2026-11-23 15:00:00.000 erreur {4}échec\n {4}Error: boum\n {8}at /);
  });
});

describe('formatTextLine', () => {
  it('passes a line that is not JSON through unchanged', () => {
    expect(formatTextLine('pas du json')).toBe('pas du json\n');
  });

  it('quotes values holding spaces so fields stay apart', () => {
    expect(formatTextLine('{"level":"info","time":"2026-11-23T15:00:00.000Z","msg":"ok","url":"http://a b"}')).toBe(
      '2026-11-23 15:00:00.000 info      ok  url="http://a b"\n'
    );
  });
});
