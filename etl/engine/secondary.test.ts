import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregate, baseValue } from './aggregate.ts';
import { blocksWithin, isProtective, type MaskedUnit, planBlocks, type SecrecyBlock } from './secondary.ts';
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
