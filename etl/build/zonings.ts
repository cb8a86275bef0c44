import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDelimited } from '../core/csv.ts';
import { InputError } from '../core/errors.ts';
import type { Cog } from '../sources/cog/decoupage-administratif.ts';
import type { Zoning } from './territory-index.ts';

const ZONING_ID = /^[a-z][a-z0-9-]{1,40}$/;
const RESERVED = new Set(['iris', 'commune', 'ept', 'departement', 'region', 'qpv']);

const metaSchema = z.object({
  id: z.string().regex(ZONING_ID),
  label: z.string().min(1),
  label_plural: z.string().min(1).optional(),
  description: z.string().default(''),
  example: z.boolean().default(false),
  published: z.boolean().default(true)
});
export type ZoningMeta = z.infer<typeof metaSchema>;

export interface ZoningWithLabels extends Zoning {
  labelPlural: string;
  published: boolean;
}

/**
 * Parses a zoning CSV `commune;group code;group name` (header line required, `;` or `,`
 * separated, UTF-8). Every commune must be a current commune (older codes such as
 * 93059 are converted and reported) and appear at most once.
 */
export function parseZoningCsv(
  file: string,
  text: string,
  cog: Cog,
  meta: ZoningMeta
): { zoning: ZoningWithLabels; notes: string[] } {
  const clean = text.replace(/^\uFEFF/, '');
  const header = clean.slice(0, clean.search(/\r?\n|$/));
  const sep = header.includes(';') ? ';' : header.includes(',') ? ',' : null;
  if (!sep || header.split(sep).length < 3) {
    throw new InputError({
      file,
      line: 1,
      column: 1,
      expected: 'un en-tête de 3 colonnes séparées par « ; » : commune;groupe;nom du groupe',
      found: header
    });
  }
  if (RESERVED.has(meta.id)) {
    throw new InputError({ file, expected: `un identifiant de zonage autre que ${[...RESERVED].join(', ')}`, found: meta.id });
  }
  const table = parseDelimited(clean, { file, separator: sep, columns: [] });
  const groups = new Map<string, { code: string; name: string; communes: string[] }>();
  const seen = new Map<string, number>();
  const notes: string[] = [];
  for (const row of table.rows) {
    const line = row.line;
    const cells = row.cells.map((c) => c.trim());
    const [published, groupCode, groupName] = cells as [string, string, string];
    const commune = /^\d[\dAB]\d{3}$/.test(published) ? cog.currentCommune(published) : null;
    if (!commune) {
      throw new InputError({ file, line, column: 1, expected: 'un code commune INSEE (5 caractères) connu du COG', found: published });
    }
    if (commune !== published) notes.push(`ligne ${line} : ${published} converti en ${commune} (${cog.communes.get(commune)?.name ?? commune}, COG ${cog.vintage})`);
    if (!groupCode) throw new InputError({ file, line, column: 2, expected: 'un code de groupe non vide', found: row.cells.join(sep) });
    const before = seen.get(commune);
    if (before !== undefined) {
      throw new InputError({
        file,
        line,
        column: 1,
        expected: `chaque commune au plus une fois (déjà ligne ${before})`,
        found: published
      });
    }
    seen.set(commune, line);
    const g = groups.get(groupCode) ?? { code: groupCode, name: groupName || groupCode, communes: [] };
    if (groupName && g.name !== groupName) {
      throw new InputError({ file, line, column: 3, expected: `le même nom pour le groupe ${groupCode} (« ${g.name} »)`, found: groupName });
    }
    g.communes.push(commune);
    groups.set(groupCode, g);
  }
  if (groups.size === 0) throw new InputError({ file, line: 2, expected: 'au moins une commune', found: '' });
  return {
    zoning: {
      id: meta.id,
      label: meta.label,
      labelPlural: meta.label_plural ?? meta.label,
      description: meta.description,
      example: meta.example,
      published: meta.published,
      file: basename(file),
      groups
    },
    notes
  };
}

export function parseZoningMeta(file: string, text: string): ZoningMeta {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    const pos = (e as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    throw new InputError({ file, line: pos?.line, column: pos?.col, expected: 'un document YAML valide', found: String((e as Error).message) });
  }
  const r = metaSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InputError({ file, column: issue.path.join('.'), expected: issue.message });
  }
  return r.data;
}

/** Loads every `<id>.yaml` + `<id>.csv` pair of the zonings folder. */
export function loadZonings(dir: string, cog: Cog): { zonings: ZoningWithLabels[]; notes: string[] } {
  if (!existsSync(dir)) return { zonings: [], notes: [] };
  const zonings: ZoningWithLabels[] = [];
  const notes: string[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) {
    const metaFile = join(dir, f);
    const meta = parseZoningMeta(metaFile, readFileSync(metaFile, 'utf8'));
    const csvFile = join(dir, `${basename(f, '.yaml')}.csv`);
    if (!existsSync(csvFile)) throw new InputError({ file: csvFile, expected: `le fichier CSV du zonage ${meta.id}` });
    if (basename(f, '.yaml') !== meta.id) {
      throw new InputError({ file: metaFile, column: 'id', expected: `l'identifiant ${basename(f, '.yaml')} (nom du fichier)`, found: meta.id });
    }
    const r = parseZoningCsv(csvFile, readFileSync(csvFile, 'utf8'), cog, meta);
    if (meta.published) zonings.push(r.zoning);
    notes.push(...r.notes.map((n) => `${meta.id} : ${n}`));
  }
  return { zonings, notes };
}
