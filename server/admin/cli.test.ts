import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../etl/core/paths.ts';
import { readAudit } from './audit.ts';
import { verifyPassword } from './auth/passwords.ts';
import { type CliIo, runAdminCli } from './cli.ts';
import { defaultAdminStorePath, openAdminStore } from './store.ts';
import { credentials, listUsers } from './users.ts';

const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
const cliPath = join(repoRoot, 'server', 'admin', 'cli.ts');

/** Runs the real command in a child process, the way `npm run admin --` does. */
function spawnCli(args: string[], stdin: string | null): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.OBS_ADMIN_DB;
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [cliPath, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (stdin !== null) child.stdin.end(stdin);
    else child.stdin.end();
  });
}

/** In-process io: what the command printed, a fixed stdin, no terminal unless given a prompt. */
function fakeIo(stdin = '', prompt: CliIo['promptHidden'] = null) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    readStdin: async () => stdin,
    promptHidden: prompt,
    clock: () => new Date('2026-11-23T15:00:00Z'),
    osUser: 'testeur'
  };
  return { io, out, err };
}

let dataDir: string;
let savedEnv: string | undefined;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'obs-cli-'));
  savedEnv = process.env.OBS_ADMIN_DB;
  delete process.env.OBS_ADMIN_DB;
});
afterEach(() => {
  if (savedEnv !== undefined) process.env.OBS_ADMIN_DB = savedEnv;
  rmSync(dataDir, { recursive: true, force: true });
});

async function withStore<T>(fn: (store: Awaited<ReturnType<typeof openAdminStore>>) => Promise<T>): Promise<T> {
  const store = await openAdminStore(defaultAdminStorePath(dataDir));
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

describe('npm run admin (spawned)', () => {
  it('creates the first admin from --password-stdin, in <data-dir>/admin/, and audits it as done from the command line', async () => {
    const res = await spawnCli(['create', 'camille', '--role', 'admin', '--name', 'Camille Durand', '--password-stdin', '--data-dir', dataDir], 'une phrase assez longue\n');
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('Compte « camille » créé (admin, Camille Durand).\n');
    expect(res.code).toBe(0);
    await withStore(async (store) => {
      expect(await listUsers(store)).toEqual([{ username: 'camille', displayName: 'Camille Durand', role: 'admin', disabled: false, createdAt: expect.any(String), lastLoginAt: null }]);
      // The final newline of the piped input is not part of the password.
      expect(await verifyPassword('une phrase assez longue', (await credentials(store, 'camille'))?.passwordHash as string)).toBe(true);
      const [entry] = (await readAudit(store, { limit: 1, offset: 0 })).entries;
      expect(entry).toMatchObject({ username: null, action: 'compte_cree', target: 'camille' });
      expect(JSON.parse(entry?.details as string)).toMatchObject({ role: 'admin', via: 'cli' });
    });
  });

  it('refuses a duplicate account and a weak password with exit code 1 and a French message', async () => {
    const args = ['--role', 'statisticien', '--password-stdin', '--data-dir', dataDir];
    expect((await spawnCli(['create', 'sami', ...args], 'une phrase assez longue')).code).toBe(0);
    const duplicate = await spawnCli(['create', 'sami', ...args], 'une autre phrase longue');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toBe('Le compte « sami » existe déjà.\n');
    const weak = await spawnCli(['create', 'lea', ...args], 'court');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('Le mot de passe doit compter au moins 12 caractères (il en compte 5).');
    await withStore(async (store) => expect((await listUsers(store)).map((u) => u.username)).toEqual(['sami']));
  });

  it('prints the lock message and exits 1 while another process holds the store', async () => {
    await withStore(async () => {
      const res = await spawnCli(['list', '--data-dir', dataDir], null);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`La base d'administration ${defaultAdminStorePath(dataDir)} est ouverte par un autre processus`);
      expect(res.stderr).toContain('Arrêtez-le le temps de cette commande');
    });
  });

  it('without a terminal and without --password-stdin, says how to pass the password and exits 2', async () => {
    const res = await spawnCli(['create', 'lea', '--role', 'statisticien', '--data-dir', dataDir], null);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Pas de terminal pour saisir le mot de passe : passez-le sur l\'entrée standard avec --password-stdin');
  });
});

