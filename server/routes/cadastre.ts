/**
 * Cadastre and DVF routes: `/api/cadastre/…` (communes, search, parcels with their
 * sales and history, history between millésimes, per-commune extracts) and
 * `/tiles/cadastre/…` (vector tiles and TileJSON of the cadastre layers).
 * `cadastreRouters()` gives both; the tile router must be mounted before `/tiles`,
 * whose `/tiles/{build}/{layer}/…` would otherwise take `/tiles/cadastre/…`.
 */
import { gunzipSync } from 'node:zlib';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { z } from 'zod';
import { PARCEL_ID, normaliseNumero, normalisePrefixe, normaliseSection } from '../../etl/sources/cadastre/parcel-id.ts';
import type { Build } from '../db.ts';
import { toCsv } from '../downloads/csv.ts';
import { type GpkgField, toGeoPackage } from '../downloads/gpkg.ts';
import type { Column, Table } from '../downloads/table.ts';
import { ApiError } from '../errors.ts';
import {
  CADASTRE_LAYERS,
  CADASTRE_LAYER_IDS,
  type CadastreInventory,
  type CadastreLayerDef,
  type ChangeRow,
  type LayerInventory,
  type SearchCriteria,
  type SourceRow,
  type VintageEntry,
  cadastreInventory,
  changesBetween,
  communeNames,
  communeSales,
  historySteps,
  isLayerId,
  layerRows,
  parcelGeometries,
  parcelHistory,
  parcelSales,
  parcelVersions,
  searchParcels,
  selectVintages,
  sourcesById,
  union
} from '../queries/cadastre.ts';
import { type Ctx, Router } from '../routing.ts';
import { SourceSchema, TileJsonSchema, tileCoordinates } from '../schemas.ts';
import { CadastreTiles } from '../tiles/cadastre-layers.ts';

const MVT = 'application/vnd.mapbox-vector-tile';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=60';
/** DVF's conditions of use: no indexing of individual sales by search engines. */
const NOINDEX = 'noindex, nofollow';
const CHANGES = ['created', 'deleted', 'geometry', 'merged', 'split'] as const;

// ---------------------------------------------------------------- parameters

const CommuneParam = z
  .string()
  .regex(/^(?:\d{5}|2[AB]\d{3})$/, 'code INSEE de commune attendu, 5 caractères (93010, 75118 pour Paris 18e)')
  .meta({ description: 'Code INSEE de la commune, tel que publié par le cadastre (75118 pour Paris 18e, pas 75056)' });
const VintageParam = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'millésime attendu au format AAAA-MM-JJ (2024-01-01)')
  .meta({ description: 'Millésime AAAA-MM-JJ' });
const LayerParam = z.string().min(1).max(64).meta({ description: 'parcelles, batiments, sections ou lieux-dits' });
const ParcelIdParam = z
  .string()
  .trim()
  .toUpperCase()
  .regex(PARCEL_ID, 'identifiant de parcelle à 14 caractères attendu : commune, préfixe, section, numéro (930100000A0224)')
  .meta({ description: 'Identifiant national de la parcelle, 14 caractères (930100000A0224)' });
const TileCoordinates = tileCoordinates('Zoom, 0 à 24 (tuiles vides sous le zoom minimal de la couche)');
const TileQuery = z.object({
  vintage: VintageParam.optional().meta({
    description: 'État du cadastre à ce millésime : pour chaque commune, son dernier millésime publié à cette date. Par défaut, le dernier de chaque commune.'
  })
});

// ---------------------------------------------------------------- response schemas

const Bbox = z.tuple([z.number(), z.number(), z.number(), z.number()]).meta({ description: 'WGS84 : ouest, sud, est, nord' });
const VintageSchema = z.object({ vintage: z.string(), count: z.number().int(), bbox: Bbox.nullable(), sources: z.array(z.string()) });
const ChangeCountsSchema = z.object({
  created: z.number().int(),
  deleted: z.number().int(),
  geometry: z.number().int(),
  merged: z.number().int(),
  split: z.number().int()
});

const CommuneListSchema = z.object({
  layers: z.array(
    z.object({ id: z.string(), label: z.string(), minZoom: z.number().int(), maxZoom: z.number().int(), vintages: z.array(z.string()) })
  ),
  communes: z.array(
    z.object({
      commune: z.string(),
      name: z.string().nullable(),
      layers: z.record(z.string(), z.array(z.string())).meta({ description: 'Couche → millésimes, du plus ancien au plus récent' })
    })
  )
});

const CommuneSchema = z.object({
  commune: z.string(),
  name: z.string().nullable(),
  bbox: Bbox.nullable(),
  layers: z.array(z.object({ layer: z.string(), label: z.string(), latest: z.string(), vintages: z.array(VintageSchema) })),
  history: z.array(z.object({ from: z.string(), to: z.string(), counts: ChangeCountsSchema })),
  sales: z.object({ count: z.number().int(), priced: z.number().int(), years: z.array(z.number().int()) })
});

const SearchSchema = z.object({
  query: z.object({
    id: z.string().optional(),
    commune: z.string().optional(),
    prefixe: z.string().optional(),
    section: z.string().optional(),
    numero: z.string().optional()
  }),
  total: z.number().int().meta({ description: 'Parcelles trouvées (results en donne au plus `limit`)' }),
  results: z.array(
    z.object({
      id: z.string(),
      commune: z.string(),
      prefixe: z.string(),
      section: z.string(),
      numero: z.string(),
      contenance: z.number().nullable().meta({ description: 'm², au dernier millésime où la parcelle existe' }),
      vintages: z.array(z.string()),
      lastVintage: z.string(),
      current: z.boolean().meta({ description: 'Existe au dernier millésime de sa commune' })
    })
  )
});

