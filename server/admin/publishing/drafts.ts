/**
 * Publishing an indicator: upload → reading options → column mapping and validation report
 * → description → draft (+ preview build) → publication (a build that includes it), and
 * unpublication. Every step is audited; nothing reaches the public portal before a build
 * including it has been validated and put in service.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../../etl/core/logger.ts';
import { type PartnerTable, type ReadOptions, readPartnerTable } from '../../../etl/sources/partner/read-table.ts';
import { type Mapping, type UploadReport, validateUpload } from '../../../etl/sources/partner/validate.ts';
import {
  DATASET_FORMAT,
  type PublishedDataset,
  datasetPath,
  readDataset,
  writeDataset
} from '../../../etl/sources/published/dataset-file.ts';
import type { Build, Db } from '../../db.ts';
import { ApiError } from '../../errors.ts';
import { audit } from '../audit.ts';
import type { AdminStore } from '../store.ts';
import type { BuildJobs, Job } from './build-jobs.ts';
import type { IndicatorDescription } from './descriptions.ts';
import type { PublishingPaths } from './paths.ts';
import type { PreviewBuilds } from './previews.ts';
import { validationContext } from './validation-context.ts';

/** Uploads above this are refused with a 413 before being read. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

export interface PublishingContext {
  store: AdminStore;
  /** The public builds (current + swaps). */
  db: Db;
  paths: PublishingPaths;
  jobs: BuildJobs;
  previews: PreviewBuilds;
  clock: () => Date;
  logger: Logger;
}

export interface Actor {
  username: string;
}

export const CorrectionSchema = z.object({
  line: z.int().min(1),
  column: z.string().min(1).max(200),
  value: z.string().max(200)
});
export type Correction = z.infer<typeof CorrectionSchema>;

