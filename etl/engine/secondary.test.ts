import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregate, baseValue } from './aggregate.ts';
import { blocksWithin, isProtective, type MaskedUnit, maskedFloor, type PoolingDecision, planBlocks, protectiveRange, type SecrecyBlock } from './secondary.ts';
import type { IndicatorDefinition } from './types.ts';

const def: IndicatorDefinition = {
  id: 'effectif',
  label: 'Effectif',
  theme: 'prestations',
  unit: 'foyers',
  kind: 'count',
  scale: 1,
  decimals: 0,
  secrecy: { threshold: 5, on: 'value' },
  series: []
};

// Communes A1, A2 in EPT E1; B1 in EPT E2; all in département 93.
const EPT: Record<string, string> = { A1: 'E1', A2: 'E1', B1: 'E2' };
const path = (c: string) => [
  ...(EPT[c] ? [{ level: 'ept' as const, code: EPT[c] }] : []),
  { level: 'departement' as const, code: '93' }
];
const unit = (code: string, commune: string, v: number): MaskedUnit => ({ code, commune, sum: v, denominator: 0, guarded: v });

describe('isProtective', () => {
  it('refuses a block whose total is below the threshold', () => {
    expect(isProtective(5, [1, 2])).toBe(false);
  });
  it('refuses a block whose total pins its members (4 + 4 = 8 under threshold 5 means both are 4)', () => {
    expect(isProtective(5, [4, 4])).toBe(false);
    expect(isProtective(5, [4, 4, 4])).toBe(false);
  });
  it('accepts a block that leaves every member free to be anything from 0 to 4', () => {
    expect(isProtective(5, [3, 2, 0])).toBe(true);
    expect(isProtective(5, [4, 4, 0])).toBe(true);
  });
  it('never accepts a single unit or a negative figure', () => {
    expect(isProtective(5, [4])).toBe(false);
    expect(isProtective(5, [3, 3, -1])).toBe(false);
  });
  // The CAF blanks counts under 5; masked again under 11, a cell is known to lie in [5, 10].
  it('refuses a block whose total pins its members for an attacker who knows the producer’s floor (5 + 5 + 5 under 11)', () => {
    expect(isProtective(11, [5, 5, 5])).toBe(true);
    expect(isProtective(11, [5, 5, 5], 5)).toBe(false);
    expect(isProtective(11, [6, 6, 6, 6, 5], 5)).toBe(false);
  });
  it('accepts a block that leaves every member free to be anything from the floor to threshold − 1', () => {
    expect(isProtective(11, [5, 6, 9], 5)).toBe(true);
    expect(isProtective(11, [10, 10, 5, 5], 5)).toBe(true);
  });
  it('refuses members under the floor it is given', () => {
    expect(isProtective(11, [4, 8, 8], 5)).toBe(false);
  });
});

describe('protectiveRange', () => {
  it('gives the totals accepted, empty for two units under 11 with a floor of 5', () => {
    expect(protectiveRange(5, 3)).toEqual({ low: 5, high: 8 });
    expect(protectiveRange(11, 4, 5)).toEqual({ low: 25, high: 30 });
    const two = protectiveRange(11, 2, 5);
    expect(two.low).toBeGreaterThan(two.high);
  });
});

describe('maskedFloor', () => {
  it('is the smallest masked number, and 0 when there is none or one is negative', () => {
    expect(maskedFloor([{ guarded: 7 }, { guarded: 5 }, { guarded: 9 }])).toBe(5);
    expect(maskedFloor([])).toBe(0);
    expect(maskedFloor([{ guarded: 3 }, { guarded: -2 }])).toBe(0);
  });
});

