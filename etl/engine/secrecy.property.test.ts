/**
 * Laws of the engine with secondary secrecy, on random territories: IRIS (known, masked
 * under the threshold, secret by the producer, missing) in communes, communes in EPTs, one
 * département. Every value is computed as etl/build/values.ts does — IRIS, then communes
 * with their commune-level blocks, then any group of communes with the blocks it holds whole
 * (`aggregateGroup` + `blocksWithin`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BaseCells, type RawCell, aggregate, baseValue, thresholdMasked } from './aggregate.ts';
import { aggregateGroup } from './group.ts';
import { type CommunePath, type MaskedUnit, type SecrecyBlock, blocksWithin, isProtective, maskedFloor, maskedUnit, planBlocks } from './secondary.ts';
import type { ComputedValue, IndicatorDefinition } from './types.ts';

interface Iris {
  code: string;
  commune: string;
  cells: BaseCells;
}

interface Territory {
  def: IndicatorDefinition;
  communes: { code: string; ept: string | null }[];
  iris: Iris[];
}

function definition(kind: 'count' | 'ratio', threshold: number, on: 'value' | 'numerator' | 'denominator'): IndicatorDefinition {
  return {
    id: `essai-${kind}`,
    label: 'Essai',
    theme: 'population',
    unit: kind === 'ratio' ? '%' : 'allocataires',
    kind,
    scale: kind === 'ratio' ? 100 : 1,
    decimals: 1,
    secrecy: { threshold, on },
    series: [{ year: 2021, source: 'essai', value: 'X' }]
  };
}

// Known numbers are integers, so every sum is exact and values compare with strict equality;
// small ones are frequent, so that many units fall under the threshold and blocks form.
const cell: fc.Arbitrary<RawCell> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 12 }).map((value): RawCell => ({ value, status: 'ok' })) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 40 }).map((value): RawCell => ({ value, status: 'ok' })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 }).map((value): RawCell => ({ value, status: 'secret' })) },
  { weight: 1, arbitrary: fc.constant<RawCell>({ value: null, status: 'missing' }) }
);

const territory: fc.Arbitrary<Territory> = fc
  .record({
    kind: fc.constantFrom<'count' | 'ratio'>('count', 'ratio'),
    threshold: fc.integer({ min: 2, max: 11 }),
    onDenominator: fc.boolean(),
    communes: fc.array(
      fc.record({ ept: fc.constantFrom('E1', 'E2', null), iris: fc.array(fc.record({ value: cell, numerator: cell, denominator: cell }), { minLength: 1, maxLength: 4 }) }),
      { minLength: 2, maxLength: 7 }
    )
  })
  .map(({ kind, threshold, onDenominator, communes }) => ({
    def: definition(kind, threshold, kind === 'count' ? 'value' : onDenominator ? 'denominator' : 'numerator'),
    communes: communes.map((c, i) => ({ code: `C${i}`, ept: c.ept })),
    iris: communes.flatMap((c, i) =>
      c.iris.map((cells, j) => ({
        code: `C${i}-${j}`,
        commune: `C${i}`,
        cells: kind === 'count' ? { value: cells.value } : { numerator: cells.numerator, denominator: cells.denominator }
      }))
    )
  }));

interface Computed {
  base: Map<string, ComputedValue>;
  masked: MaskedUnit[];
  blocks: SecrecyBlock[];
  commune: Map<string, ComputedValue>;
  /** A group of communes as the ETL (zonings, EPT…) and the server (ad-hoc groups) compute it. */
  group(communes: readonly string[]): ComputedValue;
}