export interface UploadView {
  id: string;
  filename: string;
  bytes: number;
  sha256: string;
  format: string;
  uploadedBy: string;
  uploadedAt: string;
  options: PartnerTable['options'];
  detected: PartnerTable['detected'];
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

export interface StoredMapping {
  mapping: Mapping;
  threshold: number;
  thresholdVariable?: string | undefined;
  indicatorId?: string | undefined;
  corrections: Correction[];
}

interface UploadRow {
  id: string;
  filename: string;
  bytes: number;
  sha256: string;
  format: string;
  uploaded_by: string;
  uploaded_at: Date;
  options: string;
  mapping: string | null;
  report: string | null;
}

const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
const ID = /^[a-z0-9-]{1,100}$/;

function originalPath(ctx: PublishingContext, id: string): string {
  if (!ID.test(id)) throw new ApiError(404, 'depot_inconnu', `Dépôt inconnu : ${id}.`);
  return join(ctx.paths.uploads, id, 'original');
}

// Each step of the wizard reads the upload again: parsed tables are kept for the last few
// (upload, options) pairs, since a large XLSX takes seconds to parse.
const TABLES_KEPT = 4;
const parsedTables = new WeakMap<PublishingContext, Map<string, Promise<PartnerTable>>>();

function cachedTable(ctx: PublishingContext, key: string, read: () => Promise<PartnerTable>): Promise<PartnerTable> {
  let cache = parsedTables.get(ctx);
  if (!cache) parsedTables.set(ctx, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const table = read();
  cache.set(key, table);
  table.catch(() => cache.delete(key));
  while (cache.size > TABLES_KEPT) cache.delete(cache.keys().next().value as string);
  return table;
}

function view(row: UploadRow, table: PartnerTable): UploadView {
  return {
    id: row.id,
    filename: row.filename,
    bytes: row.bytes,
    sha256: row.sha256,
    format: table.format,
    uploadedBy: row.uploaded_by,
    uploadedAt: new Date(row.uploaded_at).toISOString(),
    options: table.options,
    detected: table.detected,
    sheets: table.sheets ?? [],
    metadataLines: table.metadataLines,
    geographyYear: table.geographyYear ?? null,
    header: table.header,
    rowCount: table.rows.length,
    sample: table.rows.slice(0, 20),
    warnings: table.warnings,
    mapping: row.mapping ? (JSON.parse(row.mapping) as StoredMapping) : null,
    report: row.report ? (JSON.parse(row.report) as UploadReport) : null
  };
}

/**
 * Step 1: reads the file (refusing what is not a table), keeps the original, records who sent
 * it. Only the statistician's explicit reading choices are stored: detection runs again on
 * each read, so choosing another sheet re-detects its header row.
 */
export async function storeUpload(ctx: PublishingContext, actor: Actor, filename: string, bytes: Uint8Array): Promise<UploadView> {
  const safeName = filename.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 200) || 'fichier';
  const table = await readPartnerTable(bytes, safeName);
  const id = newId('depot');
  const file = originalPath(ctx, id);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const now = ctx.clock().toISOString();
  await ctx.store.run(
    `INSERT INTO uploads (id, filename, bytes, sha256, format, uploaded_by, uploaded_at, options, mapping, report)
     VALUES ($id, $filename, $bytes, $sha256, $format, $by, CAST($at AS TIMESTAMP), $options, NULL, NULL)`,
    { id, filename: safeName, bytes: bytes.length, sha256, format: table.format, by: actor.username, at: now, options: '{}' }
  );
  await audit(ctx.store, ctx.clock, {
    username: actor.username,
    action: 'depot',
    target: id,
    details: JSON.stringify({ filename: safeName, bytes: bytes.length, sha256, rows: table.rows.length })
  });
  return view(await uploadRow(ctx, id), table);
}

async function uploadRow(ctx: PublishingContext, id: string): Promise<UploadRow> {
  const row = ID.test(id) ? await ctx.store.one<UploadRow>(`SELECT * FROM uploads WHERE id = $id`, { id }) : undefined;
  if (!row) throw new ApiError(404, 'depot_inconnu', `Dépôt inconnu : ${id}.`);
  return row;
}

async function loadTable(ctx: PublishingContext, row: UploadRow): Promise<PartnerTable> {
  return cachedTable(ctx, `${row.id}:${row.options}`, () =>
    readPartnerTable(readFileSync(originalPath(ctx, row.id)), row.filename, JSON.parse(row.options) as ReadOptions)
  );
}

export async function getUpload(ctx: PublishingContext, id: string): Promise<UploadView> {
  const row = await uploadRow(ctx, id);
  return view(row, await loadTable(ctx, row));
}

/** Step 1 bis: the statistician overrides what was detected (separator, decimal mark, encoding, header row, sheet). */
export async function setReadOptions(ctx: PublishingContext, actor: Actor, id: string, options: ReadOptions): Promise<UploadView> {
  const row = await uploadRow(ctx, id);
  const explicit = { ...(JSON.parse(row.options) as ReadOptions), ...options };
  const stored = JSON.stringify(explicit);
  const table = await cachedTable(ctx, `${id}:${stored}`, () => readPartnerTable(readFileSync(originalPath(ctx, id)), row.filename, explicit));
  await ctx.store.run(`UPDATE uploads SET options = $options, report = NULL WHERE id = $id`, { id, options: stored });
  await audit(ctx.store, ctx.clock, { username: actor.username, action: 'depot_options', target: id, details: stored });
  return view(await uploadRow(ctx, id), table);
}

function applyCorrections(table: PartnerTable, corrections: readonly Correction[]): PartnerTable {
  if (corrections.length === 0) return table;
  const rows = table.rows.map((r) => ({ line: r.line, cells: [...r.cells] }));
  for (const c of corrections) {
    const col = table.header.indexOf(c.column);
    const row = rows.find((r) => r.line === c.line);
    if (col < 0 || !row) {
      throw new ApiError(400, 'parametre_invalide', `Correction impossible : pas de cellule ligne ${c.line}, colonne « ${c.column} ».`);
    }
    row.cells[col] = c.value;
  }
  return { ...table, rows };
}

/**
 * Step 2: maps columns and validates. Corrections replace single cells (e.g. a mistyped code,
 * with the report's suggestion) without editing the partner's file; they are recorded.
 */
export async function validateMapping(ctx: PublishingContext, actor: Actor, id: string, stored: StoredMapping): Promise<UploadView> {
  const row = await uploadRow(ctx, id);
  const table = applyCorrections(await loadTable(ctx, row), stored.corrections);
  for (const col of [stored.mapping.codeColumn, ...stored.mapping.values.map((v) => v.column), stored.mapping.yearColumn, stored.mapping.labelColumn]) {
    if (col !== undefined && !table.header.includes(col)) {
      throw new ApiError(400, 'parametre_invalide', `Colonne inconnue : « ${col} ». Colonnes du fichier : ${table.header.join(', ')}.`);
    }
  }
  const lease = ctx.db.acquire();
  let report: UploadReport;
  try {
    const context = await validationContext(lease.build, {
      threshold: stored.threshold,
      thresholdVariable: stored.thresholdVariable,
      geographyYear: table.geographyYear,
      previous: stored.indicatorId ? await previousVintage(lease.build, stored.indicatorId) : undefined
    });
    report = validateUpload(table, stored.mapping, context);
  } finally {
    lease.release();
  }
  await ctx.store.run(`UPDATE uploads SET mapping = $mapping, report = $report WHERE id = $id`, {
    id,
    mapping: JSON.stringify(stored),
    report: JSON.stringify(report)
  });
  await audit(ctx.store, ctx.clock, {
    username: actor.username,
    action: 'validation',
    target: id,
    details: JSON.stringify({ ok: report.ok, ...report.summary, corrections: stored.corrections.length })
  });
  return view(await uploadRow(ctx, id), table);
}

/** The raw values of the latest published vintage of an indicator, by variable (for outliers). */
async function previousVintage(build: Build, indicatorId: string): Promise<Map<string, Map<string, number>> | undefined> {
  const rows = await build.all<{ variable: string; code: string; value: number }>(
    `WITH latest AS (
       SELECT source_id FROM indicator_series WHERE indicator_id = $id ORDER BY year DESC LIMIT 1
     )
     SELECT variable, published_code AS code, value FROM raw_values
     WHERE source_id IN (SELECT source_id FROM latest) AND status = 'ok' AND value IS NOT NULL`,
    { id: indicatorId }
  );
  if (rows.length === 0) return undefined;
  const out = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const byCode = out.get(r.variable) ?? new Map<string, number>();
    byCode.set(r.code, r.value);
    out.set(r.variable, byCode);
  }
  return out;
}

