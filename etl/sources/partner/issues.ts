/**
 * The issues of a validation report: stable kinds (the web UI and the audit log key on
 * them), a French message that says what to do, and a cap on how many are listed per
 * kind while the counts stay true.
 */
export type Severity = 'erreur' | 'avertissement' | 'info';

/** Every check, with its usual severity (some, like `ancien_code`, vary with the case). */
export const ISSUE_KINDS = {
  correspondance_invalide: 'erreur',
  colonne_inconnue: 'erreur',
  annee_absente: 'erreur',
  annee_invalide: 'erreur',
  code_absent: 'erreur',
  code_inconnu: 'erreur',
  mauvais_niveau: 'erreur',
  niveau_incoherent: 'erreur',
  double_compte: 'erreur',
  doublon: 'erreur',
  valeur_non_numerique: 'erreur',
  aucune_valeur: 'erreur',
  ancien_code: 'avertissement',
  iris_hors_contours: 'avertissement',
  sous_seuil: 'avertissement',
  total_incoherent: 'avertissement',
  valeur_aberrante: 'avertissement',
  ligne_vide: 'info',
  hors_perimetre: 'info',
  decimale_colonne: 'info',
  marqueur_secret: 'info',
  ligne_total: 'info'
} as const satisfies Record<string, Severity>;

export type IssueKind = keyof typeof ISSUE_KINDS;

export interface Suggestion {
  code: string;
  name: string;
}

export interface Issue {
  severity: Severity;
  kind: IssueKind;
  line?: number;
  column?: string;
  code?: string;
  found?: string;
  /** French; says what to do. */
  message: string;
  suggestions?: Suggestion[];
}

export const LISTED_PER_KIND = 200;

const SEVERITY_ORDER: Record<Severity, number> = { erreur: 0, avertissement: 1, info: 2 };

export interface IssueTotals {
  issues: Issue[];
  /** True number of occurrences per kind (cells, rows or codes, see README), listed or not. */
  checks: Record<IssueKind, number>;
  errors: number;
  warnings: number;
  infos: number;
}

export class IssueList {
  private readonly listed: Issue[] = [];
  private readonly checks = Object.fromEntries(Object.keys(ISSUE_KINDS).map((k) => [k, 0])) as Record<IssueKind, number>;
  private readonly shown = new Map<IssueKind, number>();
  private readonly bySeverity: Record<Severity, number> = { erreur: 0, avertissement: 0, info: 0 };

  /** Records an issue; `occurrences` > 1 when one issue stands for several cells (a marker's count). */
  add(issue: Omit<Issue, 'severity'> & { severity?: Severity }, occurrences = 1): void {
    const severity = issue.severity ?? ISSUE_KINDS[issue.kind];
    this.checks[issue.kind] += occurrences;
    this.bySeverity[severity] += occurrences;
    const n = this.shown.get(issue.kind) ?? 0;
    if (n >= LISTED_PER_KIND) return;
    this.shown.set(issue.kind, n + 1);
    this.listed.push({ ...issue, severity });
  }

  count(kind: IssueKind): number {
    return this.checks[kind];
  }

  get errors(): number {
    return this.bySeverity.erreur;
  }

  totals(): IssueTotals {
    // Stable sort: within a severity, the order of the checks and of the file's lines.
    const issues = [...this.listed].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
    return {
      issues,
      checks: { ...this.checks },
      errors: this.bySeverity.erreur,
      warnings: this.bySeverity.avertissement,
      infos: this.bySeverity.info
    };
  }
}
