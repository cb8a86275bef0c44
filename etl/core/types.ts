import type { MultiPolygon, Polygon } from 'geojson';
import type { Logger } from './logger.ts';

/** Administrative levels; published zonings add their own ids at run time. */
export const ADMIN_LEVELS = ['iris', 'commune', 'ept', 'departement', 'region'] as const;
export type AdminLevel = (typeof ADMIN_LEVELS)[number];
/** A level id: an admin level or a zoning id (e.g. `bassin-exemple`). */
export type LevelId = string;

/** Where a dataset comes from, as declared by its adapter. */
export interface SourceDescription {
  /** Stable id, e.g. `insee-comparateur-2025`. */
  id: string;
  /** French label shown to users. */
  label: string;
  producer: string;
  licence: string;
  /** Vintage of the data (millésime), e.g. `2022` or `2021-12-31`. */
  vintage: string;
  /** The producer's official download URL (SOURCES.md §8). */
  url: string;
  /** Human description of the format: separator, encoding, CRS… */
  format: string;
  /** Path of the file inside a mirror directory laid out like ../shared/data. */
  mirrorPath: string;
  /** File name in the download cache when fetched from `url` (defaults to the URL's basename). */
  cacheName?: string;
  /** Whether `url` serves the file itself or an archive that contains it. */
  urlServes?: 'file' | 'archive';
  /** COG year the producer's codes refer to (e.g. 2024 when 93059 still exists). */
  geoVintage?: number;
  /** Départements the file covers completely, or 'france'. Aggregates outside coverage are `missing`. */
  coverage?: string[] | 'france';
}

export type RawStatus = 'ok' | 'secret' | 'missing';

/** One cell of a producer's table, as published, after parsing. */
export interface RawValue {
  source: string;
  /** Producer's column name, e.g. `P22_POP`, `DISP_MED18`, `arsas`. */
  variable: string;
  level: 'iris' | 'commune';
  /** Code as published (commune: 5 characters, e.g. `93059`; IRIS: 9 characters). */
  code: string;
  value: number | null;
  status: RawStatus;
  /** The producer's marker when the value is not `ok`: `s`, `''`, `NA`, `note=3`… */
  marker?: string;
  /** 1-based line of the record in the source file, for provenance and error messages. */
  line: number;
}

export interface LoadWarning {
  source: string;
  file: string;
  line?: number;
  column?: number | string;
  message: string;
}

export interface ValueBatch {
  values: RawValue[];
  /** Number of data records read (excluding header and metadata lines). */
  rows: number;
  warnings: LoadWarning[];
}

export interface AdapterContext {
  logger: Logger;
}

/** A tabular dataset: one file in, raw values out. Pure apart from reading `file`. */
export interface ValueAdapter {
  kind: 'values';
  source: SourceDescription;
  read(file: string, ctx: AdapterContext): Promise<ValueBatch>;
}

export type AreaGeometry = Polygon | MultiPolygon;

/** One polygon feature from a geometry source, always in WGS84 lon/lat after reading. */
export interface GeoFeature {
  code: string;
  name: string;
  geometry: AreaGeometry;
  /** Extra producer attributes kept for provenance/cross-checks (e.g. `INSEE_COM`, `TYP_IRIS`). */
  props: Record<string, string | number | null>;
}

export interface GeoBatch {
  layer: 'commune' | 'iris' | 'qpv' | 'ept' | 'departement' | 'arrondissement';
  features: GeoFeature[];
  warnings: LoadWarning[];
}

export interface GeoAdapter {
  kind: 'geo';
  source: SourceDescription;
  read(file: string, ctx: AdapterContext): Promise<GeoBatch>;
}

export type SourceAdapter = ValueAdapter | GeoAdapter;

/** A zoom band: the geometry simplified for zooms [minZoom, maxZoom]. */
export interface ZoomBand {
  band: number;
  minZoom: number;
  maxZoom: number;
}

export type BBox = [minx: number, miny: number, maxx: number, maxy: number];
