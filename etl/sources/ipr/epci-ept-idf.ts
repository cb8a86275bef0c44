import type { GeoAdapter, SourceDescription } from '../../core/types.ts';
import { readGeoLayer } from '../../geo/geo-layer.ts';
import type { GeoLayerSpec } from '../../geo/geo-layer.ts';

/**
 * The 63 EPCI and EPT of Île-de-France (Institut Paris Région). Not a territory
 * layer of the portal: it is the independent reference our EPT dissolves (union of
 * member communes) are checked against.
 */
export const epciEptIdfSource: SourceDescription = {
  id: 'ipr-epci-ept-idf',
  label: 'EPCI et établissements publics territoriaux d’Île-de-France',
  producer: 'Institut Paris Région / Région Île-de-France',
  // SOURCES.md §1.5: not confirmed on data.iledefrance.fr (Licence Ouverte or ODbL).
  licence: 'à vérifier sur data.iledefrance.fr (Licence Ouverte ou ODbL)',
  // Exact date unknown: the newest creation year (`ancrea`) in the file is 2020.
  vintage: '2020',
  url: 'https://data.iledefrance.fr',
  format: 'GeoJSON, Lambert-93 (EPSG:2154, membre crs GeoJSON-2008), Polygon ; toutes les colonnes en texte (siren, nomgroup, nomsiege, naturjurid…)',
  mirrorPath: 'admin/epci-ept-idf/epci-ept-idf.lambert93.geojson',
  coverage: ['75', '77', '78', '91', '92', '93', '94', '95']
};

const spec: GeoLayerSpec = {
  source: epciEptIdfSource,
  layer: 'ept',
  codeField: 'siren',
  codePattern: /^\d{9}$/,
  codeLabel: 'un numéro SIREN à 9 chiffres',
  // `nomgroup` is the group's name ("Est ensemble (T8)"); `nomsiege` is the seat's
  // commune, only a fallback when the group name is blank.
  nameFields: ['nomgroup', 'nomsiege'],
  propFields: ['naturjurid', 'nomsiege', 'numdep', 'nbcommunes'],
  expectedCount: 63
};

export const epciEptIdfAdapter: GeoAdapter = {
  kind: 'geo',
  source: epciEptIdfSource,
  read: (file, ctx) => readGeoLayer(spec, file, ctx)
};
