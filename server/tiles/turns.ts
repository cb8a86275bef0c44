/**
 * Runs CPU-bound jobs (cutting and gzipping a tile) one per turn of the event loop.
 *
 * Node answers every request on one thread. Under a burst of uncached tiles, the poll phase
 * would run dozens of renders back to back before the next DuckDB result is handled, and an
 * API request that awaits the database several times (a portrait) would wait behind each
 * burst: seconds at 200 connections. Queued here, renders run from `setImmediate`, one per
 * turn, so every turn first handles the pending I/O (database results, cached tiles, new
 * requests), and an await costs at most one render.
 */
export class TurnQueue {
  private readonly queue: (() => void)[] = [];
  private scheduled = false;

  run<T>(job: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push(() => {
        try {
          resolve(job());
        } catch (e) {
          reject(e as Error);
        }
      });
      this.schedule();
    });
  }

  /** Jobs waiting for their turn. */
  get pending(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.queue.shift()?.();
      this.schedule();
    });
  }
}
