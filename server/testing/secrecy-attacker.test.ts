import { describe, expect, it } from 'vitest';
import type { IndicatorDefinition } from '../../etl/engine/types.ts';
import { type AttackInput, attack, naiveObservations, recovered } from './secrecy-attacker.ts';
import { adjacency, groupsAround } from './secrecy-crawl.ts';

// Commune A holds IRIS a1 (published 100), a2 and a3 (masked); commune B holds b1 (published
// 50) and b2 (masked); commune C holds c1 (blanked by the producer).
const irisOf = new Map([
  ['A', ['a1', 'a2', 'a3']],
  ['B', ['b1', 'b2']],
  ['C', ['c1']]
]);
const known = new Map<string, number | null>([['a1', 100], ['a2', null], ['a3', null], ['b1', 50], ['b2', null], ['c1', null]]);
const truth = new Map([['a2', 5], ['a3', 5], ['b2', 7]]);
const base = (aggregates: AttackInput['aggregates'], prior?: AttackInput['prior']): AttackInput => ({
  masked: ['a2', 'a3', 'b2'],
  producerSecret: new Set(['c1']),
  irisOf,
  known,
  aggregates,
  ...(prior ? { prior } : {})
});

describe('attack', () => {
  it('reads the masked cell off an aggregate that holds only it', () => {
    const r = attack(base([{ key: 'commune:B', communes: ['B'], figure: 57, secretParts: 0 }]));
    expect(recovered(r, truth)).toEqual([expect.objectContaining({ cell: 'b2', value: 7, how: 'seul' })]);
  });

  it('differences two aggregates whose masked cells differ by one, in either order', () => {
    const aggregates = [
      { key: 'groupe:A+B', communes: ['A', 'B'], figure: 167, secretParts: 0 },
      { key: 'commune:A', communes: ['A'], figure: 110, secretParts: 0 }
    ];
    for (const list of [aggregates, [...aggregates].reverse()]) {
      const r = attack(base(list));
      expect(r.pairsTried).toBe(1);
      expect(recovered(r, truth)).toEqual([expect.objectContaining({ cell: 'b2', value: 7, how: 'paire' })]);
    }
  });

  it('finds nothing when masked cells only enter through whole blocks', () => {
    // a2 + a3 + b2 is a block: A and B alone are partial, A+B counts the block.
    const r = attack(base([
      { key: 'commune:A', communes: ['A'], figure: 100, secretParts: 2 },
      { key: 'commune:B', communes: ['B'], figure: 50, secretParts: 1 },
      { key: 'groupe:A+B', communes: ['A', 'B'], figure: 167, secretParts: 0 },
      { key: 'groupe:A+B+C', communes: ['A', 'B', 'C'], figure: 167, secretParts: 1 }
    ], { floor: 0, ceiling: 10 }));
    expect(r.candidates.every((c) => truth.get(c.cell) !== c.value)).toBe(true);
    expect(r).toMatchObject({ touching: 4, withResidual: 2, inconsistent: 0 });
  });

  it('pins the members of a block whose total leaves them one possible value given the prior', () => {
    // a2 + a3 = 10 with both in [5, 10]: both are 5. Without the floor, nothing is pinned.
    const aggregates = [{ key: 'commune:A', communes: ['A'], figure: 110, secretParts: 0 }];
    const pinned = recovered(attack(base(aggregates, { floor: 5, ceiling: 10 })), truth);
    expect(pinned.map((c) => [c.cell, c.value, c.how])).toEqual([['a2', 5, 'intervalle'], ['a3', 5, 'intervalle']]);
    expect(attack(base(aggregates, { floor: 0, ceiling: 10 })).candidates).toEqual([]);
  });

  it('bounds the difference of two aggregates that count all their masked cells', () => {
    // (A+B+C) − C: a2 + a3 + b2 = 17 with every cell in [5, 10] leaves ranges, not values;
    // (A+B) − B: a2 + a3 = 10 pins both.
    const r = attack(base([
      { key: 'groupe:A+B', communes: ['A', 'B'], figure: 167, secretParts: 0 },
      { key: 'commune:B', communes: ['B'], figure: 57, secretParts: 0 }
    ], { floor: 5, ceiling: 10 }));
    const fromPair = recovered(r, truth).filter((c) => c.how === 'intervalle' && c.from.includes(' ; '));
    expect(fromPair.map((c) => [c.cell, c.value])).toEqual([['a2', 5], ['a3', 5]]);
  });

  it('does not bound an aggregate that leaves some of its masked cells out', () => {
    const r = attack(base([{ key: 'commune:A', communes: ['A'], figure: 100, secretParts: 2 }], { floor: 5, ceiling: 10 }));
    expect(r.candidates).toEqual([]);
  });

  it('reports an inference the published figures contradict', () => {
    const r = attack(base([{ key: 'commune:A', communes: ['A'], figure: 130, secretParts: 0 }], { floor: 5, ceiling: 10 }));
    expect(r.inconsistent).toBe(1);
  });
});

describe('naiveObservations', () => {
  const def: IndicatorDefinition = {
    id: 'effectif',
    label: 'Effectif',
    theme: 'prestations',
    unit: 'foyers',
    kind: 'count',
    scale: 1,
    decimals: 0,
    secrecy: { threshold: 11, on: 'value' },
    series: []
  };
  it('counts every known number and leaves the producer’s blanks out', () => {
    const values: Record<string, number | null> = { a1: 100, a2: 5, a3: 5, c1: null };
    const out = naiveObservations(def, [{ key: 'groupe:A+C', communes: ['A', 'C'] }], irisOf, (iris) => {
      const v = values[iris];
      return v === undefined ? undefined : { value: v === null ? { value: null, status: 'secret' } : { value: v, status: 'ok' } };
    });
    expect(out.get('groupe:A+C')).toMatchObject({ value: 110, status: 'partial', secretParts: 1 });
  });
});

describe('adjacency', () => {
  const square = (code: string, x: number, y: number) => ({
    type: 'Feature' as const,
    properties: { code },
    geometry: { type: 'Polygon' as const, coordinates: [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]] }
  });
  it('links polygons sharing a border segment, not those touching at a corner', () => {
    const n = adjacency({ type: 'FeatureCollection', features: [square('A', 0, 0), square('B', 1, 0), square('C', 2, 1)] });
    expect(n).toEqual(new Map([['A', ['B']], ['B', ['A']], ['C', []]]));
  });
});

describe('groupsAround', () => {
  it('makes the commune alone, with each neighbour, and with each pair of neighbours', () => {
    expect(groupsAround('B', ['A', 'C', 'D'])).toEqual([
      ['B'], ['A', 'B'], ['A', 'B', 'C'], ['A', 'B', 'D'], ['B', 'C'], ['B', 'C', 'D'], ['B', 'D']
    ]);
  });
});
