import { describe, expect, it } from 'vitest';
import {
  groupCountText,
  matchCommunes,
  parseGroupSelection,
  searchForm,
  serialiseGroupSelection,
  toggleCode
} from './group-selection';

const params = (query: string) => new URLSearchParams(query);

describe('group selection in the map URL', () => {
  it('is absent when the map is not composing a group', () => {
    expect(parseGroupSelection(params('indicateur=taux-chomage&niveau=commune'))).toBeNull();
  });

  it('is an empty group when composing has just started', () => {
    expect(parseGroupSelection(params('groupe='))).toEqual({ codes: [], name: '' });
  });

  it('reads codes sorted and unique, dropping what is not a commune code', () => {
    expect(parseGroupSelection(params('groupe=93048,93010,93048,9301,abc,2A004&nomgroupe=%20Mon%20secteur%20'))).toEqual({
      codes: ['2A004', '93010', '93048'],
      name: 'Mon secteur'
    });
  });

  it('accepts the hyphens of a portrait address', () => {
    expect(parseGroupSelection(params('groupe=93064-93010'))?.codes).toEqual(['93010', '93064']);
  });

  it('cuts a name longer than 80 characters', () => {
    expect([...(parseGroupSelection(params(`groupe=93010&nomgroupe=${'é'.repeat(100)}`))?.name ?? '')]).toHaveLength(80);
  });

  it('writes codes with plain commas and an escaped name, and reads back what it wrote', () => {
    const selection = { codes: ['93010', '93048'], name: 'Canal & Ourcq' };
    const text = serialiseGroupSelection(selection);
    expect(text).toBe('groupe=93010,93048&nomgroupe=Canal+%26+Ourcq');
    expect(parseGroupSelection(params(`indicateur=x&${text}`))).toEqual(selection);
  });

  it('keeps an empty group in the URL, without a name', () => {
    expect(serialiseGroupSelection({ codes: [], name: '  ' })).toBe('groupe=');
  });
});

describe('composing', () => {
  it('adds a commune in code order and removes it on a second toggle', () => {
    const added = toggleCode(['93048'], '93010');
    expect(added).toEqual(['93010', '93048']);
    expect(toggleCode(added, '93048')).toEqual(['93010']);
  });

  it('announces the count in French', () => {
    expect(groupCountText(0)).toBe('Aucune commune dans le groupe');
    expect(groupCountText(1)).toBe('1 commune dans le groupe');
    expect(groupCountText(1266)).toBe('1\u202f266 communes dans le groupe');
  });
});

describe('commune search', () => {
  const communes = [
    { code: '93066', name: 'Saint-Denis' },
    { code: '93039', name: "L'Île-Saint-Denis" },
    { code: '93010', name: 'Bondy' },
    { code: '93070', name: 'Saint-Ouen-sur-Seine' },
    { code: '77445', name: 'Saint-Denis-lès-Rebais' }
  ];

  it('ignores accents, case and punctuation', () => {
    expect(searchForm("L'Île-Saint-Denis")).toBe('l ile saint denis');
    expect(matchCommunes(communes, 'ile saint').map((c) => c.code)).toEqual(['93039']);
  });

  it('puts the exact name first, then names starting with the query, then a word starting with it', () => {
    expect(matchCommunes(communes, 'saint denis').map((c) => c.code)).toEqual(['93066', '77445', '93039']);
  });

  it('puts the preferred communes first among equally good matches', () => {
    const in93 = (c: { code: string }) => c.code.startsWith('93');
    expect(matchCommunes(communes, 'saint', 12, in93).map((c) => c.code)).toEqual(['93066', '93070', '77445', '93039']);
  });

  it('finds a commune by the start of its code', () => {
    expect(matchCommunes(communes, '9301').map((c) => c.name)).toEqual(['Bondy']);
  });

  it('finds nothing for an empty query and stops at the limit', () => {
    expect(matchCommunes(communes, '  ')).toEqual([]);
    expect(matchCommunes(communes, 'saint', 2)).toHaveLength(2);
  });
});
