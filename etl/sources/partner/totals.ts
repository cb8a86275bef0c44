/**
 * Rows that are totals (an EPT, a département, a région, a commune in an IRIS file, or a
 * row labelled « Total » / « Ensemble ») are not values: the build computes every
 * parent itself. They are still worth reading: a total that differs from the sum of its
 * children in the same file points at a missing, doubled or mistyped row. The sum is
 * only compared when every child is in the file and every contribution is a number.
 */
import type { CellReading } from './cells.ts';
import type { IssueList } from './issues.ts';
import { formatCount } from './limits.ts';
import type { Level, TerritoryIndex } from './territories.ts';
import type { ContextTerritory } from './types.ts';

export interface TotalRow {
  line: number;
  publishedCode: string;
  /** Null for a « Total » / « Ensemble » row: its children are every territory row of its year. */
  parent: ContextTerritory | null;
  label: string;
  year: number;
  cells: { column: string; variable: string; raw: string; reading: CellReading }[];
}

export interface ChildRow {
  year: number;
  /** Code at the file's level, in the build's COG. */
  code: string;
  /** Current commune of the row (its own code for a commune file). */
  commune: string;
  readings: Map<string, CellReading>;
}

/** Relative tolerance: partners round (CAF to 5, France Travail to 10), so sums drift by a few units. */
const RELATIVE_TOLERANCE = 0.001;
const ABSOLUTE_TOLERANCE = 0.5;

const LEVEL_NAMES: Record<string, string> = { commune: 'commune', ept: 'EPT', departement: 'département', region: 'région' };

const number = (n: number) => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 3 }).format(n).replace(/\u202f/g, ' ');

export interface TotalsContext {
  index: TerritoryIndex;
  level: Level;
  /** Rows of the file dropped as unknown, erroneous or out of scope: a grand total cannot be checked against the rest. */
  incompleteForGrandTotal: boolean;
}

export function checkTotals(totals: readonly TotalRow[], children: readonly ChildRow[], ctx: TotalsContext, issues: IssueList): void {
  const byYear = new Map<number, ChildRow[]>();
  for (const c of children) {
    const list = byYear.get(c.year) ?? [];
    list.push(c);
    byYear.set(c.year, list);
  }
  const childWord = ctx.level === 'iris' ? 'IRIS' : 'communes';

  for (const total of totals) {
    const rows = byYear.get(total.year) ?? [];
    const what = total.parent ? `${LEVEL_NAMES[total.parent.level] ?? total.parent.level} ${total.parent.name} (${total.parent.code})` : `« ${total.label} »`;
    let members: ChildRow[];
    let expected: string;
    let problem: string | null = null;
    if (total.parent) {
      const communes = ctx.index.communesOf(total.parent);
      members = rows.filter((r) => communes.has(r.commune));
      const wanted = ctx.index.childrenOf(total.parent, ctx.level);
      const present = new Set(members.map((r) => r.code));
      const absent = wanted.filter((t) => !present.has(t.code));
      expected = `ses ${formatCount(wanted.length)} ${childWord}`;
      if (wanted.length === 0) problem = `la base n’a pas de ${childWord} dans ce territoire`;
      else if (absent.length > 0) {
        problem = `${formatCount(absent.length)} ${childWord} absent(e)s du fichier (${absent.slice(0, 5).map((t) => t.code).join(', ')}${absent.length > 5 ? '…' : ''})`;
      }
    } else {
      members = rows;
      expected = `ses ${formatCount(rows.length)} lignes de territoires`;
      if (ctx.incompleteForGrandTotal) problem = 'des lignes du fichier sont écartées (codes inconnus, hors périmètre ou en erreur)';
    }

    const verdicts = { agree: 0, disagree: 0, secret: 0 };
    if (problem === null) {
      for (const cell of total.cells) {
        if (cell.reading.status !== 'ok') continue;
        let sum = 0;
        let complete = true;
        for (const m of members) {
          const r = m.readings.get(cell.variable);
          if (!r || r.status !== 'ok') {
            complete = false;
            break;
          }
          sum += r.value;
        }
        if (!complete) {
          verdicts.secret++;
          continue;
        }
        const diff = cell.reading.value - sum;
        if (Math.abs(diff) <= Math.max(ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE * Math.abs(cell.reading.value))) {
          verdicts.agree++;
          continue;
        }
        verdicts.disagree++;
        const share = sum !== 0 ? ` (${diff > 0 ? '+' : ''}${number((100 * diff) / sum)} %)` : '';
        issues.add({
          kind: 'total_incoherent',
          line: total.line,
          column: cell.column,
          code: total.publishedCode || undefined,
          found: cell.raw,
          message:
            `Total de ${number(cell.reading.value)} pour ${what}, mais la somme de ${expected} dans le fichier vaut ${number(sum)} ` +
            `(écart ${diff > 0 ? '+' : ''}${number(diff)}${share}). Vérifiez la ligne de total et celles de ses ${childWord} (ligne manquante, en double ou mal codée). ` +
            'Ce contrôle vaut pour des effectifs : ignorez-le pour un taux, une moyenne ou une médiane.'
        });
      }
    }
    const parts: string[] = [];
    if (problem) parts.push(`non comparée à la somme de ${expected} : ${problem}`);
    else {
      if (verdicts.agree) parts.push(`cohérente avec la somme de ${expected} pour ${verdicts.agree} variable(s)`);
      if (verdicts.disagree) parts.push(`différente de cette somme pour ${verdicts.disagree} variable(s) (voir les avertissements)`);
      if (verdicts.secret) parts.push(`non comparable pour ${verdicts.secret} variable(s) (valeurs secrètes ou absentes)`);
    }
    issues.add({
      kind: 'ligne_total',
      line: total.line,
      code: total.publishedCode || undefined,
      message: `Ligne de total (${what}) : exclue des valeurs, la construction calcule elle-même les niveaux supérieurs${parts.length ? ` ; ${parts.join(' ; ')}` : ''}.`
    });
  }
}
