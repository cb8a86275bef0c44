/**
 * What the back office's browser test needs before the server starts: a writable data dir
 * holding a copy of the test build (publication rebuilds and swaps it, which the shared
 * read-only test database must never see), accounts made with the real CLI, and a partner
 * file built from the producer's real export.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { repoRoot } from './harness.ts';

/** `<tmp>/builds/<id>.duckdb` (a copy of the test build) and `<tmp>/observatoire.duckdb` → it, as etl/build/store.ts lays them out. */
export function writableDataDir(testDb: string): { dataDir: string; dbPath: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'observatoire-e2e-admin-'));
  const real = realpathSync(testDb);
  mkdirSync(join(dataDir, 'builds'), { recursive: true });
  copyFileSync(real, join(dataDir, 'builds', basename(real)));
  const dbPath = join(dataDir, 'observatoire.duckdb');
  symlinkSync(join('builds', basename(real)), dbPath);
  return { dataDir, dbPath };
}

/** `tsx server/admin/cli.ts create … --password-stdin --data-dir …`, as an operator would. */
export function createAccount(dataDir: string, username: string, role: 'admin' | 'statisticien', password: string, name: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      join(repoRoot, 'node_modules/.bin/tsx'),
      [join(repoRoot, 'server/admin/cli.ts'), 'create', username, '--role', role, '--name', name, '--password-stdin', '--data-dir', dataDir],
      { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] }
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`création du compte ${username} : code ${code}\n${output}`))));
    child.stdin.end(`${password}\n`);
  });
}

/**
 * The ANCT export of vacant dwellings (BOM, 3 metadata lines, `;`) restricted to the 93's
 * rows, with one error a partner could make: Bondy's code typed with a letter O.
 * Returns the file's path and the value the file gives Bondy.
 */
export function partnerFile(source: string, dir: string): { path: string; bondy: string; rows: number } {
  const text = readFileSync(source, 'utf8');
  if (!text.startsWith('\uFEFF')) throw new Error(`${source} : BOM attendu`);
  const lines = text.split('\n');
  const head = lines.slice(0, 4);
  const rows = lines.slice(4).filter((l) => l.startsWith('93'));
  const bondy = rows.find((l) => l.startsWith('93010;'));
  if (!bondy) throw new Error(`${source} : pas de ligne pour Bondy (93010)`);
  const typo = rows.map((l) => (l.startsWith('93010;') ? l.replace('93010;', '93O10;') : l));
  const path = join(dir, 'logements-vacants-93.csv');
  // like the producer's file: no final newline
  writeFileSync(path, [...head, ...typo].join('\n'));
  return { path, bondy: bondy.split(';')[2]!.trim(), rows: rows.length };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const results = (await page.evaluate(() =>
    (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<unknown> } }).axe.run(document, { resultTypes: ['violations'] })
  )) as { violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] };
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) : ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}
