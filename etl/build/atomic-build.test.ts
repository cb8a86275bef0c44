import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, ValidationError } from '../core/errors.ts';
import { memoryLogger } from '../core/logger.ts';
import { repoRoot } from '../core/paths.ts';
import { openDb } from '../db/duckdb.ts';
import { runBuild } from '../pipeline.ts';
import { buildStore, currentBuildPath, finalPath, partialPath, prepareStore, pruneBuilds, publishBuild, removePartials } from './store.ts';
import { mirrorFile } from '../testing/mirror.ts';
import { dataDirWithBuild, makeMirror } from '../testing/temp-mirror.ts';
import { testDbPath } from '../testing/test-db.ts';

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const COMPARATEUR = 'insee/comparateur-territoires/base_cc_comparateur.extrait-75-93.csv';

/** Runs a build expected to fail and checks the previous build is untouched and nothing is left behind. */
async function expectFailureKeepsPrevious(mirror: string, opts: { onStep?: (s: string) => void } = {}): Promise<Error> {
  const { dataDir, buildFile } = dataDirWithBuild(testDbPath());
  const before = sha(buildFile);
  let error: unknown = null;
  try {
    await runBuild({ dataDir, mirror, logger: memoryLogger(), offline: true, ...opts });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(Error);
  expect(realpathSync(join(dataDir, 'observatoire.duckdb'))).toBe(realpathSync(buildFile));
  expect(sha(buildFile)).toBe(before);
  expect(readdirSync(join(dataDir, 'builds'))).toEqual(['20260101T000000Z-previous.duckdb']);
  return error as Error;
}

function withLine(text: string, lineNo: number, replacement: (line: string) => string): string {
  const lines = text.split('\n');
  lines[lineNo - 1] = replacement(lines[lineNo - 1]!);
  return lines.join('\n');
}

const FIXTURES = join(repoRoot, 'etl/testing/fixtures/tabular');
const CAF = 'caf/inseecaf2021.csv';
const ANCT = 'anct-observatoire-territoires/logements-vacants-2022-communes-idf.csv';
const BONDY_2019 = 'insee/filosofi/FILO2019_DISP_MED_IRIS_bondy.csv';
const POPULATIONS = 'insee/populations-legales/donnees_communes.csv';

/** The malformed corpus, each file put in place of the producer's file in a mirror: the whole build must refuse it. */
const CORPUS: [fixture: string, replaces: string, message: RegExp][] = [
  ['comparateur-comma-separated.csv', COMPARATEUR, /ligne 1/],
  ['comparateur-missing-fields.csv', COMPARATEUR, /ligne 3/],
  ['comparateur-non-numeric.csv', COMPARATEUR, /ligne 3, colonne 2/],
  ['comparateur-decimal-point-in-comma-column.csv', COMPARATEUR, /ligne 2, colonne 16/],
  ['comparateur-missing-column.csv', COMPARATEUR, /MED21/],
  ['comparateur-empty.csv', COMPARATEUR, /ligne 1/],
  ['comparateur-duplicate-code.csv', COMPARATEUR, /ligne 4/],
  ['caf-unterminated-quote.csv', CAF, /ligne 3, colonne 1/],
  ['caf-leading-zero-lost.csv', CAF, /ligne 2/],
  ['caf-truncated.csv.gz', CAF, /gzip/i],
  ['anct-latin1.csv', ANCT, /ligne 2, colonne 2/],
  ['anct-without-metadata.csv', ANCT, /ligne 2/],
  ['anct-cog-2024.csv', ANCT, /2024/],
  ['bondy-utf8.csv', BONDY_2019, /ligne 3/],
  ['populations-overseas-codcom.csv', POPULATIONS, /ligne 3, colonne 6/]
];

describe('the malformed-input corpus run through a whole build', () => {
  it.each(CORPUS)('%s refuses the build and keeps the previous one', async (fixture, replaces, message) => {
    const e = await expectFailureKeepsPrevious(makeMirror({ [replaces]: readFileSync(join(FIXTURES, fixture)) }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain(replaces.split('/').pop()!);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/attendu/);
  });
});

describe('a failed build leaves the previous database serving', () => {
  it('rejects an unknown commune code of the département with file, line and column', async () => {
    const text = readFileSync(mirrorFile(COMPARATEUR), 'utf8');
    const broken = withLine(text, 3, (l) => l.replace(/^\d{5}/, '93999'));
    const e = await expectFailureKeepsPrevious(makeMirror({ [COMPARATEUR]: broken }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain('base_cc_comparateur.extrait-75-93.csv');
    expect(e.message).toMatch(/ligne 3/);
    expect(e.message).toMatch(/colonne code commune/);
    expect(e.message).toContain('93999');
  });

  it('rejects a commune published twice (duplicated key) naming both lines', async () => {
    const text = readFileSync(mirrorFile(COMPARATEUR), 'utf8');
    const lines = text.split('\n');
    const broken = [...lines.slice(0, 5), lines[4]!, ...lines.slice(5)].join('\n');
    const e = await expectFailureKeepsPrevious(makeMirror({ [COMPARATEUR]: broken }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/ligne 6/);
    expect(e.message).toMatch(/déjà ligne 5/);
  });

  it('rejects a truncated gzip of a geometry source', async () => {
    const gz = readFileSync(mirrorFile('iris/contours-iris-2022-93.lambert93.geojson'));
    const { gzipSync } = await import('node:zlib');
    const truncated = gzipSync(gz).subarray(0, 5000);
    const e = await expectFailureKeepsPrevious(makeMirror({ 'iris/contours-iris-2022-93.lambert93.geojson': truncated }));
    expect(e.message).toContain('contours-iris-2022-93.lambert93.geojson');
    expect(e.message).toMatch(/gzip/i);
  });

  it('removes the partial file of a build interrupted before its swap', async () => {
    const e = await expectFailureKeepsPrevious(makeMirror(), {
      onStep: (s) => {
        if (s === 'validation') throw new Error('interruption simulée');
      }
    });
    expect(e.message).toBe('interruption simulée');
  });

  it('exits non-zero from the command line with the error, and keeps the previous build', () => {
    const text = readFileSync(mirrorFile(COMPARATEUR), 'utf8');
    const mirror = makeMirror({ [COMPARATEUR]: withLine(text, 2, (l) => l.replace(/;2113705;/, ';21137O5;')) });
    const { dataDir, buildFile } = dataDirWithBuild(testDbPath());
    const before = sha(buildFile);
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'etl/cli.ts'), 'build', '--mirror', mirror, '--data-dir', dataDir, '--offline'], {
      encoding: 'utf8',
      env: { ...process.env, OBS_MIRROR: '' },
      timeout: 120_000
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('base_cc_comparateur.extrait-75-93.csv');
    expect(r.stderr).toMatch(/ligne 2/);
    expect(r.stderr).toContain('21137O5');
    expect(r.stderr).toMatch(/base précédente.*reste en service/);
    expect(sha(buildFile)).toBe(before);
  });

  it('fails validation when the catalogue names a variable no source has', async () => {
    const { dataDir } = dataDirWithBuild(testDbPath());
    const { mkdtempSync, writeFileSync, cpSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'obs-ind-'));
    cpSync(join(repoRoot, 'data/indicators'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'zz-bad.yaml'),
      'theme: population\nindicators:\n  - id: inexistant\n    label: Variable inconnue\n    unit: habitants\n    kind: count\n    series:\n      - { year: 2022, source: insee-comparateur-2025, value: P22_POPX }\n'
    );
    await expect(runBuild({ dataDir, mirror: makeMirror(), indicatorsDir: dir, logger: memoryLogger(), offline: true })).rejects.toThrow(
      ValidationError
    );
  });
});

describe('what a build killed at any point leaves behind', () => {
  /** The build id a DuckDB file holds. */
  async function idOf(file: string): Promise<string> {
    const db = await openDb(file, { readOnly: true });
    try {
      const reader = await db.conn.runAndReadAll("SELECT value FROM build_info WHERE key = 'build_id'");
      return String(reader.getRows()[0]?.[0]);
    } finally {
      db.close();
    }
  }

  it('removes every leftover, DuckDB’s write-ahead log and spill folder included, and never a finished build', () => {
    const { dataDir, buildFile } = dataDirWithBuild(testDbPath());
    const store = buildStore(dataDir);
    const partial = partialPath(store, '20261201T000000Z-aaaaaa');
    writeFileSync(partial, 'partiel');
    writeFileSync(`${partial}.wal`, 'journal');
    // DuckDB spills sorts past its memory limit into `<file>.tmp/`: a folder, which a plain rmSync refuses
    mkdirSync(`${partial}.tmp`);
    writeFileSync(join(`${partial}.tmp`, 'duckdb_temp_storage-0.tmp'), 'x');
    symlinkSync('20261201T000000Z-aaaaaa.duckdb', join(store.buildsDir, '20261201T000000Z-aaaaaa.tmp-link'));
    expect(removePartials(store).sort()).toEqual([
      '20261201T000000Z-aaaaaa.duckdb.partial',
      '20261201T000000Z-aaaaaa.duckdb.partial.tmp',
      '20261201T000000Z-aaaaaa.duckdb.partial.wal',
      '20261201T000000Z-aaaaaa.tmp-link'
    ]);
    expect(readdirSync(store.buildsDir)).toEqual(['20260101T000000Z-previous.duckdb']);
    expect(currentBuildPath(store)).toBe(buildFile);
  });

  it('leaves the link on a finished build at every step of a publication', async () => {
    const { dataDir, buildFile } = dataDirWithBuild(testDbPath());
    const store = buildStore(dataDir);
    const id = '20261202T000000Z-bbbbbb';
    const partial = partialPath(store, id);
    const expectServed = async (file: string) => {
      expect(currentBuildPath(store)).toBe(file);
      expect(await idOf(realpathSync(store.currentLink))).toBe(await idOf(file));
    };
    // the steps of publishBuild, each a state a kill can leave: written, renamed, temporary link made, link swapped
    copyFileSync(buildFile, partial);
    await expectServed(buildFile);
    renameSync(partial, finalPath(store, id));
    await expectServed(buildFile);
    const tmpLink = join(store.buildsDir, `${id}.tmp-link`);
    symlinkSync(relative(dataDir, finalPath(store, id)), tmpLink);
    await expectServed(buildFile);
    expect(removePartials(store)).toEqual([`${id}.tmp-link`]);
    await expectServed(buildFile);
    // a publication from there (the next build) completes the swap
    copyFileSync(buildFile, partial);
    expect(publishBuild(store, id)).toBe(finalPath(store, id));
    await expectServed(finalPath(store, id));
    expect(readdirSync(store.buildsDir).sort()).toEqual(['20260101T000000Z-previous.duckdb', `${id}.duckdb`]);
  });

  it('never prunes the current build, even the oldest one behind a link written with another path', () => {
    const real = mkdtempSync(join(tmpdir(), 'obs-prune-'));
    const alias = `${real}-alias`;
    symlinkSync(real, alias);
    const store = buildStore(alias);
    prepareStore(store);
    const names = ['20260101T000000Z-aaaaaa', '20260201T000000Z-bbbbbb', '20260301T000000Z-cccccc', '20260401T000000Z-dddddd'];
    names.forEach((n, i) => {
      writeFileSync(finalPath(store, n), n);
      utimesSync(finalPath(store, n), 1_800_000_000 + i * 60, 1_800_000_000 + i * 60);
    });
    // the current build is the oldest, linked by its real path rather than through the alias
    symlinkSync(join(real, 'builds', `${names[0]}.duckdb`), store.currentLink);
    expect(pruneBuilds(store, 1).sort()).toEqual([`${names[1]}.duckdb`, `${names[2]}.duckdb`]);
    expect(readdirSync(store.buildsDir).sort()).toEqual([`${names[0]}.duckdb`, `${names[3]}.duckdb`]);
  });
});
