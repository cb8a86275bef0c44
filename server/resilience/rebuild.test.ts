/**
 * A rebuild while the portal serves: the real server in its own process on a data dir
 * seeded with one build, client loops requesting throughout, and the real ETL
 * (`etl/cli.ts build`) building a new database and swapping it in. No request fails, the
 * switch happens once and for good, a request that holds the old build finishes on it and
 * the old file is closed after it, tile ETags change and the old versioned tile URLs redirect.
 */
import { realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mirrorDir } from '../../etl/testing/mirror.ts';
import { dataDirWithBuild } from '../../etl/testing/temp-mirror.ts';
import { testDbPath } from '../../etl/testing/test-db.ts';
import { spawnEtl } from '../testing/etl-process.ts';
import { knownValue, valueOf } from '../testing/known-value.ts';
import { openFiles } from '../testing/proc.ts';
import { type ServerProcess, spawnServer } from '../testing/server-process.ts';

const withGlobalSetup = Boolean(inject('testDataDir'));

const TILE = 'commune/12/2075/1408.pbf';

interface Answer {
  loop: number;
  path: string;
  startedAt: number;
  endedAt: number;
  status: number;
  build: string | null;
  problem: string | null;
}

/** Requests one after the other until `stop()`: health, values checked against the known figure, a versioned tile of the build last seen. */
async function clientLoop(loop: number, origin: string, known: Awaited<ReturnType<typeof knownValue>>, stop: () => boolean, answers: Answer[]): Promise<void> {
  let build: string | null = null;
  for (let i = 0; !stop(); i++) {
    const kind = (i + loop) % 3;
    const path: string =
      kind === 0 ? '/api/health' : kind === 1 ? `/api/indicators/${known.indicator}/values?level=commune&year=${known.year}` : `/tiles/${build ?? 'inconnu'}/${TILE}`;
    const startedAt = performance.now();
    let answer: Omit<Answer, 'endedAt'>;
    try {
      const res: Response = await fetch(`${origin}${path}`);
      const body = Buffer.from(await res.arrayBuffer());
      const served: string | null = res.headers.get('x-observatoire-build');
      let problem = res.status >= 200 && res.status < 300 ? null : `statut ${res.status} : ${body.toString('utf8').slice(0, 200)}`;
      if (!problem && kind === 1) {
        const value = valueOf(JSON.parse(body.toString('utf8')), known.code);
        if (value !== known.value) problem = `valeur ${value} au lieu de ${known.value}`;
      }
      answer = { loop, path, startedAt, status: res.status, build: served, problem };
      if (served) build = served;
    } catch (e) {
      answer = { loop, path, startedAt, status: 0, build: null, problem: String(e) };
    }
    answers.push({ ...answer, endedAt: performance.now() });
  }
}

