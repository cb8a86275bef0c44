/**
 * Accounts of the back office from the command line (there is no default account: the
 * first admin is created here). `npm run admin -- <commande> …`; exit codes 0 ok,
 * 1 failure, 2 usage.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { repoRoot } from '../../etl/core/paths.ts';
import { ApiError } from '../errors.ts';
import { hiddenLineReader } from './auth/hidden-input.ts';
import { type AdminStore, AdminStoreLockedError, defaultAdminStorePath, openAdminStore } from './store.ts';
import { type Actor, ROLES, type Role, USERNAME_PATTERN, createUser, listUsers, normalizeUsername, setDisabled, setPassword } from './users.ts';

export const USAGE = `Comptes de l'administration du portail.

  npm run admin -- create <identifiant> --role admin|statisticien [--name "Nom affiché"] [--password-stdin]
  npm run admin -- list
  npm run admin -- disable <identifiant>
  npm run admin -- enable <identifiant>
  npm run admin -- password <identifiant> [--password-stdin]

Options communes : --data-dir DOSSIER (par défaut data/ du dépôt ; la base est
<DOSSIER>/admin/observatoire-admin.duckdb, ou OBS_ADMIN_DB).
Le mot de passe est demandé deux fois au terminal, sans écho ; sans terminal (CI,
scripts), passez-le sur l'entrée standard avec --password-stdin.`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** The whole of standard input (for --password-stdin). */
  readStdin(): Promise<string>;
  /** Null when there is no terminal to ask on. */
  promptHidden: ((question: string) => Promise<string>) | null;
  clock(): Date;
  osUser: string;
}

class UsageError extends Error {}
/** An expected failure, printed as is (exit 1). */
class CliError extends Error {}

const COMMANDS = ['create', 'list', 'disable', 'enable', 'password'] as const;
type Command = (typeof COMMANDS)[number];

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  });
  const [command, ...rest] = positionals;
  return { values, command, rest };
}

function oneUsername(command: string, rest: string[]): string {
  if (rest.length !== 1) throw new UsageError(`« ${command} » attend un identifiant, et un seul.`);
  const username = normalizeUsername(rest[0] as string);
  if (!USERNAME_PATTERN.test(username)) {
    throw new UsageError(`Identifiant « ${rest[0]} » invalide : 3 à 40 caractères, minuscules, chiffres, « . », « _ » ou « - ».`);
  }
  return username;
}

async function readPassword(io: CliIo, fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    // One final newline belongs to `echo`/`printf '%s\n'`, not to the password.
    const text = (await io.readStdin()).replace(/\r?\n$/, '');
    if (text === '') throw new CliError('Aucun mot de passe reçu sur l’entrée standard.');
    if (/[\r\n]/.test(text)) throw new CliError('Le mot de passe reçu sur l’entrée standard tient sur plusieurs lignes.');
    return text;
  }
  if (!io.promptHidden) {
    throw new UsageError(
      "Pas de terminal pour saisir le mot de passe : passez-le sur l'entrée standard avec --password-stdin " +
        `(par exemple : printf '%s' "$MOT_DE_PASSE" | npm run admin -- … --password-stdin).`
    );
  }
  const first = await io.promptHidden('Mot de passe (au moins 12 caractères) : ');
  const second = await io.promptHidden('Confirmez le mot de passe : ');
  if (first !== second) throw new CliError('Les deux saisies diffèrent : rien n’a été changé.');
  return first;
}

function accountTable(accounts: Awaited<ReturnType<typeof listUsers>>): string[] {
  const rows = [
    ['identifiant', 'nom affiché', 'rôle', 'état', 'créé le'],
    ...accounts.map((a) => [a.username, a.displayName, a.role, a.disabled ? 'désactivé' : 'actif', a.createdAt.slice(0, 10)])
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] as string)].length)));
  return rows.map((r) => r.map((cell, i) => cell + ' '.repeat((widths[i] as number) - [...cell].length)).join('  ').trimEnd());
}

async function run(command: Command, rest: string[], values: ReturnType<typeof parse>['values'], io: CliIo): Promise<void> {
  const actor: Actor = { username: null, context: { via: 'cli', osUser: io.osUser } };
  // Validate everything the command line says before opening the store or asking for a password.
  let username = '';
  let role: Role | undefined;
  if (command === 'list') {
    if (rest.length) throw new UsageError('« list » ne prend pas d’argument.');
  } else {
    username = oneUsername(command, rest);
  }
  if (command === 'create') {
    if (!values.role || !ROLES.includes(values.role as Role)) throw new UsageError('« create » attend --role admin ou --role statisticien.');
    role = values.role as Role;
  } else if (values.role !== undefined || values.name !== undefined) {
    throw new UsageError('--role et --name ne servent qu’à « create ».');
  }
  if (values['password-stdin'] && command !== 'create' && command !== 'password') {
    throw new UsageError('--password-stdin ne sert qu’à « create » et « password ».');
  }

  const dataDir = resolve(values['data-dir'] ?? resolve(repoRoot, 'data'));
  const store: AdminStore = await openAdminStore(defaultAdminStorePath(dataDir));
  try {
    switch (command) {
      case 'list': {
        const accounts = await listUsers(store);
        if (accounts.length === 0) io.out('Aucun compte. Créez le premier administrateur : npm run admin -- create <identifiant> --role admin');
        else accountTable(accounts).forEach((line) => io.out(line));
        return;
      }
      case 'create': {
        const password = await readPassword(io, values['password-stdin']);
        const created = await createUser(store, io.clock, { username, role: role as Role, displayName: values.name, password }, actor);
        io.out(`Compte « ${created.username} » créé (${created.role}${created.displayName !== created.username ? `, ${created.displayName}` : ''}).`);
        return;
      }
      case 'disable':
        await setDisabled(store, io.clock, username, true, actor);
        io.out(`Compte « ${username} » désactivé : ses sessions sont fermées.`);
        return;
      case 'enable':
        await setDisabled(store, io.clock, username, false, actor);
        io.out(`Compte « ${username} » réactivé.`);
        return;
      case 'password': {
        const password = await readPassword(io, values['password-stdin']);
        await setPassword(store, io.clock, username, password, actor);
        io.out(`Mot de passe de « ${username} » changé : ses sessions sont fermées.`);
        return;
      }
    }
  } finally {
    store.close();
  }
}

/** Runs one command; returns the exit code. */
export async function runAdminCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const { values, command, rest } = parse(argv);
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (!command) throw new UsageError('Commande manquante.');
    if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`Commande inconnue : « ${command} ».`);
    await run(command as Command, rest, values, io);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof AdminStoreLockedError || e instanceof ApiError || e instanceof CliError) io.err(e.message);
    else io.err(`Échec : ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

function promptOnTerminal(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolvePrompt, reject) => {
    const reader = hiddenLineReader();
    const onData = (chunk: string) => {
      const r = reader.feed(chunk);
      if (r.state === 'pending') return;
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (r.state === 'done') resolvePrompt(r.line);
      else reject(new CliError('Saisie interrompue : rien n’a été changé.'));
    };
    process.stderr.write(question);
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    readStdin: readAllStdin,
    promptHidden: process.stdin.isTTY ? promptOnTerminal : null,
    clock: () => new Date(),
    osUser: (() => {
      try {
        return userInfo().username;
      } catch {
        return 'inconnu';
      }
    })()
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runAdminCli(process.argv.slice(2), processIo());
}
