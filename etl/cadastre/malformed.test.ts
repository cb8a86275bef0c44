/**
 * The malformed-input corpus of the cadastre load, through `loadCadastre` itself:
 * each damaged file (a copy of a real one, written to a temporary directory) either
 * stops the load with an InputError naming file, line and column where they exist,
 * or loads with the defect counted in the load report.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTerritoryIndex, DEFAULT_SCOPE } from '../build/territory-index.ts';
import { memoryLogger } from '../core/logger.ts';
import { openDb, queryRows } from '../db/duckdb.ts';
import { bunzip2, readTar } from '../sources/cadastre/edigeo-archive.ts';
import { EDIGEO_SOURCES } from '../sources/cadastre/edigeo.ts';
import { BONDY_PARCEL_SOURCES } from '../sources/cadastre/etalab-geojson.ts';
import { rejectionOf, tempFile, writeTar } from '../sources/cadastre/test-support.ts';
import { loadCog } from '../sources/cog/decoupage-administratif.ts';
import { DVF_2022_EXTRACT } from '../sources/dvf/dvf.ts';
import { mirrorFile } from '../testing/mirror.ts';
import { loadCadastre } from './index.ts';

const index = buildTerritoryIndex(loadCog(), DEFAULT_SCOPE, [], []);
const BONDY = BONDY_PARCEL_SOURCES.at(-1)!;
const [CORNILLON] = EDIGEO_SOURCES;

/** Loads only `sourceId` from `path` into a fresh in-memory base. */
async function load(sourceId: string, path: string) {
  const db = await openDb(':memory:');
  try {
    const result = await loadCadastre(db.conn, new Map([[sourceId, path]]), { logger: memoryLogger(), index });
    const report = await queryRows<{ kind: string; severity: string; feature_id: string | null; line: number | null }>(
      db.conn,
      "SELECT kind, severity, feature_id, line FROM cadastre_load_report WHERE kind <> 'resume' ORDER BY kind"
    );
    const parcels = await queryRows<{ id: string; geojson: string | null }>(db.conn, 'SELECT id, geojson FROM cadastre_parcels ORDER BY id');
    return { result, report, parcels };
  } finally {
    db.close();
  }
}

function bondyParcels(...rings: number[][][]): string {
  const features = rings.map((ring, i) => {
    const numero = String(224 + i);
    return {
      type: 'Feature',
      id: `930100000A0${numero}`,
      geometry: { type: 'Polygon', coordinates: [ring] },
      properties: { id: `930100000A0${numero}`, commune: '93010', prefixe: '000', section: 'A', numero, contenance: 100 }
    };
  });
  return JSON.stringify({ type: 'FeatureCollection', features });
}

const SQUARE = [[2.4766, 48.9181], [2.4776, 48.9181], [2.4776, 48.9188], [2.4766, 48.9188], [2.4766, 48.9181]];
const dvfLines = readFileSync(mirrorFile(DVF_2022_EXTRACT.mirrorPath), 'utf8').split('\n').slice(0, 4);