async function until<T>(what: string, probe: () => Promise<T | null> | T | null, deadlineMs: number): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const found = await probe();
    if (found !== null) return found;
    if (Date.now() > end) throw new Error(`${what} : toujours pas au bout de ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function healthBuild(origin: string): Promise<string> {
  return ((await (await fetch(`${origin}/api/health`)).json()) as { build: { id: string } }).build.id;
}

describe.skipIf(!withGlobalSetup)('a rebuild while the portal serves', () => {
  let server: ServerProcess;
  let dataDir: string;
  let oldFile: string;

  beforeAll(async () => {
    const seeded = dataDirWithBuild(testDbPath());
    dataDir = seeded.dataDir;
    oldFile = realpathSync(seeded.buildFile);
    server = await spawnServer({ dbPath: join(dataDir, 'observatoire.duckdb'), reloadIntervalMs: 200, admin: false });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps answering through the build and the swap, and lets a request that holds the old build finish on it', { timeout: 300_000 }, async () => {
    const oldBuild = server.build;
    const known = await knownValue(oldFile);
    const tileBefore = await fetch(`${server.url}/tiles/${TILE}`);
    await tileBefore.arrayBuffer();
    expect(tileBefore.status).toBe(200);

    // a slow request: it takes its lease now and answers only when released
    const held = await fetch(`${server.url}/__essai/bail/lent`);
    expect(held.headers.get('x-observatoire-build')).toBe(oldBuild);

    const answers: Answer[] = [];
    let stopping = false;
    const loops = [0, 1, 2, 3].map((i) => clientLoop(i, server.url, known, () => stopping, answers));

    const etlStarted = performance.now();
    const etl = spawnEtl({ dataDir, mirror: mirrorDir() });
    const exit = await etl.done;
    expect(exit.code, etl.output().slice(-3000)).toBe(0);
    const newBuild = etl.buildId();
    expect(newBuild).not.toBeNull();
    expect(newBuild).not.toBe(oldBuild);
    await until('bascule vers le nouveau build', async () => ((await healthBuild(server.url)) === newBuild ? true : null), 60_000);
    const newFile = realpathSync(join(dataDir, 'observatoire.duckdb'));

    // the old build stays open while a request holds it, and that request still reads it
    expect(openFiles(server.pid)).toContain(oldFile);
    expect(openFiles(server.pid)).toContain(newFile);
    const release = await (await fetch(`${server.url}/__essai/rendre/lent`)).json();
    expect(release).toEqual({ build: oldBuild, queried: oldBuild });
    expect(JSON.parse(await held.text())).toEqual({ build: oldBuild, queried: oldBuild });
    await until('fermeture de l’ancien fichier', () => (openFiles(server.pid).includes(oldFile) ? null : true), 10_000);
    expect(openFiles(server.pid)).toContain(newFile);

    // a few more rounds on the new build, then stop the clients
    const switchedAt = performance.now();
    await until('requêtes sur le nouveau build', () => (answers.filter((a) => a.startedAt > switchedAt && a.build === newBuild).length >= 12 ? true : null), 60_000);
    stopping = true;
    await Promise.all(loops);

    // tiles: a new ETag with the new build; the old build's immutable URL redirects to the new one
    const tileAfter = await fetch(`${server.url}/tiles/${TILE}`);
    await tileAfter.arrayBuffer();
    expect(tileAfter.headers.get('etag')).toMatch(new RegExp(`^"${newBuild}-`));
    expect(tileBefore.headers.get('etag')).toMatch(new RegExp(`^"${oldBuild}-`));
    const stale = await fetch(`${server.url}/tiles/${oldBuild}/${TILE}`, { redirect: 'manual' });
    expect(stale.status).toBe(302);
    expect(stale.headers.get('location')).toBe(`/tiles/${newBuild}/${TILE}`);

    const problems = answers.filter((a) => a.problem !== null);
    const during = answers.filter((a) => a.startedAt > etlStarted && a.endedAt < switchedAt);
    const gaps = answers
      .map((a) => a.endedAt)
      .sort((a, b) => a - b)
      .map((t, i, all) => (i === 0 ? 0 : t - (all[i - 1] as number)));
    console.info(
      `reconstruction : ${answers.length} requêtes (${during.length} pendant l'ETL, ${(exit.durationMs / 1000).toFixed(1)} s), ` +
        `${problems.length} en échec, plus long intervalle sans réponse ${Math.max(...gaps).toFixed(0)} ms`
    );
    expect(problems.map((p) => `${p.path} : ${p.problem}`)).toEqual([]);
    expect(during.length).toBeGreaterThan(0);
    // every answer names one of the two builds, and once the new one has answered, no request started later gets the old one
    expect(new Set(answers.map((a) => a.build))).toEqual(new Set([oldBuild, newBuild]));
    const firstNew = Math.min(...answers.filter((a) => a.build === newBuild).map((a) => a.endedAt));
    expect(answers.filter((a) => a.startedAt > firstNew && a.build !== newBuild)).toEqual([]);
  });
});
