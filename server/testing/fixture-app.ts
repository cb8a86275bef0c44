import { memoryLogger } from '../../etl/core/logger.ts';
import { type AppOptions, type ObservatoireApp, createApp } from '../app.ts';
import { type Db, openDb } from '../db.ts';
import { type FixtureDb, createFixtureDb } from './fixture-db.ts';

export const FIXED_NOW = new Date('2026-11-23T15:00:00Z');

export interface FixtureApp extends ObservatoireApp {
  db: Db;
  fixture: FixtureDb;
  logger: ReturnType<typeof memoryLogger>;
  /** GET (or any method) and parse JSON, failing loudly on a non-JSON answer. */
  json<T = unknown>(path: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }>;
  close(): Promise<void>;
}

/** The fixture build, opened read-only, behind an app with a fixed clock and a quiet logger. */
export async function fixtureApp(options: Partial<AppOptions> = {}): Promise<FixtureApp> {
  const fixture = await createFixtureDb();
  const logger = memoryLogger();
  const db = await openDb(fixture.path, { logger });
  const built = createApp({ db, clock: () => FIXED_NOW, logger, ...options });
  return {
    ...built,
    db,
    fixture,
    logger,
    async json<T>(path: string, init?: RequestInit) {
      const res = await built.app.request(path, init);
      const text = await res.text();
      let body: T;
      try {
        body = JSON.parse(text) as T;
      } catch {
        throw new Error(`${path} : réponse ${res.status} non JSON : ${text.slice(0, 200)}`);
      }
      return { status: res.status, body, headers: res.headers };
    },
    async close() {
      await db.close();
      await fixture.cleanup();
    }
  };
}
