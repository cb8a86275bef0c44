/** The JSON the API answers (server/routes/*.ts), as the web app reads it. */
import type { Status } from './format';

export interface Source {
  id: string;
  label: string;
  producer: string;
  licence: string;
  vintage: string;
  url: string;
}

export interface Level {
  id: string;
  label: string;
  labelPlural: string;
  rank: number;
  kind: 'admin' | 'zoning';
  /** A zoning shipped as demonstration data, not an official partition. */
  example: boolean;
  minZoom: number;
  maxZoom: number;
}

export interface IndicatorSummary {
  id: string;
  label: string;
  shortLabel: string;
  description: string;
  theme: string;
  unit: string;
  kind: string;
  decimals: number;
  levels: string[];
  years: number[];
  source: Source | null;
  vintage: string | null;
}

export interface IndicatorDetail extends IndicatorSummary {
  scale: number;
  secrecy: { threshold: number; on: string; reason: string };
  series: {
    year: number;
    source: Source;
    valueVar: string | null;
    numeratorVar: string | null;
    denominatorVar: string | null;
    baseLevel: string;
    levels: string[];
  }[];
  provenance: { year: number; text: string; count: number }[];
}

export interface ValueFields {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  status: Status;
  secretParts: number;
  missingParts: number;
}

export interface TerritoryRef {
  level: string;
  levelLabel: string;
  code: string;
  name: string;
}

export interface TerritoryValue extends ValueFields {
  code: string;
  name: string;
}

export interface ValuesResponse {
  indicator: string;
  label: string;
  description: string;
  unit: string;
  kind: string;
  decimals: number;
  level: string;
  levelLabel: string;
  year: number;
  within: { level: string; code: string; name: string } | null;
  source: Source | null;
  provenance: string[];
  values: TerritoryValue[];
}

export interface TerritoryDetail {
  level: string;
  levelLabel: string;
  code: string;
  name: string;
  postcodes: string[];
  formerCodes: string[];
  parents: TerritoryRef[];
  children: { level: string; label: string; count: number }[];
  childrenCount: number;
  bbox: [number, number, number, number] | null;
  center: [number, number] | null;
  areaKm2: number | null;
  inFocus: boolean;
  hasGeometry: boolean;
}

export interface PortraitIndicator {
  id: string;
  label: string;
  shortLabel: string;
  theme: string;
  unit: string;
  kind: string;
  decimals: number;
  year: number | null;
  source: Source | null;
  provenance: string | null;
  value: ValueFields;
  comparisons: (TerritoryRef & ValueFields)[];
  history: { year: number; value: number | null; status: Status }[];
}

export interface Portrait {
  territory: TerritoryDetail;
  comparisons: TerritoryRef[];
  indicators: PortraitIndicator[];
}

export interface SearchResult extends TerritoryRef {
  postcodes: string[];
  commune: string | null;
  departement: string | null;
  match: 'code' | 'code postal' | 'ancien code' | 'nom';
}

export interface Health {
  status: 'ok';
  time: string;
  build: { id: string; createdAt: string | null; cogVintage: string | null; profile: string | null; etlVersion: string | null };
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export const THEME_LABELS: Record<string, string> = {
  population: 'Population',
  menages: 'Ménages',
  logement: 'Logement',
  emploi: 'Emploi',
  revenus: 'Revenus et pauvreté',
  prestations: 'Prestations sociales',
  entreprises: 'Entreprises',
  territoire: 'Territoire'
};

export function themeLabel(theme: string): string {
  return THEME_LABELS[theme] ?? theme;
}
