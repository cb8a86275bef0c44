/**
 * Values far from the previous published vintage. Territories change together (the
 * population grows, a benefit is revalued), so a value is compared to the typical
 * change rather than to its old value: for each variable, r = ln(new / old) per
 * territory, m = median(r), s = 1.4826 × MAD(r) (a robust standard deviation, floored
 * at 0.05 so that an almost uniform change does not flag every small deviation), and a
 * value is an outlier when |r − m| > 3.5 s (the modified z-score rule of Iglewicz and
 * Hoaglin) and |new − old| is at least the secrecy threshold (and 1): 3 → 9 is a
 * tripling, but not news. Zero and negative values have no ratio and are skipped.
 */
import { median, medianAbsoluteDeviation } from 'simple-statistics';
import type { IssueList } from './issues.ts';
import type { UploadValue } from './types.ts';

export const OUTLIER_RULE = { k: 3.5, minScale: 0.05, minPairs: 8 } as const;

export interface Outlier {
  value: UploadValue;
  previous: number;
  score: number;
  typicalRatio: number;
}

const fr = (n: number, digits = 2) => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: digits }).format(n).replace(/\u202f/g, ' ');

/** Outliers of the file's latest year, largest score first. */
export function findOutliers(values: readonly UploadValue[], previous: ReadonlyMap<string, ReadonlyMap<string, number>>, threshold: number): Outlier[] {
  const latest = Math.max(...values.map((v) => v.year));
  const floor = Math.max(1, threshold);
  const byVariable = new Map<string, { v: UploadValue; old: number; r: number }[]>();
  for (const v of values) {
    if (v.year !== latest || v.status !== 'ok' || v.value === null || v.value <= 0) continue;
    const old = previous.get(v.variable);
    const before = old?.get(v.publishedCode) ?? old?.get(v.code);
    if (before === undefined || before <= 0) continue;
    const list = byVariable.get(v.variable) ?? [];
    list.push({ v, old: before, r: Math.log(v.value / before) });
    byVariable.set(v.variable, list);
  }
  const out: Outlier[] = [];
  for (const pairs of byVariable.values()) {
    if (pairs.length < OUTLIER_RULE.minPairs) continue;
    const rs = pairs.map((p) => p.r);
    const m = median(rs);
    const s = Math.max(OUTLIER_RULE.minScale, 1.4826 * medianAbsoluteDeviation(rs));
    for (const p of pairs) {
      const score = Math.abs(p.r - m) / s;
      if (score > OUTLIER_RULE.k && Math.abs(p.v.value! - p.old) >= floor) {
        out.push({ value: p.v, previous: p.old, score, typicalRatio: Math.exp(m) });
      }
    }
  }
  return out.sort((a, b) => b.score - a.score);
}

export function reportOutliers(outliers: readonly Outlier[], columnOf: (variable: string) => string, issues: IssueList): void {
  for (const o of outliers) {
    const v = o.value;
    issues.add({
      kind: 'valeur_aberrante',
      line: v.line,
      column: columnOf(v.variable),
      code: v.publishedCode,
      found: String(v.value),
      message:
        `${fr(v.value!)} contre ${fr(o.previous)} au millésime publié précédent (× ${fr(v.value! / o.previous)}), ` +
        `alors que la variation typique de « ${v.variable} » est × ${fr(o.typicalRatio, 3)} (écart de ${fr(o.score, 1)} écarts robustes). ` +
        'Vérifiez la valeur et le code de la ligne ; si le changement est réel (nouveau quartier, changement de champ), ignorez cet avertissement.'
    });
  }
}
