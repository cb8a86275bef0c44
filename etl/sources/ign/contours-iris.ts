import type { GeoAdapter, SourceDescription } from '../../core/types.ts';
import { readGeoLayer } from '../../geo/geo-layer.ts';
import type { GeoLayerSpec } from '../../geo/geo-layer.ts';

/**
 * CONTOURS-IRIS® 2022 (IGN & INSEE) for the 614 IRIS of the 93. We read the
 * Lambert-93 delivery and reproject it ourselves (proj4) rather than trusting a
 * pre-converted copy, so the same code path serves the producer's own 7z download.
 */
export const contoursIrisSource: SourceDescription = {
  id: 'ign-contours-iris-2022',
  label: 'Contours des IRIS 2022 (Seine-Saint-Denis)',
  producer: 'IGN & INSEE (CONTOURS-IRIS® édition 2022)',
  licence: 'Licence Ouverte 2.0',
  vintage: '2022',
  url: 'https://geoservices.ign.fr/contoursiris',
  urlServes: 'archive',
  format: 'GeoJSON, Lambert-93 (EPSG:2154, membre crs GeoJSON-2008), MultiPolygon ; colonnes INSEE_COM, NOM_COM, IRIS, CODE_IRIS, NOM_IRIS, TYP_IRIS',
  mirrorPath: 'iris/contours-iris-2022-93.lambert93.geojson',
  geoVintage: 2022,
  coverage: ['93']
};

const spec: GeoLayerSpec = {
  source: contoursIrisSource,
  layer: 'iris',
  codeField: 'CODE_IRIS',
  codePattern: /^(\d{2}|2[AB])\d{7}$/,
  codeLabel: 'un code IRIS à 9 caractères (code commune + 4 chiffres)',
  nameFields: ['NOM_IRIS'],
  propFields: ['INSEE_COM', 'NOM_COM', 'TYP_IRIS'],
  expectedCount: 614
};

export const contoursIrisAdapter: GeoAdapter = {
  kind: 'geo',
  source: contoursIrisSource,
  read: (file, ctx) => readGeoLayer(spec, file, ctx)
};