export interface DraftView {
  id: string;
  indicatorId: string;
  year: number;
  uploadId: string;
  state: 'brouillon' | 'publie' | 'depublie';
  description: IndicatorDescription;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  publishedBy: string | null;
  publishedAt: string | null;
  preview: boolean;
}

interface DraftRow {
  id: string;
  indicator_id: string;
  year: number;
  upload_id: string;
  metadata: string;
  state: DraftView['state'];
  created_by: string;
  created_at: Date;
  updated_at: Date;
  published_by: string | null;
  published_at: Date | null;
}

function draftView(ctx: PublishingContext, r: DraftRow): DraftView {
  return {
    id: r.id,
    indicatorId: r.indicator_id,
    year: r.year,
    uploadId: r.upload_id,
    state: r.state,
    description: JSON.parse(r.metadata) as IndicatorDescription,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    publishedBy: r.published_by,
    publishedAt: r.published_at ? new Date(r.published_at).toISOString() : null,
    preview: ctx.previews.exists(r.id)
  };
}

export async function listDrafts(ctx: PublishingContext): Promise<DraftView[]> {
  const rows = await ctx.store.all<DraftRow>(`SELECT * FROM indicator_drafts ORDER BY updated_at DESC, id`);
  return rows.map((r) => draftView(ctx, r));
}

export async function getDraft(ctx: PublishingContext, id: string): Promise<DraftView> {
  const row = ID.test(id) ? await ctx.store.one<DraftRow>(`SELECT * FROM indicator_drafts WHERE id = $id`, { id }) : undefined;
  if (!row) throw new ApiError(404, 'brouillon_inconnu', `Brouillon inconnu : ${id}.`);
  return draftView(ctx, row);
}

function stagingRoot(ctx: PublishingContext, draftId: string): string {
  return join(ctx.paths.staging, draftId);
}

/** Départements whose every commune has a row: the coverage rule of the engine needs it. */
async function coveredDepartements(build: Build, codes: readonly string[], level: 'commune' | 'iris'): Promise<string[]> {
  const rows = await build.all<{ departement: string; total: number; present: number }>(
    `SELECT departement, count(*)::INTEGER AS total,
            count(*) FILTER (WHERE list_contains($codes, code) OR len(list_intersect(former_codes, $codes)) > 0)::INTEGER AS present
     FROM territories WHERE level = $level AND departement IS NOT NULL
     GROUP BY departement ORDER BY departement`,
    { codes, level }
  );
  return rows.filter((r) => r.present > 0 && r.present === r.total).map((r) => r.departement);
}

