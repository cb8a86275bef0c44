/**
 * Records every file this process opens or lists through node:fs while it runs — the
 * fuzzing test checks that no request makes the server read outside the app. Wraps the
 * functions of node:fs and node:fs/promises, then `syncBuiltinESMExports()` so that modules
 * which imported them by name see the wrappers too. Reads by native code (DuckDB) do not go
 * through node:fs: the fuzzing test checks the answers for leaked content as well.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type Fn = (...args: unknown[]) => unknown;

const WATCHED: [Record<string, unknown>, string[]][] = [
  [fs as unknown as Record<string, unknown>, ['open', 'openSync', 'readFile', 'readFileSync', 'createReadStream', 'readdir', 'readdirSync', 'opendir', 'opendirSync']],
  [fsp as unknown as Record<string, unknown>, ['open', 'readFile', 'readdir', 'opendir']]
];

function pathOf(p: unknown): string | null {
  if (typeof p === 'string') return resolve(p);
  if (p instanceof URL) return p.protocol === 'file:' ? fileURLToPath(p) : null;
  if (Buffer.isBuffer(p)) return resolve(p.toString('utf8'));
  return null;
}

export interface FileReads {
  /** Every absolute path opened or listed since `recordFileReads()`. */
  readonly paths: Set<string>;
  /** Puts node:fs back as it was. */
  stop(): void;
}

export function recordFileReads(): FileReads {
  const paths = new Set<string>();
  const originals: [Record<string, unknown>, string, unknown][] = [];
  for (const [module, names] of WATCHED) {
    for (const name of names) {
      const original = module[name] as Fn;
      originals.push([module, name, original]);
      module[name] = function (this: unknown, ...args: unknown[]) {
        const path = pathOf(args[0]);
        if (path) paths.add(path);
        return original.apply(this, args);
      };
    }
  }
  syncBuiltinESMExports();
  return {
    paths,
    stop() {
      for (const [module, name, original] of originals) module[name] = original;
      syncBuiltinESMExports();
    }
  };
}
