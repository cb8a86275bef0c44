/**
 * An attacker against secondary secrecy: from published aggregates and the published base
 * units they contain, what can be inferred about masked cells.
 *
 * For an aggregate A (a published territory or an ad-hoc group of communes), its residual
 * r_A = figure(A) − Σ published figures of the IRIS it contains is the part due to masked
 * cells. The attacker knows which masked cells each aggregate holds (the IRIS a commune is
 * made of are published, and which cells the producer itself blanked is public) and tries:
 *
 * - **differencing**: a single aggregate holding one masked cell u gives the candidate r_A;
 *   every pair (A, B) whose masked cells differ by exactly one cell u gives r_B − r_A
 *   (u in B) or r_A − r_B (u in A);
 * - **intervals** (with a prior [floor, ceiling] for every masked cell, e.g. [5, 10] for a
 *   CAF cell masked under 11): when an aggregate counts every masked cell it holds (its
 *   secret parts are the producer's blanks only), its residual is the total T of k known
 *   cells, and each lies in [max(floor, T − (k − 1) × ceiling), min(ceiling, T − (k − 1) × floor)];
 *   the same for the difference of two such aggregates whose masked cells are nested. An
 *   interval reduced to one number is a candidate.
 *
 * A candidate is what the attacker would publish as the cell's value; the test compares it
 * with the truth.
 */
import { aggregate, baseValue, type BaseCells } from '../../etl/engine/aggregate.ts';
import type { IndicatorDefinition } from '../../etl/engine/types.ts';
import type { Observed, Territory } from './secrecy-crawl.ts';

export interface AttackInput {
  /** The masked cells the attacker targets (IRIS codes). */
  masked: readonly string[];
  /** Cells the producer itself blanked: no aggregate ever counts them. */
  producerSecret: ReadonlySet<string>;
  irisOf: ReadonlyMap<string, readonly string[]>;
  /** Published number (value, numerator or denominator) of each IRIS; null when masked. */
  known: ReadonlyMap<string, number | null>;
  aggregates: readonly { key: string; communes: readonly string[]; figure: number | null; secretParts: number }[];
  /** A priori interval of every masked cell; without it, differencing only. */
  prior?: { floor: number; ceiling: number };
}

export interface Candidate {
  cell: string;
  value: number;
  how: 'seul' | 'paire' | 'intervalle';
  /** The aggregate(s) it came from. */
  from: string;
}

export interface AttackResult {
  /** Aggregates with a published figure. */
  aggregates: number;
  /** …holding at least one masked cell. */
  touching: number;
  /** …whose residual is positive: they count some masked cells (through whole blocks). */
  withResidual: number;
  pairsTried: number;
  candidates: Candidate[];
  /** Inferences whose interval was empty: the attacker's model of the release was wrong. */
  inconsistent: number;
}

const EPSILON = 1e-6;

class Bits {
  readonly words: Uint32Array;
  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32) || 1);
  }
  set(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
  }
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Bits set in `a` but not in `b`, as indices (stops past `limit`). */
function minus(a: Bits, b: Bits, limit: number): number[] {
  const out: number[] = [];
  for (let w = 0; w < a.words.length; w++) {
    let x = a.words[w]! & ~b.words[w]!;
    while (x !== 0) {
      const low = x & -x;
      out.push(w * 32 + 31 - Math.clz32(low));
      if (out.length > limit) return out;
      x ^= low;
    }
  }
  return out;
}

function count(a: Bits): number {
  let n = 0;
  for (const w of a.words) n += popcount32(w);
  return n;
}

interface Reading {
  key: string;
  residual: number;
  bits: Bits;
  size: number;
  /** Every masked cell it holds is counted in its figure. */
  full: boolean;
}

