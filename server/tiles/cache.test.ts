import { describe, expect, it } from 'vitest';
import { ByteLruCache } from './cache.ts';

describe('ByteLruCache', () => {
  it('evicts the least recently used entries once over its byte bound', () => {
    const size = (v: Uint8Array) => v.byteLength;
    const cache = new ByteLruCache<Uint8Array>(3 * (1000 + 96 + 2), size);
    cache.set('a', new Uint8Array(1000));
    cache.set('b', new Uint8Array(1000));
    cache.set('c', new Uint8Array(1000));
    expect(cache.get('a')).toBeDefined(); // a is now the most recent
    cache.set('d', new Uint8Array(1000));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.get('d')).toBeDefined();
    expect(cache.stats().bytes).toBeLessThanOrEqual(cache.maxBytes);
    expect(cache.stats().entries).toBe(3);
  });

  it('never holds a value larger than its bound', () => {
    const cache = new ByteLruCache<Uint8Array>(500, (v) => v.byteLength);
    cache.set('big', new Uint8Array(1000));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.stats().bytes).toBe(0);
  });

  it('replaces a key without counting it twice, and drops other prefixes', () => {
    const cache = new ByteLruCache<Uint8Array>(10_000, (v) => v.byteLength);
    cache.set('b1|x', new Uint8Array(100));
    cache.set('b1|x', new Uint8Array(200));
    cache.set('b2|y', new Uint8Array(100));
    expect(cache.stats().entries).toBe(2);
    cache.retainPrefix('b2|');
    expect(cache.get('b1|x')).toBeUndefined();
    expect(cache.get('b2|y')).toBeDefined();
    expect(cache.stats().bytes).toBe(100 + 4 * 2 + 96);
  });

  it('peekHit counts a hit and refreshes the entry, but leaves a miss to the slower path', () => {
    const cache = new ByteLruCache<Uint8Array>(2 * (1000 + 96 + 2), (v) => v.byteLength);
    cache.set('a', new Uint8Array(1000));
    cache.set('b', new Uint8Array(1000));
    expect(cache.peekHit('a')).toBeDefined();
    expect(cache.peekHit('z')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 0 });
    cache.set('c', new Uint8Array(1000)); // evicts b, the least recent now
    expect(cache.peekHit('b')).toBeUndefined();
    expect(cache.peekHit('a')).toBeDefined();
  });
});
