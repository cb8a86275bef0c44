import { mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from './db.ts';
import { type FixtureDb, createFixtureDb } from './testing/fixture-db.ts';

let dir: string;
let first: FixtureDb;
let second: FixtureDb;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'observatoire-db-'));
  first = await createFixtureDb({ dir, buildId: 'build-a' });
  second = await createFixtureDb({ dir, buildId: 'build-b' });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function pointLink(link: string, target: string) {
  const tmp = `${link}.tmp`;
  await symlink(target, tmp);
  await rename(tmp, link); // atomic, as the ETL swaps builds
}

describe('openDb', () => {
  it('opens a build read-only and reads its build_info', async () => {
    const db = await openDb(first.path);
    const build = db.current();
    expect(build.id).toBe('build-a');
    expect(build.createdAt).toBe('2026-11-23T12:00:00Z');
    expect(build.info.cog_vintage).toBe('2025');
    await expect(build.all("INSERT INTO build_info VALUES ('x', 'y')")).rejects.toThrow(/read-only[\s\S]*INSERT INTO build_info/i);
    await db.close();
  });

  it('binds strings, numbers, booleans, nulls and lists as parameters', async () => {
    const db = await openDb(first.path);
    const b = db.current();
    const rows = await b.all<{ s: string; i: number; d: number; t: boolean; n: null; l: number; e: number }>(
      'SELECT $s AS s, $i + 1 AS i, $d * 2 AS d, NOT $t AS t, $n AS n, len($l) AS l, len($e) AS e',
      { s: "l'île", i: 41, d: 1.25, t: false, n: null, l: ['a', 'b'], e: [] }
    );
    expect(rows).toEqual([{ s: "l'île", i: 42, d: 2.5, t: true, n: null, l: 2, e: 0 }]);
    expect(await b.one('SELECT 1 AS x WHERE false')).toBeUndefined();
    await db.close();
  });

  it('runs concurrent queries across its connections', async () => {
    const db = await openDb(first.path, { connections: 2 });
    const b = db.current();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => b.all<{ v: number }>('SELECT $i::INTEGER AS v', { i }))
    );
    expect(results.map((r) => r[0]?.v)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await db.close();
  });

  it('memoises per build', async () => {
    const db = await openDb(first.path);
    let calls = 0;
    const compute = async () => ++calls;
    expect(await db.current().memo('k', compute)).toBe(1);
    expect(await db.current().memo('k', compute)).toBe(1);
    await db.close();
  });

  it('follows a pointer file', async () => {
    const pointer = join(dir, 'pointer.duckdb');
    await writeFile(pointer, 'build-b.duckdb\n');
    const db = await openDb(pointer);
    expect(db.current().id).toBe('build-b');
    await db.close();
  });

  it('fails with the path when the database does not exist', async () => {
    await expect(openDb(join(dir, 'absente.duckdb'))).rejects.toThrow(/Base introuvable : .*absente\.duckdb/);
  });

  it('switches to a newer build and closes the old one once its last request is done', async () => {
    const link = join(dir, 'observatoire.duckdb');
    await pointLink(link, first.path);
    const db = await openDb(link);
    expect(await db.reload()).toBe(false);

    const inFlight = db.acquire();
    expect(inFlight.build.id).toBe('build-a');
    await pointLink(link, second.path);
    expect(await db.reload()).toBe(true);
    expect(db.current().id).toBe('build-b');

    // the request that started on build A still reads it
    expect(await inFlight.build.all<{ value: string }>("SELECT value FROM build_info WHERE key = 'build_id'")).toEqual([{ value: 'build-a' }]);
    const next = db.acquire();
    expect(next.build.id).toBe('build-b');
    next.release();

    inFlight.release();
    await expect(inFlight.build.all('SELECT 1')).rejects.toThrow(/fermé/);
    expect(await db.current().all('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await db.close();
    await expect(db.current().all('SELECT 1')).rejects.toThrow(/fermé/);
  });

  it('keeps serving the current build when the new target cannot be opened', async () => {
    const link = join(dir, 'broken.duckdb');
    await pointLink(link, first.path);
    const db = await openDb(link);
    await pointLink(link, join(dir, 'nulle-part.duckdb'));
    await expect(db.reload()).rejects.toThrow(/Base introuvable/);
    expect(db.current().id).toBe('build-a');
    expect(await db.current().all('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await db.close();
  });
});
