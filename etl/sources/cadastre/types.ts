import type { AreaGeometry, BBox, LoadWarning, SourceDescription } from '../../core/types.ts';

/** What a cadastre file holds, declared by its source so the loader can check and label it. */
export interface CadastreSource extends SourceDescription {
  /** INSEE code of the commune the file covers, as the producer writes it (75118 for Paris 18e). */
  commune: string;
  /** Millésime `YYYY-MM-DD` (also in `vintage`). */
  vintage: string;
  format: string;
}

/** A geometry after reading, reprojection and repair; null when nothing usable was left (reported). */
export interface CleanGeometry {
  geometry: AreaGeometry | null;
  bbox: BBox | null;
}

export interface Parcel extends CleanGeometry {
  /** National id, 14 characters (`930100000A0224`). */
  id: string;
  commune: string;
  prefixe: string;
  /** Two characters, as in the id (`0A`). */
  section: string;
  /** Four characters, as in the id (`0224`). */
  numero: string;
  /** Area in m² as published by the DGFiP (contenance), null when absent. */
  contenance: number | null;
  vintage: string;
  source: string;
}

export type BuildingType = 'dur' | 'léger';

export interface Building extends CleanGeometry {
  id: string;
  commune: string;
  type: BuildingType | null;
  vintage: string;
  source: string;
}

export interface Section extends CleanGeometry {
  /** Commune + préfixe + section, 10 characters (`130290000A`). */
  id: string;
  commune: string;
  prefixe: string;
  section: string;
  vintage: string;
  source: string;
}

export interface LieuDit extends CleanGeometry {
  id: string;
  commune: string;
  name: string;
  vintage: string;
  source: string;
}

/**
 * A problem found in a cadastre file that does not stop the load: a repaired or
 * rejected geometry, a missing contenance… `kind` lets the load report count them.
 */
export interface CadastreIssue extends LoadWarning {
  severity: 'info' | 'warning';
  kind: string;
  featureId?: string;
}