describe('planBlocks', () => {
  it('pools the masked IRIS of a commune first', () => {
    const blocks = planBlocks(5, [unit('A1-1', 'A1', 3), unit('A1-2', 'A1', 2), unit('A1-3', 'A1', 0)], path, true);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ level: 'commune', group: 'A1', units: ['A1-1', 'A1-2', 'A1-3'], sum: 5 });
  });

  it('carries what a commune cannot protect up to its EPT', () => {
    const blocks = planBlocks(5, [unit('A1-1', 'A1', 3), unit('A2-1', 'A2', 2), unit('A2-2', 'A2', 1)], path, true);
    expect(blocks).toEqual([
      expect.objectContaining({ level: 'ept', group: 'E1', communes: ['A1', 'A2'], sum: 6 })
    ]);
  });

  it('leaves out a unit that no protective block can take', () => {
    expect(planBlocks(5, [unit('B1-1', 'B1', 4)], path, true)).toEqual([]);
  });

  it('merges a département leftover into one of its blocks when the union stays protective', () => {
    const blocks = planBlocks(
      5,
      [unit('A1-1', 'A1', 3), unit('A1-2', 'A1', 2), unit('A1-3', 'A1', 0), unit('B1-1', 'B1', 1)],
      path,
      true
    );
    expect(blocks).toEqual([
      expect.objectContaining({ level: 'departement', group: '93', units: ['A1-1', 'A1-2', 'A1-3', 'B1-1'], sum: 6 })
    ]);
  });

  it('takes the floor from the smallest masked number: three units at 5 under 11 stay out, with a 0 among them they pool', () => {
    const fives = [unit('A1-1', 'A1', 5), unit('A1-2', 'A1', 5), unit('A1-3', 'A1', 5)];
    expect(planBlocks(11, fives, path, true)).toEqual([]);
    expect(planBlocks(11, [...fives, unit('A1-4', 'A1', 0)], path, true)).toEqual([
      expect.objectContaining({ level: 'commune', group: 'A1', sum: 15 })
    ]);
  });

  it('never releases a total that narrows a member, whether the attacker knows the floor or not (property)', () => {
    const communes = ['A1', 'A2', 'B1'];
    const threshold = 11;
    const ceiling = threshold - 1;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.tuple(fc.constantFrom(...communes), fc.integer({ min: 0, max: ceiling })), { maxLength: 30 }),
        (producerFloor, cells) => {
          const units = cells.map(([c, v], i) => unit(`${c}-${i}`, c, Math.max(v, producerFloor)));
          for (const b of planBlocks(threshold, units, path, true)) {
            const n = b.units.length;
            for (const known of [0, producerFloor]) {
              // What the block total says of any one member, the others being anywhere in [known, ceiling].
              expect(Math.max(known, b.sum - (n - 1) * ceiling)).toBe(known);
              expect(Math.min(ceiling, b.sum - (n - 1) * known)).toBe(ceiling);
            }
          }
        }
      )
    );
  });

  it('reports every pooling it tries, refused ones included, in order', () => {
    const decisions: PoolingDecision[] = [];
    planBlocks(5, [unit('A1-1', 'A1', 3), unit('A2-1', 'A2', 2), unit('A2-2', 'A2', 1)], path, true, (d) => decisions.push(d));
    expect(decisions).toEqual([
      { level: 'commune', group: 'A1', units: ['A1-1'], protective: false },
      { level: 'commune', group: 'A2', units: ['A2-1', 'A2-2'], protective: false },
      { level: 'ept', group: 'E1', units: ['A1-1', 'A2-1', 'A2-2'], protective: true }
    ]);
  });

  it('makes only protective, disjoint blocks (property)', () => {
    const communes = ['A1', 'A2', 'B1'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...communes), fc.integer({ min: 0, max: 4 })), { maxLength: 30 }),
        (cells) => {
          const units = cells.map(([c, v], i) => unit(`${c}-${i}`, c, v));
          const blocks = planBlocks(5, units, path, true);
          const seen = new Set<string>();
          for (const b of blocks) {
            const values = b.units.map((code) => units.find((u) => u.code === code)!.guarded);
            expect(isProtective(5, values)).toBe(true);
            for (const code of b.units) {
              expect(seen.has(code)).toBe(false);
              seen.add(code);
            }
          }
        }
      )
    );
  });
});

describe('aggregate with released blocks', () => {
  const ok = (v: number) => baseValue(def, { value: { value: v, status: 'ok' } });
  const masked = (v: number) => baseValue(def, { value: { value: v, status: 'ok' } });

  it('counts a whole block and reports the group exact', () => {
    const parts = [ok(10), masked(3), masked(2), masked(0)];
    expect(parts.slice(1).every((p) => p.status === 'secret')).toBe(true);
    const r = aggregate(def, parts, { expectedParts: 4, released: [{ units: 3, sum: 5, denominator: 0 }] });
    expect(r).toMatchObject({ value: 15, status: 'ok', secretParts: 0, parts: 4 });
  });

  it('leaves out masked units whose block is not whole: partial, known parts only', () => {
    const r = aggregate(def, [ok(10), masked(3)], { expectedParts: 2 });
    expect(r).toMatchObject({ value: 10, status: 'partial', secretParts: 1 });
  });

  it('refuses a block with more units than the group masks', () => {
    expect(() => aggregate(def, [ok(10)], { expectedParts: 1, released: [{ units: 2, sum: 5, denominator: 0 }] })).toThrow(/bloc/);
  });

  it('releases only blocks a group of communes holds whole, never commune-level ones', () => {
    const blocks: SecrecyBlock[] = [
      { id: 'ept:E1:x', level: 'ept', group: 'E1', units: ['x', 'y'], communes: ['A1', 'A2'], sum: 6, denominator: 0 },
      { id: 'commune:A1:z', level: 'commune', group: 'A1', units: ['z', 'w'], communes: ['A1'], sum: 5, denominator: 0 }
    ];
    expect(blocksWithin(blocks, new Set(['A1']))).toEqual([]);
    expect(blocksWithin(blocks, new Set(['A1', 'A2', 'B1']))).toEqual([{ units: 2, sum: 6, denominator: 0 }]);
  });
});
