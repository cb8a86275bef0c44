/**
 * SQL of the cadastre routes (etl/db/schema-cadastre.sql): layers, millésimes per
 * commune, bbox queries for tiles, per-commune extracts, parcels, sales, history.
 */
import type { Build } from '../db.ts';
import type { BBox } from '../tiles/mercator.ts';

export const CADASTRE_LAYER_IDS = ['parcelles', 'batiments', 'sections', 'lieux-dits'] as const;
export type CadastreLayerId = (typeof CADASTRE_LAYER_IDS)[number];

export interface LayerField {
  /** Property name in tiles, GeoJSON, GeoPackage and CSV. */
  name: string;
  column: string;
  type: 'String' | 'Number';
  description: string;
}

export interface CadastreLayerDef {
  id: CadastreLayerId;
  table: string;
  label: string;
  /** Attributes, `vintage` last; every layer has `id` and `commune`. */
  fields: LayerField[];
  /** Zoom range of the tiles (beyond maxZoom a map over-zooms the last tile). */
  minZoom: number;
  maxZoom: number;
}

const ID: LayerField = { name: 'id', column: 'id', type: 'String', description: 'Identifiant' };
const COMMUNE: LayerField = { name: 'commune', column: 'commune', type: 'String', description: 'Code INSEE de la commune (75118 pour Paris 18e)' };
const VINTAGE: LayerField = { name: 'vintage', column: 'vintage', type: 'String', description: 'Millésime AAAA-MM-JJ' };
const PREFIXE: LayerField = { name: 'prefixe', column: 'prefixe', type: 'String', description: 'Préfixe de section (000 sauf commune absorbée)' };
const SECTION: LayerField = { name: 'section', column: 'section', type: 'String', description: 'Section sur 2 caractères (0A)' };

export const CADASTRE_LAYERS: Record<CadastreLayerId, CadastreLayerDef> = {
  parcelles: {
    id: 'parcelles',
    table: 'cadastre_parcels',
    label: 'Parcelles cadastrales',
    fields: [
      { ...ID, description: 'Identifiant national à 14 caractères (930100000A0224)' },
      COMMUNE,
      PREFIXE,
      SECTION,
      { name: 'numero', column: 'numero', type: 'String', description: 'Numéro sur 4 chiffres (0224)' },
      { name: 'contenance', column: 'contenance', type: 'Number', description: 'Contenance en m², publiée par la DGFiP' },
      VINTAGE
    ],
    minZoom: 13,
    maxZoom: 18
  },
  batiments: {
    id: 'batiments',
    table: 'cadastre_buildings',
    label: 'Bâtiments du plan cadastral',
    fields: [
      { ...ID, description: 'Feuille EDIGéO et objet (le PCI n’a pas d’identifiant national de bâtiment)' },
      COMMUNE,
      { name: 'type', column: 'type', type: 'String', description: 'dur ou léger' },
      VINTAGE
    ],
    minZoom: 13,
    maxZoom: 18
  },
  sections: {
    id: 'sections',
    table: 'cadastre_sections',
    label: 'Sections cadastrales',
    fields: [{ ...ID, description: 'Commune + préfixe + section, 10 caractères (130290000A)' }, COMMUNE, PREFIXE, SECTION, VINTAGE],
    minZoom: 11,
    maxZoom: 18
  },
  'lieux-dits': {
    id: 'lieux-dits',
    table: 'cadastre_lieux_dits',
    label: 'Lieux-dits',
    fields: [
      { ...ID, description: 'Feuille EDIGéO et objet' },
      COMMUNE,
      { name: 'name', column: 'name', type: 'String', description: 'Nom, tel qu’écrit par la DGFiP' },
      VINTAGE
    ],
    minZoom: 13,
    maxZoom: 18
  }
};

export function isLayerId(id: string): id is CadastreLayerId {
  return (CADASTRE_LAYER_IDS as readonly string[]).includes(id);
}

type Bounds = [number, number, number, number];

export interface VintageEntry {
  vintage: string;
  count: number;
  bbox: Bounds | null;
  sources: string[];
}

export interface LayerInventory {
  /** Commune → its millésimes, oldest first. */
  communes: Map<string, VintageEntry[]>;
  /** Every millésime of the layer, oldest first. */
  vintages: string[];
  bounds: Bounds | null;
}

export interface CadastreInventory {
  /** False for a build made before the cadastre tables existed. */
  available: boolean;
  layers: Record<CadastreLayerId, LayerInventory>;
  /** Every commune with any cadastre layer, sorted. */
  communes: string[];
  /** Tables present in the build (dvf_sales, cadastre_history…). */
  tables: Set<string>;
}

const CADASTRE_TABLES = ['cadastre_parcels', 'cadastre_buildings', 'cadastre_sections', 'cadastre_lieux_dits', 'cadastre_history', 'dvf_sales'];

