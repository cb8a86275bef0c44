import { describe, expect, it } from 'vitest';
import { addGroup, assign, checks, colorsByCommune, communesOf, emptyDraft, fromMembers, groupColor, groupProblem, removeGroup, toMembers, toggle, zoningId } from './zoning.ts';

const twoGroups = () => addGroup(addGroup(emptyDraft(), 'B1', 'Bassin nord'), 'B2', 'Bassin sud');

describe('zoning editor model', () => {
  it('puts each commune in at most one group: assigning elsewhere moves it', () => {
    let d = assign(twoGroups(), '93010', 'B1');
    d = assign(d, '93010', 'B2');
    expect(communesOf(d, 'B1')).toEqual([]);
    expect(communesOf(d, 'B2')).toEqual(['93010']);
    expect(toMembers(d)).toEqual([{ commune: '93010', group: 'B2', groupName: 'Bassin sud' }]);
  });

  it('toggles a commune on a map click in the current group', () => {
    let d = toggle(twoGroups(), '93048', 'B1');
    expect(d.assignment['93048']).toBe('B1');
    d = toggle(d, '93048', 'B1');
    expect(d.assignment['93048']).toBeUndefined();
    d = toggle(toggle(d, '93048', 'B1'), '93048', 'B2');
    expect(d.assignment['93048']).toBe('B2');
  });

  it('ignores a group that does not exist, and frees communes of a removed group', () => {
    let d = assign(twoGroups(), '93001', 'B9');
    expect(d.assignment).toEqual({});
    d = removeGroup(assign(assign(d, '93001', 'B1'), '93005', 'B2'), 'B1');
    expect(d.groups.map((g) => g.code)).toEqual(['B2']);
    expect(d.assignment).toEqual({ '93005': 'B2' });
  });

  it('round-trips the members the server stores, by group (first seen first) then commune', () => {
    const members = [
      { commune: '93066', group: 'B2', groupName: 'Sud' },
      { commune: '93010', group: 'B1', groupName: 'Nord' },
      { commune: '93005', group: 'B1', groupName: 'Nord' }
    ];
    expect(toMembers(fromMembers(members))).toEqual([members[0], members[2], members[1]]);
  });

  it('reports communes no group holds and groups without communes', () => {
    const d = assign(twoGroups(), '93010', 'B1');
    expect(checks(d, ['93001', '93010', '93066'])).toEqual({ uncovered: ['93001', '93066'], emptyGroups: ['B2'], assigned: 1 });
  });

  it('says why a group cannot be added', () => {
    const d = twoGroups();
    expect(groupProblem(d, ' ', 'x')).toMatch(/obligatoire/);
    expect(groupProblem(d, 'B1', 'x')).toBe('Le groupe B1 existe déjà.');
    expect(groupProblem(d, 'B;3', 'x')).toMatch(/« ; »/);
    expect(groupProblem(d, 'B3', '')).toBe('Le nom du groupe est obligatoire.');
    expect(groupProblem(d, 'B3', 'Est')).toBeNull();
  });

  it('gives each group its own colour and colours its communes with it', () => {
    const d = assign(assign(twoGroups(), '93010', 'B1'), '93066', 'B2');
    expect(groupColor(d, 'B1')).not.toBe(groupColor(d, 'B2'));
    expect(colorsByCommune(d).get('93066')).toBe(groupColor(d, 'B2'));
  });

  it('derives an id the server accepts from a label', () => {
    expect(zoningId('Bassins gérontologiques')).toBe('bassins-gerontologiques');
    expect(zoningId('2025 : secteurs')).toBe('zonage-2025-secteurs');
    expect(zoningId('x'.repeat(60))).toHaveLength(41);
    expect(zoningId('  ')).toBe('');
  });
});