const SaleSchema = z.object({
  date: z.string(),
  year: z.number().int(),
  nature: z.string(),
  value: z.number().nullable().meta({ description: 'Valeur foncière de toute la mutation, €' }),
  type: z.string().nullable().meta({ description: 'Maison ou Appartement quand la mutation porte sur un seul bien' }),
  builtSurface: z.number().nullable().meta({ description: 'Surface réelle bâtie de ce bien, m²' }),
  landSurface: z.number().nullable().meta({ description: 'Surface de terrain, m²' }),
  rooms: z.number().int().nullable(),
  counts: z.object({ apartments: z.number().int(), houses: z.number().int(), outbuildings: z.number().int(), commercial: z.number().int() }),
  priceM2: z.number().nullable().meta({ description: '€/m², seulement pour une vente d’un seul logement' }),
  priceStatus: z.string().meta({ description: 'calcule, ou la raison de l’absence de prix au m²' }),
  parcels: z.array(z.string()).meta({ description: 'Parcelles de la mutation' })
});

const HistoryEventSchema = z.object({
  from: z.string(),
  to: z.string(),
  id: z.string(),
  change: z.enum(CHANGES),
  relatedIds: z.array(z.string()),
  role: z.enum(['parcelle', 'liee']).meta({ description: 'parcelle : le changement porte sur elle ; liee : elle figure parmi les parcelles liées' })
});

const ParcelSchema = z.object({
  id: z.string(),
  commune: z.string(),
  prefixe: z.string(),
  section: z.string(),
  numero: z.string(),
  contenance: z.number().nullable().meta({ description: 'Surface en m² (contenance publiée par la DGFiP)' }),
  vintage: z.string().meta({ description: 'Millésime décrit' }),
  current: z.boolean().meta({ description: 'Existe au dernier millésime de sa commune' }),
  bbox: Bbox.nullable(),
  geometry: z.unknown().nullable().meta({ description: 'GeoJSON WGS84' }),
  source: SourceSchema.nullable(),
  versions: z.array(z.object({ vintage: z.string(), contenance: z.number().nullable(), sameGeometryAsPrevious: z.boolean().nullable() })),
  history: z.array(HistoryEventSchema),
  sales: z.array(SaleSchema),
  salesSource: SourceSchema.nullable()
});

const HistorySchema = z.object({
  commune: z.string(),
  from: z.string(),
  to: z.string(),
  steps: z.array(z.object({ from: z.string(), to: z.string() })).meta({ description: 'Millésimes consécutifs couverts' }),
  parcelCount: z.object({ from: z.number().int(), to: z.number().int() }),
  counts: ChangeCountsSchema,
  sections: z.array(ChangeCountsSchema.extend({ section: z.string() })),
  changes: z.array(z.object({ id: z.string(), change: z.enum(CHANGES), section: z.string(), relatedIds: z.array(z.string()) }))
});

const CadastreTileJsonSchema = TileJsonSchema.extend({
  vintage: z.string().nullable().meta({ description: 'Millésime demandé ; null : le dernier de chaque commune' }),
  vintages: z.array(z.string()).meta({ description: 'Millésimes disponibles (pour ?vintage=)' }),
  selection: z.array(z.object({ commune: z.string(), vintage: z.string() })).meta({ description: 'Millésime montré pour chaque commune' })
});

// ---------------------------------------------------------------- lookups

const SPLIT_CITIES: Record<string, { name: string; first: number; last: number }> = {
  '75056': { name: 'Paris', first: 75101, last: 75120 },
  '69123': { name: 'Lyon', first: 69381, last: 69389 },
  '13055': { name: 'Marseille', first: 13201, last: 13216 }
};

async function inventory(build: Build): Promise<CadastreInventory> {
  return cadastreInventory(build);
}

function requireCommune(inv: CadastreInventory, commune: string): void {
  if (inv.communes.includes(commune)) return;
  if (!inv.available) throw new ApiError(404, 'territoire_inconnu', 'Ce build ne contient pas de cadastre.');
  const city = SPLIT_CITIES[commune];
  if (city) {
    const loaded = inv.communes.filter((c) => Number(c) >= city.first && Number(c) <= city.last);
    throw new ApiError(
      404,
      'territoire_inconnu',
      `Le cadastre de ${city.name} est publié par arrondissement municipal (${city.first} à ${city.last}), pas sous ${commune}. ` +
        `Arrondissements chargés : ${loaded.join(', ') || 'aucun'}.`
    );
  }
  throw new ApiError(404, 'territoire_inconnu', `Aucun cadastre chargé pour la commune « ${commune} ». Communes disponibles : ${inv.communes.join(', ')}.`);
}

function requireLayer(id: string): CadastreLayerDef {
  if (isLayerId(id)) return CADASTRE_LAYERS[id];
  throw new ApiError(404, 'couche_inconnue', `Couche cadastrale inconnue : « ${id} ». Couches : ${CADASTRE_LAYER_IDS.join(', ')}.`);
}

/** The millésimes of a layer for a commune; 404 when the commune has none for it. */
function communeVintages(inv: CadastreInventory, def: CadastreLayerDef, commune: string): VintageEntry[] {
  requireCommune(inv, commune);
  const vintages = inv.layers[def.id].communes.get(commune);
  if (!vintages?.length) {
    const layers = CADASTRE_LAYER_IDS.filter((l) => inv.layers[l].communes.has(commune));
    throw new ApiError(404, 'couche_inconnue', `La couche « ${def.id} » n'est pas chargée pour la commune ${commune} (couches disponibles : ${layers.join(', ')}).`);
  }
  return vintages;
}

