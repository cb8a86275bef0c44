/**
 * The validation report as the wizard shows it: issues grouped by severity (errors first),
 * then by kind in the order the validator reported them. Kinds are not a fixed list — a
 * new check of the validator shows up with a readable name derived from its `kind`.
 */
import type { Correction, Mapping, ReportIssue, UploadReport } from './types.ts';

const SEVERITY_ORDER = ['erreur', 'avertissement', 'info'];

/** Names of the validator's checks (etl/sources/partner/issues.ts, ISSUE_KINDS); others are derived from the kind. */
const KIND_LABELS: Record<string, string> = {
  correspondance_invalide: 'Correspondance des colonnes invalide',
  colonne_inconnue: 'Colonnes inconnues',
  annee_absente: 'Années absentes',
  annee_invalide: 'Années invalides',
  code_absent: 'Valeurs sans code de territoire',
  code_inconnu: 'Codes de territoire inconnus',
  mauvais_niveau: 'Codes d’un autre niveau',
  niveau_incoherent: 'Niveaux incohérents',
  double_compte: 'Doubles comptes',
  doublon: 'Doublons',
  valeur_non_numerique: 'Cellules non numériques',
  aucune_valeur: 'Aucune valeur',
  ancien_code: 'Anciens codes convertis',
  iris_hors_contours: 'IRIS hors des contours',
  sous_seuil: 'Valeurs sous le seuil de secret',
  total_incoherent: 'Totaux incohérents avec le détail',
  valeur_aberrante: 'Valeurs aberrantes',
  ligne_vide: 'Lignes vides ignorées',
  hors_perimetre: 'Territoires hors du périmètre',
  decimale_colonne: 'Marque décimale d’une colonne',
  marqueur_secret: 'Marqueurs de secret reconnus',
  ligne_total: 'Lignes de total'
};

/** « code_inconnu » → « Codes de territoire inconnus »; « nouvelle_regle » → « Nouvelle regle ». */
export function kindLabel(kind: string): string {
  const known = KIND_LABELS[kind];
  if (known) return known;
  const words = kind.replace(/[-_]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'Autres';
}

export interface KindGroup {
  kind: string;
  label: string;
  issues: ReportIssue[];
  /** How many the validator found (the report lists at most a few hundred per kind). */
  total: number;
}

export interface SeverityGroup {
  severity: string;
  kinds: KindGroup[];
  count: number;
}

/** The true count of a kind, from the summary's per-check counts (`summary.checks`). */
function summaryCount(summary: Record<string, unknown>, kind: string): number | null {
  const checks = summary.checks;
  if (!checks || typeof checks !== 'object') return null;
  const n = (checks as Record<string, unknown>)[kind];
  return typeof n === 'number' ? n : null;
}

export function groupIssues(report: Pick<UploadReport, 'issues' | 'summary'>): SeverityGroup[] {
  const bySeverity = new Map<string, Map<string, ReportIssue[]>>();
  for (const issue of report.issues) {
    const kinds = bySeverity.get(issue.severity) ?? new Map<string, ReportIssue[]>();
    const list = kinds.get(issue.kind) ?? [];
    list.push(issue);
    kinds.set(issue.kind, list);
    bySeverity.set(issue.severity, kinds);
  }
  const severities = [...bySeverity.keys()].sort((a, b) => rank(a) - rank(b));
  return severities.map((severity) => {
    const kinds = [...bySeverity.get(severity)!.entries()].map(([kind, issues]) => {
      const counted = summaryCount(report.summary ?? {}, kind);
      return { kind, label: kindLabel(kind), issues, total: Math.max(issues.length, counted ?? 0) };
    });
    return { severity, kinds, count: kinds.reduce((n, k) => n + k.total, 0) };
  });
}

function rank(severity: string): number {
  const i = SEVERITY_ORDER.indexOf(severity);
  return i < 0 ? SEVERITY_ORDER.length : i;
}

/** [one, several] */
const SUMMARY_LABELS: Record<string, [string, string]> = {
  rows: ['ligne lue', 'lignes lues'],
  territoryRows: ['ligne de territoire', 'lignes de territoires'],
  values: ['valeur', 'valeurs'],
  territories: ['territoire', 'territoires'],
  years: ['année', 'années'],
  errors: ['erreur', 'erreurs'],
  warnings: ['avertissement', 'avertissements'],
  infos: ['information', 'informations'],
  underThreshold: ['valeur sous le seuil de secret', 'valeurs sous le seuil de secret'],
  'statuses.ok': ['valeur publiable', 'valeurs publiables'],
  'statuses.secret': ['valeur secrète', 'valeurs secrètes'],
  'statuses.missing': ['valeur manquante', 'valeurs manquantes']
};

const said = (key: string, n: number) => {
  const known = SUMMARY_LABELS[key];
  return known ? known[n === 1 ? 0 : 1] : wordsOf(key);
};

/** Counted elsewhere (per kind, next to the issues) or not a count. */
const NOT_SHOWN = new Set(['checks', 'listedPerKind', 'markers']);

const wordsOf = (key: string) => kindLabel(key.replace(/([a-z])([A-Z])/g, '$1-$2').replace(/\./g, ' ').toLowerCase()).toLowerCase();

/** The summary's numbers as « 40 lignes lues », in the validator's order; one level of nested counts is flattened. */
export function summaryLines(summary: Record<string, unknown>): { key: string; text: string; value: number }[] {
  const out: { key: string; text: string; value: number }[] = [];
  const add = (key: string, value: unknown) => {
    if (typeof value === 'number' && Number.isFinite(value)) out.push({ key, value, text: said(key, value) });
  };
  for (const [key, value] of Object.entries(summary ?? {})) {
    if (NOT_SHOWN.has(key)) continue;
    if (Array.isArray(value)) {
      if (value.every((v) => typeof v === 'number' || typeof v === 'string')) {
        out.push({ key, value: value.length, text: `${said(key, value.length)} (${value.join(', ')})` });
      }
    } else if (value && typeof value === 'object') {
      for (const [sub, n] of Object.entries(value as Record<string, unknown>)) add(`${key}.${sub}`, n);
    } else add(key, value);
  }
  return out;
}

/** The column a code suggestion replaces: the issue's own column, else the mapped code column. */
export function correctionFor(issue: ReportIssue, suggestion: { code: string }, mapping: Pick<Mapping, 'codeColumn'>): Correction | null {
  if (issue.line === undefined) return null;
  return { line: issue.line, column: issue.column ?? mapping.codeColumn, value: suggestion.code };
}

/** Adds a correction, replacing an earlier one of the same cell (a second click changes its mind). */
export function withCorrection(list: readonly Correction[], c: Correction): Correction[] {
  return [...list.filter((x) => x.line !== c.line || x.column !== c.column), c];
}

export function withoutCorrection(list: readonly Correction[], c: Pick<Correction, 'line' | 'column'>): Correction[] {
  return list.filter((x) => x.line !== c.line || x.column !== c.column);
}