function compute(t: Territory): Computed {
  const { def } = t;
  const base = new Map<string, ComputedValue>();
  const masked: MaskedUnit[] = [];
  for (const iris of t.iris) {
    const v = baseValue(def, iris.cells);
    base.set(iris.code, v);
    const known = v.status === 'secret' ? thresholdMasked(def, iris.cells) : null;
    const m = known ? maskedUnit(def, iris.code, iris.commune, known) : null;
    if (m) masked.push(m);
  }
  const eptOf = new Map(t.communes.map((c) => [c.code, c.ept]));
  const path: CommunePath = (commune) => {
    const ept = eptOf.get(commune);
    return [...(ept ? [{ level: 'ept' as const, code: ept }] : []), { level: 'departement' as const, code: '93' }];
  };
  const blocks = planBlocks(def.secrecy.threshold, masked, path, true);
  const commune = new Map<string, ComputedValue>();
  for (const c of t.communes) {
    const units = t.iris.filter((i) => i.commune === c.code);
    const released = blocks.filter((b) => b.level === 'commune' && b.group === c.code).map((b) => ({ units: b.units.length, sum: b.sum, denominator: b.denominator }));
    commune.set(c.code, aggregate(def, units.map((i) => base.get(i.code) as ComputedValue), { expectedParts: units.length, released }));
  }
  const group = (communes: readonly string[]) =>
    aggregateGroup(
      def,
      null,
      communes.map((c) => ({ departement: '93', value: commune.get(c) })),
      aggregate,
      blocksWithin(blocks, new Set(communes))
    ).value;
  return { base, masked, blocks, commune, group };
}

/** Blocks lying wholly inside a set of communes, commune-level ones included. */
const wholeIn = (blocks: readonly SecrecyBlock[], communes: ReadonlySet<string>) => blocks.filter((b) => b.communes.every((c) => communes.has(c)));

const sumOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** A random split of the territory's communes into groups (a zoning), keeping non-empty groups. */
const zoningOf = (t: Territory, groupOf: readonly number[]) => {
  const groups = new Map<number, string[]>();
  t.communes.forEach((c, i) => groups.set(groupOf[i] ?? 0, [...(groups.get(groupOf[i] ?? 0) ?? []), c.code]));
  return [...groups.values()];
};

/** Seeded: each property also checks that its runs reached the cases it is about. */
const SEED = 0x93066;

