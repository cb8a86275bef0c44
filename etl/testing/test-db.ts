import { join } from 'node:path';
import { inject } from 'vitest';

/** Path of the database built from the mirror for this test run; throws the build error if any. */
export function testDbPath(): string {
  const err = inject('testDbError');
  if (err) throw new Error(`Base de test indisponible : ${err}`);
  return join(inject('testDataDir'), 'observatoire.duckdb');
}

export function testDataDir(): string {
  return inject('testDataDir');
}
