/**
 * GeoPackage 1.3 writer (OGC 12-128r18): an SQLite file written with sql.js (SQLite
 * compiled to WebAssembly, no native binary), holding the mandatory tables
 * (gpkg_spatial_ref_sys with EPSG:4326, gpkg_contents with the extent,
 * gpkg_geometry_columns) and one feature table per layer whose geometries are
 * GeoPackage binary blobs: the « GP » header with its envelope, then ISO WKB.
 */
import type { Geometry, Position } from 'geojson';
import initSqlJs from 'sql.js';

export type GpkgGeometryType = 'GEOMETRY' | 'POINT' | 'LINESTRING' | 'POLYGON' | 'MULTIPOINT' | 'MULTILINESTRING' | 'MULTIPOLYGON';

export interface GpkgField {
  name: string;
  type: 'TEXT' | 'INTEGER' | 'REAL';
}

export interface GpkgFeature {
  geometry: Geometry | null;
  properties: Record<string, string | number | null>;
}

export interface GpkgLayer {
  /** Table name, also the identifier shown by GIS software unless `identifier` is given. */
  name: string;
  identifier?: string;
  description?: string;
  /** Polygons are promoted to MultiPolygons when the type is MULTIPOLYGON (and so on). */
  geometryType: GpkgGeometryType;
  fields: GpkgField[];
  features: GpkgFeature[];
}

export const GPKG_APPLICATION_ID = 0x47504b47; // 'GPKG'
export const GPKG_USER_VERSION = 10300; // 1.3.0
const SRS_ID = 4326;

const WGS84_WKT =
  'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],' +
  'PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],' +
  'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]';

let sqlJs: ReturnType<typeof initSqlJs> | null = null;

