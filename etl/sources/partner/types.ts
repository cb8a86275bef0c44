import type { Issue, IssueKind } from './issues.ts';

/** What the statistician says about the columns of an upload. */
export interface Mapping {
  codeColumn: string;
  labelColumn?: string;
  level: 'commune' | 'iris';
  yearColumn?: string;
  year?: number;
  values: { column: string; variable: string }[];
  /** What an empty cell means; default 'secret' (INSEE and CAF blank their secret cells). */
  blank?: 'secret' | 'missing';
}

export interface ContextTerritory {
  level: string;
  code: string;
  name: string;
  searchName: string;
  commune?: string;
  ept?: string;
  departement?: string;
  /** Optional: when absent and the build has a single région, every territory belongs to it. */
  region?: string;
}

export interface ValidationContext {
  /** IRIS, communes, EPT, départements and régions of the current build. */
  territories: ContextTerritory[];
  /** Former code → current commune, e.g. 93059 → 93066 (Saint-Denis) since 2025. */
  formerCodes: Map<string, { current: string; label: string; since: number }>;
  /** Primary secrecy threshold of the indicator (0: none). */
  threshold: number;
  /** The variable the threshold applies to (default: every value variable). */
  thresholdVariable?: string;
  /** COG year announced by the file. */
  geographyYear?: number | null;
  /** Latest published vintage: variable → published code → value (for outliers). */
  previous?: Map<string, Map<string, number>>;
}

export type ValueStatus = 'ok' | 'secret' | 'missing';

export interface UploadValue {
  line: number;
  year: number;
  /** Code in the build's COG. */
  code: string;
  /** Code as in the file. */
  publishedCode: string;
  variable: string;
  value: number | null;
  status: ValueStatus;
  marker?: string;
}

export interface UploadSummary {
  /** Rows read below the header (empty rows excluded). */
  rows: number;
  /** Rows kept as territory values. */
  territoryRows: number;
  values: number;
  /** Distinct current codes among values. */
  territories: number;
  years: number[];
  errors: number;
  warnings: number;
  infos: number;
  statuses: Record<ValueStatus, number>;
  /** Secrecy and absence markers met, by marker (`''` = blank cell). */
  markers: { marker: string; status: 'secret' | 'missing'; count: number }[];
  /** Values under the secrecy threshold (kept here, masked by the build). */
  underThreshold: number;
  /** Occurrences per check (see README for what an occurrence is). */
  checks: Record<IssueKind, number>;
  /** At most this many issues are listed per kind. */
  listedPerKind: number;
}

export interface UploadReport {
  ok: boolean;
  summary: UploadSummary;
  issues: Issue[];
  values: UploadValue[];
}