interface InventoryRow {
  layer: CadastreLayerId;
  commune: string;
  vintage: string;
  n: number;
  minx: number | null;
  miny: number | null;
  maxx: number | null;
  maxy: number | null;
  sources: string[];
}

/** Layers, communes and millésimes of this build, with counts and extents. Memoised per build. */
export function cadastreInventory(build: Build): Promise<CadastreInventory> {
  return build.memo('cadastre:inventory', async () => {
    const present = await build.all<{ name: string }>(
      `SELECT table_name AS name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'
         AND list_contains($tables, table_name)`,
      { tables: CADASTRE_TABLES }
    );
    const tables = new Set(present.map((t) => t.name));
    const parts = Object.values(CADASTRE_LAYERS)
      .filter((l) => tables.has(l.table))
      .map(
        (l) => `SELECT '${l.id}' AS layer, commune, vintage, count(*)::INTEGER AS n,
                  min(minx) AS minx, min(miny) AS miny, max(maxx) AS maxx, max(maxy) AS maxy,
                  list_sort(list(DISTINCT source)) AS sources
                FROM ${l.table} GROUP BY commune, vintage`
      );
    const rows = parts.length ? await build.all<InventoryRow>(`${parts.join(' UNION ALL ')} ORDER BY layer, commune, vintage`) : [];
    const layers = Object.fromEntries(
      Object.keys(CADASTRE_LAYERS).map((id) => [id, { communes: new Map(), vintages: [], bounds: null } as LayerInventory])
    ) as Record<CadastreLayerId, LayerInventory>;
    const communes = new Set<string>();
    for (const r of rows) {
      const layer = layers[r.layer];
      const bbox: Bounds | null = r.minx === null || r.miny === null || r.maxx === null || r.maxy === null ? null : [r.minx, r.miny, r.maxx, r.maxy];
      const list = layer.communes.get(r.commune) ?? [];
      list.push({ vintage: r.vintage, count: r.n, bbox, sources: r.sources });
      layer.communes.set(r.commune, list);
      if (!layer.vintages.includes(r.vintage)) layer.vintages.push(r.vintage);
      if (bbox) layer.bounds = layer.bounds ? union(layer.bounds, bbox) : bbox;
      communes.add(r.commune);
    }
    for (const layer of Object.values(layers)) layer.vintages.sort();
    return { available: tables.has('cadastre_parcels'), layers, communes: [...communes].sort(), tables };
  });
}

