/** Bulk writers of the cadastre tables (etl/db/schema-cadastre.sql), through DuckDB's appender. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { appendRows, type Cell, type ColumnType } from '../db/duckdb.ts';
import type { Sale } from '../sources/dvf/sales.ts';
import type { Building, CadastreIssue, CleanGeometry, LieuDit, Parcel, Section } from '../sources/cadastre/types.ts';
import type { HistoryRow } from './history.ts';

type Columns = readonly (readonly [string, ColumnType])[];

const BBOX: Columns = [['minx', 'double'], ['miny', 'double'], ['maxx', 'double'], ['maxy', 'double']];

function geometryCells(g: CleanGeometry, json: string | null): Cell[] {
  const b = g.bbox;
  return [json, b ? b[0] : null, b ? b[1] : null, b ? b[2] : null, b ? b[3] : null];
}

/** Serialises once: the same text is stored and compared between millésimes. */
export function geometryJson(g: CleanGeometry): string | null {
  return g.geometry ? JSON.stringify(g.geometry) : null;
}

export function writeParcels(conn: DuckDBConnection, parcels: readonly Parcel[], json: (p: Parcel) => string | null): Promise<number> {
  const columns: Columns = [
    ['commune', 'varchar'], ['vintage', 'varchar'], ['id', 'varchar'], ['prefixe', 'varchar'], ['section', 'varchar'],
    ['numero', 'varchar'], ['contenance', 'integer'], ['source', 'varchar'], ['geojson', 'varchar'], ...BBOX
  ];
  return appendRows(conn, 'cadastre_parcels', columns, (function* () {
    for (const p of parcels) {
      yield [p.commune, p.vintage, p.id, p.prefixe, p.section, p.numero, p.contenance, p.source, ...geometryCells(p, json(p))];
    }
  })());
}

export function writeBuildings(conn: DuckDBConnection, buildings: readonly Building[]): Promise<number> {
  const columns: Columns = [['commune', 'varchar'], ['vintage', 'varchar'], ['id', 'varchar'], ['type', 'varchar'], ['source', 'varchar'], ['geojson', 'varchar'], ...BBOX];
  return appendRows(conn, 'cadastre_buildings', columns, buildings.map((b) => [b.commune, b.vintage, b.id, b.type, b.source, ...geometryCells(b, geometryJson(b))]));
}

export function writeSections(conn: DuckDBConnection, sections: readonly Section[]): Promise<number> {
  const columns: Columns = [
    ['commune', 'varchar'], ['vintage', 'varchar'], ['id', 'varchar'], ['prefixe', 'varchar'], ['section', 'varchar'], ['source', 'varchar'],
    ['geojson', 'varchar'], ...BBOX
  ];
  return appendRows(conn, 'cadastre_sections', columns, sections.map((s) => [s.commune, s.vintage, s.id, s.prefixe, s.section, s.source, ...geometryCells(s, geometryJson(s))]));
}

export function writeLieuxDits(conn: DuckDBConnection, lieux: readonly LieuDit[]): Promise<number> {
  const columns: Columns = [['commune', 'varchar'], ['vintage', 'varchar'], ['id', 'varchar'], ['name', 'varchar'], ['source', 'varchar'], ['geojson', 'varchar'], ...BBOX];
  return appendRows(conn, 'cadastre_lieux_dits', columns, lieux.map((l) => [l.commune, l.vintage, l.id, l.name, l.source, ...geometryCells(l, geometryJson(l))]));
}

export function writeHistory(conn: DuckDBConnection, rows: readonly HistoryRow[]): Promise<number> {
  const columns: Columns = [
    ['commune', 'varchar'], ['from_vintage', 'varchar'], ['to_vintage', 'varchar'], ['id', 'varchar'], ['change', 'varchar'],
    ['related_ids', 'varchar[]'], ['section', 'varchar']
  ];
  return appendRows(conn, 'cadastre_history', columns, rows.map((r) => [r.commune, r.fromVintage, r.toVintage, r.id, r.change, r.relatedIds, r.section]));
}

export interface SaleRow {
  sale: Sale;
  /** Current COG commune. */
  commune: string;
  /** Parcels found in the cadastre, null when the commune has none loaded. */
  parcelsFound: number | null;
}

export function writeSales(conn: DuckDBConnection, rows: readonly SaleRow[]): Promise<number> {
  const columns: Columns = [
    ['id', 'varchar'], ['source', 'varchar'], ['commune', 'varchar'], ['published_commune', 'varchar'], ['date', 'varchar'], ['year', 'integer'],
    ['nature', 'varchar'], ['valeur_fonciere', 'double'], ['code_postal', 'varchar'], ['parcel_ids', 'varchar[]'], ['parcels_found', 'integer'],
    ['lines', 'integer'], ['first_line', 'integer'], ['nb_appartements', 'integer'], ['nb_maisons', 'integer'], ['nb_dependances', 'integer'],
    ['nb_locaux_activite', 'integer'], ['type_local', 'varchar'], ['surface_reelle_bati', 'double'], ['nombre_pieces', 'integer'],
    ['surface_terrain', 'double'], ['price_m2', 'double'], ['price_status', 'varchar']
  ];
  return appendRows(conn, 'dvf_sales', columns, rows.map(({ sale: s, commune, parcelsFound }) => [
    s.id, s.source, commune, s.commune, s.date, s.year, s.nature, s.valeur, s.codePostal, s.parcelIds, parcelsFound, s.lines, s.firstLine,
    s.appartements, s.maisons, s.dependances, s.locauxActivite, s.typeLocal, s.surfaceBati, s.pieces, s.surfaceTerrain, s.priceM2, s.priceStatus
  ]));
}

export function writeLoadReport(conn: DuckDBConnection, issues: readonly CadastreIssue[]): Promise<number> {
  const columns: Columns = [
    ['source_id', 'varchar'], ['severity', 'varchar'], ['file', 'varchar'], ['line', 'integer'], ['col', 'varchar'], ['kind', 'varchar'],
    ['feature_id', 'varchar'], ['message', 'varchar']
  ];
  return appendRows(conn, 'cadastre_load_report', columns, issues.map((i) => [
    i.source, i.severity, i.file, i.line ?? null, i.column === undefined ? null : String(i.column), i.kind, i.featureId ?? null, i.message
  ]));
}
