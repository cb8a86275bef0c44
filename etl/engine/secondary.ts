/**
 * Secondary secrecy (protection against differencing).
 *
 * Primary secrecy masks a base unit (an IRIS, a commune) whose guarded count is under the
 * indicator's threshold. When the observatory knows the masked number (a partner's
 * unmasked export, a value under the observatory's own, stricter threshold), leaving it
 * out of every aggregate is safe but makes every total a lower bound; putting it in every
 * aggregate makes it recoverable: commune − Σ its published IRIS, or two ad-hoc groups that
 * differ by the masked unit.
 *
 * Rule implemented here (documented in ./README.md, « Secret secondaire »):
 * masked units are pooled into **blocks**, and an aggregate includes a masked unit only
 * through a whole block, when every unit of the block is inside the aggregate. Otherwise
 * the unit is left out (the aggregate is `partial`, its secret count says so). A block is
 * only formed if it is **protective**:
 *   - its total is itself publishable: Σ ≥ threshold;
 *   - it narrows no member: with every member a priori in [0, threshold − 1], the block
 *     total must leave each member free to be 0, i.e. Σ ≤ (n − 1)(threshold − 1).
 * Whatever an attacker combines — published units, any aggregates, ad-hoc groups, the
 * département total — every number released is a known unit or a sum of whole blocks, so
 * what can be derived about masked units is a combination of block totals, and a block
 * total leaves every member's interval unchanged. No masked value can be isolated, by
 * difference or otherwise.
 *
 * Blocks are made greedily along the territorial hierarchy so the standard levels stay
 * exact when they can: the masked IRIS of a commune first, then what is left in each EPT,
 * then in each département; a leftover that cannot form a protective block on its own at
 * the top is merged into one of the département's blocks when the union is protective,
 * else it stays out of every aggregate.
 */
import type { IndicatorDefinition } from './types.ts';

/** A masked base unit with the numbers only the engine sees. */
export interface MaskedUnit {
  /** Base unit code (IRIS or commune). */
  code: string;
  /** Its current commune. */
  commune: string;
  /** Σvalue (count) or numerator (ratio). */
  sum: number;
  /** Denominator (ratios; 0 otherwise). */
  denominator: number;
  /** The figure the threshold applies to. */
  guarded: number;
}

/** Where a block was formed; a `commune` block lies inside one commune and is part of its value. */
export type BlockLevel = 'commune' | 'ept' | 'departement';

/** A protective block: released only as a whole. */
export interface SecrecyBlock {
  id: string;
  level: BlockLevel;
  /** Code of the territory it was formed in. */
  group: string;
  units: string[];
  /** Communes holding its units: an aggregate of communes includes the block iff it holds them all. */
  communes: string[];
  sum: number;
  denominator: number;
}

/** What an aggregate needs of a block it contains whole. */
export interface ReleasedBlock {
  units: number;
  sum: number;
  denominator: number;
}

/** The hierarchy of a commune, finest first (its EPT when it has one, its département). */
export type CommunePath = (commune: string) => { level: Exclude<BlockLevel, 'commune'>; code: string }[];

export function isProtective(threshold: number, guarded: readonly number[]): boolean {
  const n = guarded.length;
  if (n < 2 || !(threshold > 0) || guarded.some((g) => !(g >= 0))) return false;
  const total = guarded.reduce((a, b) => a + b, 0);
  return total >= threshold && total <= (n - 1) * (threshold - 1);
}

/**
 * Pools masked units into protective blocks. `unitsAreIris`: the first pooling level is the
 * commune (IRIS base); with a commune base, pooling starts at the EPT.
 */
export function planBlocks(
  threshold: number,
  masked: readonly MaskedUnit[],
  path: CommunePath,
  unitsAreIris: boolean
): SecrecyBlock[] {
  const blocks: SecrecyBlock[] = [];
  let pending = [...masked].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));

  const pool = (level: BlockLevel, groupOf: (u: MaskedUnit) => string | undefined) => {
    const byGroup = new Map<string, MaskedUnit[]>();
    const passing: MaskedUnit[] = [];
    for (const u of pending) {
      const g = groupOf(u);
      if (g === undefined) passing.push(u);
      else byGroup.set(g, [...(byGroup.get(g) ?? []), u]);
    }
    for (const [group, units] of [...byGroup].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (isProtective(threshold, units.map((u) => u.guarded))) blocks.push(makeBlock(level, group, units));
      else passing.push(...units);
    }
    pending = passing;
  };

  if (unitsAreIris) pool('commune', (u) => u.commune);
  pool('ept', (u) => path(u.commune).find((p) => p.level === 'ept')?.code);
  pool('departement', (u) => path(u.commune).find((p) => p.level === 'departement')?.code);

  // Leftovers of a département: merged into one of its blocks when the union stays protective,
  // so the département total can still include them (the smallest block first: it moves the
  // fewest exact figures to partial).
  const byUnit = new Map(masked.map((u) => [u.code, u]));
  const depOf = (u: MaskedUnit) => path(u.commune).find((p) => p.level === 'departement')?.code;
  const leftByDep = new Map<string, MaskedUnit[]>();
  for (const u of pending) {
    const d = depOf(u);
    if (d !== undefined) leftByDep.set(d, [...(leftByDep.get(d) ?? []), u]);
  }
  for (const [dep, left] of leftByDep) {
    const candidates = blocks
      .map((b, i) => ({ b, i }))
      .filter(({ b }) => b.units.every((code) => depOf(byUnit.get(code)!) === dep))
      .sort((x, y) => x.b.units.length - y.b.units.length || (x.b.id < y.b.id ? -1 : 1));
    for (const { b, i } of candidates) {
      const members = [...b.units.map((code) => byUnit.get(code)!), ...left];
      if (isProtective(threshold, members.map((u) => u.guarded))) {
        blocks[i] = makeBlock('departement', dep, members);
        break;
      }
    }
  }
  return blocks;
}

function makeBlock(level: BlockLevel, group: string, units: readonly MaskedUnit[]): SecrecyBlock {
  const codes = units.map((u) => u.code).sort();
  return {
    id: `${level}:${group}:${codes[0]}`,
    level,
    group,
    units: codes,
    communes: [...new Set(units.map((u) => u.commune))].sort(),
    sum: units.reduce((a, u) => a + u.sum, 0),
    denominator: units.reduce((a, u) => a + u.denominator, 0)
  };
}

/** The blocks an aggregate of these communes contains whole (commune-level blocks are already in commune values). */
export function blocksWithin(blocks: readonly SecrecyBlock[], communes: ReadonlySet<string>): ReleasedBlock[] {
  return blocks
    .filter((b) => b.level !== 'commune' && b.communes.every((c) => communes.has(c)))
    .map((b) => ({ units: b.units.length, sum: b.sum, denominator: b.denominator }));
}

/** Every aggregate that contains this masked unit's block whole may count it; nothing else may. */
export function maskedUnit(
  def: IndicatorDefinition,
  code: string,
  commune: string,
  known: { value?: number | null; numerator?: number | null; denominator?: number | null }
): MaskedUnit | null {
  if (def.kind === 'count') {
    const v = known.value;
    return typeof v === 'number' && Number.isFinite(v) ? { code, commune, sum: v, denominator: 0, guarded: v } : null;
  }
  if (def.kind === 'ratio') {
    const n = known.numerator;
    const d = known.denominator;
    if (typeof n !== 'number' || typeof d !== 'number' || !Number.isFinite(n) || !Number.isFinite(d)) return null;
    return { code, commune, sum: n, denominator: d, guarded: def.secrecy.on === 'denominator' ? d : n };
  }
  return null;
}