function pickVintage(vintages: VintageEntry[], wanted: string | undefined, what: string): VintageEntry {
  if (wanted === undefined) return vintages.at(-1) as VintageEntry;
  const found = vintages.find((v) => v.vintage === wanted);
  if (!found) {
    throw new ApiError(404, 'millesime_inconnu', `Millésime inconnu pour ${what} : ${wanted}. Millésimes : ${vintages.map((v) => v.vintage).join(', ')}.`);
  }
  return found;
}

function requireTileVintage(layer: LayerInventory, def: CadastreLayerDef, vintage: string | undefined): string | null {
  if (vintage === undefined) return null;
  if (!layer.vintages.includes(vintage)) {
    throw new ApiError(404, 'millesime_inconnu', `Millésime inconnu pour la couche « ${def.id} » : ${vintage}. Millésimes : ${layer.vintages.join(', ') || 'aucun'}.`);
  }
  return vintage;
}

function sourceRef(row: SourceRow | undefined): z.infer<typeof SourceSchema> | null {
  return row ? { id: row.id, label: row.label, producer: row.producer, licence: row.licence, vintage: row.vintage, url: row.url } : null;
}

function emptyCounts(): Record<(typeof CHANGES)[number], number> {
  return { created: 0, deleted: 0, geometry: 0, merged: 0, split: 0 };
}

function isChange(s: string): s is (typeof CHANGES)[number] {
  return (CHANGES as readonly string[]).includes(s);
}

function bboxOf(row: { minx: number | null; miny: number | null; maxx: number | null; maxy: number | null }): [number, number, number, number] | null {
  return row.minx === null || row.miny === null || row.maxx === null || row.maxy === null ? null : [row.minx, row.miny, row.maxx, row.maxy];
}

function ifNoneMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

/** Query string of the request, `?…` or empty, to carry over in a redirect. */
function search(c: Ctx): string {
  const url = new URL(c.req.url);
  return url.search;
}

// ---------------------------------------------------------------- search parsing

/**
 * `q` of the search: a 14-character id (spaces allowed: « 93010 000 A 0224 »), or
 * « commune [préfixe] section numéro » with separators (« 93010 A 224 »), or the same
 * written together when the section has a letter (« 93010A224 »), or « commune section ».
 */
export function parseParcelQuery(q: string): SearchCriteria | null {
  const text = q.trim().toUpperCase();
  const compact = text.replace(/[\s\-./_]+/g, '');
  if (PARCEL_ID.test(compact)) return { id: compact };
  const tokens = text.split(/[\s\-./_]+/).filter(Boolean);
  let parts: { commune: string; prefixe?: string; section?: string; numero?: string } | null = null;
  if (tokens.length === 1) {
    const m = /^((?:\d{2}|2[AB])\d{3})(\d{3})?([A-Z]{1,2}|\d[A-Z])(\d{1,4})?$/.exec(compact);
    if (m) parts = { commune: m[1] as string, prefixe: m[2], section: m[3], numero: m[4] };
  } else if (tokens.length === 2) parts = { commune: tokens[0] as string, section: tokens[1] };
  else if (tokens.length === 3) parts = { commune: tokens[0] as string, section: tokens[1], numero: tokens[2] };
  else if (tokens.length === 4) parts = { commune: tokens[0] as string, prefixe: tokens[1], section: tokens[2], numero: tokens[3] };
  if (!parts || !/^(?:\d{5}|2[AB]\d{3})$/.test(parts.commune)) return null;
  return normaliseCriteria(parts);
}

function normaliseCriteria(parts: { commune: string; prefixe?: string; section?: string; numero?: string }): SearchCriteria | null {
  const criteria: SearchCriteria = { commune: parts.commune };
  if (parts.prefixe !== undefined) {
    const p = normalisePrefixe(parts.prefixe);
    if (p === null || parts.prefixe === '') return null;
    criteria.prefixe = p;
  }
  if (parts.section !== undefined) {
    const s = normaliseSection(parts.section);
    if (s === null) return null;
    criteria.section = s;
  }
  if (parts.numero !== undefined) {
    const n = normaliseNumero(parts.numero);
    if (n === null) return null;
    criteria.numero = n;
  }
  return criteria;
}

// ---------------------------------------------------------------- extracts

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  geojson: 'application/geo+json; charset=utf-8',
  gpkg: 'application/geopackage+sqlite3'
} as const;

function extractName(commune: string, layer: string, vintage: string, ext: string): string {
  return `cadastre_${commune}_${layer}_${vintage}.${ext}`;
}

function sourceHeader(sources: SourceRow[]): string {
  const text = sources.map((s) => `${s.producer}, ${s.label} (${s.vintage}) — ${s.licence}`).join(' ; ');
  return encodeURIComponent(text || 'inconnue');
}

// ---------------------------------------------------------------- routers

export interface CadastreDeps {
  clock?: () => Date;
  tiles?: CadastreTiles;
}

/** The tile router (mount before `/tiles`) and the API router. */
export function cadastreRouters(deps: CadastreDeps = {}): Router[] {
  const tiles = deps.tiles ?? new CadastreTiles();
  return [cadastreTilesRoutes({ tiles }), cadastreRoutes({ clock: deps.clock ?? (() => new Date()) })];
}

