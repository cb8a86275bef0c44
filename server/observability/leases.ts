import type { Db, Lease } from '../db.ts';

/**
 * The same Db, counting the leases it hands out (the `observatoire_db_open_leases` gauge).
 * A proxy rather than a copy, so whatever else `Db` offers passes through unchanged.
 */
export function countingLeases(db: Db): { db: Db; open(): number } {
  let open = 0;
  const acquire = (): Lease => {
    const lease = db.acquire();
    open++;
    let released = false;
    return {
      build: lease.build,
      release() {
        if (released) return;
        released = true;
        open--;
        lease.release();
      }
    };
  };
  const counted = new Proxy(db, {
    get: (target, property, receiver) => (property === 'acquire' ? acquire : Reflect.get(target, property, receiver))
  });
  return { db: counted, open: () => open };
}
