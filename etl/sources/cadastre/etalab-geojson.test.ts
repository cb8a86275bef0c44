import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { areaKm2 } from '../../geo/measure.ts';
import { mirrorFile } from '../../testing/mirror.ts';
import { BONDY_PARCEL_SOURCES, PARIS_18_PARCEL_SOURCE, readEtalabParcels } from './etalab-geojson.ts';
import { rejectionOf, tempFile } from './test-support.ts';

const BONDY_2025 = BONDY_PARCEL_SOURCES.at(-1)!;

/** One Etalab parcel feature; `ring` replaces its (valid) exterior ring. */
function parcelFeature(overrides: Record<string, unknown> = {}, ring?: number[][]): object {
  return {
    type: 'Feature',
    id: '930100000A0224',
    geometry: {
      type: 'Polygon',
      coordinates: [ring ?? [[2.4766, 48.9181], [2.4776, 48.9181], [2.4776, 48.9188], [2.4766, 48.9188], [2.4766, 48.9181]]]
    },
    properties: {
      id: '930100000A0224', commune: '93010', prefixe: '000', section: 'A', numero: '224',
      contenance: 24010, arpente: false, created: '2007-09-14', updated: '2023-01-13', ...overrides
    }
  };
}

function collection(...features: object[]): string {
  return JSON.stringify({ type: 'FeatureCollection', features });
}

describe('Etalab cadastre GeoJSON, parcels of Bondy and Paris 18e', () => {
  it('reads every parcel of the five millésimes of Bondy', async () => {
    const counts = [];
    for (const s of BONDY_PARCEL_SOURCES) counts.push((await readEtalabParcels(mirrorFile(s.mirrorPath), s)).parcels.length);
    expect(BONDY_PARCEL_SOURCES.map((s) => s.vintage)).toEqual(['2022-01-01', '2023-01-01', '2024-01-01', '2024-07-01', '2025-01-01']);
    expect(counts).toEqual([7053, 7084, 7120, 7122, 7124]);
  });

  it('keeps a known parcel’s national id, section, number and contenance', async () => {
    const { parcels, issues } = await readEtalabParcels(mirrorFile(BONDY_2025.mirrorPath), BONDY_2025);
    const p = parcels.find((x) => x.id === '930100000A0224');
    expect(p).toMatchObject({ commune: '93010', prefixe: '000', section: '0A', numero: '0224', contenance: 24010, vintage: '2025-01-01' });
    expect(p?.geometry?.type).toBe('Polygon');
    // Bondy lies around 2.48° E, 48.90° N; the drawn area agrees with the DGFiP's contenance within 2 %.
    expect(p?.bbox?.[0]).toBeCloseTo(2.4759, 3);
    expect(p?.bbox?.[1]).toBeCloseTo(48.918, 2);
    expect(Math.abs(areaKm2(p!.geometry!) * 1e6 - 24010) / 24010).toBeLessThan(0.02);
    expect(issues).toEqual([]);
  });

  it('keeps a parcel published without contenance, with an info line in the report', async () => {
    const s = BONDY_PARCEL_SOURCES[0]!;
    const { parcels, issues } = await readEtalabParcels(mirrorFile(s.mirrorPath), s);
    expect(parcels.find((p) => p.id === '930100000B0328')?.contenance).toBeNull();
    expect(issues).toMatchObject([{ kind: 'contenance-absente', severity: 'info', featureId: '930100000B0328', line: 366 }]);
  });

  it('reads Paris 18e, filed by Etalab under its arrondissement code 75118', async () => {
    const { parcels } = await readEtalabParcels(mirrorFile(PARIS_18_PARCEL_SOURCE.mirrorPath), PARIS_18_PARCEL_SOURCE);
    expect(parcels).toHaveLength(6821);
    expect(parcels[0]?.id).toBe('75118000AA0002');
  });

  it('gunzips by content even when the file is named .geojson', async () => {
    const file = tempFile('cadastre2025.geojson', readFileSync(mirrorFile(BONDY_2025.mirrorPath)));
    expect((await readEtalabParcels(file, BONDY_2025)).parcels).toHaveLength(7124);
  });

  it('closes an unclosed ring and counts the repair', async () => {
    const open = [[2.4766, 48.9181], [2.4776, 48.9181], [2.4776, 48.9188], [2.4766, 48.9188]];
    const file = tempFile('open-ring.json', collection(parcelFeature({}, open)));
    const { parcels, issues } = await readEtalabParcels(file, BONDY_2025);
    expect(parcels[0]?.geometry?.type).toBe('Polygon');
    expect(issues).toMatchObject([{ kind: 'anneau-ferme', severity: 'warning', featureId: '930100000A0224', line: 1, column: 'features[0]' }]);
  });

  it('keeps a parcel whose ring is degenerate, without geometry, and reports it', async () => {
    const flat = [[2.4766, 48.9181], [2.4776, 48.9181], [2.4766, 48.9181]];
    const file = tempFile('flat-ring.json', collection(parcelFeature({}, flat)));
    const { parcels, issues } = await readEtalabParcels(file, BONDY_2025);
    expect(parcels).toMatchObject([{ id: '930100000A0224', geometry: null, bbox: null, contenance: 24010 }]);
    expect(issues.map((i) => i.kind)).toEqual(['polygone-degenere-supprime', 'geometrie-inutilisable']);
  });

  it('refuses a parcel whose id contradicts its section and number', async () => {
    const file = tempFile('bad-id.json', collection(parcelFeature({ numero: '225' })));
    const error = await rejectionOf(readEtalabParcels(file, BONDY_2025));
    expect(error.detail).toMatchObject({ file, line: 1, column: 'features[0].properties.id', found: '"930100000A0224"' });
    expect(error.detail.expected).toContain('930100000A0225');
  });

  it('refuses a parcel of another commune than the source declares', async () => {
    const file = tempFile('other-commune.json', collection(parcelFeature({ commune: '93063' })));
    const error = await rejectionOf(readEtalabParcels(file, BONDY_2025));
    expect(error.detail).toMatchObject({ line: 1, column: 'features[0].properties.commune', found: '"93063"' });
  });

  it('says where a truncated gzip download stops', async () => {
    const bytes = gzipSync(collection(parcelFeature(), parcelFeature({ id: '930100000A0225', numero: '225' })));
    const file = tempFile('truncated.json.gz', bytes.subarray(0, bytes.length - 30));
    const error = await rejectionOf(readEtalabParcels(file, BONDY_2025));
    expect(error.detail).toMatchObject({ file, line: 1, expected: 'une archive gzip complète' });
    expect(error.detail.column).toBeGreaterThan(1);
  });
});
