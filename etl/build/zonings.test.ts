import { describe, expect, it } from 'vitest';
import { loadCog } from '../sources/cog/decoupage-administratif.ts';
import { inputErrorOf } from '../testing/errors.ts';
import { parseZoningCsv, parseZoningMeta } from './zonings.ts';

const cog = loadCog();
const meta = { id: 'bassins', label: 'Bassin', description: '', example: false, published: true };
const parse = (text: string, m = meta) => parseZoningCsv('bassins.csv', text, cog, m);

describe('zoning CSV', () => {
  it('groups communes and keeps group names, with quoted names holding the separator', () => {
    const { zoning } = parse('commune;bassin;nom\n93010;B1;"Bondy; Bobigny"\n93008;B1;"Bondy; Bobigny"\n93048;B2;Montreuil\n');
    expect([...zoning.groups.keys()]).toEqual(['B1', 'B2']);
    expect(zoning.groups.get('B1')).toEqual({ code: 'B1', name: 'Bondy; Bobigny', communes: ['93010', '93008'] });
  });

  it('converts a code of an older COG and says so (93059 → 93066)', () => {
    const { zoning, notes } = parse('commune;bassin;nom\n93059;B1;Nord\n');
    expect(zoning.groups.get('B1')!.communes).toEqual(['93066']);
    expect(notes[0]).toMatch(/ligne 2 : 93059 converti en 93066/);
  });

  it('refuses a commune listed twice, even under its former code, naming both lines', () => {
    const e = inputErrorOf(() => parse('commune;bassin;nom\n93066;B1;Nord\n93010;B2;Sud\n93059;B3;Est\n'));
    expect(e.message).toMatch(/bassins\.csv, ligne 4, colonne 1/);
    expect(e.message).toMatch(/déjà ligne 2/);
  });

  it('refuses an unknown commune code with its line', () => {
    const e = inputErrorOf(() => parse('commune;bassin;nom\n93010;B1;Nord\n93999;B1;Nord\n'));
    expect(e.message).toMatch(/ligne 3, colonne 1/);
    expect(e.message).toContain('93999');
  });

  it('refuses a header that is not three columns', () => {
    const e = inputErrorOf(() => parse('commune\tbassin\tnom\n93010\tB1\tNord\n'));
    expect(e.message).toMatch(/ligne 1, colonne 1/);
  });

  it('refuses two names for one group', () => {
    const e = inputErrorOf(() => parse('commune;bassin;nom\n93010;B1;Nord\n93008;B1;Sud\n'));
    expect(e.message).toMatch(/ligne 3, colonne 3/);
  });

  it('refuses a zoning id that would shadow an administrative level', () => {
    expect(() => parse('commune;bassin;nom\n93010;B1;Nord\n', { ...meta, id: 'commune' })).toThrow(/autre que/);
  });

  it('reads the metadata file and rejects an invalid id with its field', () => {
    expect(parseZoningMeta('z.yaml', 'id: bassins\nlabel: Bassin\nexample: true\n').example).toBe(true);
    expect(inputErrorOf(() => parseZoningMeta('z.yaml', 'id: Bad Id\nlabel: x\n')).message).toMatch(/colonne id/);
  });
});