describe('secondary secrecy laws (properties)', () => {
  it('aggregating a zoning’s group equals aggregating the IRIS of its communes, and the zoning’s groups add up to the whole', () => {
    let withStraddling = 0;
    fc.assert(
      fc.property(territory, fc.array(fc.nat(3), { minLength: 7, maxLength: 7 }), (t, groupOf) => {
        const c = compute(t);
        const zoning = zoningOf(t, groupOf);
        for (const members of zoning) {
          const set = new Set(members);
          const units = t.iris.filter((i) => set.has(i.commune));
          const released = wholeIn(c.blocks, set).map((b) => ({ units: b.units.length, sum: b.sum, denominator: b.denominator }));
          const direct = aggregate(t.def, units.map((i) => c.base.get(i.code) as ComputedValue), { expectedParts: units.length, released });
          expect(c.group(members)).toEqual(direct);
        }
        // the whole from its groups: plus the blocks only the whole holds
        const all = t.communes.map((x) => x.code);
        const straddling = wholeIn(c.blocks, new Set(all)).filter((b) => !zoning.some((g) => b.communes.every((x) => g.includes(x))));
        if (straddling.length > 0) withStraddling++;
        const fromGroups = aggregate(t.def, zoning.map((g) => c.group(g)), {
          expectedParts: 0,
          released: straddling.map((b) => ({ units: b.units.length, sum: b.sum, denominator: b.denominator }))
        });
        expect(fromGroups).toEqual(c.group(all));
      }),
      { numRuns: 300, seed: SEED }
    );
    // the generator reaches the interesting case: blocks only the whole holds
    expect(withStraddling).toBeGreaterThan(10);
  });

  it('never lowers secrecy when groups merge, except by the units of a block the merge holds whole', () => {
    let releasing = 0;
    fc.assert(
      fc.property(territory, fc.array(fc.nat(2), { minLength: 7, maxLength: 7 }), (t, sideOf) => {
        const c = compute(t);
        const a = t.communes.filter((_, i) => sideOf[i] === 0).map((x) => x.code);
        const b = t.communes.filter((_, i) => sideOf[i] === 1).map((x) => x.code);
        fc.pre(a.length > 0 && b.length > 0);
        const [ga, gb, merged] = [c.group(a), c.group(b), c.group([...a, ...b])];
        const inA = new Set(wholeIn(c.blocks, new Set(a)).map((x) => x.id));
        const inB = new Set(wholeIn(c.blocks, new Set(b)).map((x) => x.id));
        const madeWhole = wholeIn(c.blocks, new Set([...a, ...b])).filter((x) => !inA.has(x.id) && !inB.has(x.id));
        const released = sumOf(madeWhole.map((x) => x.units.length));
        if (released > 0) releasing++;
        expect(merged.secretParts).toBe(ga.secretParts + gb.secretParts - released);
        // a part that was secret stays visible as such unless a whole protective block releases it
        if (ga.secretParts + gb.secretParts > released) expect(merged.status).not.toBe('ok');
        for (const x of madeWhole) expect(isProtective(t.def.secrecy.threshold, x.units.map((u) => c.masked.find((m) => m.code === u)?.guarded as number), maskedFloor(c.masked))).toBe(true);
      }),
      { numRuns: 300, seed: SEED }
    );
    expect(releasing).toBeGreaterThan(10);
  });

  it('puts a masked number in an aggregate only through a whole protective block, and a producer’s secret never', () => {
    let throughBlocks = 0;
    fc.assert(
      fc.property(territory, fc.array(fc.nat(3), { minLength: 7, maxLength: 7 }), fc.integer({ min: 1_000_000, max: 2_000_000 }), (t, groupOf, hidden) => {
        const c = compute(t);
        const floor = maskedFloor(c.masked);
        const sets = [...zoningOf(t, groupOf), t.communes.map((x) => x.code), ...t.communes.map((x) => [x.code])];
        for (const members of sets) {
          const set = new Set(members);
          const units = t.iris.filter((i) => set.has(i.commune)).map((i) => c.base.get(i.code) as ComputedValue);
          const whole = wholeIn(c.blocks, set);
          for (const blk of whole) expect(isProtective(t.def.secrecy.threshold, blk.units.map((u) => c.masked.find((m) => m.code === u)?.guarded as number), floor)).toBe(true);
          const v = members.length === 1 ? (c.commune.get(members[0] as string) as ComputedValue) : c.group(members);
          if (whole.length > 0 && v.parts > 0) throughBlocks++;
          // every number is the known units' plus the whole blocks', nothing else
          const known = units.filter((u) => u.parts === 1);
          const field = t.def.kind === 'ratio' ? 'numerator' : 'value';
          if (v.parts > 0) {
            expect(v[field]).toBe(sumOf(known.map((u) => u[field] as number)) + sumOf(whole.map((blk) => blk.sum)));
            if (t.def.kind === 'ratio') expect(v.denominator).toBe(sumOf(known.map((u) => u.denominator as number)) + sumOf(whole.map((blk) => blk.denominator)));
          }
          expect(v.secretParts).toBe(sumOf(units.map((u) => u.secretParts)) - sumOf(whole.map((blk) => blk.units.length)));
        }
        // the producer's secret cells carry a number nobody may use: any number gives the same result
        const leaky: Territory = {
          ...t,
          iris: t.iris.map((i) => ({
            ...i,
            cells: Object.fromEntries(Object.entries(i.cells).map(([k, x]) => [k, x?.status === 'secret' ? { ...x, value: hidden } : x])) as BaseCells
          }))
        };
        const other = compute(leaky);
        expect(other.blocks).toEqual(c.blocks);
        for (const members of sets) expect(other.group(members)).toEqual(c.group(members));
        expect(JSON.stringify([...other.commune.values(), other.blocks])).not.toContain(String(hidden));
      }),
      { numRuns: 300, seed: SEED }
    );
    expect(throughBlocks).toBeGreaterThan(10);
  });
});
