/**
 * The one aggregation engine: base units (IRIS or communes as published) → any
 * group of them (commune, EPT, département, zoning, ad-hoc selection). Pure.
 *
 * Every result is a function of five sums over base units — known parts,
 * Σvalue (counts) or Σnumerator/Σdenominator (ratios), secret parts and
 * missing parts — so aggregating a partition's aggregates equals aggregating
 * the base units. The status table is in ./README.md; keep both in step.
 */
import type { RawStatus } from '../core/types.ts';
import type { ReleasedBlock } from './secondary.ts';
import type { ComputedValue, IndicatorDefinition, IndicatorKind } from './types.ts';

/** One producer cell as the adapters publish it (raw_values.value / status). */
export interface RawCell {
  value: number | null;
  status: RawStatus;
}

/** The cells of one base unit: `value` for counts, medians, means, rates; `numerator`+`denominator` for ratios. */
export interface BaseCells {
  value?: RawCell | undefined;
  numerator?: RawCell | undefined;
  denominator?: RawCell | undefined;
}

export interface AggregateOptions {
  /**
   * Base units the group is made of (e.g. the IRIS of a commune). Units with no
   * contribution count as missing, so a group never looks complete because a
   * unit is absent from the source. Fewer than the contributions account for is
   * not an error: the contributions then define the group.
   */
  expectedParts: number;
  /**
   * Secondary-secrecy blocks lying wholly inside the group (./secondary.ts): their masked
   * units, counted in the contributions' `secretParts`, are counted in the value instead.
   */
  released?: readonly ReleasedBlock[];
}

/** Sums a group's value is computed from; closed under union of disjoint groups. */
interface Totals {
  parts: number;
  secretParts: number;
  missingParts: number;
  /** Σvalue (counts) or Σnumerator (ratios) over the known parts. */
  sum: number;
  /** Σdenominator over the known parts (ratios only). */
  denominator: number;
}

export function isAdditive(kind: IndicatorKind): kind is 'count' | 'ratio' {
  return kind === 'count' || kind === 'ratio';
}

/** Turns one base unit's producer cells into a value in the indicator's unit. */
export function baseValue(def: IndicatorDefinition, cells: BaseCells): ComputedValue {
  const needed = def.kind === 'ratio' ? [cells.numerator, cells.denominator] : [cells.value];
  // Secret wins over missing: the user is told the figure exists but is masked.
  if (needed.some((c) => c?.status === 'secret')) return withNothing('secret', { secretParts: 1 });
  if (needed.some((c) => c === undefined || c.status === 'missing')) return withNothing('missing', { missingParts: 1 });
  const [first = 0, second = 0] = needed.map((c) => knownNumber(def, c as RawCell));
  if (isAdditive(def.kind)) {
    return finish(def, { parts: 1, secretParts: 0, missingParts: 0, sum: first, denominator: second });
  }
  // Medians, means and rates are the producer's own figures; only the threshold applies.
  if (belowThreshold(def, first, null, null)) return withNothing('secret', { secretParts: 1 });
  return { value: first, numerator: null, denominator: null, status: 'ok', secretParts: 0, missingParts: 0, parts: 1 };
}

/**
 * The producer's numbers of a base unit that `baseValue` masks because of the threshold
 * (not of a producer's marker): only secondary secrecy (./secondary.ts) may use them,
 * inside a protective block. Null when the unit is not masked that way.
 */
export function thresholdMasked(
  def: IndicatorDefinition,
  cells: BaseCells
): { value: number | null; numerator: number | null; denominator: number | null } | null {
  if (!isAdditive(def.kind)) return null;
  const needed = def.kind === 'ratio' ? [cells.numerator, cells.denominator] : [cells.value];
  if (needed.some((c) => c === undefined || c.status !== 'ok' || c.value === null || !Number.isFinite(c.value))) return null;
  const [first, second] = needed.map((c) => (c as RawCell).value as number);
  const isRatio = def.kind === 'ratio';
  const value = isRatio ? (second !== 0 ? ((first as number) / (second as number)) * def.scale : null) : (first as number);
  if (!belowThreshold(def, value, isRatio ? (first as number) : null, isRatio ? (second as number) : null)) return null;
  return isRatio ? { value: null, numerator: first as number, denominator: second as number } : { value: first as number, numerator: null, denominator: null };
}

/**
 * Aggregates base values or already-aggregated values of disjoint groups.
 * Counts sum; ratios are Σnumerator / Σdenominator × scale, never a mean of ratios;
 * medians, means and rates cannot be recomputed from their parts.
 */
