export interface LimitRule {
  /** Failures allowed inside the window; the next attempt is refused. */
  max: number;
  windowMs: number;
}

export interface LimiterOptions extends LimitRule {
  clock: () => Date;
  /** Keys remembered at most; the least recently failed is forgotten first. */
  maxKeys?: number;
}

export type LimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts failures per key in a sliding window, in memory. Each key keeps at most `max`
 * timestamps and the map at most `maxKeys` keys, so a flood of attempts under random
 * usernames or addresses costs bounded memory (it may evict older keys: the other
 * limiter — address or username — still applies).
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly max: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly clock: () => Date;

  constructor(options: LimiterOptions) {
    if (!(options.max >= 1) || !(options.windowMs > 0)) throw new Error('Limiteur : max ≥ 1 et fenêtre > 0 attendus.');
    this.max = options.max;
    this.windowMs = options.windowMs;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.clock = options.clock;
  }

  private recent(key: string, now: number): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const kept = times.filter((t) => t > now - this.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else if (kept.length !== times.length) this.failures.set(key, kept);
    return kept;
  }

  check(key: string): LimitVerdict {
    const now = this.clock().getTime();
    const times = this.recent(key, now);
    if (times.length < this.max) return { allowed: true };
    // The oldest failure still counted leaves the window first and frees one attempt.
    const oldest = times[times.length - this.max] as number;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000)) };
  }

  fail(key: string): void {
    const now = this.clock().getTime();
    const times = this.recent(key, now);
    times.push(now);
    // Re-inserting moves the key to the end of the map's order: eviction takes the stalest.
    this.failures.delete(key);
    this.failures.set(key, times.slice(-this.max));
    while (this.failures.size > this.maxKeys) {
      const stalest = this.failures.keys().next().value as string;
      this.failures.delete(stalest);
    }
  }

  /** Withdraws the latest failure of a key (an attempt counted in advance that succeeded). */
  forgive(key: string): void {
    const times = this.failures.get(key);
    if (!times) return;
    times.pop();
    if (times.length === 0) this.failures.delete(key);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  /** Keys currently remembered (for tests and monitoring). */
  get size(): number {
    return this.failures.size;
  }
}
