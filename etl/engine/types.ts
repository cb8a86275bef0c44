/**
 * Indicator definitions (declared in data/indicators/*.yaml) and the values the
 * engine computes from them. Shared by the ETL and the server.
 */

export const INDICATOR_KINDS = ['count', 'ratio', 'median', 'mean', 'rate'] as const;
/**
 * - `count`: additive (sums).
 * - `ratio`: Σnumerator / Σdenominator × scale, re-aggregated from its parts.
 * - `median`, `mean`, `rate`: non-additive measures published by the producer
 *   (a rate whose numerator/denominator are not published, e.g. TP6021); published only
 *   at the level the producer published them, `not-aggregable` elsewhere.
 */
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];

export const STATUSES = ['ok', 'secret', 'partial', 'missing', 'not-aggregable'] as const;
export type ValueStatus = (typeof STATUSES)[number];

export const THEMES = [
  'population',
  'menages',
  'logement',
  'emploi',
  'revenus',
  'prestations',
  'entreprises',
  'territoire'
] as const;
export type Theme = (typeof THEMES)[number];

/** One year of an indicator: which source and which producer columns compute it. */
export interface IndicatorSeries {
  year: number;
  source: string;
  /** Column holding the value (count, median, mean, rate). */
  value?: string;
  /** Columns of a ratio. */
  numerator?: string;
  denominator?: string;
}

export interface SecrecyRule {
  /** A value (or the field named by `on`) strictly below this is secret. 0 = producer markers only. */
  threshold: number;
  on: 'value' | 'numerator' | 'denominator';
  /** Why, in French, shown in tooltips. */
  reason?: string;
}

export interface IndicatorDefinition {
  id: string;
  label: string;
  /** Short label for tables and legends. */
  shortLabel?: string;
  description?: string;
  theme: Theme;
  unit: string;
  kind: IndicatorKind;
  /** Multiplier of ratios (100 for a percentage, 1 for a density). */
  scale: number;
  decimals: number;
  secrecy: SecrecyRule;
  series: IndicatorSeries[];
}

/**
 * A value at one territory, or a contribution to an aggregate. Aggregates are
 * composable: aggregating aggregates of a partition equals aggregating the base units.
 */
export interface ComputedValue {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  status: ValueStatus;
  /** Contributions masked by secrecy (producer marker or threshold). */
  secretParts: number;
  /** Expected base units with no record in the source. */
  missingParts: number;
  /** Base units counted in the value. */
  parts: number;
}
