/**
 * Starts the portal: `tsx server/cli.ts [--build-if-missing] [--port N] [--db path]`.
 * Everything else comes from the environment, read and validated by `config.ts`
 * (`PORT`, `OBS_DB`… — see server/README.md). Exit codes: 0 after a clean stop (SIGTERM,
 * SIGINT), 1 on a failure, 2 on a bad configuration.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { pinoLogger } from './observability/logger.ts';
import { startServer } from './serve.ts';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../..');

const { values } = parseArgs({
  options: {
    'build-if-missing': { type: 'boolean', default: false },
    port: { type: 'string' },
    db: { type: 'string' }
  }
});

let config: Config;
try {
  config = loadConfig(process.env, { flags: { port: values.port, db: values.db }, repoRoot, tty: process.stdout.isTTY === true });
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exit(2);
}

const logger = pinoLogger({ level: config.log.level, format: config.log.format });
const exit = (code: number): never => {
  logger.flush();
  process.exit(code);
};
// logged as JSON like the rest, then a restart (systemd, Docker, Kubernetes) rather than limping on
process.on('uncaughtException', (e) => {
  logger.failure('exception non rattrapée', e);
  exit(1);
});
process.on('unhandledRejection', (e) => {
  logger.failure('promesse rejetée non rattrapée', e);
  exit(1);
});

try {
  const running = await startServer({
    dbPath: config.dbPath,
    port: config.port,
    hostname: config.host,
    buildIfMissing: values['build-if-missing'],
    webHandlerPath: resolve(repoRoot, 'build/web/handler.js'),
    logger,
    accessLog: config.log.access ? logger.access : undefined,
    mirror: config.mirror,
    reloadIntervalMs: config.reloadIntervalMs,
    tileCacheBytes: config.tileCacheBytes,
    limits: config.limits,
    metrics: config.metrics.enabled ? { token: config.metrics.token } : false,
    admin: config.backOffice
      ? {
          storePath: config.adminDb,
          dataDir: config.dataDir,
          secureCookies: config.cookieSecure,
          trustProxy: config.trustProxy,
          ...(config.mirror ? { mirror: config.mirror } : {})
        }
      : false
  });
  logger.pino.info(
    {
      url: running.url,
      build: running.db.current().id,
      nodeEnv: config.nodeEnv,
      metrics: config.metrics.enabled ? (config.metrics.token ? 'jeton' : 'ouvertes') : 'désactivées'
    },
    `Observatoire : ${running.url} (build ${running.db.current().id})`
  );
  if (config.metrics.enabled && !config.metrics.token) {
    logger.warn('métriques ouvertes sans jeton sur /metrics : ne les exposez pas hors du réseau interne (OBS_METRICS_TOKEN).');
  }
  process.on('SIGHUP', () => {
    running.db.reload().catch((e: unknown) => logger.failure('rechargement de la base', e));
  });
  const stop = (signal: NodeJS.Signals) => {
    // a second SIGINT or SIGTERM then takes node's default: immediate exit
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    logger.info(`${signal} reçu : arrêt (requêtes en cours : au plus ${config.limits.shutdownTimeoutMs} ms)`);
    running.close().then(
      () => {
        logger.info('arrêt terminé');
        exit(0);
      },
      (e: unknown) => {
        logger.failure("échec de l'arrêt", e);
        exit(1);
      }
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (e) {
  logger.failure(`démarrage impossible : ${e instanceof Error ? e.message : String(e)}`, e);
  exit(1);
}
