/**
 * The upload wizard's steps and its first guesses: which column holds the codes, which
 * hold values, what to call the variables. Guesses only pre-fill the form; the statistician
 * sees and can change every one of them.
 */
import type { DraftView, Mapping, UploadView } from './types.ts';

export const STEPS = [
  { id: 'fichier', label: 'Fichier' },
  { id: 'lecture', label: 'Lecture' },
  { id: 'colonnes', label: 'Colonnes et validation' },
  { id: 'description', label: 'Description' },
  { id: 'apercu', label: 'Aperçu' },
  { id: 'publication', label: 'Publication' }
] as const;

export type StepId = (typeof STEPS)[number]['id'];

export function isStep(value: string | null): value is StepId {
  return STEPS.some((s) => s.id === value);
}

/** The furthest step the upload allows: a mapping needs a read file, a draft a clean report, a preview a draft. */
export function furthestStep(upload: Pick<UploadView, 'report'>, draft: Pick<DraftView, 'state'> | null): StepId {
  if (draft) return 'publication';
  if (upload.report?.ok) return 'description';
  return 'colonnes';
}

export function stepIndex(step: StepId): number {
  return STEPS.findIndex((s) => s.id === step);
}

/** Where to land when opening an upload: the first thing left to do. */
export function defaultStep(upload: Pick<UploadView, 'report' | 'mapping'>, draft: Pick<DraftView, 'state' | 'preview'> | null): StepId {
  if (draft) return draft.state === 'brouillon' && !draft.preview ? 'apercu' : 'publication';
  if (upload.report?.ok) return 'description';
  return upload.mapping ? 'colonnes' : 'lecture';
}

/** The step shown for `?etape=`: the one asked for when it is reachable, else the default. */
export function currentStep(asked: string | null, upload: Pick<UploadView, 'report' | 'mapping'>, draft: Pick<DraftView, 'state' | 'preview'> | null): StepId {
  if (isStep(asked) && asked !== 'fichier' && stepIndex(asked) <= stepIndex(furthestStep(upload, draft))) return asked;
  return defaultStep(upload, draft);
}

const NUMBER = /^-?[\d\s\u00a0\u202f]*[\d]([.,]\d+)?$/;
const SECRET_MARKERS = new Set(['', 's', 'S', 'secret', 'c', 'C', '*', 'nd', 'n.d.', 'NA', 'N/A', '-', '–']);

/** A cell a value column may hold: a number (either decimal mark, spaced thousands) or a secrecy marker. */
export function valueLike(cell: string): boolean {
  const t = cell.trim();
  return SECRET_MARKERS.has(t) || NUMBER.test(t);
}

/** « Nombre de logements vacants 2022 » → `NOMBRE_DE_LOGEMENTS_VACANTS_2022` (what the server accepts: a letter, then letters, digits, _). */
export function variableName(header: string): string {
  const ascii = header
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const name = /^[A-Z]/.test(ascii) ? ascii : `V_${ascii}`;
  return name.slice(0, 40).replace(/_+$/, '') || 'VALEUR';
}

/** « Taux de logements vacants » → `taux-de-logements-vacants` (an indicator id: lower case, digits, dashes). */
export function slugify(label: string, max = 60): string {
  return label
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/<[^>]*>/g, ' ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

const CODE_HEADER = /^(code|codgeo|code[ _-]?(insee|commune|geo|iris)|depcom|insee|com|iris|cog)$/i;
const LABEL_HEADER = /^(libell[ée]|nom|nom[ _-]?(de[ _-]?la[ _-])?commune|commune|territoire)$/i;
const YEAR_HEADER = /^(ann[ée]e|an|year|millesime|millésime)$/i;

export interface MappingForm {
  codeColumn: string;
  labelColumn: string;
  level: 'commune' | 'iris';
  yearMode: 'colonne' | 'fixe';
  yearColumn: string;
  year: number | null;
  values: { column: string; selected: boolean; variable: string }[];
  blank: 'secret' | 'missing';
  threshold: number;
  thresholdVariable: string;
  indicatorId: string;
}

/** A 4-digit year in a header (« … vacants 2022 »), the most frequent one. */
export function yearInHeaders(headers: readonly string[]): number | null {
  const counts = new Map<number, number>();
  for (const h of headers) for (const m of h.matchAll(/(?<!\d)(19[5-9]\d|20\d\d)(?!\d)/g)) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0];
  return best ? best[0] : null;
}

function column(upload: Pick<UploadView, 'sample'>, i: number): string[] {
  return upload.sample.map((r) => r.cells[i] ?? '');
}

