/**
 * The indicator catalogue: data/indicators/<theme>.yaml, one file per theme,
 * validated into IndicatorDefinition[]. Errors point at the YAML node (file,
 * line, column) so a statistician can fix the catalogue without reading code.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { z } from 'zod';
import { InputError } from '../core/errors.ts';
import {
  INDICATOR_KINDS,
  THEMES,
  type IndicatorDefinition,
  type IndicatorKind,
  type SecrecyRule
} from './types.ts';

export const DEFAULT_CATALOGUE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../data/indicators');

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Producers' column names: INSEE upper case (P22_POP), CAF lower case (arsas). */
const VARIABLE = /^[A-Za-z][A-Za-z0-9_]*$/;

const text = (what: string) => z.string({ error: what }).trim().min(1, { error: what });
const variable = z.string({ error: 'un nom de colonne du producteur' }).regex(VARIABLE, {
  error: 'un nom de colonne du producteur (lettres, chiffres, _)'
});

const seriesShape = {
  year: z.int({ error: 'une année (entier)' }).min(1900, { error: 'une année ≥ 1900' }).max(2100, {
    error: 'une année ≤ 2100'
  }),
  source: z.string({ error: 'un identifiant de source' }).regex(KEBAB, {
    error: 'un identifiant de source en kebab-case (insee-comparateur-2025)'
  }),
  value: variable.optional(),
  numerator: variable.optional(),
  denominator: variable.optional()
};

const secrecyShape = {
  threshold: z.number({ error: 'un seuil numérique ≥ 0' }).min(0, { error: 'un seuil numérique ≥ 0' }),
  on: z.enum(['value', 'numerator', 'denominator'], { error: 'value, numerator ou denominator' }).optional(),
  reason: text('une explication en français').optional()
};

const indicatorShape = {
  id: z.string({ error: 'un identifiant' }).regex(KEBAB, {
    error: 'un identifiant en kebab-case (minuscules, chiffres, tirets : taux-chomage)'
  }),
  label: text('un libellé en français'),
  shortLabel: text('un libellé court').optional(),
  description: text('une description').optional(),
  unit: text('une unité (%, habitants, €…)'),
  kind: z.enum(INDICATOR_KINDS, { error: `un type parmi ${INDICATOR_KINDS.join(', ')}` }),
  scale: z.number({ error: 'un multiplicateur > 0' }).positive({ error: 'un multiplicateur > 0' }).optional(),
  decimals: z
    .int({ error: 'un nombre de décimales entre 0 et 6' })
    .min(0, { error: 'un nombre de décimales entre 0 et 6' })
    .max(6, { error: 'un nombre de décimales entre 0 et 6' })
    .optional(),
  secrecy: z.strictObject(secrecyShape, { error: 'un objet { threshold, on, reason }' }).optional(),
  series: z
    .array(z.strictObject(seriesShape, { error: 'une série { year, source, value | numerator + denominator }' }), {
      error: 'une liste de séries'
    })
    .min(1, { error: 'au moins une série' })
};

type RawIndicator = z.infer<z.ZodObject<typeof indicatorShape>>;

const indicatorSchema = z
  .strictObject(indicatorShape, { error: 'un indicateur (objet avec id, label, unit, kind, series…)' })
  .superRefine((ind, ctx) => {
    const isRatio = ind.kind === 'ratio';
    const years = new Set<number>();
    ind.series.forEach((s, i) => {
      const path = ['series', i];
      if (isRatio) {
        if (s.numerator === undefined) ctx.addIssue({ code: 'custom', path: [...path, 'numerator'], message: 'un numérateur (numerator) pour un ratio' });
        if (s.denominator === undefined) ctx.addIssue({ code: 'custom', path: [...path, 'denominator'], message: 'un dénominateur (denominator) pour un ratio' });
        if (s.value !== undefined) ctx.addIssue({ code: 'custom', path: [...path, 'value'], message: 'numerator + denominator et pas de value pour un ratio' });
      } else {
        if (s.value === undefined) ctx.addIssue({ code: 'custom', path: [...path, 'value'], message: `une colonne value pour un indicateur de type ${ind.kind}` });
        for (const k of ['numerator', 'denominator'] as const) {
          if (s[k] !== undefined) ctx.addIssue({ code: 'custom', path: [...path, k], message: `value et pas de ${k} : seul un ratio a numérateur et dénominateur` });
        }
      }
      if (years.has(s.year)) ctx.addIssue({ code: 'custom', path: [...path, 'year'], message: `une seule série par année (${s.year} déjà déclarée)` });
      years.add(s.year);
    });
    if (ind.scale !== undefined && !isRatio) {
      ctx.addIssue({ code: 'custom', path: ['scale'], message: 'pas de scale : le multiplicateur ne sert qu’aux ratios' });
    }
    const on = ind.secrecy?.on;
    if (ind.secrecy && ind.secrecy.threshold > 0 && on !== undefined) {
      if (isRatio && on === 'value') {
        ctx.addIssue({ code: 'custom', path: ['secrecy', 'on'], message: 'numerator ou denominator : le seuil d’un ratio porte sur un effectif' });
      } else if (!isRatio && on !== 'value') {
        ctx.addIssue({ code: 'custom', path: ['secrecy', 'on'], message: `value : un indicateur de type ${ind.kind} n’a pas de ${on}` });
      }
    }
  });

