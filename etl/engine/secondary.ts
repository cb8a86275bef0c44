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
 *   - it narrows no member. A member is a priori in [0, threshold − 1], or in
 *     [floor, threshold − 1] for an attacker who knows that the producer itself blanks the
 *     smallest counts (the CAF blanks counts under 5, so a count the observatory masks under
 *     11 is between 5 and 10). The total must leave each member free to be as low as 0,
 *     Σ ≤ (n − 1)(threshold − 1), and as high as threshold − 1 with the others at the floor,
 *     Σ ≥ (threshold − 1) + (n − 1) × floor: three CAF cells at 5 (Σ = 15) would otherwise
 *     each be known to be 5. The floor is the smallest masked number of the series, the
 *     highest lower bound any attacker can hold for all of them.
 * Whatever an attacker combines — published units, any aggregates, ad-hoc groups, the
 * département total — every number released is a known unit or a sum of whole blocks, so
 * what can be derived about masked units is a combination of block totals, and a block
 * total leaves every member's interval unchanged. No masked value can be isolated from the
 * published numbers, by difference or otherwise.
 *
 * Blocks are made greedily along the territorial hierarchy so the standard levels stay
 * exact when they can: the masked IRIS of a commune first, then what is left in each EPT,
 * then in each département; a leftover that cannot form a protective block on its own at
 * the top is merged into one of the département's blocks when the union is protective,
 * else it stays out of every aggregate. Known limit: the greedy decisions depend on the
 * values, so an attacker who knows the algorithm and which poolings it refused may narrow
 * a member of a later block (README, « Secret secondaire »); server/testing/secrecy-audit.ts
 * looks for such cases.
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

/**
 * Whether releasing the total of these masked units leaves each one's interval
 * [floor, threshold − 1] unchanged, for an attacker who knows the floor and for one who
 * does not (interval [0, threshold − 1]).
 */
export function isProtective(threshold: number, guarded: readonly number[], floor = 0): boolean {
  const n = guarded.length;
  if (n < 2 || !(threshold > 0) || !(floor >= 0) || guarded.some((g) => !(g >= floor))) return false;
  const total = guarded.reduce((a, b) => a + b, 0);
  const { low, high } = protectiveRange(threshold, n, floor);
  return total >= low && total <= high;
}

/** The totals of n masked units that `isProtective` accepts (empty when low > high, e.g. n = 2 under 11 with a floor of 5). */
export function protectiveRange(threshold: number, n: number, floor = 0): { low: number; high: number } {
  const ceiling = threshold - 1;
  return { low: Math.max(threshold, ceiling + (n - 1) * floor), high: (n - 1) * ceiling };
}

/** A pooling `planBlocks` tried: its units and whether their total was protective. */
export interface PoolingDecision {
  level: BlockLevel;
  group: string;
  units: string[];
  protective: boolean;
}

/** The highest lower bound valid for every masked unit: the smallest of them (0 when none or negative). */
export function maskedFloor(masked: readonly Pick<MaskedUnit, 'guarded'>[]): number {
  let floor = Infinity;
  for (const u of masked) floor = Math.min(floor, u.guarded);
  return Number.isFinite(floor) && floor > 0 ? floor : 0;
}

/**
 * Pools masked units into protective blocks. `unitsAreIris`: the first pooling level is the
 * commune (IRIS base); with a commune base, pooling starts at the EPT. `onDecision` sees
 * every pooling tried, in order (what an attacker who knows the algorithm can reconstruct).
 */
export function planBlocks(
  threshold: number,
  masked: readonly MaskedUnit[],
  path: CommunePath,
  unitsAreIris: boolean,
  onDecision?: (decision: PoolingDecision) => void
): SecrecyBlock[] {
  const blocks: SecrecyBlock[] = [];
  const floor = maskedFloor(masked);
  let pending = [...masked].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const tryPooling = (level: BlockLevel, group: string, units: readonly MaskedUnit[]): boolean => {
    const protective = isProtective(threshold, units.map((u) => u.guarded), floor);
    onDecision?.({ level, group, units: units.map((u) => u.code).sort(), protective });
    return protective;
  };

  const pool = (level: BlockLevel, groupOf: (u: MaskedUnit) => string | undefined) => {
    const byGroup = new Map<string, MaskedUnit[]>();
    const passing: MaskedUnit[] = [];
    for (const u of pending) {
      const g = groupOf(u);
      if (g === undefined) passing.push(u);
      else byGroup.set(g, [...(byGroup.get(g) ?? []), u]);
    }
    for (const [group, units] of [...byGroup].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (tryPooling(level, group, units)) blocks.push(makeBlock(level, group, units));
      else passing.push(...units);
    }
    pending = passing;
  };

  if (unitsAreIris) pool('commune', (u) => u.commune);
  pool('ept', (u) => path(u.commune).find((p) => p.level === 'ept')?.code);
  pool('departement', (u) => path(u.commune).find((p) => p.level === 'departement')?.code);

  // Leftovers of a département: merged into one of its blocks when the union stays protective,
  // so the département total can still include them (the smallest block first: it moves the
  // fewest exact figures to partial). A protective block plus units within [floor, threshold − 1]
  // is always protective, so the first candidate takes them: the choice reveals nothing.
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
      if (tryPooling('departement', dep, members)) {
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