describe('malformed cadastre and DVF inputs', () => {
  it('1. truncated gzip of Etalab parcels: InputError at the line and column where the text stops', async () => {
    const bytes = readFileSync(mirrorFile(BONDY.mirrorPath));
    const file = tempFile('cadastre-93010-parcelles.json.gz', bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const error = await rejectionOf(load(BONDY.id, file));
    expect(error.detail).toMatchObject({ file, expected: 'une archive gzip complète' });
    // Etalab writes one parcel per line: the readable text stops around the 4 000th.
    expect(error.detail.line).toBeGreaterThan(3000);
    expect(error.detail.column).toBeGreaterThanOrEqual(1);
  });

  it('2. GeoJSON cut in the middle: InputError with line and column of the JSON error', async () => {
    const text = bondyParcels(SQUARE, SQUARE.map(([x, y]) => [x! + 0.001, y!]));
    const file = tempFile('cut.json', text.slice(0, 250));
    const error = await rejectionOf(load(BONDY.id, file));
    expect(error.detail).toMatchObject({ file, line: 1, column: 251, expected: 'du JSON valide (GeoJSON)' });
  });

  it('3. truncated .tar.bz2 EDIGEO lot: InputError on the archive', async () => {
    const bytes = readFileSync(mirrorFile(CORNILLON!.mirrorPath));
    const file = tempFile('edigeo-130290000A01.tar.bz2', bytes.subarray(0, bytes.length >> 1));
    const error = await rejectionOf(load(CORNILLON!.id, file));
    expect(error.detail).toMatchObject({ file, expected: 'une archive bzip2 complète et intègre' });
  });

  it('4. EDIGEO lot without its S1.VEC file: InputError naming the missing file', async () => {
    const bytes = readFileSync(mirrorFile(CORNILLON!.mirrorPath));
    const members = readTar(bunzip2(bytes, 'x'), 'x').filter((m) => !m.name.endsWith('S1.VEC'));
    const file = tempFile('edigeo-130290000A01.tar', writeTar(members));
    const error = await rejectionOf(load(CORNILLON!.id, file));
    expect(error.detail).toMatchObject({ file, column: '*S1.VEC' });
  });

  it('5. DVF with a date written yyyy-mm-dd: InputError at its line and column', async () => {
    const file = tempFile('dvf.csv', dvfLines.map((l, i) => (i === 2 ? l.replace('"04/01/2022"', '"2022-01-04"') : l)).join('\n'));
    const error = await rejectionOf(load(DVF_2022_EXTRACT.id, file));
    expect(error.detail).toMatchObject({ file, line: 3, column: '11 (Date.mutation)', found: '2022-01-04' });
  });

  it('6. DVF saved with tabs instead of semicolons: InputError on the header naming the separator', async () => {
    const file = tempFile('dvf.tsv', dvfLines.map((l) => l.replaceAll(';', '\t')).join('\n'));
    const error = await rejectionOf(load(DVF_2022_EXTRACT.id, file));
    expect(error.detail).toMatchObject({ file, line: 1, column: 1 });
    expect(error.detail.hint).toContain('tabulation');
  });

  it('7. parcel with an unclosed ring: repaired, loaded and counted', async () => {
    const file = tempFile('open.json', bondyParcels(SQUARE.slice(0, 4), SQUARE));
    const { result, report, parcels } = await load(BONDY.id, file);
    expect(parcels.map((p) => p.geojson !== null)).toEqual([true, true]);
    expect(result.counts.geometriesRepaired).toBe(1);
    expect(report).toEqual([{ kind: 'anneau-ferme', severity: 'warning', feature_id: '930100000A0224', line: 1 }]);
    expect(result.warnings).toHaveLength(1);
  });

  it('8. parcel whose ring has no area: kept without geometry, counted as unusable', async () => {
    const flat = [[2.4766, 48.9181], [2.4776, 48.9181], [2.4786, 48.9181], [2.4766, 48.9181]];
    const { result, report, parcels } = await load(BONDY.id, tempFile('flat.json', bondyParcels(SQUARE, flat)));
    expect(parcels).toEqual([{ id: '930100000A0224', geojson: expect.any(String) }, { id: '930100000A0225', geojson: null }]);
    expect(result.counts.geometriesUnusable).toBe(1);
    expect(report.map((r) => [r.kind, r.feature_id, r.line])).toEqual([
      ['geometrie-inutilisable', '930100000A0225', 2],
      ['polygone-degenere-supprime', '930100000A0225', 2]
    ]);
  });

  it('9. self-intersecting parcel (bow tie): kept as published and reported', async () => {
    const bowTie = [[2.4766, 48.9181], [2.4776, 48.9188], [2.4776, 48.9181], [2.4766, 48.9188], [2.4766, 48.9181]];
    const { result, report } = await load(BONDY.id, tempFile('bowtie.json', bondyParcels(bowTie)));
    expect(result.counts.geometriesReported).toBe(1);
    expect(report).toMatchObject([{ kind: 'auto-intersection-signalee', feature_id: '930100000A0224' }]);
  });
});

