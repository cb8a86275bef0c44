import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../db/duckdb.ts';
import { loadCog } from '../sources/cog/decoupage-administratif.ts';
import { NATIONAL_REGIONS, PROFILES, isProfileId, profileInService, profileScope } from './profiles.ts';
import { adminLevels, countryName } from './territories.ts';
import { DEFAULT_SCOPE } from './territory-index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A data dir whose build in service is a DuckDB file with only `build_info` (made here, by hand). */
async function dataDirInService(info: [string, string][]): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'obs-profile-'));
  dirs.push(dataDir);
  mkdirSync(join(dataDir, 'builds'));
  const db = await openDb(join(dataDir, 'builds', 'b.duckdb'));
  await db.conn.run('CREATE TABLE build_info (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)');
  for (const [key, value] of info) await db.conn.run('INSERT INTO build_info VALUES ($key, $value)', { key, value });
  db.close();
  symlinkSync(join('builds', 'b.duckdb'), join(dataDir, 'observatoire.duckdb'));
  return dataDir;
}

describe('profiles', () => {
  it('keeps the département profile the scope builds had before profiles existed', () => {
    expect(profileScope('departement')).toEqual({ ...DEFAULT_SCOPE, profile: 'departement' });
    expect(adminLevels(new Set(['ept', 'departement', 'region'])).map((l) => [l.id, l.rank])).toEqual([
      ['iris', 0], ['commune', 1], ['ept', 2], ['departement', 3], ['region', 4]
    ]);
  });

  it('ranks the national levels from the IRIS to France', () => {
    expect(adminLevels(new Set(['ept', 'epci', 'departement', 'region', 'pays'])).map((l) => l.id)).toEqual([
      'iris', 'commune', 'ept', 'epci', 'departement', 'region', 'pays'
    ]);
  });

  it('names France after what it leaves out: Mayotte, which no source covers', () => {
    const cog = loadCog();
    expect(countryName(cog, profileScope('national'))).toBe('France hors Mayotte');
    expect(countryName(cog, { ...profileScope('national'), regions: [...NATIONAL_REGIONS, '06'] })).toBe('France');
  });

  it('gives a fresh scope each time, so a build cannot change the profile', () => {
    const a = profileScope('national');
    a.regions.push('06');
    expect(profileScope('national').regions).not.toContain('06');
    expect(PROFILES.national.regions).not.toContain('06');
  });

  it('knows its profile names only', () => {
    expect(isProfileId('national')).toBe(true);
    expect(isProfileId('departement')).toBe(true);
    expect(isProfileId('toString')).toBe(false);
    expect(isProfileId('region')).toBe(false);
  });

  it('reads the profile of the build in service, so that a rebuild keeps it', async () => {
    expect(await profileInService(await dataDirInService([['profile', 'national']]))).toBe('national');
    expect(await profileInService(await dataDirInService([['profile', 'departement']]))).toBe('departement');
  });

  it('has no profile without a build in service, or for a build that recorded none or an unknown one', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'obs-profile-'));
    dirs.push(empty);
    expect(await profileInService(empty)).toBeNull();
    expect(await profileInService(await dataDirInService([['build_id', 'x']]))).toBeNull();
    expect(await profileInService(await dataDirInService([['profile', 'quartier']]))).toBeNull();
  });
});