export function union(a: Bounds, b: Bounds): Bounds {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

/**
 * The millésime shown for each commune: its latest one, or with `asOf` the latest
 * published on or before that date (the state of the cadastre at that date). A commune
 * with nothing that old is left out.
 */
export function selectVintages(layer: LayerInventory, asOf: string | null): Map<string, VintageEntry> {
  const selection = new Map<string, VintageEntry>();
  for (const [commune, vintages] of layer.communes) {
    let chosen: VintageEntry | undefined;
    for (const v of vintages) if (asOf === null || v.vintage <= asOf) chosen = v;
    if (chosen) selection.set(commune, chosen);
  }
  return selection;
}

export interface FeatureRow {
  geojson: string | null;
  minx: number | null;
  miny: number | null;
  maxx: number | null;
  maxy: number | null;
  [attribute: string]: string | number | null;
}

/** A SQL string literal of a millésime (they come from the inventory, quoted anyway). */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function intersects(b: Bounds | null, box: BBox): boolean {
  return b !== null && b[2] >= box.minx && b[0] <= box.maxx && b[3] >= box.miny && b[1] <= box.maxy;
}

/**
 * Features of a layer meeting `bbox`, restricted to the (commune, millésime) pairs of
 * `selection`. Pairs whose extent misses the bbox are dropped first (the inventory
 * knows each extent), so a tile usually asks one commune at one millésime. Each
 * millésime is a constant and each commune list a literal, so that DuckDB pushes them,
 * with the bbox bounds, into the scan: row groups whose zone maps miss them are skipped
 * (each millésime of each commune is loaded as one run of rows). No index is needed.
 */
export function tileRows(build: Build, def: CadastreLayerDef, bbox: BBox, selection: Map<string, VintageEntry>): Promise<FeatureRow[]> {
  const groups = new Map<string, string[]>();
  for (const [commune, v] of selection) {
    if (!intersects(v.bbox, bbox)) continue;
    const list = groups.get(v.vintage) ?? [];
    list.push(commune);
    groups.set(v.vintage, list);
  }
  if (groups.size === 0) return Promise.resolve([]);
  const columns = def.fields.map((f) => f.column).join(', ');
  const parts = [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([vintage, communes]) =>
        `SELECT ${columns}, geojson, minx, miny, maxx, maxy FROM ${def.table}
         WHERE vintage = ${literal(vintage)} AND commune IN (${communes.sort().map(literal).join(', ')})
           AND maxx >= $minx AND minx <= $maxx AND maxy >= $miny AND miny <= $maxy`
    );
  return build.all<FeatureRow>(parts.join('\nUNION ALL\n'), { ...bbox });
}

/** Every feature of one commune and millésime of a layer, by id: what an extract holds. */
export function layerRows(build: Build, def: CadastreLayerDef, commune: string, vintage: string): Promise<FeatureRow[]> {
  const columns = def.fields.map((f) => f.column).join(', ');
  return build.all<FeatureRow>(
    `SELECT ${columns}, source, geojson, minx, miny, maxx, maxy FROM ${def.table}
     WHERE commune = $commune AND vintage = $vintage ORDER BY id`,
    { commune, vintage }
  );
}

export interface SourceRow {
  id: string;
  label: string;
  producer: string;
  licence: string;
  vintage: string;
  url: string;
}

export async function sourcesById(build: Build, ids: readonly string[]): Promise<SourceRow[]> {
  if (ids.length === 0) return [];
  return build.all<SourceRow>(
    'SELECT id, label, producer, licence, vintage, url FROM sources WHERE list_contains($ids, id) ORDER BY id',
    { ids: [...ids] }
  );
}

export interface ParcelVersionRow {
  vintage: string;
  id: string;
  prefixe: string;
  section: string;
  numero: string;
  contenance: number | null;
  source: string;
  geojson: string | null;
  minx: number | null;
  miny: number | null;
  maxx: number | null;
  maxy: number | null;
}

/** The parcel in each millésime where it exists, oldest first. */
export function parcelVersions(build: Build, commune: string, id: string): Promise<ParcelVersionRow[]> {
  return build.all<ParcelVersionRow>(
    `SELECT vintage, id, prefixe, section, numero, contenance, source, geojson, minx, miny, maxx, maxy
     FROM cadastre_parcels WHERE commune = $commune AND id = $id ORDER BY vintage`,
    { commune, id }
  );
}

export interface SaleRow {
  date: string;
  year: number;
  nature: string;
  valeur_fonciere: number | null;
  type_local: string | null;
  surface_reelle_bati: number | null;
  surface_terrain: number | null;
  nombre_pieces: number | null;
  nb_appartements: number;
  nb_maisons: number;
  nb_dependances: number;
  nb_locaux_activite: number;
  price_m2: number | null;
  price_status: string;
  parcel_ids: string[];
  source: string;
}

/** DVF mutations naming the parcel, by date. Only published, non-personal fields. */
export function parcelSales(build: Build, id: string): Promise<SaleRow[]> {
  return build.all<SaleRow>(
    `SELECT date::VARCHAR AS date, year, nature, valeur_fonciere, type_local, surface_reelle_bati, surface_terrain,
            nombre_pieces, nb_appartements, nb_maisons, nb_dependances, nb_locaux_activite, price_m2, price_status,
            list_sort(parcel_ids) AS parcel_ids, source
     FROM dvf_sales WHERE list_contains(parcel_ids, $id) ORDER BY date, first_line`,
    { id }
  );
}

export interface HistoryRow {
  from_vintage: string;
  to_vintage: string;
  id: string;
  change: string;
  related_ids: string[];
  section: string;
}

/** Changes recorded on the parcel, and those naming it among their related parcels. */
export function parcelHistory(build: Build, commune: string, id: string): Promise<HistoryRow[]> {
  return build.all<HistoryRow>(
    `SELECT from_vintage, to_vintage, id, change, list_sort(related_ids) AS related_ids, section
     FROM cadastre_history WHERE commune = $commune AND (id = $id OR list_contains(related_ids, $id))
     ORDER BY from_vintage, id = $id DESC, change, id`,
    { commune, id }
  );
}

export interface ChangeRow {
  id: string;
  change: string;
  section: string;
  related_ids: string[];
}

/**
 * What changed between two millésimes of a commune, not necessarily consecutive.
 * created / deleted compare the two sets of ids (so created − deleted is the
 * difference of the parcel counts); geometry, merged and split come from the
 * consecutive steps in between, kept when their parcel exists at the end of the
 * period (geometry, merged) or at its start (geometry, split). related_ids gathers
 * those of the steps recording the same change on the same parcel.
 */
export function changesBetween(build: Build, commune: string, from: string, to: string): Promise<ChangeRow[]> {
  return build.all<ChangeRow>(
    `WITH f AS (SELECT id, section FROM cadastre_parcels WHERE commune = $commune AND vintage = $from),
          t AS (SELECT id, section FROM cadastre_parcels WHERE commune = $commune AND vintage = $to),
          steps AS (SELECT id, change, section, related_ids FROM cadastre_history
                    WHERE commune = $commune AND from_vintage >= $from AND to_vintage <= $to),
          changes AS (
            SELECT id, 'created' AS change, section FROM t WHERE id NOT IN (SELECT id FROM f)
            UNION ALL SELECT id, 'deleted', section FROM f WHERE id NOT IN (SELECT id FROM t)
            UNION SELECT id, change, section FROM steps
              WHERE (change = 'geometry' AND id IN (SELECT id FROM f) AND id IN (SELECT id FROM t))
                 OR (change = 'merged' AND id IN (SELECT id FROM t))
                 OR (change = 'split' AND id IN (SELECT id FROM f)))
     SELECT c.id, c.change, c.section,
            coalesce(list_sort(list_distinct(flatten(list(s.related_ids) FILTER (WHERE s.id IS NOT NULL)))), []::VARCHAR[]) AS related_ids
     FROM changes c LEFT JOIN steps s ON s.id = c.id AND s.change = c.change
     GROUP BY c.id, c.change, c.section
     ORDER BY c.section, c.id, c.change`,
    { commune, from, to }
  );
}

export interface ChangedGeometryRow {
  id: string;
  vintage: string;
  geojson: string | null;
}

/** Geometries of parcels of two millésimes, by id. */
export function parcelGeometries(build: Build, commune: string, from: string, fromIds: string[], to: string, toIds: string[]): Promise<ChangedGeometryRow[]> {
  return build.all<ChangedGeometryRow>(
    `SELECT id, vintage, geojson FROM cadastre_parcels
     WHERE commune = $commune AND ((vintage = $from AND list_contains($fromIds, id)) OR (vintage = $to AND list_contains($toIds, id)))`,
    { commune, from, fromIds, to, toIds }
  );
}

export interface SearchCriteria {
  id?: string;
  commune?: string;
  prefixe?: string;
  section?: string;
  numero?: string;
}

export interface SearchRow {
  id: string;
  commune: string;
  prefixe: string;
  section: string;
  numero: string;
  contenance: number | null;
  vintages: string[];
  last_vintage: string;
  total: number;
}

/** Parcels matching every criterion given, grouped over millésimes (last contenance), by id. */
export function searchParcels(build: Build, criteria: SearchCriteria, limit: number): Promise<SearchRow[]> {
  const where: string[] = [];
  const params: Record<string, string | number> = { limit };
  for (const key of ['id', 'commune', 'prefixe', 'section', 'numero'] as const) {
    const value = criteria[key];
    if (value === undefined) continue;
    where.push(`${key} = $${key}`);
    params[key] = value;
  }
  // an id names its commune: lets the scan skip the other communes' row groups
  if (criteria.id && !criteria.commune) {
    where.push('commune = $idCommune');
    params.idCommune = criteria.id.slice(0, 5);
  }
  return build.all<SearchRow>(
    `SELECT id, commune, prefixe, section, numero, arg_max(contenance, vintage) AS contenance,
            list_sort(list(vintage)) AS vintages, max(vintage) AS last_vintage, (count(*) OVER ())::INTEGER AS total
     FROM cadastre_parcels WHERE ${where.join(' AND ') || 'true'}
     GROUP BY id, commune, prefixe, section, numero
     ORDER BY id LIMIT $limit`,
    params
  );
}

export interface CommuneSalesRow {
  sales: number;
  priced: number;
  years: number[];
}

export async function communeSales(build: Build, commune: string): Promise<CommuneSalesRow> {
  const row = await build.one<CommuneSalesRow>(
    `SELECT count(*)::INTEGER AS sales, count(price_m2)::INTEGER AS priced, list_sort(list_distinct(list(year))) AS years
     FROM dvf_sales WHERE commune = $commune`,
    { commune }
  );
  return row ?? { sales: 0, priced: 0, years: [] };
}

export interface HistoryStepRow {
  from_vintage: string;
  to_vintage: string;
  change: string;
  n: number;
}

export function historySteps(build: Build, commune: string): Promise<HistoryStepRow[]> {
  return build.all<HistoryStepRow>(
    `SELECT from_vintage, to_vintage, change, count(*)::INTEGER AS n FROM cadastre_history
     WHERE commune = $commune GROUP BY ALL ORDER BY from_vintage, change`,
    { commune }
  );
}

/** Names of the communes that are territories of this build (Paris' arrondissements are not). */
export async function communeNames(build: Build, codes: readonly string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const rows = await build.all<{ code: string; name: string }>(
    "SELECT code, name FROM territories WHERE level = 'commune' AND list_contains($codes, code)",
    { codes: [...codes] }
  );
  return new Map(rows.map((r) => [r.code, r.name]));
}
