import { describe, expect, it } from 'vitest';
import { PARCEL_ID, normaliseNumero, normalisePrefixe, normaliseSection, parcelIdFromRaw, splitParcelId } from './parcel-id.ts';

describe('national parcel id (14 characters)', () => {
  it('pads DVF parts the way Etalab writes them: 93010 + 000 + 0A + 0224', () => {
    expect(parcelIdFromRaw('93010', 'NA', 'A', '224')).toEqual({
      id: '930100000A0224',
      parts: { commune: '93010', prefixe: '000', section: '0A', numero: '0224' }
    });
    expect(parcelIdFromRaw('93063', '', 'AF', '126')).toMatchObject({ id: '93063000AF0126' });
  });

  it('keeps a préfixe de section of an absorbed commune', () => {
    expect(parcelIdFromRaw('93066', '59', 'B', '12')).toMatchObject({ id: '930660590B0012' });
  });

  it('names the part that is not valid', () => {
    expect(parcelIdFromRaw('9301', '000', 'A', '1')).toEqual({ invalid: 'commune' });
    expect(parcelIdFromRaw('93010', 'x', 'A', '1')).toEqual({ invalid: 'prefixe' });
    expect(parcelIdFromRaw('93010', '000', 'ABC', '1')).toEqual({ invalid: 'section' });
    expect(parcelIdFromRaw('93010', '000', 'A', '12345')).toEqual({ invalid: 'numero' });
    expect(parcelIdFromRaw('93010', '000', 'A', '0')).toEqual({ invalid: 'numero' });
  });

  it('normalises each part on its own and splits an id back', () => {
    expect(normaliseSection('a')).toBe('0A');
    expect(normaliseSection('')).toBeNull();
    expect(normalisePrefixe('NA')).toBe('000');
    expect(normaliseNumero('7')).toBe('0007');
    expect(splitParcelId('93010000AH0145')).toEqual({ commune: '93010', prefixe: '000', section: 'AH', numero: '0145' });
    expect(PARCEL_ID.test('2A004000AB0012')).toBe(true);
    expect(PARCEL_ID.test('930100000A224')).toBe(false);
  });
});
