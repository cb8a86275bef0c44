import { formatNumber, formatValue } from '../format';
import { deName, genderOf, pronoun, verb, withArticle } from '../french';
import type { PortraitIndicator, TerritoryRef, ValueFields } from '../types';

type Comparison = TerritoryRef & ValueFields;

/** Within ±5 %, two values read as « proches ». */
const CLOSE = 0.05;

/**
 * The territory a figure is compared with in a sentence: the département (the
 * observatory's frame), else the region, else the nearest level with a number.
 */
export function referenceComparison(indicator: Pick<PortraitIndicator, 'comparisons'>, territoryName?: string): Comparison | null {
  // Paris is a commune and a département: comparing it with itself says nothing
  const usable = indicator.comparisons.filter(
    (c) => c.value !== null && (c.status === 'ok' || c.status === 'partial') && c.name !== territoryName
  );
  return usable.find((c) => c.level === 'departement') ?? usable.find((c) => c.level === 'region') ?? usable[0] ?? null;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** « pour la Seine-Saint-Denis », « pour le Raincy », « pour Bondy ». */
export function pourName(name: string): string {
  const de = deName(name);
  if (de.startsWith('de la ')) return `pour la ${de.slice(6)}`;
  if (de.startsWith('de l’')) return `pour l’${de.slice(5)}`;
  if (de.startsWith('du ')) return `pour le ${de.slice(3)}`;
  if (de.startsWith('des ')) return `pour les ${de.slice(4)}`;
  return `pour ${name}`;
}

/**
 * A French sentence comparing a figure with its reference territory:
 * « Le taux de chômage des 15-64 ans est 1,2 fois celui de la Seine-Saint-Denis (18,3 % contre 15,8 %). »
 * A count is put as a share: « Bondy compte 51 066 habitants, soit 3,0 % du total de la Seine-Saint-Denis ».
 */
export function comparisonSentence(indicator: PortraitIndicator, territoryName: string): string | null {
  const own = indicator.value.value;
  if (own === null) return null;
  const ref = referenceComparison(indicator, territoryName);
  if (!ref || ref.value === null) return null;
  const fmt = (v: number) => formatValue(v, indicator.unit, indicator.decimals);
  const of = deName(ref.name);
  if (indicator.kind === 'count') {
    if (ref.value <= 0 || own < 0) return null;
    const share = (own / ref.value) * 100;
    const shareText = share > 0 && share < 0.1 ? 'moins de 0,1\u202f%' : `${formatNumber(share, 1)}\u202f%`;
    return `${territoryName} compte ${fmt(own)}, soit ${shareText} du total ${of} (${fmt(ref.value)}).`;
  }
  const g = genderOf(indicator.label) ?? 'f';
  const subject = capital(withArticle(indicator.label) ?? `la valeur « ${indicator.label} »`);
  if (indicator.unit.startsWith('base 100') || ref.value === 0 || Math.sign(own) !== Math.sign(ref.value)) {
    return `${subject} : ${fmt(own)}, contre ${fmt(ref.value)} ${pourName(ref.name)}.`;
  }
  const ratio = own / ref.value;
  const versus = `(${fmt(own)} contre ${fmt(ref.value)})`;
  if (Math.abs(ratio - 1) < CLOSE) {
    const close = g === 'mp' || g === 'fp' ? 'proches' : 'proche';
    return `${subject} ${verb(g)} ${close} de ${pronoun(g)} ${of} ${versus}.`;
  }
  return `${subject} ${verb(g)} ${formatNumber(ratio, 1)}\u00a0fois ${pronoun(g)} ${of} ${versus}.`;
}
