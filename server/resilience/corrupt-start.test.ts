/**
 * A damaged database at startup: `data/observatoire.duckdb` pointing to a truncated file, to
 * random bytes, or to nothing. The server says so in French, naming the file, and serves the
 * newest earlier build of `data/builds/` that passes its checks; with none, it refuses to
 * start with that message (the command line exits 1). A damaged build met at reload time is
 * reported once and the current build keeps serving.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../etl/core/logger.ts';
import { repoRoot } from '../../etl/core/paths.ts';
import { openDb } from '../db.ts';
import { startServer } from '../serve.ts';
import { type FixtureDb, createFixtureDb } from '../testing/fixture-db.ts';

let templates: string;
const good: Record<string, FixtureDb> = {};

beforeAll(async () => {
  templates = mkdtempSync(join(tmpdir(), 'obs-corrupt-'));
  for (const id of ['build-a', 'build-b', 'build-c', 'build-d']) good[id] = await createFixtureDb({ dir: templates, buildId: id });
});
afterAll(() => rm(templates, { recursive: true, force: true }));

type Damage = 'truncated' | 'cut-by-10-bytes' | 'random' | 'random-with-signature' | 'absent';

/** A copy of a good build, then damaged. */
function damaged(source: string, target: string, damage: Damage): void {
  if (damage === 'absent') return;
  if (damage === 'random') return writeFileSync(target, randomBytes(300_000));
  if (damage === 'random-with-signature') {
    const bytes = randomBytes(300_000);
    bytes.write('DUCK', 8, 'latin1');
    return writeFileSync(target, bytes);
  }
  copyFileSync(source, target);
  const { size } = statSync(target);
  truncateSync(target, damage === 'truncated' ? Math.floor(size / 2) : size - 10);
}

interface Build {
  id: string;
  damage?: Damage;
}

/**
 * A data dir laid out by the ETL: `builds/<id>.duckdb`, oldest first (distinct mtimes), and the
 * link to the last one.
 */
function dataDir(builds: Build[]): { dir: string; link: string; file: (id: string) => string } {
  const dir = mkdtempSync(join(templates, 'data-'));
  mkdirSync(join(dir, 'builds'));
  const file = (id: string) => join(dir, 'builds', `${id}.duckdb`);
  const base = Date.now() / 1000 - 3600;
  builds.forEach((b, i) => {
    const source = (good[b.id] as FixtureDb).path;
    if (b.damage) damaged(source, file(b.id), b.damage);
    else copyFileSync(source, file(b.id));
    if (b.damage !== 'absent') utimesSync(file(b.id), base + i * 60, base + i * 60);
  });
  const link = join(dir, 'observatoire.duckdb');
  symlinkSync(join('builds', `${(builds.at(-1) as Build).id}.duckdb`), link);
  return { dir, link, file };
}

