/**
 * The JSON `/api/admin` answers, as the back office reads it (server/routes/admin-*.ts,
 * server/admin/publishing/*.ts, etl/sources/partner/validate.ts). Only what the pages use.
 */

import type { AuditRow } from '$server/admin/audit.ts';
import type { UploadView as ServerUploadView } from '$server/admin/publishing/drafts.ts';
import type { UploadValue } from '$etl/sources/partner/types.ts';

// The server's own types (type-only imports: nothing of the server reaches the browser bundle).
export type { ReadOptions, Detected } from '$etl/sources/partner/read-table.ts';
export type { Mapping, UploadValue as ReportValue } from '$etl/sources/partner/types.ts';
export type { Correction, StoredMapping, DraftView } from '$server/admin/publishing/drafts.ts';
export type { Job, JobState } from '$server/admin/publishing/build-jobs.ts';
export type { ZoningView } from '$server/admin/publishing/zonings.ts';
export type { AuditRow as AuditEntry } from '$server/admin/audit.ts';

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

/**
 * The report as the pages read it: kinds and summary keys stay open (`string`), so a new
 * check on the server shows up without a change here.
 */
export interface UploadReport {
  ok: boolean;
  summary: Record<string, unknown>;
  issues: ReportIssue[];
  values: UploadValue[];
}

export type UploadView = Omit<ServerUploadView, 'report'> & { report: UploadReport | null };

export type IndicatorKind = 'count' | 'ratio' | 'median' | 'mean' | 'rate';

/** The description form (`server/admin/publishing/descriptions.ts` validates it). */
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

export interface ZoningMember {
  commune: string;
  group: string;
  groupName: string;
}

export interface AuditPage {
  total: number;
  entries: AuditRow[];
}
