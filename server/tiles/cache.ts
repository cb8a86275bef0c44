/** Bytes charged per entry on top of its payload (key, map slot, object). */
const ENTRY_OVERHEAD = 96;

export interface CacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  hits: number;
  misses: number;
}

/** A least-recently-used cache bounded by the bytes of its values, not their number. */
export class ByteLruCache<V> {
  readonly maxBytes: number;
  private readonly sizeOf: (value: V) => number;
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(maxBytes: number, sizeOf: (value: V) => number) {
    this.maxBytes = maxBytes;
    this.sizeOf = sizeOf;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // re-insert: Map iteration order is insertion order, so the first key is the least recent
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** `get` for a caller with a slower path of its own: a hit counts, a miss does not (the slower path will). */
  peekHit(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    const bytes = this.sizeOf(value) + key.length * 2 + ENTRY_OVERHEAD;
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  /** Drops every entry whose key does not start with `prefix` (tiles of a previous build). */
  retainPrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (!key.startsWith(prefix)) this.delete(key);
  }

  stats(): CacheStats {
    return { entries: this.entries.size, bytes: this.bytes, maxBytes: this.maxBytes, hits: this.hits, misses: this.misses };
  }
}
