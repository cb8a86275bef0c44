import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../../etl/core/logger.ts';
import { type Db, openDb } from '../../db.ts';

const DRAFT_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;

/**
 * Preview builds of drafts (`<data-dir>/admin/previews/<draft>.duckdb`): full builds that
 * include the draft, never put in service, opened read-only on demand for statisticians.
 */
export class PreviewBuilds {
  private readonly open = new Map<string, Promise<Db>>();
  readonly dir: string;
  private readonly logger: Logger | undefined;

  constructor(dir: string, logger?: Logger) {
    this.dir = dir;
    this.logger = logger;
  }

  path(draftId: string): string {
    if (!DRAFT_ID.test(draftId)) throw new Error(`Identifiant de brouillon invalide : ${draftId}`);
    return join(this.dir, `${draftId}.duckdb`);
  }

  exists(draftId: string): boolean {
    return DRAFT_ID.test(draftId) && existsSync(this.path(draftId));
  }

  /** The preview's Db, or null when the draft has no preview yet. */
  async get(draftId: string): Promise<Db | null> {
    if (!this.exists(draftId)) return null;
    let db = this.open.get(draftId);
    if (!db) {
      db = openDb(this.path(draftId), { connections: 2, logger: this.logger });
      this.open.set(draftId, db);
      db.catch(() => this.open.delete(draftId));
    }
    return db;
  }

  /** After a new preview was written: later requests open the new file. */
  async refresh(draftId: string): Promise<void> {
    const db = this.open.get(draftId);
    this.open.delete(draftId);
    if (db) await (await db.catch(() => null))?.close();
  }

  async drop(draftId: string): Promise<void> {
    await this.refresh(draftId);
    if (DRAFT_ID.test(draftId)) rmSync(this.path(draftId), { force: true });
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    for (const db of all) await (await db.catch(() => null))?.close();
  }
}