const fileSchema = z.strictObject(
  {
    theme: z.enum(THEMES, { error: `un thème parmi ${THEMES.join(', ')}` }),
    indicators: z.array(indicatorSchema, { error: 'une liste d’indicateurs' }).min(1, { error: 'au moins un indicateur' })
  },
  { error: 'un document avec les champs theme et indicators' }
);

const ALLOWED_KEYS = {
  file: Object.keys(fileSchema.shape),
  indicator: Object.keys(indicatorShape),
  series: Object.keys(seriesShape),
  secrecy: Object.keys(secrecyShape)
};

/** Loads and validates every `*.yaml` of the catalogue directory. Ordered by theme, then as written. */
export async function loadCatalogue(dir: string = DEFAULT_CATALOGUE_DIR): Promise<IndicatorDefinition[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  if (names.length === 0) {
    throw new InputError({ file: dir, expected: 'au moins un fichier <thème>.yaml de définitions d’indicateurs' });
  }
  const parsed: ParsedFile[] = [];
  for (const name of names) {
    const file = join(dir, name);
    parsed.push(parseFile(await readFile(file, 'utf8'), file));
  }

  const seen = new Map<string, { file: string; line: number }>();
  for (const p of parsed) {
    p.defs.forEach((def, i) => {
      const first = seen.get(def.id);
      const at = p.idPositions[i];
      if (first) {
        throw new InputError({
          file: p.file,
          line: at?.line,
          column: at?.col,
          expected: 'un identifiant d’indicateur unique',
          found: def.id,
          hint: `Déjà défini dans ${first.file}, ligne ${first.line}`
        });
      }
      seen.set(def.id, { file: p.file, line: at?.line ?? 0 });
    });
  }
  parsed.sort((a, b) => THEMES.indexOf(a.theme) - THEMES.indexOf(b.theme));
  return parsed.flatMap((p) => p.defs);
}

/** Parses one catalogue file's text; `file` is only used in error messages. */
export function parseCatalogueFile(source: string, file: string): IndicatorDefinition[] {
  const parsed = parseFile(source, file);
  const seen = new Set<string>();
  parsed.defs.forEach((def, i) => {
    if (seen.has(def.id)) {
      const at = parsed.idPositions[i];
      throw new InputError({ file, line: at?.line, column: at?.col, expected: 'un identifiant d’indicateur unique', found: def.id });
    }
    seen.add(def.id);
  });
  return parsed.defs;
}

/**
 * Problems between the catalogue and what the sources actually loaded
 * (source id → its variables). The pipeline fails the build on any problem.
 */
export function checkCatalogueAgainstSources(
  defs: readonly IndicatorDefinition[],
  available: ReadonlyMap<string, ReadonlySet<string>>
): string[] {
  const problems: string[] = [];
  for (const def of defs) {
    for (const s of def.series) {
      const vars = available.get(s.source);
      if (!vars) {
        problems.push(`Indicateur ${def.id}, série ${s.year} : source inconnue « ${s.source} »`);
        continue;
      }
      for (const v of [s.value, s.numerator, s.denominator]) {
        if (v !== undefined && !vars.has(v)) {
          problems.push(`Indicateur ${def.id}, série ${s.year} : variable « ${v} » absente de la source ${s.source}`);
        }
      }
    }
  }
  return problems;
}

interface ParsedFile {
  file: string;
  theme: IndicatorDefinition['theme'];
  defs: IndicatorDefinition[];
  idPositions: ({ line: number; col: number } | undefined)[];
}