function engine(): ReturnType<typeof initSqlJs> {
  sqlJs ??= initSqlJs();
  return sqlJs;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Writes the layers as one GeoPackage file (coordinates in WGS84, longitude first). */
export async function toGeoPackage(layers: readonly GpkgLayer[], options: { now: Date }): Promise<Uint8Array> {
  const SQL = await engine();
  const db = new SQL.Database();
  try {
    db.run(`PRAGMA application_id = ${GPKG_APPLICATION_ID}`);
    db.run(`PRAGMA user_version = ${GPKG_USER_VERSION}`);
    db.run(`
      CREATE TABLE gpkg_spatial_ref_sys (
        srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
        organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
      CREATE TABLE gpkg_contents (
        table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
      CREATE TABLE gpkg_geometry_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
        z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT uk_gc_table_name UNIQUE (table_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));`);
    const srs = db.prepare('INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)');
    srs.run(['Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system']);
    srs.run(['Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system']);
    srs.run(['WGS 84 geodetic', SRS_ID, 'EPSG', SRS_ID, WGS84_WKT, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid']);
    srs.free();

    const lastChange = options.now.toISOString(); // YYYY-MM-DDTHH:MM:SS.SSSZ, as the standard asks
    for (const layer of layers) {
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(layer.name)) throw new Error(`Nom de table GeoPackage invalide : ${layer.name}`);
      const columns = layer.fields.map((f) => `${quoteIdent(f.name)} ${f.type}`).join(', ');
      db.run(
        `CREATE TABLE ${quoteIdent(layer.name)} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom ${layer.geometryType}${columns ? `, ${columns}` : ''})`
      );
      const names = ['geom', ...layer.fields.map((f) => f.name)];
      const insert = db.prepare(`INSERT INTO ${quoteIdent(layer.name)} (${names.map(quoteIdent).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`);
      let extent: Envelope | null = null;
      db.run('BEGIN');
      for (const feature of layer.features) {
        const geometry = feature.geometry ? promote(feature.geometry, layer.geometryType) : null;
        const envelope = geometry ? envelopeOf(geometry) : null;
        if (envelope) extent = extent ? merge(extent, envelope) : envelope;
        insert.run([geometry ? gpkgBlob(geometry, envelope) : null, ...layer.fields.map((f) => cellValue(feature.properties[f.name], f))]);
      }
      db.run('COMMIT');
      insert.free();
      db.run('INSERT INTO gpkg_contents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
        layer.name,
        'features',
        layer.identifier ?? layer.name,
        layer.description ?? '',
        lastChange,
        extent?.minx ?? null,
        extent?.miny ?? null,
        extent?.maxx ?? null,
        extent?.maxy ?? null,
        SRS_ID
      ]);
      db.run('INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)', [layer.name, 'geom', layer.geometryType, SRS_ID]);
    }
    return db.export();
  } finally {
    db.close();
  }
}

function cellValue(value: string | number | null | undefined, field: GpkgField): string | number | null {
  if (value === undefined || value === null) return null;
  if (field.type === 'TEXT') return String(value);
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Polygon → MultiPolygon (and so on) when the column declares the multi type. */
function promote(g: Geometry, type: GpkgGeometryType): Geometry {
  if (type === 'MULTIPOLYGON' && g.type === 'Polygon') return { type: 'MultiPolygon', coordinates: [g.coordinates] };
  if (type === 'MULTILINESTRING' && g.type === 'LineString') return { type: 'MultiLineString', coordinates: [g.coordinates] };
  if (type === 'MULTIPOINT' && g.type === 'Point') return { type: 'MultiPoint', coordinates: [g.coordinates] };
  return g;
}

export interface Envelope {
  minx: number;
  miny: number;
  maxx: number;
  maxy: number;
}

function merge(a: Envelope, b: Envelope): Envelope {
  return { minx: Math.min(a.minx, b.minx), miny: Math.min(a.miny, b.miny), maxx: Math.max(a.maxx, b.maxx), maxy: Math.max(a.maxy, b.maxy) };
}

function envelopeOf(g: Geometry): Envelope | null {
  const e = { minx: Infinity, miny: Infinity, maxx: -Infinity, maxy: -Infinity };
  const visit = (p: Position) => {
    const [x, y] = p as [number, number];
    if (x < e.minx) e.minx = x;
    if (x > e.maxx) e.maxx = x;
    if (y < e.miny) e.miny = y;
    if (y > e.maxy) e.maxy = y;
  };
  forEachPosition(g, visit);
  return e.minx === Infinity ? null : e;
}

function forEachPosition(g: Geometry, f: (p: Position) => void): void {
  switch (g.type) {
    case 'Point':
      return f(g.coordinates);
    case 'MultiPoint':
    case 'LineString':
      return g.coordinates.forEach(f);
    case 'MultiLineString':
    case 'Polygon':
      return g.coordinates.forEach((l) => l.forEach(f));
    case 'MultiPolygon':
      return g.coordinates.forEach((p) => p.forEach((l) => l.forEach(f)));
    case 'GeometryCollection':
      return g.geometries.forEach((c) => forEachPosition(c, f));
  }
}

/**
 * GeoPackage geometry blob (§2.1.3): magic « GP », version 0, flags (little-endian,
 * envelope [minx, maxx, miny, maxy], not empty), srs_id, envelope, then WKB.
 */
export function gpkgBlob(g: Geometry, envelope: Envelope | null = envelopeOf(g)): Uint8Array {
  const wkb = toWkb(g);
  const headerSize = 8 + (envelope ? 32 : 0);
  const out = new Uint8Array(headerSize + wkb.byteLength);
  const view = new DataView(out.buffer);
  out[0] = 0x47; // G
  out[1] = 0x50; // P
  out[2] = 0; // version 1
  // bit 0: little-endian header; bits 1–3: envelope indicator (1 = xy); bit 4: empty geometry
  out[3] = 0b1 | ((envelope ? 1 : 0) << 1) | ((envelope ? 0 : 1) << 4);
  view.setInt32(4, SRS_ID, true);
  if (envelope) {
    view.setFloat64(8, envelope.minx, true);
    view.setFloat64(16, envelope.maxx, true);
    view.setFloat64(24, envelope.miny, true);
    view.setFloat64(32, envelope.maxy, true);
  }
  out.set(wkb, headerSize);
  return out;
}

const WKB_TYPES: Record<Geometry['type'], number> = {
  Point: 1,
  LineString: 2,
  Polygon: 3,
  MultiPoint: 4,
  MultiLineString: 5,
  MultiPolygon: 6,
  GeometryCollection: 7
};

/** ISO WKB, 2D, little-endian. */
export function toWkb(g: Geometry): Uint8Array {
  const writer = new WkbWriter(wkbSize(g));
  writer.geometry(g);
  return writer.bytes;
}

function wkbSize(g: Geometry): number {
  const ring = (r: Position[]) => 4 + 16 * r.length;
  const polygon = (p: Position[][]) => 5 + 4 + p.reduce((n, r) => n + ring(r), 0);
  switch (g.type) {
    case 'Point':
      return 5 + 16;
    case 'LineString':
      return 5 + ring(g.coordinates);
    case 'Polygon':
      return polygon(g.coordinates);
    case 'MultiPoint':
      return 9 + g.coordinates.length * 21;
    case 'MultiLineString':
      return 9 + g.coordinates.reduce((n, l) => n + 5 + ring(l), 0);
    case 'MultiPolygon':
      return 9 + g.coordinates.reduce((n, p) => n + polygon(p), 0);
    case 'GeometryCollection':
      return 9 + g.geometries.reduce((n, c) => n + wkbSize(c), 0);
  }
}

class WkbWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private offset = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  geometry(g: Geometry): void {
    this.bytes[this.offset] = 1; // little-endian
    this.view.setUint32(this.offset + 1, WKB_TYPES[g.type], true);
    this.offset += 5;
    switch (g.type) {
      case 'Point':
        return this.point(g.coordinates);
      case 'LineString':
        return this.points(g.coordinates);
      case 'Polygon':
        return this.rings(g.coordinates);
      case 'MultiPoint':
        this.count(g.coordinates.length);
        return g.coordinates.forEach((c) => this.geometry({ type: 'Point', coordinates: c }));
      case 'MultiLineString':
        this.count(g.coordinates.length);
        return g.coordinates.forEach((c) => this.geometry({ type: 'LineString', coordinates: c }));
      case 'MultiPolygon':
        this.count(g.coordinates.length);
        return g.coordinates.forEach((c) => this.geometry({ type: 'Polygon', coordinates: c }));
      case 'GeometryCollection':
        this.count(g.geometries.length);
        return g.geometries.forEach((c) => this.geometry(c));
    }
  }

  private count(n: number): void {
    this.view.setUint32(this.offset, n, true);
    this.offset += 4;
  }

  private point(p: Position): void {
    this.view.setFloat64(this.offset, p[0] as number, true);
    this.view.setFloat64(this.offset + 8, p[1] as number, true);
    this.offset += 16;
  }

  private points(ps: Position[]): void {
    this.count(ps.length);
    for (const p of ps) this.point(p);
  }

  private rings(rings: Position[][]): void {
    this.count(rings.length);
    for (const r of rings) this.points(r);
  }
}
