import type { Logger } from '../../etl/core/logger.ts';
import { runBuild } from '../../etl/pipeline.ts';
import type { BuildRunner } from '../admin/publishing/build-jobs.ts';

/**
 * Publication builds run in-process for tests: the same `runBuild` the child process of
 * production calls (`etl/cli.ts build`), on the mirror, without the cadastre (faster; the
 * portal's publishing does not depend on it).
 */
export function inProcessRunner(opts: { dataDir: string; mirror: string; logger: Logger }): BuildRunner {
  return async (args, onLine) => {
    const logger: Logger = {
      ...opts.logger,
      info: (m) => {
        onLine(m);
        opts.logger.info(m);
      },
      warn: (m) => {
        onLine(m);
        opts.logger.warn(m);
      }
    };
    await runBuild({
      dataDir: opts.dataDir,
      mirror: opts.mirror,
      offline: true,
      logger,
      cadastreSources: [],
      keepBuilds: 2,
      publishedDirs: args.publishedDirs,
      ...(args.exclude ? { excludePublished: args.exclude } : {}),
      ...(args.excludeZonings ? { excludeZonings: args.excludeZonings } : {}),
      ...(args.previewOutput ? { previewOutput: args.previewOutput } : {})
    });
  };
}