export function cadastreTilesRoutes(deps: { tiles: CadastreTiles }): Router {
  const r = new Router('/tiles/cadastre', 'Cadastre');

  const TILE_RESPONSES = {
    200: { description: 'Tuile vectorielle Mapbox (MVT v2), compressée gzip si le client l’accepte', contentType: MVT },
    204: { description: 'Tuile vide' },
    304: { description: 'Inchangée (If-None-Match)' }
  };

  async function serveTile(
    c: Ctx,
    p: { layer: string; vintage?: string; z: number; x: number; y: number },
    query: { vintage?: string },
    cacheControl: string
  ): Promise<Response> {
    const build = c.get('build');
    const def = requireLayer(p.layer);
    if (p.vintage !== undefined && query.vintage !== undefined && p.vintage !== query.vintage) {
      throw new ApiError(400, 'parametre_invalide', `Deux millésimes différents : ${p.vintage} dans le chemin, ${query.vintage} dans la requête.`);
    }
    const size = 2 ** p.z;
    if (p.x >= size || p.y >= size) {
      throw new ApiError(400, 'parametre_invalide', `Tuile hors limites : au zoom ${p.z}, x et y vont de 0 à ${size - 1}.`);
    }
    const inv = await inventory(build);
    const asOf = requireTileVintage(inv.layers[def.id], def, p.vintage ?? query.vintage);
    const tile = await deps.tiles.tile(build, def, asOf, p.z, p.x, p.y);
    const gzip = /\bgzip\b/.test(c.req.header('Accept-Encoding') ?? '');
    const etag = gzip || !tile.gzipped ? tile.etag : tile.etag.replace(/"$/, '-identity"');
    const headers: Record<string, string> = { ETag: etag, 'Cache-Control': cacheControl, Vary: 'Accept-Encoding' };
    if (ifNoneMatches(c.req.header('If-None-Match'), etag)) return c.body(null, 304, headers);
    if (!tile.gzipped) return c.body(null, 204, headers);
    headers['Content-Type'] = MVT;
    if (gzip) {
      headers['Content-Encoding'] = 'gzip';
      return c.body(tile.gzipped as Uint8Array<ArrayBuffer>, 200, headers);
    }
    return c.body(gunzipSync(tile.gzipped) as Uint8Array<ArrayBuffer>, 200, headers);
  }

  function redirectStale(c: Ctx, p: { build: string; layer: string; vintage?: string; z: number; x: number; y: number }): Response | null {
    const build = c.get('build');
    if (p.build === build.id) return null;
    const vintage = p.vintage ? `/${encodeURIComponent(p.vintage)}` : '';
    c.header('Cache-Control', 'no-store');
    return c.redirect(`/tiles/cadastre/${encodeURIComponent(build.id)}/${encodeURIComponent(p.layer)}${vintage}/${p.z}/${p.x}/${p.y}.pbf${search(c)}`, 302);
  }

  r.get(
    '/:layer{[^/]+\\.json}',
    {
      summary: 'TileJSON d’une couche cadastrale',
      description:
        'Adresse versionnée des tuiles (par build), zooms, emprise, champs, millésimes disponibles et millésime montré pour chaque commune. ' +
        '?vintage=AAAA-MM-JJ : l’état du cadastre à ce millésime (adresse des tuiles avec ce millésime).',
      params: z.object({
        layer: z
          .string()
          .regex(/^[^/]{1,64}\.json$/)
          .transform((s) => s.slice(0, -'.json'.length))
      }),
      query: TileQuery,
      response: CadastreTileJsonSchema
    },
    async (c, { params, query }) => {
      const build = c.get('build');
      const def = requireLayer(params.layer);
      const layer = (await inventory(build)).layers[def.id];
      const asOf = requireTileVintage(layer, def, query.vintage);
      const selection = selectVintages(layer, asOf);
      let bounds: [number, number, number, number] | null = null;
      for (const v of selection.values()) if (v.bbox) bounds = bounds ? union(bounds, v.bbox) : v.bbox;
      if (!bounds) throw new ApiError(404, 'couche_inconnue', `La couche « ${def.id} » n'a aucune entité dans ce build${asOf ? ` au ${asOf}` : ''}.`);
      const origin = new URL(c.req.url).origin;
      const vintageSegment = asOf ? `/${asOf}` : '';
      const [minx, miny, maxx, maxy] = bounds;
      const fields = Object.fromEntries(def.fields.map((f) => [f.name, f.type]));
      const body: z.infer<typeof CadastreTileJsonSchema> = {
        tilejson: '3.0.0',
        name: def.label,
        scheme: 'xyz',
        version: build.id,
        tiles: [`${origin}/tiles/cadastre/${encodeURIComponent(build.id)}/${def.id}${vintageSegment}/{z}/{x}/{y}.pbf`],
        minzoom: def.minZoom,
        maxzoom: def.maxZoom,
        bounds: [minx, miny, maxx, maxy],
        center: [(minx + maxx) / 2, (miny + maxy) / 2, Math.max(def.minZoom, 14)],
        vector_layers: [{ id: def.id, description: def.label, minzoom: def.minZoom, maxzoom: def.maxZoom, fields }],
        vintage: asOf,
        vintages: layer.vintages,
        selection: [...selection].map(([commune, v]) => ({ commune, vintage: v.vintage }))
      };
      c.header('Cache-Control', 'no-cache');
      return c.json(body);
    }
  );

  r.get(
    '/:layer/:z/:x/:y{[^/]+\\.pbf}',
    {
      summary: 'Tuile cadastrale (adresse courte)',
      description: 'Build courant, cache court. Dernier millésime de chaque commune, ou ?vintage= pour l’état à un millésime.',
      params: z.object({ layer: LayerParam, ...TileCoordinates }),
      query: TileQuery,
      responses: TILE_RESPONSES
    },
    (c, { params, query }) => serveTile(c, params, query, SHORT)
  );

  r.get(
    '/:layer/:vintage{[0-9]+-[0-9]+-[0-9]+}/:z/:x/:y{[^/]+\\.pbf}',
    {
      summary: 'Tuile cadastrale à un millésime (adresse courte)',
      description: 'Build courant, cache court ; l’état du cadastre au millésime du chemin.',
      params: z.object({ layer: LayerParam, vintage: VintageParam, ...TileCoordinates }),
      query: TileQuery,
      responses: TILE_RESPONSES
    },
    (c, { params, query }) => serveTile(c, params, query, SHORT)
  );

  r.get(
    '/:build/:layer/:z/:x/:y{[^/]+\\.pbf}',
    {
      summary: 'Tuile cadastrale (adresse versionnée)',
      description: 'Immuable, cache un an ; un build périmé redirige (302) vers le build courant. ?vintage= comme l’adresse courte.',
      params: z.object({ build: z.string().min(1).max(128), layer: LayerParam, ...TileCoordinates }),
      query: TileQuery,
      responses: { ...TILE_RESPONSES, 302: { description: 'Build périmé : redirection vers le build courant' } }
    },
    (c, { params, query }) => redirectStale(c, params) ?? serveTile(c, params, query, IMMUTABLE)
  );

  r.get(
    '/:build/:layer/:vintage{[0-9]+-[0-9]+-[0-9]+}/:z/:x/:y{[^/]+\\.pbf}',
    {
      summary: 'Tuile cadastrale à un millésime (adresse versionnée)',
      description: 'Immuable, cache un an ; un build périmé redirige (302) vers le build courant.',
      params: z.object({ build: z.string().min(1).max(128), layer: LayerParam, vintage: VintageParam, ...TileCoordinates }),
      query: TileQuery,
      responses: { ...TILE_RESPONSES, 302: { description: 'Build périmé : redirection vers le build courant' } }
    },
    (c, { params, query }) => redirectStale(c, params) ?? serveTile(c, params, query, IMMUTABLE)
  );

  return r;
}

export function cadastreRoutes(deps: { clock: () => Date }): Router {
  const r = new Router('/api/cadastre', 'Cadastre');

  r.get(
    '/',
    {
      summary: 'Communes dont le cadastre est chargé',
      description: 'Couches, zooms des tuiles et millésimes disponibles, par commune.',
      response: CommuneListSchema
    },
    async (c) => {
      const build = c.get('build');
      const inv = await inventory(build);
      const names = await communeNames(build, inv.communes);
      const body: z.infer<typeof CommuneListSchema> = {
        layers: CADASTRE_LAYER_IDS.map((id) => ({
          id,
          label: CADASTRE_LAYERS[id].label,
          minZoom: CADASTRE_LAYERS[id].minZoom,
          maxZoom: CADASTRE_LAYERS[id].maxZoom,
          vintages: inv.layers[id].vintages
        })),
        communes: inv.communes.map((commune) => ({
          commune,
          name: names.get(commune) ?? null,
          layers: Object.fromEntries(
            CADASTRE_LAYER_IDS.filter((id) => inv.layers[id].communes.has(commune)).map((id) => [
              id,
              (inv.layers[id].communes.get(commune) ?? []).map((v) => v.vintage)
            ])
          )
        }))
      };
      return c.json(body);
    }
  );

  r.get(
    '/search',
    {
      summary: 'Rechercher une parcelle',
      description:
        'q = identifiant à 14 caractères (930100000A0224) ou « commune [préfixe] section numéro » (93010 A 224) ; ' +
        'ou commune, section (A ou 0A), numero (224 ou 0224) et prefixe séparément. Sans numéro : les parcelles de la section.',
      query: z.object({
        q: z.string().trim().min(1).max(40).optional().meta({ description: 'Identifiant ou « commune section numéro »' }),
        commune: CommuneParam.optional(),
        prefixe: z.string().trim().regex(/^\d{1,3}$/, 'préfixe de 1 à 3 chiffres attendu').optional(),
        section: z.string().trim().regex(/^[0-9A-Za-z]{1,2}$/, 'section de 1 ou 2 caractères attendue (A, 0A, AB)').optional(),
        numero: z.string().trim().regex(/^\d{1,4}$/, 'numéro de 1 à 4 chiffres attendu').optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50)
      }),
      response: SearchSchema
    },
    async (c, { query }) => {
      const build = c.get('build');
      const structured = query.commune !== undefined || query.prefixe !== undefined || query.section !== undefined || query.numero !== undefined;
      let criteria: SearchCriteria | null;
      if (query.q !== undefined) {
        if (structured) throw new ApiError(400, 'parametre_invalide', 'Donner soit « q », soit « commune » (avec section, numero, prefixe), pas les deux.');
        criteria = parseParcelQuery(query.q);
        if (!criteria) {
          throw new ApiError(
            400,
            'parametre_invalide',
            `Recherche non reconnue : « ${query.q} ». Attendu un identifiant à 14 caractères (930100000A0224) ou « commune section numéro » (93010 A 224).`
          );
        }
      } else {
        if (query.commune === undefined) throw new ApiError(400, 'parametre_invalide', 'Paramètre « q » ou « commune » requis.');
        criteria = normaliseCriteria({ commune: query.commune, prefixe: query.prefixe, section: query.section, numero: query.numero });
        if (!criteria) throw new ApiError(400, 'parametre_invalide', 'Section ou numéro invalide (le numéro 0 n’existe pas).');
      }
      const inv = await inventory(build);
      requireCommune(inv, criteria.commune ?? (criteria.id as string).slice(0, 5));
      const rows = await searchParcels(build, criteria, query.limit);
      const latest = inv.layers.parcelles.communes;
      const body: z.infer<typeof SearchSchema> = {
        query: criteria,
        total: rows[0]?.total ?? 0,
        results: rows.map((row) => ({
          id: row.id,
          commune: row.commune,
          prefixe: row.prefixe,
          section: row.section,
          numero: row.numero,
          contenance: row.contenance,
          vintages: row.vintages,
          lastVintage: row.last_vintage,
          current: latest.get(row.commune)?.at(-1)?.vintage === row.last_vintage
        }))
      };
      return c.json(body);
    }
  );

  r.get(
    '/:commune',
    {
      summary: 'Cadastre d’une commune',
      description: 'Couches et millésimes chargés (nombre d’entités, emprise, sources), historique par millésimes consécutifs, ventes DVF.',
      params: z.object({ commune: CommuneParam }),
      response: CommuneSchema
    },
    async (c, { params }) => {
      const build = c.get('build');
      const inv = await inventory(build);
      requireCommune(inv, params.commune);
      const [names, steps, sales] = await Promise.all([
        communeNames(build, [params.commune]),
        inv.tables.has('cadastre_history') ? historySteps(build, params.commune) : Promise.resolve([]),
        inv.tables.has('dvf_sales') ? communeSales(build, params.commune) : Promise.resolve({ sales: 0, priced: 0, years: [] })
      ]);
      const layers = CADASTRE_LAYER_IDS.filter((id) => inv.layers[id].communes.has(params.commune)).map((id) => {
        const vintages = inv.layers[id].communes.get(params.commune) ?? [];
        return { layer: id, label: CADASTRE_LAYERS[id].label, latest: vintages.at(-1)?.vintage ?? '', vintages };
      });
      let bbox: [number, number, number, number] | null = null;
      for (const l of layers) {
        const last = l.vintages.at(-1);
        if (last?.bbox) bbox = bbox ? union(bbox, last.bbox) : last.bbox;
      }
      const history = new Map<string, { from: string; to: string; counts: ReturnType<typeof emptyCounts> }>();
      for (const s of steps) {
        const key = `${s.from_vintage}|${s.to_vintage}`;
        const entry = history.get(key) ?? { from: s.from_vintage, to: s.to_vintage, counts: emptyCounts() };
        if (isChange(s.change)) entry.counts[s.change] = s.n;
        history.set(key, entry);
      }
      const body: z.infer<typeof CommuneSchema> = {
        commune: params.commune,
        name: names.get(params.commune) ?? null,
        bbox,
        layers,
        history: [...history.values()],
        sales: { count: sales.sales, priced: sales.priced, years: sales.years }
      };
      return c.json(body);
    }
  );

  r.get(
    '/:commune/history',
    {
      summary: 'Ce qui a changé entre deux millésimes',
      description:
        'Parcelles créées, supprimées, redessinées (geometry), fusionnées (merged, sur la nouvelle parcelle) et divisées (split, sur l’ancienne), ' +
        'par section et en liste. Par défaut, du millésime précédent au dernier. created − deleted = écart du nombre de parcelles. ' +
        'format=csv pour la liste, format=geojson pour les parcelles changées sur une carte (géométrie du millésime « to », ' +
        'ou « from » pour une parcelle supprimée ou divisée).',
      params: z.object({ commune: CommuneParam }),
      query: z.object({
        from: VintageParam.optional(),
        to: VintageParam.optional(),
        format: z.enum(['json', 'csv', 'geojson']).default('json')
      }),
      response: HistorySchema,
      responses: {
        200: { description: 'Selon format : JSON, CSV ou GeoJSON' }
      }
    },
    async (c, { params, query }) => {
      const build = c.get('build');
      const inv = await inventory(build);
      const vintages = communeVintages(inv, CADASTRE_LAYERS.parcelles, params.commune);
      const what = `les parcelles de ${params.commune}`;
      const to = pickVintage(vintages, query.to, what);
      const toIndex = vintages.indexOf(to);
      let from: VintageEntry;
      if (query.from !== undefined) from = pickVintage(vintages, query.from, what);
      else {
        const previous = vintages[toIndex - 1];
        if (!previous) {
          throw new ApiError(
            404,
            'millesime_inconnu',
            `Pas de millésime antérieur au ${to.vintage} pour ${what} (millésimes : ${vintages.map((v) => v.vintage).join(', ')}) : pas d'historique.`
          );
        }
        from = previous;
      }
      if (from.vintage >= to.vintage) {
        throw new ApiError(400, 'parametre_invalide', `« from » (${from.vintage}) doit précéder « to » (${to.vintage}).`);
      }
      const rows = inv.tables.has('cadastre_history') ? await changesBetween(build, params.commune, from.vintage, to.vintage) : [];
      const changes = rows.filter((row): row is ChangeRow & { change: (typeof CHANGES)[number] } => isChange(row.change));
      const counts = emptyCounts();
      const sections = new Map<string, ReturnType<typeof emptyCounts>>();
      for (const ch of changes) {
        counts[ch.change]++;
        const s = sections.get(ch.section) ?? emptyCounts();
        s[ch.change]++;
        sections.set(ch.section, s);
      }
      const steps = vintages.slice(vintages.indexOf(from), toIndex + 1);
      const body: z.infer<typeof HistorySchema> = {
        commune: params.commune,
        from: from.vintage,
        to: to.vintage,
        steps: steps.slice(1).map((v, i) => ({ from: (steps[i] as VintageEntry).vintage, to: v.vintage })),
        parcelCount: { from: from.count, to: to.count },
        counts,
        sections: [...sections].sort(([a], [b]) => a.localeCompare(b)).map(([section, n]) => ({ section, ...n })),
        changes: changes.map((ch) => ({ id: ch.id, change: ch.change, section: ch.section, relatedIds: ch.related_ids }))
      };
      const name = `cadastre_${params.commune}_historique_${from.vintage}_${to.vintage}`;
      if (query.format === 'csv') {
        const table: Table = {
          columns: [
            { key: 'commune', header: 'commune', kind: 'text' },
            { key: 'de', header: 'millesime_debut', kind: 'text' },
            { key: 'a', header: 'millesime_fin', kind: 'text' },
            { key: 'id', header: 'parcelle', kind: 'text' },
            { key: 'section', header: 'section', kind: 'text' },
            { key: 'change', header: 'changement', kind: 'text' },
            { key: 'related', header: 'parcelles_liees', kind: 'text' }
          ],
          rows: body.changes.map((ch) => ({
            commune: params.commune,
            de: from.vintage,
            a: to.vintage,
            id: ch.id,
            section: ch.section,
            change: ch.change,
            related: ch.relatedIds.join(' ')
          }))
        };
        return c.body(toCsv(table), 200, { 'Content-Type': CONTENT_TYPES.csv, 'Content-Disposition': `attachment; filename="${name}.csv"` });
      }
      if (query.format === 'geojson') {
        const atStart = (ch: { change: string }) => ch.change === 'deleted' || ch.change === 'split';
        const geometries = await parcelGeometries(
          build,
          params.commune,
          from.vintage,
          body.changes.filter(atStart).map((ch) => ch.id),
          to.vintage,
          body.changes.filter((ch) => !atStart(ch)).map((ch) => ch.id)
        );
        const byKey = new Map(geometries.map((g) => [`${g.vintage}|${g.id}`, g.geojson]));
        const features: Feature[] = body.changes.map((ch) => {
          const vintage = atStart(ch) ? from.vintage : to.vintage;
          const text = byKey.get(`${vintage}|${ch.id}`);
          return {
            type: 'Feature',
            id: `${ch.id}:${ch.change}`,
            geometry: text ? (JSON.parse(text) as Geometry) : (null as unknown as Geometry),
            properties: { id: ch.id, change: ch.change, section: ch.section, vintage, relatedIds: ch.relatedIds }
          };
        });
        const collection: FeatureCollection & { metadata: Record<string, unknown> } = {
          type: 'FeatureCollection',
          metadata: { commune: params.commune, from: from.vintage, to: to.vintage, counts, build: build.id, extractedAt: deps.clock().toISOString() },
          features
        };
        return c.body(JSON.stringify(collection), 200, {
          'Content-Type': CONTENT_TYPES.geojson,
          'Content-Disposition': `attachment; filename="${name}.geojson"`
        });
      }
      return c.json(body);
    }
  );

  r.get(
    '/:commune/parcels/:id',
    {
      summary: 'Une parcelle : attributs, ventes DVF, historique',
      description:
        'Au millésime demandé (par défaut le dernier où elle existe) ; ses versions, les changements qui la concernent entre millésimes ' +
        'et les ventes DVF qui la citent (date, nature, valeur, type, surfaces, prix au m² ; aucune donnée personnelle). ' +
        'Réponse marquée X-Robots-Tag: noindex (conditions d’utilisation de DVF).',
      params: z.object({ commune: CommuneParam, id: ParcelIdParam }),
      query: z.object({ vintage: VintageParam.optional() }),
      response: ParcelSchema
    },
    async (c, { params, query }) => {
      const build = c.get('build');
      c.header('X-Robots-Tag', NOINDEX);
      const inv = await inventory(build);
      const vintages = communeVintages(inv, CADASTRE_LAYERS.parcelles, params.commune);
      if (!params.id.startsWith(params.commune)) {
        throw new ApiError(400, 'parametre_invalide', `La parcelle ${params.id} n'est pas de la commune ${params.commune} (son identifiant commence par ${params.id.slice(0, 5)}).`);
      }
      if (query.vintage !== undefined) pickVintage(vintages, query.vintage, `les parcelles de ${params.commune}`);
      const versions = await parcelVersions(build, params.commune, params.id);
      if (versions.length === 0) {
        throw new ApiError(404, 'parcelle_inconnue', `Aucune parcelle ${params.id} dans le cadastre de ${params.commune} (millésimes ${vintages.map((v) => v.vintage).join(', ')}).`);
      }
      const version = query.vintage === undefined ? (versions.at(-1) as (typeof versions)[number]) : versions.find((v) => v.vintage === query.vintage);
      if (!version) {
        throw new ApiError(
          404,
          'parcelle_inconnue',
          `La parcelle ${params.id} n'existe pas au millésime ${query.vintage} (millésimes où elle existe : ${versions.map((v) => v.vintage).join(', ')}).`
        );
      }
      const [sales, history] = await Promise.all([
        inv.tables.has('dvf_sales') ? parcelSales(build, params.id) : Promise.resolve([]),
        inv.tables.has('cadastre_history') ? parcelHistory(build, params.commune, params.id) : Promise.resolve([])
      ]);
      const sourceIds = [...new Set([version.source, ...sales.map((s) => s.source)])];
      const sources = new Map((await sourcesById(build, sourceIds)).map((s) => [s.id, s]));
      const body: z.infer<typeof ParcelSchema> = {
        id: version.id,
        commune: params.commune,
        prefixe: version.prefixe,
        section: version.section,
        numero: version.numero,
        contenance: version.contenance,
        vintage: version.vintage,
        current: vintages.at(-1)?.vintage === versions.at(-1)?.vintage,
        bbox: bboxOf(version),
        geometry: version.geojson ? (JSON.parse(version.geojson) as unknown) : null,
        source: sourceRef(sources.get(version.source)),
        versions: versions.map((v, i) => ({
          vintage: v.vintage,
          contenance: v.contenance,
          sameGeometryAsPrevious: i === 0 ? null : v.geojson === (versions[i - 1] as (typeof versions)[number]).geojson
        })),
        history: history
          .filter((h) => isChange(h.change))
          .map((h) => ({
            from: h.from_vintage,
            to: h.to_vintage,
            id: h.id,
            change: h.change as (typeof CHANGES)[number],
            relatedIds: h.related_ids,
            role: h.id === params.id ? ('parcelle' as const) : ('liee' as const)
          })),
        sales: sales.map((s) => ({
          date: s.date,
          year: s.year,
          nature: s.nature,
          value: s.valeur_fonciere,
          type: s.type_local,
          builtSurface: s.surface_reelle_bati,
          landSurface: s.surface_terrain,
          rooms: s.nombre_pieces,
          counts: { apartments: s.nb_appartements, houses: s.nb_maisons, outbuildings: s.nb_dependances, commercial: s.nb_locaux_activite },
          priceM2: s.price_m2,
          priceStatus: s.price_status,
          parcels: s.parcel_ids
        })),
        salesSource: sourceRef(sales[0] ? sources.get(sales[0].source) : undefined)
      };
      return c.json(body);
    }
  );

  r.get(
    '/:commune/:layer',
    {
      summary: 'Extrait d’une couche pour une commune',
      description:
        'parcelles, batiments, sections ou lieux-dits, au millésime demandé (par défaut le dernier de la commune). ' +
        'format=geojson (RFC 7946, membre metadata), gpkg (GeoPackage, EPSG:4326) ou csv (sans géométrie : centre de l’emprise ; « ; », BOM, virgule décimale).',
      params: z.object({ commune: CommuneParam, layer: LayerParam }),
      query: z.object({ vintage: VintageParam.optional(), format: z.enum(['geojson', 'gpkg', 'csv']).default('geojson') }),
      responses: {
        200: { description: 'GeoJSON, GeoPackage ou CSV en pièce jointe', contentType: CONTENT_TYPES.geojson }
      }
    },
    async (c, { params, query }) => {
      const build = c.get('build');
      const def = requireLayer(params.layer);
      const inv = await inventory(build);
      const vintage = pickVintage(communeVintages(inv, def, params.commune), query.vintage, `la couche ${def.id} de ${params.commune}`);
      const [rows, sources] = await Promise.all([layerRows(build, def, params.commune, vintage.vintage), sourcesById(build, vintage.sources)]);
      const now = deps.clock();
      const ext = query.format;
      const headers = {
        'Content-Type': CONTENT_TYPES[ext],
        'Content-Disposition': `attachment; filename="${extractName(params.commune, def.id, vintage.vintage, ext)}"`,
        'X-Observatoire-Source': sourceHeader(sources)
      };
      const licence = [...new Set(sources.map((s) => s.licence))].join(' ; ');
      if (ext === 'csv') {
        const columns: Column[] = [
          ...def.fields.map((f): Column => ({ key: f.name, header: f.name === 'vintage' ? 'millesime' : f.name, kind: f.type === 'Number' ? 'number' : 'text' })),
          { key: 'longitude', header: 'longitude', kind: 'number' },
          { key: 'latitude', header: 'latitude', kind: 'number' },
          { key: 'source', header: 'source', kind: 'text' },
          { key: 'licence', header: 'licence', kind: 'text' }
        ];
        const byId = new Map(sources.map((s) => [s.id, s]));
        const table: Table = {
          columns,
          rows: rows.map((row) => {
            const out: Record<string, string | number | null> = {};
            for (const f of def.fields) out[f.name] = row[f.column] ?? null;
            const box = bboxOf(row);
            out.longitude = box ? Number(((box[0] + box[2]) / 2).toFixed(7)) : null;
            out.latitude = box ? Number(((box[1] + box[3]) / 2).toFixed(7)) : null;
            const s = byId.get(String(row.source));
            out.source = s ? `${s.producer}, ${s.label}` : String(row.source);
            out.licence = s?.licence ?? null;
            return out;
          })
        };
        return c.body(toCsv(table), 200, headers);
      }
      const properties = (row: (typeof rows)[number]) => Object.fromEntries(def.fields.map((f) => [f.name, row[f.column] ?? null]));
      if (ext === 'gpkg') {
        const fields: GpkgField[] = def.fields.map((f) => ({ name: f.name, type: f.type === 'Number' ? 'INTEGER' : 'TEXT' }));
        const bytes = await toGeoPackage(
          [
            {
              name: def.id.replace(/-/g, '_'),
              identifier: `${def.label} ${params.commune} ${vintage.vintage}`,
              description: `${def.label}, commune ${params.commune}, millésime ${vintage.vintage}. Source : ${sources.map((s) => `${s.producer}, ${s.label}`).join(' ; ')}. Licence : ${licence}.`,
              geometryType: 'MULTIPOLYGON',
              fields,
              features: rows.map((row) => ({ geometry: row.geojson ? (JSON.parse(row.geojson) as Geometry) : null, properties: properties(row) }))
            }
          ],
          { now }
        );
        return c.body(bytes as Uint8Array<ArrayBuffer>, 200, headers);
      }
      const metadata = {
        commune: params.commune,
        layer: def.id,
        label: def.label,
        vintage: vintage.vintage,
        count: rows.length,
        sources: sources.map(sourceRef),
        licence,
        build: build.id,
        buildCreatedAt: build.createdAt,
        extractedAt: now.toISOString()
      };
      // the stored GeoJSON text goes out as is: no parse and re-serialisation of every geometry
      const features = rows.map(
        (row) => `{"type":"Feature","id":${JSON.stringify(row.id)},"geometry":${row.geojson ?? 'null'},"properties":${JSON.stringify(properties(row))}}`
      );
      const collection = `{"type":"FeatureCollection","metadata":${JSON.stringify(metadata)},"features":[\n${features.join(',\n')}\n]}\n`;
      return c.body(collection, 200, headers);
    }
  );

  return r;
}
