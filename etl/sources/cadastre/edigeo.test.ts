import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { mirrorFile } from '../../testing/mirror.ts';
import { bunzip2, readTar, type ArchiveMember } from './edigeo-archive.ts';
import { EDIGEO_SOURCES, readEdigeo, type EdigeoSource } from './edigeo.ts';
import { rejectionOf, tempFile, writeTar } from './test-support.ts';

const [, MONT_BONVILLERS, LUXIOL] = EDIGEO_SOURCES as [EdigeoSource, EdigeoSource, EdigeoSource];

const bytesOf = (s: EdigeoSource) => readFileSync(mirrorFile(s.mirrorPath));
const membersOf = (s: EdigeoSource): ArchiveMember[] => readTar(bunzip2(bytesOf(s), s.mirrorPath), s.mirrorPath);

describe('DGFiP EDIGEO lots (.tar.bz2, Latin-1, Lambert-93)', async () => {
  const lots = await Promise.all(EDIGEO_SOURCES.map((s) => readEdigeo(mirrorFile(s.mirrorPath), s)));

  it('gives the parcel counts of GDAL’s EDIGEO driver: 389, 334 and 14', () => {
    expect(lots.map((l) => l.parcels.length)).toEqual([389, 334, 14]);
    expect(lots.map((l) => l.layerCounts.PARCELLE_id)).toEqual([389, 334, 14]);
    expect(lots[0]?.layerCounts).toMatchObject({ BATIMENT_id: 239, SECTION_id: 1, SUBDSECT_id: 1, LIEUDIT_id: 5, NUMVOIE_id: 54 });
    expect(lots.flatMap((l) => l.issues)).toEqual([]);
  });

  it('builds the national parcel id from the département of the lot and IDU, with SUPF as contenance', () => {
    const p = lots[0]?.parcels.find((x) => x.id === '130290000A0215');
    expect(p).toMatchObject({ commune: '13029', prefixe: '000', section: '0A', numero: '0215', contenance: 21947, vintage: '2021-04-13' });
    expect(lots[1]?.parcels[0]?.id).toMatch(/^54084000AB\d{4}$/);
    expect(new Set(lots[2]?.parcels.map((x) => x.id.slice(0, 10)))).toEqual(new Set(['25354000AB']));
  });

  it('reprojects Lambert-93 with etl/geo/crs.ts to where the commune is', () => {
    const p = lots[0]?.parcels.find((x) => x.id === '130290000A0215');
    // The parser's own reprojection of this parcel's first vertex (EPSG:2154 from epsg-index).
    const ring = p?.geometry?.type === 'Polygon' ? p.geometry.coordinates[0] : [];
    expect(ring?.some(([x, y]) => Math.abs((x as number) - 5.0545947) < 2e-7 && Math.abs((y as number) - 43.5740362) < 2e-7)).toBe(true);
    for (const l of lots) {
      for (const x of l.parcels) {
        // Metropolitan France in degrees, never metres nor the .GEN extent.
        expect(x.bbox?.[0]).toBeGreaterThan(-5);
        expect(x.bbox?.[3]).toBeLessThan(51.5);
      }
    }
  });

  it('keeps buildings with their type, bâti dur or léger', () => {
    const count = (i: number, t: string) => lots[i]?.buildings.filter((b) => b.type === t).length;
    expect([count(0, 'dur'), count(0, 'léger'), count(1, 'dur'), count(1, 'léger')]).toEqual([155, 84, 321, 27]);
    expect(lots[2]?.buildings).toEqual([]);
    expect(lots[0]?.buildings[0]?.id).toMatch(/^130290000A01:Objet_\d+$/);
  });

  it('keeps sections and lieux-dits', () => {
    expect(lots.map((l) => l.sections.map((s) => s.id))).toEqual([['130290000A'], ['54084000AB'], ['25354000AB']]);
    expect(lots[0]?.lieuxDits.map((l) => l.name)).toContain('LES PLAINES DES ASTIERS');
    expect(lots.map((l) => l.lieuxDits.length)).toEqual([5, 5, 5]);
  });

  it('reads a lot already decompressed to a plain tar', async () => {
    const file = tempFile('edigeo-25354000AB01.tar', bunzip2(bytesOf(LUXIOL), 'x'));
    expect((await readEdigeo(file, LUXIOL)).parcels).toHaveLength(14);
  });
});

