/**
 * A throwaway PostgreSQL + PostGIS cluster for side-by-side benchmarks: initdb in a
 * temporary folder (as the `postgres` user when we are root, since initdb refuses
 * root), listening on 127.0.0.1 only, on a free port; `stop()` removes everything.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface Postgis {
  port: number;
  version: string;
  client(): Promise<pg.Client>;
  stop(): void;
}

/** Thrown when PostgreSQL or PostGIS is not installed; the message says how to install them. */
export class PostgisUnavailable extends Error {}

const INSTALL_HINT = 'apt-get install -y postgresql-15 postgresql-15-postgis-3';

function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new PostgisUnavailable(`PostgreSQL introuvable (${root}/*/bin/initdb) : ${INSTALL_HINT}`);
  return join(root, versions[0], 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startPostgis(): Promise<Postgis> {
  const bin = binDir();
  const sharedir = spawnSync(join(bin, 'pg_config'), ['--sharedir'], { encoding: 'utf8', timeout: 10_000 }).stdout?.trim();
  if (!sharedir || !existsSync(join(sharedir, 'extension', 'postgis.control'))) {
    throw new PostgisUnavailable(`PostGIS n'est pas installé pour ${bin} : ${INSTALL_HINT}`);
  }
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'obs-bench-pg-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (ids.status !== 0) throw new PostgisUnavailable("Utilisateur « postgres » absent : initdb refuse de tourner en root.");
    chownSync(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
  }
  const run = (cmd: string, args: string[], timeout = 60_000): SpawnSyncReturns<string> => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    return spawnSync(file, argv, { encoding: 'utf8', timeout });
  };
  const fail = (what: string, r: SpawnSyncReturns<string>) => {
    rmSync(dir, { recursive: true, force: true });
    return new Error(`${what} a échoué (code ${r.status}) : ${r.stderr || r.stdout || r.error?.message}`);
  };

  const init = run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync']);
  if (init.status !== 0) throw fail('initdb', init);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    // durability is irrelevant for a throwaway cluster; it only speeds up the load
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c shared_buffers=256MB',
    '-c max_connections=20'
  ].join(' ');
  const start = run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '30', 'start'], 45_000);
  if (start.status !== 0) throw fail('pg_ctl start', start);

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '20', 'stop'], 30_000);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);

  const client = async () => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await c.connect();
    return c;
  };
  try {
    const c = await client();
    try {
      await c.query('CREATE EXTENSION postgis');
      const v = await c.query<{ v: string }>("SELECT split_part(version(), ' ', 2) || ' / PostGIS ' || postgis_lib_version() AS v");
      return { port, version: v.rows[0]?.v ?? '?', client, stop };
    } finally {
      await c.end();
    }
  } catch (e) {
    stop();
    throw e;
  }
}