describe('runAdminCli (in process)', () => {
  it('lists, disables, re-enables and sets a password', async () => {
    const create = fakeIo('une phrase assez longue');
    expect(await runAdminCli(['create', 'sami', '--role', 'statisticien', '--password-stdin', '--data-dir', dataDir], create.io)).toBe(0);
    expect(await runAdminCli(['create', 'camille', '--role', 'admin', '--password-stdin', '--data-dir', dataDir], create.io)).toBe(0);

    const list = fakeIo();
    expect(await runAdminCli(['list', '--data-dir', dataDir], list.io)).toBe(0);
    expect(list.out).toEqual([
      'identifiant  nom affiché  rôle          état   créé le',
      'camille      camille      admin         actif  2026-11-23',
      'sami         sami         statisticien  actif  2026-11-23'
    ]);

    expect(await runAdminCli(['disable', 'sami', '--data-dir', dataDir], fakeIo().io)).toBe(0);
    const lastAdmin = fakeIo();
    expect(await runAdminCli(['disable', 'camille', '--data-dir', dataDir], lastAdmin.io)).toBe(1);
    expect(lastAdmin.err[0]).toContain('dernier administrateur actif');
    expect(await runAdminCli(['enable', 'sami', '--data-dir', dataDir], fakeIo().io)).toBe(0);

    // Asked twice on the terminal.
    const answers = ['nouvelle phrase de passe', 'nouvelle phrase de passe'];
    const prompts: string[] = [];
    const tty = fakeIo('', async (q) => {
      prompts.push(q);
      return answers.shift() as string;
    });
    expect(await runAdminCli(['password', 'sami', '--data-dir', dataDir], tty.io)).toBe(0);
    expect(prompts).toHaveLength(2);
    await withStore(async (store) => {
      expect(await verifyPassword('nouvelle phrase de passe', (await credentials(store, 'sami'))?.passwordHash as string)).toBe(true);
      expect((await readAudit(store, { limit: 10, offset: 0 })).entries.map((e) => e.action)).toEqual([
        'mot_de_passe_change',
        'compte_reactive',
        'compte_desactive',
        'compte_cree',
        'compte_cree'
      ]);
    });
  });

  it('changes nothing when the two typed passwords differ', async () => {
    const typed = ['une phrase assez longue', 'une phrase assez longuE'];
    const tty = fakeIo('', async () => typed.shift() as string);
    expect(await runAdminCli(['create', 'lea', '--role', 'statisticien', '--data-dir', dataDir], tty.io)).toBe(1);
    expect(tty.err).toEqual(['Les deux saisies diffèrent : rien n’a été changé.']);
    await withStore(async (store) => expect(await listUsers(store)).toEqual([]));
  });

  it('exits 2 on usage errors, before touching the store', async () => {
    for (const args of [[], ['frobnicate'], ['create', 'lea'], ['create', 'lea', '--role', 'root'], ['disable'], ['list', 'x'], ['list', '--colour'], ['enable', 'a b']]) {
      const run = fakeIo();
      expect(await runAdminCli([...args, '--data-dir', dataDir], run.io), args.join(' ')).toBe(2);
      expect(run.err[0]).toContain('npm run admin -- create <identifiant>');
    }
    expect(await runAdminCli(['--help'], fakeIo().io)).toBe(0);
  });

  it('tells how to create the first admin when there is no account', async () => {
    const list = fakeIo();
    expect(await runAdminCli(['list', '--data-dir', dataDir], list.io)).toBe(0);
    expect(list.out).toEqual(['Aucun compte. Créez le premier administrateur : npm run admin -- create <identifiant> --role admin']);
  });
});