/** Pre-fills the mapping form: the stored mapping when there is one, guesses otherwise. */
export function initialMappingForm(upload: Pick<UploadView, 'header' | 'sample' | 'mapping'>): MappingForm {
  const stored = upload.mapping;
  if (stored) return formFromStored(upload.header, stored.mapping, stored);
  const header = upload.header;
  const codeIndex = Math.max(
    0,
    header.findIndex((h) => CODE_HEADER.test(h.trim()))
  );
  const codes = column(upload, codeIndex).filter(Boolean);
  const level = codes.length > 0 && codes.filter((c) => /^\d{9}$/.test(c.trim())).length > codes.length / 2 ? 'iris' : 'commune';
  const labelIndex = header.findIndex((h, i) => i !== codeIndex && LABEL_HEADER.test(h.trim()));
  const yearIndex = header.findIndex((h, i) => i !== codeIndex && YEAR_HEADER.test(h.trim()));
  const values = header.map((h, i) => {
    const cells = column(upload, i).filter((c) => c.trim() !== '');
    const numeric = cells.length > 0 && cells.every(valueLike);
    const selected = i !== codeIndex && i !== labelIndex && i !== yearIndex && numeric;
    return { column: h, selected, variable: variableName(h) };
  });
  const fixedYear = yearInHeaders(values.filter((v) => v.selected).map((v) => v.column));
  return {
    codeColumn: header[codeIndex] ?? '',
    labelColumn: labelIndex >= 0 ? (header[labelIndex] as string) : '',
    level,
    yearMode: yearIndex >= 0 ? 'colonne' : 'fixe',
    yearColumn: yearIndex >= 0 ? (header[yearIndex] as string) : '',
    year: fixedYear,
    values,
    blank: 'secret',
    threshold: 0,
    thresholdVariable: '',
    indicatorId: ''
  };
}

function formFromStored(header: readonly string[], m: Mapping, s: { threshold: number; thresholdVariable?: string; indicatorId?: string }): MappingForm {
  const chosen = new Map(m.values.map((v) => [v.column, v.variable]));
  return {
    codeColumn: m.codeColumn,
    labelColumn: m.labelColumn ?? '',
    level: m.level,
    yearMode: m.yearColumn ? 'colonne' : 'fixe',
    yearColumn: m.yearColumn ?? '',
    year: m.year ?? null,
    values: header.map((h) => ({ column: h, selected: chosen.has(h), variable: chosen.get(h) ?? variableName(h) })),
    blank: m.blank ?? 'secret',
    threshold: s.threshold,
    thresholdVariable: s.thresholdVariable ?? '',
    indicatorId: s.indicatorId ?? ''
  };
}

const VARIABLE = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Columns that may hold values: not the one holding codes, labels or years. */
export function valueColumns(form: MappingForm): MappingForm['values'] {
  const taken = new Set([form.codeColumn, form.labelColumn, form.yearMode === 'colonne' ? form.yearColumn : ''].filter(Boolean));
  return form.values.filter((v) => !taken.has(v.column));
}

/** What the form would send, or the French reasons it cannot be sent yet. */
export function mappingRequest(form: MappingForm): { ok: true; mapping: Mapping; threshold: number; thresholdVariable?: string; indicatorId?: string } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  if (!form.codeColumn) errors.push('Choisissez la colonne des codes de territoire.');
  const values = valueColumns(form).filter((v) => v.selected);
  if (values.length === 0) errors.push('Cochez au moins une colonne de valeurs.');
  for (const v of values) {
    if (!VARIABLE.test(v.variable)) errors.push(`Nom de variable invalide pour « ${v.column} » : une lettre, puis lettres, chiffres ou _.`);
  }
  const names = values.map((v) => v.variable);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) errors.push(`Deux colonnes portent le même nom de variable : ${dup}.`);
  if (form.yearMode === 'colonne' && !form.yearColumn) errors.push('Choisissez la colonne des années, ou indiquez une année fixe.');
  if (form.yearMode === 'fixe' && (form.year === null || !Number.isInteger(form.year) || form.year < 1900 || form.year > 2100)) {
    errors.push('Indiquez l’année des données (quatre chiffres).');
  }
  if (!Number.isFinite(form.threshold) || form.threshold < 0) errors.push('Le seuil de secret est un nombre positif ou nul.');
  if (form.thresholdVariable && !names.includes(form.thresholdVariable)) errors.push('La variable du seuil doit être l’une des variables cochées.');
  if (form.indicatorId && !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(form.indicatorId)) {
    errors.push('L’indicateur de comparaison est un identifiant en minuscules, chiffres et tirets.');
  }
  if (errors.length) return { ok: false, errors };
  const mapping: Mapping = {
    codeColumn: form.codeColumn,
    ...(form.labelColumn && form.labelColumn !== form.codeColumn ? { labelColumn: form.labelColumn } : {}),
    level: form.level,
    ...(form.yearMode === 'colonne' ? { yearColumn: form.yearColumn } : { year: form.year as number }),
    values: values.map((v) => ({ column: v.column, variable: v.variable })),
    blank: form.blank
  };
  return {
    ok: true,
    mapping,
    threshold: form.threshold,
    ...(form.thresholdVariable ? { thresholdVariable: form.thresholdVariable } : {}),
    ...(form.indicatorId ? { indicatorId: form.indicatorId } : {})
  };
}

/** Years present in the report's values, newest first. */
export function reportYears(report: { values: { year: number }[] } | null): number[] {
  return [...new Set((report?.values ?? []).map((v) => v.year))].sort((a, b) => b - a);
}
