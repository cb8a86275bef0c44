import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Position } from 'geojson';
import { InputError } from '../core/errors.ts';
import { memoryLogger } from '../core/logger.ts';
import type { SourceDescription } from '../core/types.ts';
import { readGeoLayer } from './geo-layer.ts';
import type { GeoLayerSpec } from './geo-layer.ts';

const dir = mkdtempSync(join(tmpdir(), 'obs-geo-layer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source: SourceDescription = {
  id: 'test-communes',
  label: 'Communes de test',
  producer: 'test',
  licence: 'test',
  vintage: '2024',
  url: 'https://example.invalid',
  format: 'GeoJSON',
  mirrorPath: 'test.geojson'
};
const spec: GeoLayerSpec = {
  source,
  layer: 'commune',
  codeField: 'code',
  codePattern: /^\d{5}$/,
  codeLabel: 'un code commune à 5 chiffres',
  nameFields: ['nom', 'nom_court'],
  propFields: ['dep']
};

const square: Position[] = [
  [2.44, 48.9],
  [2.45, 48.9],
  [2.45, 48.91],
  [2.44, 48.91],
  [2.44, 48.9]
];

function write(name: string, features: { props: Record<string, unknown>; ring: Position[] }[]): string {
  const file = join(dir, name);
  const fc = {
    type: 'FeatureCollection',
    features: features.map((f) => ({ type: 'Feature', properties: f.props, geometry: { type: 'Polygon', coordinates: [f.ring] } }))
  };
  writeFileSync(file, JSON.stringify(fc));
  return file;
}

describe('readGeoLayer', () => {
  it('maps code, name (first non-empty field) and props, in WGS84 with RFC 7946 winding', async () => {
    const file = write('ok.geojson', [{ props: { code: 93010, nom: ' ', nom_court: 'Bondy', dep: '93', autre: 'x' }, ring: square }]);
    const batch = await readGeoLayer(spec, file, { logger: memoryLogger() });
    expect(batch.layer).toBe('commune');
    expect(batch.features).toHaveLength(1);
    expect(batch.features[0]).toMatchObject({ code: '93010', name: 'Bondy', props: { dep: '93' } });
    expect(batch.warnings).toEqual([]);
  });

  it('repairs an unclosed ring and reports it with file, feature number and code', async () => {
    const file = write('anneau-ouvert.geojson', [
      { props: { code: '93008' }, ring: square },
      { props: { code: '93010' }, ring: square.slice(0, 4) }
    ]);
    const logger = memoryLogger();
    const batch = await readGeoLayer(spec, file, { logger });
    expect(batch.features).toHaveLength(2);
    expect(batch.warnings).toHaveLength(1);
    expect(batch.warnings[0]).toMatchObject({ source: 'test-communes', file, line: 2, column: '93010' });
    expect(batch.warnings[0]!.message).toContain('commune 93010 : anneau 1 : anneau non fermé');
    expect(logger.lines.some((l) => l.startsWith('warn ') && l.includes('anneau-ouvert.geojson, entité 2'))).toBe(true);
  });

  it('keeps a self-intersecting bow-tie but warns about it', async () => {
    const bowtie: Position[] = [
      [2.44, 48.9],
      [2.45, 48.91],
      [2.45, 48.9],
      [2.44, 48.91],
      [2.44, 48.9]
    ];
    const file = write('noeud-papillon.geojson', [{ props: { code: '93010' }, ring: bowtie }]);
    const batch = await readGeoLayer(spec, file, { logger: memoryLogger() });
    expect(batch.features).toHaveLength(1);
    expect(batch.warnings[0]).toMatchObject({ file, line: 1 });
    expect(batch.warnings[0]!.message).toContain('1 auto-intersection(s), la première vers [2.445, 48.905]');
  });

  it('leaves out a feature with nothing usable, loudly', async () => {
    const spike: Position[] = [
      [2.44, 48.9],
      [2.45, 48.91],
      [2.46, 48.92],
      [2.44, 48.9]
    ];
    const file = write('aiguille.geojson', [
      { props: { code: '93008' }, ring: square },
      { props: { code: '93010' }, ring: spike }
    ]);
    const batch = await readGeoLayer(spec, file, { logger: memoryLogger() });
    expect(batch.features.map((f) => f.code)).toEqual(['93008']);
    expect(batch.warnings.map((w) => w.line)).toEqual([2, 2]);
    expect(batch.warnings[1]!.message).toContain('commune 93010 : aucune géométrie utilisable après réparation, entité ignorée');
  });

  it('rejects a duplicate code, pointing at both features', async () => {
    const file = write('doublon.geojson', [
      { props: { code: '93010' }, ring: square },
      { props: { code: '93010' }, ring: square }
    ]);
    const e = await readGeoLayer(spec, file, { logger: memoryLogger() }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toContain('doublon.geojson, ligne 2, colonne code : attendu un code unique (déjà vu à l’entité 1), trouvé "93010"');
  });

  it('rejects a malformed code with its JSON path', async () => {
    const file = write('code.geojson', [{ props: { code: '9301' }, ring: square }]);
    const e = await readGeoLayer(spec, file, { logger: memoryLogger() }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toContain('code.geojson, ligne 1, colonne features[0].properties.code : attendu un code commune à 5 chiffres, trouvé "\\"9301\\""');
  });

  it('warns when the delivery does not have the expected number of features', async () => {
    const file = write('compte.geojson', [{ props: { code: '93010' }, ring: square }]);
    const batch = await readGeoLayer({ ...spec, expectedCount: 40 }, file, { logger: memoryLogger() });
    expect(batch.warnings.map((w) => w.message)).toEqual(['1 entités lues, 40 attendues pour Communes de test']);
  });
});
