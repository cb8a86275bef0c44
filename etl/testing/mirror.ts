import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from '../core/paths.ts';

export { repoRoot };

/** The mirror of producers' files used by tests: OBS_MIRROR, else ../shared/data next to the repo. */
export function mirrorDir(): string {
  const dir = resolve(repoRoot, process.env.OBS_MIRROR ?? '../shared/data');
  if (!existsSync(dir)) {
    throw new Error(`Miroir de données introuvable : ${dir}. Définissez OBS_MIRROR vers une copie de shared/data.`);
  }
  return dir;
}

export function mirrorFile(relativePath: string): string {
  return resolve(mirrorDir(), relativePath);
}
