import { formatValue, lowerFirst } from './format';
import { plural } from './french';
import type { TerritoryValue } from './types';

export interface SummaryInput {
  label: string;
  unit: string;
  decimals: number;
  year: number;
  /** « communes », « IRIS »… */
  levelPlural: string;
  /** « de Seine-Saint-Denis », « d’Île-de-France », or '' */
  perimeter: string;
  values: readonly TerritoryValue[];
}

function hasNumber(v: TerritoryValue): v is TerritoryValue & { value: number } {
  return v.value !== null && (v.status === 'ok' || v.status === 'partial');
}

/** The median territory: the one in the middle of the ranking (the lower of the two middles for an even count). */
export function medianTerritory<T extends { value: number }>(sorted: readonly T[]): T | undefined {
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * One sentence for people who do not see the map: range, median territory and the
 * territories without a number.
 */
export function summarise(input: SummaryInput): string {
  const withValue = input.values.filter(hasNumber).sort((a, b) => a.value - b.value || a.name.localeCompare(b.name, 'fr'));
  const levelPlural = lowerFirst(input.levelPlural);
  const total = input.values.length;
  const label = lowerFirst(input.label);
  const where = input.perimeter ? ` ${input.perimeter}` : '';
  const fmt = (v: number) => formatValue(v, input.unit, input.decimals);
  const secret = input.values.filter((v) => v.status === 'secret').length;
  const missing = input.values.filter((v) => !hasNumber(v) && v.status !== 'secret').length;
  const gaps: string[] = [];
  if (secret) gaps.push(`${plural(secret, 'territoire')} ${secret > 1 ? 'sont couverts' : 'est couvert'} par le secret statistique`);
  if (missing) gaps.push(`${plural(missing, 'territoire')} ${missing > 1 ? 'n’ont' : 'n’a'} pas de donnée`);
  const gapText = gaps.length ? ` ${gaps.join(' et ').replace(/^./, (c) => c.toUpperCase())}.` : '';
  if (withValue.length === 0) {
    return `${input.year} : aucune valeur de « ${label} » n’est disponible pour les ${total} ${levelPlural}${where}.${gapText}`;
  }
  const low = withValue[0] as TerritoryValue & { value: number };
  const high = withValue[withValue.length - 1] as TerritoryValue & { value: number };
  const median = medianTerritory(withValue) as TerritoryValue & { value: number };
  if (withValue.length === 1) {
    return `En ${input.year}, « ${label} » vaut ${fmt(low.value)} pour ${low.name}, seul territoire chiffré parmi ${plural(total, 'territoire')}${where}.${gapText}`;
  }
  return (
    `En ${input.year}, sur les ${total} ${levelPlural}${where}, « ${label} » va de ${fmt(low.value)} (${low.name}, valeur la plus faible) ` +
    `à ${fmt(high.value)} (${high.name}, valeur la plus élevée) ; le territoire médian est ${median.name} (${fmt(median.value)}).${gapText}`
  );
}
