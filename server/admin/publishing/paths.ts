import { join } from 'node:path';

/**
 * Where the portal keeps what statisticians send and publish, under the data dir:
 * - `published/` — published datasets and zonings, read by every build (`npm run etl` too);
 * - `admin/uploads/<upload>/original` — the files as uploaded (never served);
 * - `admin/staging/<draft>/` — a draft's dataset or zoning, laid out like `published/`;
 * - `admin/previews/<draft>.duckdb` — preview builds;
 * - `admin/withdrawn/` — what was unpublished, kept for the record.
 */
export interface PublishingPaths {
  dataDir: string;
  published: string;
  uploads: string;
  staging: string;
  previews: string;
  withdrawn: string;
}

export function publishingPaths(dataDir: string): PublishingPaths {
  return {
    dataDir,
    published: join(dataDir, 'published'),
    uploads: join(dataDir, 'admin', 'uploads'),
    staging: join(dataDir, 'admin', 'staging'),
    previews: join(dataDir, 'admin', 'previews'),
    withdrawn: join(dataDir, 'admin', 'withdrawn')
  };
}
