/**
 * Following a build the portal asked for (preview, publication…): poll `GET /api/admin/jobs/:id`
 * until it is over. A build takes from seconds to minutes; the page shows every state in between.
 */
import type { Job } from './types.ts';

export const isFinished = (job: Pick<Job, 'state'>): boolean => job.state === 'termine' || job.state === 'echec';

export interface PollOptions {
  /** Fetches the job's latest state. */
  get: (id: string) => Promise<Job>;
  onUpdate: (job: Job) => void;
  sleep?: (ms: number) => Promise<void>;
  intervalMs?: number;
  signal?: AbortSignal;
  /** How many failed reads in a row are tolerated (a server restarting, a dropped connection). */
  maxFailures?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves with the finished job; rejects after `maxFailures` failed reads in a row, or on abort. */
export async function pollJob(job: Job, options: PollOptions): Promise<Job> {
  const sleep = options.sleep ?? defaultSleep;
  const interval = options.intervalMs ?? 1500;
  const maxFailures = options.maxFailures ?? 5;
  let current = job;
  let failures = 0;
  options.onUpdate(current);
  while (!isFinished(current)) {
    await sleep(interval);
    if (options.signal?.aborted) throw new DOMException('Suivi interrompu', 'AbortError');
    try {
      current = await options.get(current.id);
      failures = 0;
      options.onUpdate(current);
    } catch (e) {
      // a 401 or 404 will not get better by waiting
      if ((e as { status?: number }).status === 401 || (e as { status?: number }).status === 404) throw e;
      failures++;
      if (failures >= maxFailures) throw e;
    }
  }
  return current;
}

/** « 2 min 05 s » between two instants, for a job's duration. */
export function duration(fromIso: string | null, toIso: string | null, now: Date = new Date()): string {
  if (!fromIso) return '';
  const from = new Date(fromIso).getTime();
  const to = toIso ? new Date(toIso).getTime() : now.getTime();
  const s = Math.max(0, Math.round((to - from) / 1000));
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