function parseFile(source: string, file: string): ParsedFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0];
    throw new InputError(
      {
        file,
        line: pos?.line,
        column: pos?.col,
        expected: 'un document YAML valide',
        hint: `Erreur de syntaxe YAML (${syntax.code}) : ${(syntax.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`
      },
      { cause: syntax }
    );
  }
  const result = fileSchema.safeParse(doc.toJS({ maxAliasCount: 1000 }));
  if (!result.success) {
    const issues = result.error.issues;
    // A misspelt field also makes the real one "missing": report the misspelling.
    const first = issues.find((i) => i.code === 'unrecognized_keys') ?? (issues[0] as z.core.$ZodIssue);
    throw issueError(first, issues.length - 1, doc, lineCounter, source, file);
  }
  const { theme, indicators } = result.data;
  return {
    file,
    theme,
    defs: indicators.map((ind) => withDefaults(ind, theme)),
    idPositions: indicators.map((_, i) => {
      const at = locate(doc, ['indicators', i, 'id']);
      return at.node?.range ? lineCounter.linePos(at.node.range[0]) : undefined;
    })
  };
}

function withDefaults(ind: RawIndicator, theme: IndicatorDefinition['theme']): IndicatorDefinition {
  const kind: IndicatorKind = ind.kind;
  const secrecy: SecrecyRule = ind.secrecy
    ? {
        threshold: ind.secrecy.threshold,
        // A ratio's threshold guards the counted population (the numerator) unless told otherwise.
        on: ind.secrecy.on ?? (kind === 'ratio' ? 'numerator' : 'value'),
        ...(ind.secrecy.reason !== undefined ? { reason: ind.secrecy.reason } : {})
      }
    : { threshold: 0, on: 'value' };
  const def: IndicatorDefinition = {
    id: ind.id,
    label: ind.label,
    theme,
    unit: ind.unit,
    kind,
    scale: ind.scale ?? defaultScale(kind, ind.unit),
    decimals: ind.decimals ?? (kind === 'count' || kind === 'median' ? 0 : 1),
    secrecy,
    series: ind.series.map((s) => ({
      year: s.year,
      source: s.source,
      ...(s.value !== undefined ? { value: s.value } : {}),
      ...(s.numerator !== undefined ? { numerator: s.numerator } : {}),
      ...(s.denominator !== undefined ? { denominator: s.denominator } : {})
    }))
  };
  if (ind.shortLabel !== undefined) def.shortLabel = ind.shortLabel;
  if (ind.description !== undefined) def.description = ind.description;
  return def;
}

function defaultScale(kind: IndicatorKind, unit: string): number {
  if (kind !== 'ratio') return 1;
  if (unit === '%') return 100;
  if (unit === '‰') return 1000;
  return 1;
}

type PathKey = PropertyKey;

/** The node at `path`, or the deepest existing ancestor when the path does not exist. */
function locate(doc: Document, path: readonly PathKey[], keyNode = false): { node: Node | null; exists: boolean } {
  let node: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const current = isAlias(node) ? node.resolve(doc) : node;
    let next: unknown;
    let pairKey: unknown;
    if (isMap(current)) {
      const pair = current.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      next = pair?.value;
      pairKey = pair?.key;
    } else if (isSeq(current) && typeof seg === 'number') {
      next = current.items[seg];
    }
    if (keyNode && i === path.length - 1 && pairKey !== undefined) return { node: pairKey as Node, exists: true };
    if (next === undefined || next === null) return { node: (current as Node | null) ?? null, exists: false };
    node = next;
  }
  return { node: (node as Node | null) ?? null, exists: true };
}

function issueError(
  issue: z.core.$ZodIssue,
  others: number,
  doc: Document,
  lineCounter: LineCounter,
  source: string,
  file: string
): InputError {
  let path: PathKey[] = [...issue.path];
  let expected = issue.message;
  let keyNode = false;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    path = [...path, key];
    keyNode = true;
    expected = `un des champs ${allowedKeys(issue.path).join(', ')}`;
  }
  const at = locate(doc, path, keyNode);
  const field = path[path.length - 1];
  if (!at.exists && typeof field === 'string') expected = `le champ « ${field} » : ${expected}`;
  const range = at.node?.range;
  const pos = range ? lineCounter.linePos(range[0]) : undefined;
  const found = at.exists && range ? source.slice(range[0], range[1]).trim() : undefined;
  return new InputError({
    file,
    line: pos?.line,
    column: pos?.col,
    expected,
    found: found !== undefined && found !== '' ? found : undefined,
    hint: others > 0 ? `(${others} autre(s) problème(s) dans ce fichier)` : undefined
  });
}

function allowedKeys(path: readonly PathKey[]): string[] {
  if (path.length === 0) return ALLOWED_KEYS.file;
  const last = path[path.length - 1];
  if (last === 'secrecy') return ALLOWED_KEYS.secrecy;
  if (path.length >= 4 && path[path.length - 2] === 'series') return ALLOWED_KEYS.series;
  return ALLOWED_KEYS.indicator;
}
