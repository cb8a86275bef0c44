import type { GeoAdapter, SourceDescription } from '../../core/types.ts';
import { readGeoLayer } from '../../geo/geo-layer.ts';
import type { GeoLayerSpec } from '../../geo/geo-layer.ts';

/**
 * Communes of Île-de-France, COG 2024 (1 268, 93059 still separate), IGN ADMIN
 * EXPRESS geometry simplified by RIATE for Magrit. The simplification was done on
 * a topology, so neighbours share identical borders: that is what makes clean
 * dissolves (EPT, département, Saint-Denis 2025) possible without slivers.
 */
export const communesIdfSource: SourceDescription = {
  id: 'ign-communes-idf-2024',
  label: 'Communes d’Île-de-France (COG 2024, contours simplifiés)',
  producer: 'IGN (ADMIN EXPRESS), INSEE ; préparé par le RIATE (Magrit)',
  licence: 'Licence Ouverte 2.0',
  vintage: '2024',
  url: 'https://geoservices.ign.fr/adminexpress',
  urlServes: 'archive',
  format: 'GeoJSON, WGS84 (membre crs CRS84), Polygon/MultiPolygon simplifiés ; colonnes INSEE_COM, NOM, DEP, REG, EPCI…',
  mirrorPath: 'admin/riate-magrit/idf_com.geojson',
  geoVintage: 2024,
  coverage: ['75', '77', '78', '91', '92', '93', '94', '95']
};

const spec: GeoLayerSpec = {
  source: communesIdfSource,
  layer: 'commune',
  codeField: 'INSEE_COM',
  codePattern: /^(\d{2}|2[AB])\d{3}$/,
  codeLabel: 'un code commune INSEE à 5 caractères',
  nameFields: ['NOM'],
  propFields: ['DEP', 'REG', 'EPCI'],
  expectedCount: 1268
};

export const communesIdfAdapter: GeoAdapter = {
  kind: 'geo',
  source: communesIdfSource,
  read: (file, ctx) => readGeoLayer(spec, file, ctx)
};