export function aggregate(
  def: IndicatorDefinition,
  contributions: readonly ComputedValue[],
  opts: AggregateOptions
): ComputedValue {
  const accounted = contributions.reduce((n, c) => n + unitsOf(c), 0);
  const units = Math.max(opts.expectedParts, accounted);
  const absent = units - accounted;

  if (!isAdditive(def.kind)) {
    if (units === 0) return withNothing('missing', {});
    if (units === 1) {
      const only = contributions.find((c) => unitsOf(c) === 1);
      return only ? { ...only } : withNothing('missing', { missingParts: 1 });
    }
    return {
      value: null,
      numerator: null,
      denominator: null,
      status: 'not-aggregable',
      secretParts: contributions.reduce((n, c) => n + c.secretParts, 0),
      missingParts: contributions.reduce((n, c) => n + c.missingParts, 0) + absent,
      parts: contributions.reduce((n, c) => n + c.parts, 0)
    };
  }

  const t: Totals = { parts: 0, secretParts: 0, missingParts: absent, sum: 0, denominator: 0 };
  for (const c of contributions) {
    checkContribution(def, c);
    t.secretParts += c.secretParts;
    t.missingParts += c.missingParts;
    if (c.parts === 0) continue;
    t.parts += c.parts;
    if (def.kind === 'ratio') {
      t.sum += c.numerator ?? 0;
      t.denominator += c.denominator ?? 0;
    } else {
      t.sum += c.value ?? 0;
    }
  }
  for (const b of opts.released ?? []) {
    t.secretParts -= b.units;
    t.parts += b.units;
    t.sum += b.sum;
    t.denominator += b.denominator;
  }
  if (t.secretParts < 0) {
    throw new TypeError(`Indicateur ${def.id} : un bloc de secret secondaire compte des unités absentes du groupe`);
  }
  return finish(def, t);
}

/** Number of base units a value accounts for (known, secret or missing). */
export function unitsOf(v: ComputedValue): number {
  return v.parts + v.secretParts + v.missingParts;
}

function finish(def: IndicatorDefinition, t: Totals): ComputedValue {
  const counts = { secretParts: t.secretParts, missingParts: t.missingParts };
  if (t.parts === 0) return withNothing(t.secretParts > 0 ? 'secret' : 'missing', counts);

  const isRatio = def.kind === 'ratio';
  const numerator = isRatio ? t.sum : null;
  const denominator = isRatio ? t.denominator : null;
  // A ratio with a zero denominator is undefined, not zero (e.g. an IRIS with no dwelling).
  const value = isRatio ? (t.denominator !== 0 ? (t.sum / t.denominator) * def.scale : null) : t.sum;

  // Primary secrecy applies to every published figure, aggregates included: the known
  // parts of a partial count are themselves a figure that could be read.
  if (belowThreshold(def, value, numerator, denominator)) {
    return withNothing('secret', { secretParts: t.secretParts + t.parts, missingParts: t.missingParts });
  }

  let status: ComputedValue['status'];
  if (value === null) status = t.secretParts > 0 ? 'secret' : 'missing';
  else status = t.secretParts > 0 || t.missingParts > 0 ? 'partial' : 'ok';
  // Numerator and denominator are kept even when the ratio is undefined: they are sums of
  // known, non-secret units and a larger group may still have a defined ratio.
  return { value, numerator, denominator, status, ...counts, parts: t.parts };
}

function belowThreshold(
  def: IndicatorDefinition,
  value: number | null,
  numerator: number | null,
  denominator: number | null
): boolean {
  const { threshold, on } = def.secrecy;
  // threshold 0 means "producer markers only": it must not mask negative figures (DISP_PIMPOT18).
  if (!(threshold > 0)) return false;
  let guarded: number | null;
  if (def.kind === 'ratio') guarded = on === 'denominator' ? denominator : numerator;
  else guarded = value;
  return guarded !== null && guarded < threshold;
}

function withNothing(
  status: 'secret' | 'missing',
  counts: { secretParts?: number; missingParts?: number }
): ComputedValue {
  return {
    value: null,
    numerator: null,
    denominator: null,
    status,
    secretParts: counts.secretParts ?? 0,
    missingParts: counts.missingParts ?? 0,
    parts: 0
  };
}

function knownNumber(def: IndicatorDefinition, cell: RawCell): number {
  if (cell.value === null || !Number.isFinite(cell.value)) {
    throw new TypeError(`Indicateur ${def.id} : cellule « ok » sans valeur numérique finie (${String(cell.value)})`);
  }
  return cell.value;
}

function checkContribution(def: IndicatorDefinition, c: ComputedValue): void {
  const known = def.kind === 'ratio' ? c.numerator !== null && c.denominator !== null : c.value !== null;
  if (c.status === 'not-aggregable' || (c.parts > 0) !== known) {
    throw new TypeError(
      `Indicateur ${def.id} : contribution incohérente (statut ${c.status}, ${c.parts} partie(s) connue(s), ` +
        `valeur ${String(c.value)}, numérateur ${String(c.numerator)}, dénominateur ${String(c.denominator)})`
    );
  }
}
