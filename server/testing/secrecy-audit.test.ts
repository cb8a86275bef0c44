import { describe, expect, it } from 'vitest';
import { type CommunePath, type MaskedUnit, type PoolingDecision, planBlocks } from '../../etl/engine/secondary.ts';
import { auditDecisions } from './secrecy-audit.ts';

// Communes A1 and A2 in EPT E1, département 93; threshold 11, every masked count in [5, 10].
const path: CommunePath = () => [{ level: 'ept', code: 'E1' }, { level: 'departement', code: '93' }];
const unit = (code: string, commune: string, v: number): MaskedUnit => ({ code, commune, sum: v, denominator: 0, guarded: v });

function audit(units: MaskedUnit[]) {
  const decisions: PoolingDecision[] = [];
  const blocks = planBlocks(11, units, path, true, (d) => decisions.push(d));
  return { blocks, decisions, ...auditDecisions({ threshold: 11, floor: 5, blocks, decisions }) };
}

describe('auditDecisions', () => {
  it('finds a unit pinned by a refused pooling and the total of the block that took it', () => {
    // A1 (10 + 10 + 6 + 5 = 31) is refused: its total is outside [25, 30], so it is in [20, 24] or
    // [31, 40]. The EPT block A1 + A2 = 36 then leaves A2's only unit one value: 36 − 31 = 5.
    const { blocks, decisions, narrowed } = audit([
      unit('A1-1', 'A1', 10), unit('A1-2', 'A1', 10), unit('A1-3', 'A1', 6), unit('A1-4', 'A1', 5), unit('A2-1', 'A2', 5)
    ]);
    expect(decisions.map((d) => [d.level, d.group, d.protective])).toEqual([
      ['commune', 'A1', false], ['commune', 'A2', false], ['ept', 'E1', true]
    ]);
    expect(blocks).toEqual([expect.objectContaining({ level: 'ept', sum: 36 })]);
    expect(narrowed).toEqual([{ block: blocks[0]!.id, unit: 'A2-1', possible: [5] }]);
  });

  it('finds nothing when the refusals leave every member its whole interval', () => {
    // A1 (30) is a block; A2 (5 + 7), refused at every level, is merged into it: 42 for six units.
    const { blocks, units, narrowed } = audit([
      unit('A1-1', 'A1', 9), unit('A1-2', 'A1', 8), unit('A1-3', 'A1', 7), unit('A1-4', 'A1', 6),
      unit('A2-1', 'A2', 5), unit('A2-2', 'A2', 7)
    ]);
    expect(blocks).toEqual([expect.objectContaining({ level: 'departement', sum: 42 })]);
    expect(units).toBe(6);
    expect(narrowed).toEqual([]);
  });
});