async function servedBuild(link: string, logger = memoryLogger()): Promise<{ build: string; errors: string[] }> {
  const running = await startServer({ dbPath: link, port: 0, hostname: '127.0.0.1', logger, reloadIntervalMs: 0, admin: false });
  try {
    const health = await fetch(`${running.url}/api/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { build: { id: string } };
    // not only build_info: the figures of the fallback build are served
    const values = await fetch(`${running.url}/api/indicators`);
    expect(values.status).toBe(200);
    return { build: body.build.id, errors: logger.lines.filter((l) => l.startsWith('error ')) };
  } finally {
    await running.close();
  }
}

describe('a damaged current database at startup', () => {
  it.each<[Damage, RegExp]>([
    ['truncated', /Base illisible : .*build-c\.duckdb \((fichier tronqué|IO Error)/],
    ['cut-by-10-bytes', /Base illisible : .*build-c\.duckdb \(fichier tronqué : \d+ octets, au moins \d+ attendus d'après son en-tête\)/],
    ['random', /Base illisible : .*build-c\.duckdb n'est ni une base DuckDB \(pas de signature « DUCK »\) ni un fichier pointeur \(300000 octets\)/],
    ['random-with-signature', /Base illisible : .*build-c\.duckdb \(.*Corrupt database file/],
    ['absent', /Base introuvable : .*observatoire\.duckdb \(lien vers builds\/build-c\.duckdb, absent\)/]
  ])('%s: logs the file in French and serves the newest good earlier build', async (damage, message) => {
    const { link, file } = dataDir([{ id: 'build-a' }, { id: 'build-b' }, { id: 'build-c', damage }]);
    const { build, errors } = await servedBuild(link);
    expect(build).toBe('build-b');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    expect(errors[0]).toContain(`Repli sur le build précédent build-b (${file('build-b')})`);
  });

  it('skips an earlier build that is damaged too, whatever its age', async () => {
    const { link, file } = dataDir([{ id: 'build-a' }, { id: 'build-b', damage: 'cut-by-10-bytes' }, { id: 'build-c', damage: 'random' }]);
    const { build, errors } = await servedBuild(link);
    expect(build).toBe('build-a');
    expect(errors[0]).toContain(file('build-c'));
  });

  it('serves the current build without a word when it is sound', async () => {
    const { link } = dataDir([{ id: 'build-a' }, { id: 'build-b' }]);
    expect(await servedBuild(link)).toEqual({ build: 'build-b', errors: [] });
  });

  it('refuses to start when no build is usable, naming the current file and each earlier one tried', async () => {
    const { link, file } = dataDir([{ id: 'build-a', damage: 'random' }, { id: 'build-b', damage: 'truncated' }]);
    const logger = memoryLogger();
    const started = startServer({ dbPath: link, port: 0, hostname: '127.0.0.1', logger, reloadIntervalMs: 0, admin: false });
    await expect(started).rejects.toThrow(`Base illisible : ${file('build-b')}`);
    await expect(started).rejects.toThrow(`aucun build précédent utilisable dans ${join(link, '..', 'builds')} (Base illisible : ${file('build-a')} (`);
    await expect(started).rejects.toThrow(/Reconstruisez la base avec « npm run etl »\.$/);
  });

  it('refuses to start when the link points to nothing and there is no earlier build', async () => {
    const dir = mkdtempSync(join(templates, 'data-'));
    const link = join(dir, 'observatoire.duckdb');
    symlinkSync('builds/disparu.duckdb', link);
    mkdirSync(join(dir, 'builds'));
    await expect(startServer({ dbPath: link, port: 0, logger: memoryLogger(), reloadIntervalMs: 0, admin: false })).rejects.toThrow(/Base introuvable/);
  });

  it('exits 1 from the command line with the French error naming the file', () => {
    const { dir, file } = dataDir([{ id: 'build-b', damage: 'cut-by-10-bytes' }]);
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'server/cli.ts')], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, OBS_DATA_DIR: dir, OBS_DB: '', PORT: '0', HOST: '127.0.0.1', OBS_LOG_FORMAT: 'json', NODE_ENV: 'production' }
    });
    expect(r.status).toBe(1);
    const output = `${r.stdout}${r.stderr}`;
    expect(output).toContain(`Base illisible : ${file('build-b')} (fichier tronqué`);
    expect(output).toContain('démarrage impossible');
  });
});

describe('a damaged build met at reload time', () => {
  it('keeps the current build, reports the damaged one once, then takes the next sound one', async () => {
    const { link, file } = dataDir([{ id: 'build-a' }, { id: 'build-b', damage: 'cut-by-10-bytes' }, { id: 'build-d' }]);
    const swap = async (id: string) => {
      symlinkSync(join('builds', `${id}.duckdb`), `${link}.tmp`);
      await rename(`${link}.tmp`, link);
    };
    await swap('build-a');
    const db = await openDb(link, { fallbackDir: join(link, '..', 'builds') });
    try {
      expect(db.current().id).toBe('build-a');
      await swap('build-b');
      await expect(db.reload()).rejects.toThrow(`Base illisible : ${file('build-b')} (fichier tronqué`);
      expect(await db.reload()).toBe(false);
      expect(db.current().id).toBe('build-a');
      expect(await db.current().all('SELECT 1 AS un')).toEqual([{ un: 1 }]);
      await swap('build-d');
      expect(await db.reload()).toBe(true);
      expect(db.current().id).toBe('build-d');
    } finally {
      await db.close();
    }
  });

  it('leaves the fallback for the next sound build the link designates', async () => {
    const { link } = dataDir([{ id: 'build-a' }, { id: 'build-d' }, { id: 'build-c', damage: 'random' }]);
    const logger = memoryLogger();
    const db = await openDb(link, { logger, fallbackDir: join(link, '..', 'builds') });
    try {
      expect(db.current().id).toBe('build-d');
      expect(await db.reload().catch((e: Error) => e.message)).toMatch(/n'est ni une base DuckDB/);
      copyFileSync((good['build-b'] as FixtureDb).path, join(link, '..', 'builds', 'build-b.duckdb'));
      symlinkSync('builds/build-b.duckdb', `${link}.tmp`);
      await rename(`${link}.tmp`, link);
      expect(await db.reload()).toBe(true);
      expect(db.current().id).toBe('build-b');
    } finally {
      await db.close();
    }
  });
});
