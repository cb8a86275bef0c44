import type { GeoAdapter, SourceDescription } from '../../core/types.ts';
import { readGeoLayer } from '../../geo/geo-layer.ts';
import type { GeoLayerSpec } from '../../geo/geo-layer.ts';

/**
 * Quartiers prioritaires (QPV) 2015, only the 3-QPV Bondy sample we have (SOURCES.md
 * §3). An overlay layer (`overlay_features`), not a statistical territory.
 */
export const qpv2015Source: SourceDescription = {
  id: 'anct-qpv-2015-extrait-bondy',
  label: 'Quartiers prioritaires de la politique de la ville 2015 (extrait : Bondy)',
  producer: 'ANCT (ex-CGET) / ANRU',
  licence: 'Licence Ouverte 2.0',
  vintage: '2015',
  url: 'https://www.data.gouv.fr/fr/datasets/quartiers-prioritaires-de-la-politique-de-la-ville-qpv/',
  format: 'GeoJSON, Lambert-93 (EPSG:2154, membre crs GeoJSON-2008), MultiPolygon ; colonnes C_NQPV, L_NQPV, C_CAINSEE, D_MAJ…',
  mirrorPath: 'qpv/qpv-2015-extrait-bondy.lambert93.geojson',
  coverage: []
};

const spec: GeoLayerSpec = {
  source: qpv2015Source,
  layer: 'qpv',
  codeField: 'C_NQPV',
  // 2015 codes are QP + 6 digits; the 2024 list uses QN + département + digits/letters.
  codePattern: /^Q[PN][0-9A-Z]{6,8}$/,
  codeLabel: 'un code QPV (QP suivi de 6 chiffres, ex. QP093014)',
  nameFields: ['L_NQPV'],
  propFields: ['C_CAINSEE', 'C_DEP', 'D_MAJ', 'B_NPNRU']
};

export const qpv2015Adapter: GeoAdapter = {
  kind: 'geo',
  source: qpv2015Source,
  read: (file, ctx) => readGeoLayer(spec, file, ctx)
};
