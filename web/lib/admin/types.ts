/**
 * The JSON `/api/admin` answers, as the back office reads it (server/routes/admin-*.ts,
 * server/admin/publishing/*.ts, etl/sources/partner/validate.ts). Only what the pages use.
 */

export type Role = 'admin' | 'statisticien';

export interface SessionUser {
  username: string;
  displayName: string;
  role: Role;
}

export interface SessionResponse {
  user: SessionUser | null;
  csrfToken: string;
}

export interface Account extends SessionUser {
  disabled: boolean;
  createdAt: string;
}

export interface ReadOptions {
  encoding?: 'utf-8' | 'latin1';
  separator?: ';' | ',' | '\t' | '|';
  decimal?: ',' | '.';
  headerRow?: number;
  sheet?: string;
}

export interface Detected extends ReadOptions {
  bom?: boolean;
  [key: string]: unknown;
}

export interface Mapping {
  codeColumn: string;
  labelColumn?: string;
  level: 'commune' | 'iris';
  yearColumn?: string;
  year?: number;
  values: { column: string; variable: string }[];
  blank?: 'secret' | 'missing';
}

export interface Correction {
  line: number;
  column: string;
  value: string;
}

export interface StoredMapping {
  mapping: Mapping;
  threshold: number;
  thresholdVariable?: string;
  indicatorId?: string;
  corrections: Correction[];
}

export type Severity = 'erreur' | 'avertissement' | 'info';

export interface ReportIssue {
  severity: Severity | string;
  kind: string;
  line?: number;
  column?: string;
  code?: string;
  found?: string;
  message: string;
  suggestions?: { code: string; name: string }[];
}

export interface ReportValue {
  line: number;
  year: number;
  code: string;
  publishedCode: string;
  variable: string;
  value: number | null;
  status: 'ok' | 'secret' | 'missing';
  marker?: string;
}

export interface UploadReport {
  ok: boolean;
  summary: Record<string, unknown>;
  issues: ReportIssue[];
  values: ReportValue[];
}

export interface UploadView {
  id: string;
  filename: string;
  bytes: number;
  sha256: string;
  format: string;
  uploadedBy: string;
  uploadedAt: string;
  options: ReadOptions;
  detected: Detected;
  sheets: string[];
  metadataLines: string[];
  geographyYear: number | null;
  header: string[];
  rowCount: number;
  sample: { line: number; cells: string[] }[];
  warnings: string[];
  mapping: StoredMapping | null;
  report: UploadReport | null;
}

export type IndicatorKind = 'count' | 'ratio' | 'median' | 'mean' | 'rate';

export interface IndicatorDescription {
  indicatorId: string;
  label: string;
  shortLabel?: string;
  description?: string;
  theme: string;
  unit: string;
  kind: IndicatorKind;
  value?: string;
  numerator?: string;
  denominator?: string;
  scale?: number;
  decimals?: number;
  year: number;
  source: { label: string; producer: string; url: string; vintage: string; licence: string };
  secrecy: { threshold: number; reason?: string };
}

export type DraftState = 'brouillon' | 'publie' | 'depublie';

export interface DraftView {
  id: string;
  indicatorId: string;
  year: number;
  uploadId: string;
  state: DraftState;
  description: IndicatorDescription;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  publishedBy: string | null;
  publishedAt: string | null;
  preview: boolean;
}

export type JobState = 'en_attente' | 'en_cours' | 'termine' | 'echec';

export interface Job {
  id: string;
  kind: string;
  label: string;
  target: string;
  requestedBy: string;
  state: JobState;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  log: string[];
}

export interface ZoningMember {
  commune: string;
  group: string;
  groupName: string;
}

export interface ZoningView {
  id: string;
  label: string;
  labelPlural: string;
  description: string;
  example: boolean;
  state: DraftState;
  groups: { code: string; name: string; communes: string[] }[];
  notes: string[];
  uncovered: { code: string; name: string }[];
  createdBy: string;
  updatedAt: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  username: string | null;
  action: string;
  target: string | null;
  details: string | null;
}

export interface AuditPage {
  total: number;
  entries: AuditEntry[];
}
