import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../core/logger.ts';
import { runBuild } from '../pipeline.ts';
import { BUILD_LOCK_NAME, acquireBuildLock, buildStore, prepareStore } from './store.ts';

const dirs: string[] = [];
function store() {
  const dir = mkdtempSync(join(tmpdir(), 'obs-lock-'));
  dirs.push(dir);
  const s = buildStore(dir);
  prepareStore(s);
  return s;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('one build at a time per data dir', () => {
  it('refuses a second build while the first holds the lock, naming its process', () => {
    const s = store();
    const release = acquireBuildLock(s);
    expect(() => acquireBuildLock(s)).toThrow(new RegExp(`déjà en cours.*processus ${process.pid}`));
    release();
    acquireBuildLock(s)();
  });

  it('refuses a whole build while another process builds, and leaves its files alone', async () => {
    const s = store();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(s.buildsDir, BUILD_LOCK_NAME), JSON.stringify({ pid: other.pid, started: '2026-12-06T10:00:00Z' }));
      writeFileSync(join(s.buildsDir, 'autre.duckdb.partial'), 'en cours');
      await expect(runBuild({ dataDir: s.dataDir, logger: memoryLogger(), offline: true })).rejects.toThrow(/déjà en cours/);
      expect(existsSync(join(s.buildsDir, 'autre.duckdb.partial'))).toBe(true);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over the lock of a build that was killed', async () => {
    const s = store();
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.once('exit', resolve));
    writeFileSync(join(s.buildsDir, BUILD_LOCK_NAME), JSON.stringify({ pid: dead.pid, started: '2026-12-06T10:00:00Z' }));
    const release = acquireBuildLock(s);
    expect(() => acquireBuildLock(s)).toThrow(/déjà en cours/);
    release();
    // a lock cut short by the kill (unreadable) is taken over too
    writeFileSync(join(s.buildsDir, BUILD_LOCK_NAME), '{"pid":');
    acquireBuildLock(s)();
  });
});
