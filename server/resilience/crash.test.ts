/**
 * `kill -9` of the real ETL at 20 seeded moments of its run. A first complete build gives
 * the run's duration and its timeline; 18 kills are spread over it (one at a random point of
 * each twentieth but the last two), 2 aim at the end of the run — checkpoint, rename, link
 * swap — timed from the start of its validation step. After each kill, a server started on the data dir must serve
 * the build the link designates — the previous good one, or the one just finished when the
 * kill came after the swap — with the right figures and without falling back; leftovers are
 * only those the next build removes. Finally a normal build succeeds, leaves nothing behind
 * and is served.
 */
import { readdirSync, realpathSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { memoryLogger } from '../../etl/core/logger.ts';
import { BUILD_LOCK_NAME, buildStore, currentBuildPath, isLeftover } from '../../etl/build/store.ts';
import { mirrorDir } from '../../etl/testing/mirror.ts';
import { dataDirWithBuild } from '../../etl/testing/temp-mirror.ts';
import { testDbPath } from '../../etl/testing/test-db.ts';
import { startServer } from '../serve.ts';
import { type EtlExit, type EtlRun, spawnEtl } from '../testing/etl-process.ts';
import { type KnownValue, knownValue, valueOf } from '../testing/known-value.ts';
import { seededRandom } from '../testing/random.ts';

const withGlobalSetup = Boolean(inject('testDataDir'));

const KILLS = 20;
const AT_SWAP = 2;
const SEED = 0x930066;

/** What a finished build file is named; everything else in builds/ is a leftover. */
const FINISHED = /\.duckdb$/;

const buildIdOf = (file: string) => basename(file).replace(/\.duckdb$/, '');

function finishedBuilds(buildsDir: string): string[] {
  return readdirSync(buildsDir).filter((f) => FINISHED.test(f));
}

/** A server on the data dir, as after a restart: it must serve `expected` (no fallback) with the known figure. */
async function expectServes(dataDir: string, expected: string, known: KnownValue): Promise<void> {
  const logger = memoryLogger();
  const running = await startServer({ dbPath: join(dataDir, 'observatoire.duckdb'), port: 0, hostname: '127.0.0.1', logger, reloadIntervalMs: 0, admin: false });
  try {
    const health = (await (await fetch(`${running.url}/api/health`)).json()) as { build: { id: string } };
    expect(health.build.id).toBe(expected);
    const values = await fetch(`${running.url}/api/indicators/${known.indicator}/values?level=commune&year=${known.year}`);
    expect(values.status).toBe(200);
    expect(valueOf(await values.json(), known.code)).toBe(known.value);
    expect(logger.lines.filter((l) => l.startsWith('error'))).toEqual([]);
  } finally {
    await running.close();
  }
}

interface Kill {
  atMs: number;
  killed: boolean;
  step: string;
  leftovers: string[];
  served: string;
}

function stepAt(run: EtlRun, atMs: number): string {
  return run.steps.filter((s) => s.atMs <= atMs).at(-1)?.name.replace(/ \d{8}T\d{6}Z-[0-9a-f]{6}$/, '') ?? 'démarrage';
}

describe.skipIf(!withGlobalSetup)('kill -9 of the ETL at any moment', () => {
  it('always leaves a data dir whose server answers from a good build, and the next build succeeds', { timeout: 1_800_000 }, async () => {
    const { dataDir } = dataDirWithBuild(testDbPath());
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const store = buildStore(dataDir);
    const known = await knownValue(realpathSync(store.currentLink));
    const etl = (onStep?: Parameters<typeof spawnEtl>[0]['onStep']) => spawnEtl({ dataDir, mirror: mirrorDir(), ...(onStep ? { onStep } : {}) });

    const calibration = etl();
    const first = await calibration.done;
    expect(first.code, calibration.output().slice(-3000)).toBe(0);
    const stepStart = (name: string) => calibration.steps.find((s) => s.name === name)?.atMs;
    // from the start of the validation to the swap: validation, checkpoint, close, fsync, renames
    const toSwapMs = (stepStart('mise en service') ?? first.durationMs) - (stepStart('validation') ?? 0);
    let good = buildIdOf(currentBuildPath(store) as string);
    expect(good).toBe(calibration.buildId());
    await expectServes(dataDir, good, known);

    // a run that ends before its kill (the first one ran on a busier machine) shortens the estimate
    let expectedMs = first.durationMs;
    const random = seededRandom(SEED);
    const kills: Kill[] = [];
    for (let i = 0; i < KILLS; i++) {
      const before = new Set(finishedBuilds(store.buildsDir));
      const atSwap = i >= KILLS - AT_SWAP;
      const delayMs = atSwap ? Math.max(0, toSwapMs - 150 + random() * 200) : ((i + random()) / KILLS) * expectedMs;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const atSwapStep = (step: { name: string }) => {
        if (step.name === 'validation') timer = setTimeout(() => run.kill(), delayMs);
      };
      const run = etl(atSwap ? atSwapStep : undefined);
      if (!atSwap) timer = setTimeout(() => run.kill(), delayMs);
      const exit: EtlExit = await run.done;
      clearTimeout(timer);
      const killed = exit.signal === 'SIGKILL';
      if (!killed) {
        expect(exit.code, run.output().slice(-3000)).toBe(0);
        expectedMs = Math.min(expectedMs, exit.durationMs);
      }

      // the link designates a finished build: the previous good one, or one this run finished
      const current = currentBuildPath(store);
      expect(current).not.toBeNull();
      const served = buildIdOf(current as string);
      const finishedNow = finishedBuilds(store.buildsDir).filter((f) => !before.has(f)).map(buildIdOf);
      expect([good, ...finishedNow]).toContain(served);
      const leftovers = readdirSync(store.buildsDir).filter((f) => !FINISHED.test(f));
      // the killed build's lock names a dead process: the next build takes it over
      expect(leftovers.filter((f) => !isLeftover(f) && f !== BUILD_LOCK_NAME)).toEqual([]);

      await expectServes(dataDir, served, known);
      const killedAt = atSwap ? (run.steps.find((s) => s.name === 'validation')?.atMs ?? 0) + delayMs : delayMs;
      kills.push({ atMs: killedAt, killed, step: killed ? stepAt(run, killedAt) : 'terminée avant', leftovers, served });
      good = served;
    }

    const final = etl();
    const last = await final.done;
    expect(last.code, final.output().slice(-3000)).toBe(0);
    const finalId = final.buildId() as string;
    expect(buildIdOf(currentBuildPath(store) as string)).toBe(finalId);
    expect(readdirSync(store.buildsDir).filter((f) => !FINISHED.test(f))).toEqual([]);
    // the 3 most recent builds are kept, plus the current one
    expect(finishedBuilds(store.buildsDir).length).toBeLessThanOrEqual(4);
    await expectServes(dataDir, finalId, known);

    console.info(
      [
        `ETL complet : ${(first.durationMs / 1000).toFixed(1)} s ; ${kills.filter((k) => k.killed).length}/${KILLS} interrompus par kill -9`,
        ...kills.map(
          (k, i) =>
            `${String(i + 1).padStart(2)}. ${(k.atMs / 1000).toFixed(2).padStart(6)} s  ${k.step.padEnd(42)} restes : ${k.leftovers.join(', ') || '—'}  servi : ${k.served}`
        )
      ].join('\n')
    );
    // most moments fall inside the run (a run faster than the first one may finish before its kill)
    expect(kills.filter((k) => k.killed).length).toBeGreaterThanOrEqual(KILLS / 2);
  });
});