describe('damaged EDIGEO lots', () => {
  it('refuses a truncated bzip2 archive', async () => {
    const bytes = bytesOf(LUXIOL);
    const file = tempFile('edigeo-25354000AB01.tar.bz2', bytes.subarray(0, bytes.length >> 1));
    const error = await rejectionOf(readEdigeo(file, LUXIOL));
    expect(error.detail).toMatchObject({ file, expected: 'une archive bzip2 complète et intègre' });
    expect(error.detail.found).toContain('tronquée');
  });

  it('refuses a gzip file named .tar.bz2', async () => {
    const file = tempFile('edigeo.tar.bz2', gzipSync('pas un lot'));
    const error = await rejectionOf(readEdigeo(file, LUXIOL));
    expect(error.detail).toMatchObject({ file, line: 1, column: 1 });
    expect(error.detail.hint).toContain('gzip');
  });

  it('names the .VEC file missing from a lot', async () => {
    const members = membersOf(LUXIOL).filter((m) => !m.name.endsWith('T1.VEC'));
    const file = tempFile('edigeo-sans-t1.tar', writeTar(members));
    const error = await rejectionOf(readEdigeo(file, LUXIOL));
    expect(error.detail).toMatchObject({ file, column: '*T1.VEC' });
    expect(error.detail.found).toContain('EDAB01S1.VEC');
  });

  it('names the member cut by a truncated tar', () => {
    const tar = writeTar(membersOf(LUXIOL));
    const error = (() => {
      try {
        readTar(tar.subarray(0, 6000), 'lot.tar');
      } catch (e) {
        return e as { detail: Record<string, unknown> };
      }
      throw new Error('aucune erreur');
    })();
    expect(error.detail).toMatchObject({ file: 'lot.tar', hint: 'L’archive est tronquée : retéléchargez le lot' });
    expect(String(error.detail.column)).toMatch(/\.(VEC|DIC|QAL|SCD|GEN|GEO|THF)$/);
  });

  it('refuses a lot in another coordinate system than Lambert-93, with the line of REL', async () => {
    const members = membersOf(LUXIOL).map((m) =>
      m.name.endsWith('.GEO') ? { ...m, data: Buffer.from(m.data.toString('latin1').replace('RELSA06:LAMB93', 'RELSA09:RGF93CC49'), 'latin1') } : m
    );
    const file = tempFile('edigeo-cc49.tar', writeTar(members));
    const error = await rejectionOf(readEdigeo(file, LUXIOL));
    expect(error.detail).toMatchObject({ column: 'REL', found: 'RGF93CC49' });
    expect(error.detail.file).toMatch(/› EDAB01SE\.GEO$/);
    expect(error.detail.line).toBeGreaterThan(1);
  });

  it('refuses parcels of another commune than the lot declares', async () => {
    const error = await rejectionOf(readEdigeo(mirrorFile(LUXIOL.mirrorPath), { ...MONT_BONVILLERS, feuille: LUXIOL.feuille, commune: '54084' }));
    expect(error.detail.column).toMatch(/^Objet_\d+, attribut IDU$/);
    expect(error.detail.file).toMatch(/› EDAB01T1\.VEC$/);
    expect(error.detail.found).toMatch(/^354000AB\d{4}$/);
  });

  it('reports a lot whose export date differs from the declared millésime', async () => {
    const { issues } = await readEdigeo(mirrorFile(LUXIOL.mirrorPath), { ...LUXIOL, vintage: '2015-01-01' });
    expect(issues).toMatchObject([{ kind: 'date-export-differente', severity: 'warning', column: 'E000AB01.THF TDA' }]);
  });

  it('keeps the object of a geometry the parser cannot assemble, reported', async () => {
    // Remove every face (PFE block): polygons cannot be assembled, attributes remain.
    const members = membersOf(LUXIOL).map((m) =>
      m.name.endsWith('.VEC') ? { ...m, data: Buffer.from(m.data.toString('latin1').replace(/RTYSA03:PFE/g, 'RTYSA03:XXX'), 'latin1') } : m
    );
    const file = tempFile('edigeo-sans-faces.tar', writeTar(members));
    const lot = await readEdigeo(file, LUXIOL);
    expect(lot.parcels).toHaveLength(14);
    expect(lot.parcels.every((p) => p.geometry === null)).toBe(true);
    expect(lot.parcels.map((p) => p.contenance)).toContain(226060);
    const rejected = lot.issues.filter((i) => i.kind === 'geometrie-rejetee');
    expect(rejected).toHaveLength(14 + 1 + 5); // parcels, the section, the lieux-dits
    expect(rejected[0]).toMatchObject({ severity: 'warning', column: expect.stringMatching(/^EDAB01T1\.VEC Objet_\d+$/) });
  });
});
