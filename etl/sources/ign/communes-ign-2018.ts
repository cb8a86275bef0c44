import type { GeoAdapter, GeoBatch, SourceDescription } from '../../core/types.ts';
import { readGeoLayer } from '../../geo/geo-layer.ts';

/**
 * IGN ADMIN EXPRESS-COG 2018, simplified, as republished by gregoiredavid/france-geojson.
 * Only used to cross-check our own contours and dissolves (areas, shared borders),
 * never shown: the simplification is per layer, so its départements are not exactly
 * the union of its communes.
 */
type Kind = 'communes-93' | 'communes-75' | 'departements-idf';

const FILES: Record<Kind, { file: string; label: string; layer: GeoBatch['layer']; count: number; codePattern: RegExp; codeLabel: string }> = {
  'communes-93': {
    file: 'communes-93-seine-saint-denis.geojson',
    label: 'Communes de la Seine-Saint-Denis (COG 2018, contours simplifiés)',
    layer: 'commune',
    count: 40,
    codePattern: /^93\d{3}$/,
    codeLabel: 'un code commune INSEE de la Seine-Saint-Denis (93xxx)'
  },
  'communes-75': {
    file: 'communes-75-paris.geojson',
    label: 'Commune de Paris (COG 2018, contour simplifié)',
    layer: 'commune',
    count: 1,
    codePattern: /^75\d{3}$/,
    codeLabel: 'un code commune INSEE de Paris (75xxx)'
  },
  'departements-idf': {
    file: 'departements-ile-de-france.geojson',
    label: 'Départements d’Île-de-France (COG 2018, contours simplifiés)',
    layer: 'departement',
    count: 8,
    codePattern: /^\d{2}$/,
    codeLabel: 'un code département à 2 chiffres'
  }
};

function source(kind: Kind): SourceDescription {
  const file = FILES[kind];
  return {
    id: `ign-admin-express-2018-${kind}`,
    label: file.label,
    producer: 'IGN (ADMIN EXPRESS COG 2018), INSEE ; simplifié par gregoiredavid/france-geojson',
    licence: 'Licence Ouverte / Open Licence (Etalab)',
    vintage: '2018',
    url: 'https://geoservices.ign.fr/adminexpress',
    urlServes: 'archive',
    format: 'GeoJSON, WGS84 sans membre crs, coordonnées arrondies à 1e-5°, simplifié (Visvalingam 25 %) ; colonnes code, nom',
    mirrorPath: `admin/gregoiredavid-france-geojson/${file.file}`,
    geoVintage: 2018
  };
}

function adapter(kind: Kind): GeoAdapter {
  const file = FILES[kind];
  const src = source(kind);
  return {
    kind: 'geo',
    source: src,
    read: (path, ctx) =>
      readGeoLayer(
        { source: src, layer: file.layer, codeField: 'code', codePattern: file.codePattern, codeLabel: file.codeLabel, nameFields: ['nom'], propFields: [], expectedCount: file.count },
        path,
        ctx
      )
  };
}

export const communes93Ign2018Adapter = adapter('communes-93');
export const communes75Ign2018Adapter = adapter('communes-75');
export const departementsIdfIgn2018Adapter = adapter('departements-idf');
