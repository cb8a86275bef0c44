import { describe, expect, it } from 'vitest';
import { TurnQueue } from './turns.ts';

describe('TurnQueue', () => {
  it('runs jobs in order, one per event-loop turn, letting I/O callbacks in between', async () => {
    const q = new TurnQueue();
    const order: string[] = [];
    const jobs = [1, 2, 3].map((n) => q.run(() => (order.push(`job ${n}`), n * 10)));
    // An I/O-like callback queued after the jobs still runs before the second job.
    setImmediate(() => order.push('i/o'));
    expect(q.pending).toBe(3);
    expect(await Promise.all(jobs)).toEqual([10, 20, 30]);
    expect(order.indexOf('i/o')).toBeLessThan(order.indexOf('job 2'));
    expect(order.filter((o) => o.startsWith('job'))).toEqual(['job 1', 'job 2', 'job 3']);
  });

  it('rejects the job that throws and goes on with the next', async () => {
    const q = new TurnQueue();
    const failing = q.run(() => {
      throw new Error('tuile illisible');
    });
    const next = q.run(() => 'suivante');
    await expect(failing).rejects.toThrow('tuile illisible');
    await expect(next).resolves.toBe('suivante');
  });
});
