import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregate, baseValue, unitsOf, type BaseCells, type RawCell } from './aggregate.ts';
import type { ComputedValue, IndicatorDefinition, IndicatorKind, SecrecyRule } from './types.ts';

function def(kind: IndicatorKind, secrecy: Partial<SecrecyRule> = {}, scale = kind === 'ratio' ? 100 : 1): IndicatorDefinition {
  return {
    id: `test-${kind}`,
    label: 'Test',
    theme: 'population',
    unit: kind === 'ratio' ? '%' : 'habitants',
    kind,
    scale,
    decimals: 1,
    secrecy: { threshold: 0, on: kind === 'ratio' ? 'numerator' : 'value', ...secrecy },
    series: [{ year: 2022, source: 'test', value: 'X' }]
  };
}

const ok = (value: number): RawCell => ({ value, status: 'ok' });
const secretCell = (value: number | null = null): RawCell => ({ value, status: 'secret' });
const missingCell: RawCell = { value: null, status: 'missing' };

const count = def('count');
const ratio = def('ratio');
const median = def('median');

const c = (v: number) => baseValue(count, { value: ok(v) });
const r = (n: number, d: number) => baseValue(ratio, { numerator: ok(n), denominator: ok(d) });

/** Every number found anywhere in an object. */
function numbersIn(x: unknown): number[] {
  if (typeof x === 'number') return [x];
  if (x && typeof x === 'object') return Object.values(x).flatMap(numbersIn);
  return [];
}

describe('baseValue', () => {
  it('turns a producer secret into a secret value with no number', () => {
    expect(baseValue(count, { value: secretCell(12) })).toEqual({
      value: null, numerator: null, denominator: null, status: 'secret', secretParts: 1, missingParts: 0, parts: 0
    });
  });

  it('turns an absent or missing cell into a missing value', () => {
    const expected = { value: null, numerator: null, denominator: null, status: 'missing', secretParts: 0, missingParts: 1, parts: 0 };
    expect(baseValue(count, {})).toEqual(expected);
    expect(baseValue(count, { value: missingCell })).toEqual(expected);
    expect(baseValue(ratio, { numerator: ok(3) })).toEqual(expected);
  });

  it('prefers secret over missing when a ratio has one of each', () => {
    expect(baseValue(ratio, { numerator: secretCell(), denominator: missingCell }).status).toBe('secret');
  });

  it('masks a count strictly below the threshold and keeps one equal to it', () => {
    const caf = def('count', { threshold: 5 });
    const masked = baseValue(caf, { value: ok(4.75) });
    expect(masked.status).toBe('secret');
    expect(numbersIn(masked)).not.toContain(4.75);
    expect(baseValue(caf, { value: ok(5) })).toMatchObject({ value: 5, status: 'ok', parts: 1 });
  });

  it('masks a ratio on its numerator and drops the denominator too', () => {
    const caf = def('ratio', { threshold: 5, on: 'numerator' });
    const v = baseValue(caf, { numerator: ok(3.5), denominator: ok(812) });
    expect(v).toMatchObject({ status: 'secret', value: null, numerator: null, denominator: null, secretParts: 1 });
    expect(numbersIn(v)).not.toContain(812);
  });

  it('masks a ratio on its denominator when told so', () => {
    const d = def('ratio', { threshold: 11, on: 'denominator' });
    expect(baseValue(d, { numerator: ok(40), denominator: ok(10) }).status).toBe('secret');
    expect(baseValue(d, { numerator: ok(4), denominator: ok(11) }).status).toBe('ok');
  });

  it('computes a ratio as numerator / denominator × scale', () => {
    expect(r(7, 20)).toEqual({ value: 35, numerator: 7, denominator: 20, status: 'ok', secretParts: 0, missingParts: 0, parts: 1 });
    const density = def('ratio', {}, 1);
    expect(baseValue(density, { numerator: ok(148907), denominator: ok(15.77) }).value).toBeCloseTo(9442.42, 2);
  });

  it('treats a zero denominator as an undefined ratio that still counts as a known part', () => {
    expect(r(0, 0)).toEqual({ value: null, numerator: 0, denominator: 0, status: 'missing', secretParts: 0, missingParts: 0, parts: 1 });
  });

  it('keeps medians, means and rates as published, negative ones included', () => {
    expect(baseValue(median, { value: ok(16620) })).toMatchObject({ value: 16620, status: 'ok', parts: 1 });
    expect(baseValue(def('rate'), { value: ok(-15.1) })).toMatchObject({ value: -15.1, status: 'ok' });
  });

  it('rejects an ok cell without a finite number', () => {
    expect(() => baseValue(count, { value: { value: null, status: 'ok' } })).toThrow(TypeError);
    expect(() => baseValue(count, { value: ok(Number.NaN) })).toThrow(TypeError);
  });
});

