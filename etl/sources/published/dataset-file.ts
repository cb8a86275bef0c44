/**
 * A published partner dataset: one indicator vintage a statistician uploaded, checked and
 * published from the portal. It is written as a JSON file under `<data-dir>/published/
 * indicators/<indicator>/<year>.json` and read back by every build like a producer's file,
 * so a rebuild from scratch keeps what was published and the previous build keeps serving
 * until the new one is validated.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../core/errors.ts';
import { INDICATOR_KINDS, THEMES } from '../../engine/types.ts';

export const DATASET_FORMAT = 'observatoire-jeu-publie/1';

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const VARIABLE = /^[A-Za-z][A-Za-z0-9_]*$/;

export const PublishedIndicatorSchema = z.object({
  id: z.string().regex(KEBAB),
  label: z.string().trim().min(1).max(200),
  shortLabel: z.string().trim().min(1).max(80).optional(),
  description: z.string().trim().max(2000).optional(),
  theme: z.enum(THEMES),
  unit: z.string().trim().min(1).max(40),
  kind: z.enum(INDICATOR_KINDS),
  scale: z.number().positive().optional(),
  decimals: z.int().min(0).max(6).optional(),
  secrecy: z.object({
    threshold: z.number().min(0),
    on: z.enum(['value', 'numerator', 'denominator']).optional(),
    reason: z.string().trim().min(1).max(500).optional()
  }),
  value: z.string().regex(VARIABLE).optional(),
  numerator: z.string().regex(VARIABLE).optional(),
  denominator: z.string().regex(VARIABLE).optional()
}).refine((i) => (i.kind === 'ratio' ? Boolean(i.numerator && i.denominator && !i.value) : Boolean(i.value && !i.numerator && !i.denominator)), {
  message: 'un ratio a un numérateur et un dénominateur ; les autres types ont une seule variable « value »'
});
export type PublishedIndicator = z.infer<typeof PublishedIndicatorSchema>;

export const PublishedSourceSchema = z.object({
  label: z.string().trim().min(1).max(300),
  producer: z.string().trim().min(1).max(200),
  licence: z.string().trim().min(1).max(100),
  vintage: z.string().trim().min(1).max(40),
  url: z.string().trim().max(500),
  /** Départements the file covers completely, or 'france'. */
  coverage: z.union([z.literal('france'), z.array(z.string().regex(/^(\d{2,3}|2[AB])$/)).min(1)])
});
export type PublishedSource = z.infer<typeof PublishedSourceSchema>;

export const PublishedValueSchema = z.object({
  line: z.int().min(1),
  code: z.string().min(1).max(20),
  variable: z.string().regex(VARIABLE),
  value: z.number().finite().nullable(),
  status: z.enum(['ok', 'secret', 'missing']),
  marker: z.string().max(40).optional()
});

export const PublishedDatasetSchema = z.object({
  format: z.literal(DATASET_FORMAT),
  indicator: PublishedIndicatorSchema,
  source: PublishedSourceSchema,
  year: z.int().min(1900).max(2100),
  level: z.enum(['commune', 'iris']),
  /** COG year of the codes as uploaded (e.g. 2024 when 93059 still exists). */
  geoVintage: z.int().min(1943).max(2100).optional(),
  upload: z.object({ id: z.string(), filename: z.string(), sha256: z.string(), by: z.string() }),
  publishedAt: z.string(),
  values: z.array(PublishedValueSchema).min(1)
});
export type PublishedDataset = z.infer<typeof PublishedDatasetSchema>;

/** `<root>/indicators/<indicator>/<year>.json` */
export function datasetPath(root: string, indicatorId: string, year: number): string {
  if (!KEBAB.test(indicatorId) || !Number.isInteger(year)) throw new Error(`Identifiant de jeu invalide : ${indicatorId}/${year}`);
  return join(root, 'indicators', indicatorId, `${year}.json`);
}

/** The source id of a published dataset in builds (`sources.id`). */
export function datasetSourceId(d: Pick<PublishedDataset, 'indicator' | 'year'>): string {
  return `publie-${d.indicator.id}-${d.year}`;
}

/** Writes a dataset atomically (temporary file, then rename). */
export function writeDataset(root: string, dataset: PublishedDataset): string {
  const file = datasetPath(root, dataset.indicator.id, dataset.year);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(PublishedDatasetSchema.parse(dataset)));
  renameSync(tmp, file);
  return file;
}

export function readDataset(file: string): PublishedDataset {
  let json: unknown;
  const text = readFileSync(file, 'utf8');
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError({ file, expected: 'un document JSON valide', found: (e as Error).message });
  }
  const r = PublishedDatasetSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InputError({ file, column: issue.path.join('.'), expected: issue.message });
  }
  return r.data;
}

export interface DatasetFile {
  file: string;
  sha256: string;
  bytes: number;
  dataset: PublishedDataset;
}

/**
 * Every dataset under the given roots, later roots overriding earlier ones for the same
 * indicator and year (a preview's draft over the published vintage); `exclude` drops
 * `indicator/year` keys (an unpublication being built).
 */
export function listDatasets(roots: readonly string[], exclude: ReadonlySet<string> = new Set()): DatasetFile[] {
  const byKey = new Map<string, DatasetFile>();
  for (const root of roots) {
    const dir = join(root, 'indicators');
    if (!existsSync(dir)) continue;
    for (const indicator of readdirSync(dir).sort()) {
      const sub = join(dir, indicator);
      for (const name of readdirSync(sub).filter((n) => /^\d{4}\.json$/.test(n)).sort()) {
        const file = join(sub, name);
        const bytes = readFileSync(file);
        const dataset = readDataset(file);
        const key = `${dataset.indicator.id}/${dataset.year}`;
        if (dataset.indicator.id !== indicator || `${dataset.year}.json` !== name) {
          throw new InputError({ file, column: 'indicator.id', expected: `le jeu ${indicator}/${name.slice(0, 4)} (chemin du fichier)`, found: key });
        }
        if (exclude.has(key)) continue;
        byKey.set(key, { file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, dataset });
      }
    }
  }
  return [...byKey.values()].sort((a, b) => (a.file < b.file ? -1 : 1));
}
