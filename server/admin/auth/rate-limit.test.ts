import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './rate-limit.ts';

const MINUTE = 60_000;

function limiter(max = 5, windowMs = 15 * MINUTE, maxKeys?: number) {
  let now = Date.parse('2026-11-23T15:00:00Z');
  const l = new FailureLimiter({ max, windowMs, clock: () => new Date(now), ...(maxKeys ? { maxKeys } : {}) });
  return { l, advance: (ms: number) => (now += ms) };
}

describe('FailureLimiter', () => {
  it('allows max failures, refuses the next attempt until the oldest failure leaves the window', () => {
    const { l, advance } = limiter();
    for (let i = 0; i < 5; i++) {
      expect(l.check('alice')).toEqual({ allowed: true });
      l.fail('alice');
      advance(MINUTE);
    }
    expect(l.check('alice')).toEqual({ allowed: false, retryAfterSeconds: 10 * 60 });
    advance(10 * MINUTE - 1);
    expect(l.check('alice').allowed).toBe(false);
    advance(1);
    expect(l.check('alice')).toEqual({ allowed: true });
    // One attempt freed, not five: the next failure blocks again.
    l.fail('alice');
    expect(l.check('alice').allowed).toBe(false);
  });

  it('keeps keys apart and forgets a key on reset', () => {
    const { l } = limiter(2);
    l.fail('alice');
    l.fail('alice');
    expect(l.check('alice').allowed).toBe(false);
    expect(l.check('bob').allowed).toBe(true);
    l.reset('alice');
    expect(l.check('alice').allowed).toBe(true);
  });

  it('bounds memory: at most maxKeys keys, the stalest forgotten first', () => {
    const { l, advance } = limiter(1, 15 * MINUTE, 100);
    l.fail('ancien');
    for (let i = 0; i < 1000; i++) {
      advance(1);
      l.fail(`k${i}`);
    }
    expect(l.size).toBe(100);
    expect(l.check('ancien').allowed).toBe(true);
    expect(l.check('k999').allowed).toBe(false);
  });

  it('drops failures older than the window', () => {
    const { l, advance } = limiter(2);
    l.fail('x');
    advance(15 * MINUTE);
    l.fail('x');
    expect(l.check('x').allowed).toBe(true);
  });

  it('forgives the latest failure only', () => {
    const { l } = limiter(2);
    l.fail('x');
    l.fail('x');
    l.forgive('x');
    expect(l.check('x').allowed).toBe(true);
    l.fail('x');
    expect(l.check('x').allowed).toBe(false);
  });
});