describe('aggregate', () => {
  it('sums counts of complete groups', () => {
    expect(aggregate(count, [c(10), c(20), c(5)], { expectedParts: 3 })).toEqual({
      value: 35, numerator: null, denominator: null, status: 'ok', secretParts: 0, missingParts: 0, parts: 3
    });
  });

  it('gives a partial lower bound when a unit is secret', () => {
    const v = aggregate(count, [c(10), baseValue(count, { value: secretCell(3) }), c(20)], { expectedParts: 3 });
    expect(v).toMatchObject({ value: 30, status: 'partial', secretParts: 1, missingParts: 0, parts: 2 });
  });

  it('counts expected units without a contribution as missing', () => {
    const v = aggregate(count, [c(10), c(20)], { expectedParts: 4 });
    expect(v).toMatchObject({ value: 30, status: 'partial', secretParts: 0, missingParts: 2, parts: 2 });
  });

  it('is secret when every known unit is secret, missing when nothing is known', () => {
    const s = baseValue(count, { value: secretCell() });
    expect(aggregate(count, [s, s], { expectedParts: 3 })).toMatchObject({ status: 'secret', value: null, secretParts: 2, missingParts: 1 });
    expect(aggregate(count, [], { expectedParts: 2 })).toMatchObject({ status: 'missing', value: null, missingParts: 2, parts: 0 });
    expect(aggregate(count, [], { expectedParts: 0 })).toMatchObject({ status: 'missing', value: null, missingParts: 0, parts: 0 });
  });

  it('computes a ratio as Σnumerator / Σdenominator, not as the mean of the ratios', () => {
    // 1/2 = 50 % and 1/8 = 12.5 %: the mean of ratios would say 31.25 %, the population says 2/10.
    const v = aggregate(ratio, [r(1, 2), r(1, 8)], { expectedParts: 2 });
    expect(v).toEqual({ value: 20, numerator: 2, denominator: 10, status: 'ok', secretParts: 0, missingParts: 0, parts: 2 });
    expect(v.value).not.toBe((50 + 12.5) / 2);
  });

  it('computes a partial ratio on the known parts only', () => {
    const hidden = baseValue(ratio, { numerator: secretCell(), denominator: ok(100) });
    expect(aggregate(ratio, [r(10, 40), hidden, r(30, 60)], { expectedParts: 3 })).toMatchObject({
      value: 40, numerator: 40, denominator: 100, status: 'partial', secretParts: 1, parts: 2
    });
  });

  it('lets a zero-denominator unit contribute to a larger ratio', () => {
    expect(aggregate(ratio, [r(0, 0), r(3, 12)], { expectedParts: 2 })).toMatchObject({ value: 25, status: 'ok', parts: 2 });
    expect(aggregate(ratio, [r(0, 0), r(0, 0)], { expectedParts: 2 })).toMatchObject({ value: null, status: 'missing', parts: 2 });
  });

  it('never aggregates medians over more than one unit', () => {
    const a = baseValue(median, { value: ok(15330) });
    const b = baseValue(median, { value: ok(18710) });
    expect(aggregate(median, [a, b], { expectedParts: 2 })).toEqual({
      value: null, numerator: null, denominator: null, status: 'not-aggregable', secretParts: 0, missingParts: 0, parts: 2
    });
    expect(aggregate(median, [a], { expectedParts: 2 })).toMatchObject({ status: 'not-aggregable', value: null, missingParts: 1 });
  });

  it('returns a single unit median unchanged, secret included', () => {
    const a = baseValue(median, { value: ok(15330) });
    expect(aggregate(median, [a], { expectedParts: 1 })).toEqual(a);
    const s = baseValue(median, { value: secretCell() });
    expect(aggregate(median, [s], { expectedParts: 1 })).toEqual(s);
    expect(aggregate(median, [], { expectedParts: 1 })).toMatchObject({ status: 'missing', missingParts: 1 });
  });

  it('applies the threshold to the aggregate itself', () => {
    // Two units that passed no threshold at their own level (e.g. published by a source without one).
    const small = def('count', { threshold: 5 });
    const two: ComputedValue = { value: 2, numerator: null, denominator: null, status: 'ok', secretParts: 0, missingParts: 0, parts: 1 };
    expect(aggregate(small, [two, two], { expectedParts: 2 })).toEqual({
      value: null, numerator: null, denominator: null, status: 'secret', secretParts: 2, missingParts: 0, parts: 0
    });
    expect(aggregate(small, [two, two, two], { expectedParts: 3 })).toMatchObject({ value: 6, status: 'ok' });
  });

  it('applies a ratio threshold to Σnumerator or Σdenominator', () => {
    const d = def('ratio', { threshold: 11, on: 'denominator' });
    const unit = (n: number, den: number): ComputedValue => ({ value: (n / den) * 100, numerator: n, denominator: den, status: 'ok', secretParts: 0, missingParts: 0, parts: 1 });
    expect(aggregate(d, [unit(1, 4), unit(2, 5)], { expectedParts: 2 }).status).toBe('secret');
    expect(aggregate(d, [unit(1, 4), unit(2, 7)], { expectedParts: 2 })).toMatchObject({ status: 'ok', numerator: 3, denominator: 11 });
  });

  it('refuses a not-aggregable contribution to a count', () => {
    const na: ComputedValue = { value: null, numerator: null, denominator: null, status: 'not-aggregable', secretParts: 0, missingParts: 0, parts: 2 };
    expect(() => aggregate(count, [na], { expectedParts: 2 })).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Laws, checked on random territories. Integer counts keep floating-point sums exact, so the
// composability law is checked with strict equality.

type Unit = { cells: BaseCells; present: boolean };

const rawCell = (max: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max }).map(ok) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max }).map((v) => secretCell(v)) },
    { weight: 1, arbitrary: fc.constant(missingCell) }
  );