export function attack(input: AttackInput): AttackResult {
  const index = new Map(input.masked.map((code, i) => [code, i]));
  const readings: Reading[] = [];
  let aggregates = 0;
  let withResidual = 0;
  for (const a of input.aggregates) {
    if (a.figure === null) continue;
    aggregates++;
    const bits = new Bits(input.masked.length);
    let known = 0;
    let blanked = 0;
    for (const commune of a.communes) {
      for (const code of input.irisOf.get(commune) ?? []) {
        const i = index.get(code);
        if (i !== undefined) bits.set(i);
        else if (input.producerSecret.has(code)) blanked++;
        else known += input.known.get(code) ?? 0;
      }
    }
    const size = count(bits);
    if (size === 0) continue;
    const residual = a.figure - known;
    if (residual > EPSILON) withResidual++;
    readings.push({ key: a.key, residual, bits, size, full: a.secretParts === blanked });
  }

  const found = new Map<string, Candidate>();
  const propose = (c: Candidate) => {
    const key = `${c.how}|${c.cell}|${c.value.toFixed(6)}`;
    if (!found.has(key)) found.set(key, c);
  };
  let inconsistent = 0;
  const prior = input.prior;
  const bound = (cells: number[], total: number, from: string) => {
    if (!prior) return;
    const k = cells.length;
    const lo = Math.max(prior.floor, total - (k - 1) * prior.ceiling);
    const hi = Math.min(prior.ceiling, total - (k - 1) * prior.floor);
    if (lo > hi + EPSILON) inconsistent++;
    else if (hi - lo < EPSILON) for (const i of cells) propose({ cell: input.masked[i]!, value: lo, how: 'intervalle', from });
  };
  const none = new Bits(input.masked.length);

  for (const r of readings) {
    if (r.size === 1) propose({ cell: input.masked[minus(r.bits, none, 1)[0]!]!, value: r.residual, how: 'seul', from: r.key });
    if (r.full) bound(minus(r.bits, none, Infinity), r.residual, r.key);
  }
  let pairsTried = 0;
  for (let i = 0; i < readings.length; i++) {
    const a = readings[i]!;
    for (let j = i + 1; j < readings.length; j++) {
      const b = readings[j]!;
      pairsTried++;
      let inA = 0;
      let inB = 0;
      for (let w = 0; w < a.bits.words.length; w++) {
        inA += popcount32(a.bits.words[w]! & ~b.bits.words[w]!);
        inB += popcount32(b.bits.words[w]! & ~a.bits.words[w]!);
      }
      const from = `${a.key} ; ${b.key}`;
      if (inA + inB === 1) {
        const [u, sign] = inA === 1 ? [minus(a.bits, b.bits, 1)[0]!, 1] : [minus(b.bits, a.bits, 1)[0]!, -1];
        propose({ cell: input.masked[u]!, value: sign * (a.residual - b.residual), how: 'paire', from });
      }
      if (a.full && b.full) {
        if (inB === 0 && inA > 0) bound(minus(a.bits, b.bits, Infinity), a.residual - b.residual, from);
        else if (inA === 0 && inB > 0) bound(minus(b.bits, a.bits, Infinity), b.residual - a.residual, from);
      }
    }
  }
  return { aggregates, touching: readings.length, withResidual, pairsTried, candidates: [...found.values()], inconsistent };
}

/** The cells for which some candidate equals the true value. */
export function recovered(result: AttackResult, truth: ReadonlyMap<string, number>): Candidate[] {
  return result.candidates.filter((c) => {
    const t = truth.get(c.cell);
    return t !== undefined && Math.abs(c.value - t) < EPSILON;
  });
}

/**
 * The same aggregates by an engine with no secondary secrecy: every number the observatory
 * knows is counted (no threshold inside aggregates, no blocks); the producer's blanks stay out.
 */
export function naiveObservations(
  def: IndicatorDefinition,
  territories: readonly Territory[],
  irisOf: ReadonlyMap<string, readonly string[]>,
  cellsOf: (iris: string) => BaseCells | undefined
): Map<string, Observed> {
  const open: IndicatorDefinition = { ...def, secrecy: { ...def.secrecy, threshold: 0 } };
  const out = new Map<string, Observed>();
  for (const t of territories) {
    const contributions = t.communes.flatMap((c) => irisOf.get(c) ?? []).flatMap((code) => {
      const cells = cellsOf(code);
      return cells ? [baseValue(open, cells)] : [];
    });
    const v = aggregate(open, contributions, { expectedParts: contributions.length });
    out.set(t.key, { value: v.value, numerator: v.numerator, denominator: v.denominator, status: v.status, secretParts: v.secretParts });
  }
  return out;
}
