import { describe, expect, it } from 'vitest';
import { duration, pollJob } from './jobs.ts';
import type { Job } from './types.ts';

const job = (state: Job['state'], log: string[] = []): Job => ({
  id: 'j1',
  kind: 'apercu',
  label: 'Aperçu de x 2022',
  target: 'b1',
  requestedBy: 'stat',
  state,
  queuedAt: '2026-12-06T10:00:00Z',
  startedAt: null,
  finishedAt: null,
  error: state === 'echec' ? 'ligne 4 : code inconnu' : null,
  log
});

describe('following a build', () => {
  it('reports every state until the build is over, without real waiting', async () => {
    const states = [job('en_cours', ['lecture']), job('en_cours', ['lecture', 'calcul']), job('termine', ['fin'])];
    const seen: string[] = [];
    const slept: number[] = [];
    const done = await pollJob(job('en_attente'), {
      get: async () => states.shift()!,
      onUpdate: (j) => seen.push(`${j.state}:${j.log.length}`),
      sleep: async (ms) => void slept.push(ms),
      intervalMs: 10
    });
    expect(done.state).toBe('termine');
    expect(seen).toEqual(['en_attente:0', 'en_cours:1', 'en_cours:2', 'termine:1']);
    expect(slept).toEqual([10, 10, 10]);
  });

  it('resolves with a failed build too: the page shows its error', async () => {
    const done = await pollJob(job('en_cours'), { get: async () => job('echec'), onUpdate: () => {}, sleep: async () => {} });
    expect(done.error).toBe('ligne 4 : code inconnu');
  });

  it('tolerates a few failed reads, not endless ones, and stops at once on a 401', async () => {
    let calls = 0;
    const flaky = async () => {
      calls++;
      if (calls < 3) throw new Error('réseau');
      return job('termine');
    };
    expect((await pollJob(job('en_cours'), { get: flaky, onUpdate: () => {}, sleep: async () => {}, maxFailures: 3 })).state).toBe('termine');

    const broken = async (): Promise<Job> => {
      throw new Error('réseau');
    };
    await expect(pollJob(job('en_cours'), { get: broken, onUpdate: () => {}, sleep: async () => {}, maxFailures: 2 })).rejects.toThrow('réseau');

    let reads = 0;
    const expired = async (): Promise<Job> => {
      reads++;
      throw Object.assign(new Error('Session expirée'), { status: 401 });
    };
    await expect(pollJob(job('en_cours'), { get: expired, onUpdate: () => {}, sleep: async () => {} })).rejects.toThrow('Session expirée');
    expect(reads).toBe(1);
  });

  it('stops when the page is left', async () => {
    const controller = new AbortController();
    const run = pollJob(job('en_cours'), {
      get: async () => job('en_cours'),
      onUpdate: () => {},
      sleep: async () => controller.abort(),
      signal: controller.signal
    });
    await expect(run).rejects.toThrow('Suivi interrompu');
  });

  it('says how long a build took', () => {
    expect(duration('2026-12-06T10:00:00Z', '2026-12-06T10:00:42Z')).toBe('42 s');
    expect(duration('2026-12-06T10:00:00Z', '2026-12-06T10:02:05Z')).toBe('2 min 05 s');
    expect(duration('2026-12-06T10:00:00Z', null, new Date('2026-12-06T10:01:00Z'))).toBe('1 min 00 s');
    expect(duration(null, null)).toBe('');
  });
});