const additiveDef = fc.oneof(
  fc.integer({ min: 0, max: 12 }).map((t) => def('count', { threshold: t })),
  fc
    .tuple(fc.integer({ min: 0, max: 12 }), fc.constantFrom<'numerator' | 'denominator'>('numerator', 'denominator'))
    .map(([t, on]) => def('ratio', { threshold: t, on }))
);

const units: fc.Arbitrary<Unit[]> = fc.array(
  fc.record({
    cells: fc.record({ value: rawCell(60), numerator: rawCell(40), denominator: rawCell(80) }),
    // An absent unit belongs to the territory but has no record in the source.
    present: fc.nat(9).map((n) => n > 0)
  }),
  { maxLength: 25 }
);

function baseOf(d: IndicatorDefinition, us: readonly Unit[]): ComputedValue[] {
  return us.filter((u) => u.present).map((u) => baseValue(d, u.cells));
}

describe('aggregation laws', () => {
  it('aggregating a partition’s aggregates equals aggregating all base units', () => {
    fc.assert(
      fc.property(additiveDef, units, fc.array(fc.nat(4), { maxLength: 25 }), (d, us, groupOf) => {
        const groups = new Map<number, Unit[]>();
        us.forEach((u, i) => {
          const g = groupOf[i] ?? 0;
          groups.set(g, [...(groups.get(g) ?? []), u]);
        });
        const partial = [...groups.values()].map((g) => aggregate(d, baseOf(d, g), { expectedParts: g.length }));
        const direct = aggregate(d, baseOf(d, us), { expectedParts: us.length });
        expect(aggregate(d, partial, { expectedParts: us.length })).toEqual(direct);
        expect(unitsOf(direct)).toBe(us.length);
      })
    );
  });

  it('never shows a group containing a secret unit as ok, and merging never lowers secrecy', () => {
    fc.assert(
      fc.property(additiveDef, units, units, (d, a, b) => {
        const ga = aggregate(d, baseOf(d, a), { expectedParts: a.length });
        const gb = aggregate(d, baseOf(d, b), { expectedParts: b.length });
        const merged = aggregate(d, [ga, gb], { expectedParts: a.length + b.length });
        expect(merged.secretParts).toBe(ga.secretParts + gb.secretParts);
        if (ga.secretParts > 0 || gb.secretParts > 0) expect(merged.status).not.toBe('ok');
        if (ga.status !== 'ok' && ga.status !== 'missing') expect(merged.status).not.toBe('ok');
      })
    );
  });

  it('computes every known ratio as Σnumerator / Σdenominator of its known units', () => {
    fc.assert(
      fc.property(units, (us) => {
        const base = baseOf(ratio, us);
        const known = base.filter((v) => v.parts === 1);
        const num = known.reduce((s, v) => s + (v.numerator ?? 0), 0);
        const den = known.reduce((s, v) => s + (v.denominator ?? 0), 0);
        const v = aggregate(ratio, base, { expectedParts: us.length });
        if (v.value !== null) expect(v.value).toBe((num / den) * 100);
        if (known.length > 0) expect([v.numerator, v.denominator]).toEqual([num, den]);
      })
    );
  });

  it('never sums medians, means or rates over several units', () => {
    fc.assert(
      fc.property(fc.constantFrom<IndicatorKind>('median', 'mean', 'rate'), units, (kind, us) => {
        fc.pre(us.length > 1);
        const d = def(kind);
        const v = aggregate(d, baseOf(d, us), { expectedParts: us.length });
        expect(v).toMatchObject({ status: 'not-aggregable', value: null, numerator: null, denominator: null });
      })
    );
  });

  it('never lets a secret number reach the output, whatever its value', () => {
    fc.assert(
      fc.property(additiveDef, units, fc.double({ min: 1e6, max: 2e6, noNaN: true }), (d, us, hidden) => {
        // The same territory, once with the secret cells' numbers replaced by an unmistakable value.
        const leaky = us.map((u) => ({
          ...u,
          cells: Object.fromEntries(
            Object.entries(u.cells).map(([k, cell]) => [k, cell.status === 'secret' ? { ...cell, value: hidden } : cell])
          ) as BaseCells
        }));
        const plain = us.map((u) => ({
          ...u,
          cells: Object.fromEntries(
            Object.entries(u.cells).map(([k, cell]) => [k, cell.status === 'secret' ? { ...cell, value: null } : cell])
          ) as BaseCells
        }));
        const base = baseOf(d, leaky);
        const out = aggregate(d, base, { expectedParts: us.length });
        expect(numbersIn([base, out])).not.toContain(hidden);
        expect(out).toEqual(aggregate(d, baseOf(d, plain), { expectedParts: us.length }));
      })
    );
  });

  it('never publishes a count below the threshold, at any level', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), units, (t, us) => {
        const d = def('count', { threshold: t });
        const base = baseOf(d, us);
        for (const v of [...base, aggregate(d, base, { expectedParts: us.length })]) {
          if (v.value !== null) expect(v.value).toBeGreaterThanOrEqual(t);
        }
      })
    );
  });
});