/** Step 3: the description turns a validated upload into a draft; its dataset is staged for previews and publication. */
export async function createDraft(
  ctx: PublishingContext,
  actor: Actor,
  uploadId: string,
  description: IndicatorDescription
): Promise<DraftView> {
  const row = await uploadRow(ctx, uploadId);
  const report = row.report ? (JSON.parse(row.report) as UploadReport) : null;
  const stored = row.mapping ? (JSON.parse(row.mapping) as StoredMapping) : null;
  if (!report || !stored) throw new ApiError(409, 'validation_requise', 'Validez d’abord le fichier (correspondance des colonnes).');
  if (!report.ok) throw new ApiError(409, 'validation_en_echec', 'Le rapport de validation contient des erreurs : corrigez-les avant de décrire l’indicateur.');
  const variables = new Set(stored.mapping.values.map((v) => v.variable));
  for (const v of [description.value, description.numerator, description.denominator]) {
    if (v !== undefined && !variables.has(v)) {
      throw new ApiError(400, 'parametre_invalide', `La variable « ${v} » n’est pas dans la correspondance des colonnes (${[...variables].join(', ')}).`);
    }
  }
  const lease = ctx.db.acquire();
  let coverage: string[];
  try {
    const { byId } = await import('../../queries/catalogue.ts').then((m) => m.catalogue(lease.build));
    const existing = byId.get(description.indicatorId);
    const ours = await ctx.store.one<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM indicator_drafts WHERE indicator_id = $id`,
      { id: description.indicatorId }
    );
    if (existing && !ours?.n) {
      throw new ApiError(409, 'indicateur_existant', `L’identifiant « ${description.indicatorId} » est celui d’un indicateur du catalogue officiel : choisissez-en un autre.`);
    }
    const values = report.values.filter((v) => v.year === description.year);
    if (values.length === 0) throw new ApiError(400, 'parametre_invalide', `Le fichier n’a aucune valeur pour ${description.year}.`);
    coverage = await coveredDepartements(lease.build, [...new Set(values.map((v) => v.code))], stored.mapping.level);
  } finally {
    lease.release();
  }

  const id = newId('brouillon');
  const now = ctx.clock().toISOString();
  const geoVintage = (await loadTable(ctx, row)).geographyYear;
  const dataset: PublishedDataset = {
    format: DATASET_FORMAT,
    indicator: {
      id: description.indicatorId,
      label: description.label,
      ...(description.shortLabel ? { shortLabel: description.shortLabel } : {}),
      ...(description.description ? { description: description.description } : {}),
      theme: description.theme,
      unit: description.unit,
      kind: description.kind,
      ...(description.scale !== undefined ? { scale: description.scale } : {}),
      ...(description.decimals !== undefined ? { decimals: description.decimals } : {}),
      secrecy: {
        threshold: description.secrecy.threshold,
        ...(description.kind === 'ratio' ? { on: 'numerator' as const } : {}),
        ...(description.secrecy.reason ? { reason: description.secrecy.reason } : {})
      },
      ...(description.kind === 'ratio' ? { numerator: description.numerator!, denominator: description.denominator! } : { value: description.value! })
    },
    source: { ...description.source, coverage },
    year: description.year,
    level: stored.mapping.level,
    ...(geoVintage ? { geoVintage } : {}),
    upload: { id: row.id, filename: row.filename, sha256: row.sha256, by: row.uploaded_by },
    publishedAt: now,
    values: report.values
      .filter((v) => v.year === description.year)
      .map((v) => ({
        line: v.line,
        code: v.publishedCode,
        variable: v.variable,
        value: v.status === 'ok' ? v.value : null,
        status: v.status,
        ...(v.marker !== undefined ? { marker: v.marker } : {})
      }))
  };
  writeDataset(stagingRoot(ctx, id), dataset);
  await ctx.store.run(
    `INSERT INTO indicator_drafts (id, indicator_id, year, upload_id, metadata, state, created_by, created_at, updated_at)
     VALUES ($id, $indicator, $year, $upload, $metadata, 'brouillon', $by, CAST($now AS TIMESTAMP), CAST($now AS TIMESTAMP))`,
    { id, indicator: description.indicatorId, year: description.year, upload: uploadId, metadata: JSON.stringify(description), by: actor.username, now }
  );
  await audit(ctx.store, ctx.clock, {
    username: actor.username,
    action: 'brouillon',
    target: `${description.indicatorId}/${description.year}`,
    details: JSON.stringify({ draft: id, upload: uploadId, values: dataset.values.length, coverage })
  });
  return getDraft(ctx, id);
}

function requireState(d: DraftView, state: DraftView['state'], what: string): void {
  if (d.state !== state) throw new ApiError(409, 'etat_incompatible', `Impossible de ${what} : le brouillon est à l’état « ${d.state} ».`);
}

/** Step 4: a full build including the draft, written beside the current one and never put in service. */
export async function previewDraft(ctx: PublishingContext, actor: Actor, draftId: string): Promise<Job> {
  const d = await getDraft(ctx, draftId);
  requireState(d, 'brouillon', 'prévisualiser');
  return ctx.jobs.enqueue({
    kind: 'apercu',
    label: `Aperçu de ${d.indicatorId} ${d.year}`,
    target: d.id,
    requestedBy: actor.username,
    args: {
      publishedDirs: [ctx.paths.published, stagingRoot(ctx, d.id)],
      previewOutput: ctx.previews.path(d.id),
      noCadastre: true
    },
    onSuccess: async () => {
      await ctx.previews.refresh(d.id);
      await audit(ctx.store, ctx.clock, { username: actor.username, action: 'apercu', target: `${d.indicatorId}/${d.year}`, details: JSON.stringify({ draft: d.id }) });
    }
  });
}

/** Step 5: a build including the draft is put in service; then the dataset joins `published/`. */
export async function publishDraft(ctx: PublishingContext, actor: Actor, draftId: string): Promise<Job> {
  const d = await getDraft(ctx, draftId);
  requireState(d, 'brouillon', 'publier');
  const staged = datasetPath(stagingRoot(ctx, d.id), d.indicatorId, d.year);
  if (!existsSync(staged)) throw new ApiError(409, 'etat_incompatible', 'Le jeu du brouillon est introuvable : recréez le brouillon.');
  return ctx.jobs.enqueue({
    kind: 'publication',
    label: `Publication de ${d.indicatorId} ${d.year}`,
    target: d.id,
    requestedBy: actor.username,
    args: { publishedDirs: [ctx.paths.published, stagingRoot(ctx, d.id)] },
    onSuccess: async () => {
      const target = datasetPath(ctx.paths.published, d.indicatorId, d.year);
      mkdirSync(dirname(target), { recursive: true });
      renameSync(staged, target);
      const now = ctx.clock().toISOString();
      await ctx.store.transaction(async (tx) => {
        // A new publication of the same vintage replaces the previous one.
        await tx.run(
          `UPDATE indicator_drafts SET state = 'depublie', updated_at = CAST($now AS TIMESTAMP)
           WHERE indicator_id = $indicator AND year = $year AND state = 'publie'`,
          { indicator: d.indicatorId, year: d.year, now }
        );
        await tx.run(
          `UPDATE indicator_drafts SET state = 'publie', published_by = $by, published_at = CAST($now AS TIMESTAMP), updated_at = CAST($now AS TIMESTAMP)
           WHERE id = $id`,
          { id: d.id, by: actor.username, now }
        );
      });
      await ctx.previews.drop(d.id);
      await ctx.db.reload();
      await audit(ctx.store, ctx.clock, { username: actor.username, action: 'publication', target: `${d.indicatorId}/${d.year}`, details: JSON.stringify({ draft: d.id, build: ctx.db.current().id }) });
    }
  });
}

/** Unpublishing: a build without the vintage is put in service; the dataset is kept under `admin/withdrawn/`. */
export async function unpublish(ctx: PublishingContext, actor: Actor, indicatorId: string, year: number): Promise<Job> {
  const file = datasetPath(ctx.paths.published, indicatorId, year);
  if (!existsSync(file)) throw new ApiError(404, 'indicateur_inconnu', `Aucun jeu publié depuis le portail pour ${indicatorId} ${year}.`);
  const dataset = readDataset(file);
  return ctx.jobs.enqueue({
    kind: 'depublication',
    label: `Dépublication de ${indicatorId} ${year}`,
    target: `${indicatorId}/${year}`,
    requestedBy: actor.username,
    args: { publishedDirs: [ctx.paths.published], exclude: [`${indicatorId}/${year}`] },
    onSuccess: async () => {
      const kept = join(ctx.paths.withdrawn, `${indicatorId}-${year}-${ctx.clock().toISOString().replace(/[-:.]/g, '')}.json`);
      mkdirSync(dirname(kept), { recursive: true });
      renameSync(file, kept);
      if (readdirSync(dirname(file)).length === 0) rmSync(dirname(file), { recursive: true, force: true });
      await ctx.store.run(
        `UPDATE indicator_drafts SET state = 'depublie', updated_at = CAST($now AS TIMESTAMP) WHERE indicator_id = $indicator AND year = $year AND state = 'publie'`,
        { indicator: indicatorId, year, now: ctx.clock().toISOString() }
      );
      await ctx.db.reload();
      await audit(ctx.store, ctx.clock, {
        username: actor.username,
        action: 'depublication',
        target: `${indicatorId}/${year}`,
        details: JSON.stringify({ upload: dataset.upload.id, build: ctx.db.current().id, kept })
      });
    }
  });
}
