/**
 * Zonings defined by statisticians (the département's bassins…): groups of communes chosen
 * on the map or uploaded as `commune;bassin;nom du bassin`, checked by the ETL's own reader
 * (each commune at most once, former codes converted), published by a build that includes
 * them as a level of maps and portraits.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { InputError } from '../../../etl/core/errors.ts';
import { parseZoningCsv } from '../../../etl/build/zonings.ts';
import { loadCog } from '../../../etl/sources/cog/decoupage-administratif.ts';
import { ApiError } from '../../errors.ts';
import { audit } from '../audit.ts';
import type { Job } from './build-jobs.ts';
import type { Actor, PublishingContext } from './drafts.ts';

export const ZoningBodySchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'identifiant en minuscules (bassins-gerontologiques)'),
  label: z.string().trim().min(1).max(100),
  labelPlural: z.string().trim().min(1).max(100).optional(),
  description: z.string().trim().max(2000).default(''),
  example: z.boolean(),
  members: z
    .array(z.object({ commune: z.string().min(1).max(10), group: z.string().trim().min(1).max(40), groupName: z.string().trim().min(1).max(100) }))
    .min(1)
    .max(2000)
});
export type ZoningBody = z.infer<typeof ZoningBodySchema>;

export interface ZoningView {
  id: string;
  label: string;
  labelPlural: string;
  description: string;
  example: boolean;
  state: 'brouillon' | 'publie' | 'depublie';
  groups: { code: string; name: string; communes: string[] }[];
  notes: string[];
  /** Communes of the members' départements that no group holds. */
  uncovered: { code: string; name: string }[];
  createdBy: string;
  updatedAt: string;
}

interface ZoningRow {
  id: string;
  label: string;
  description: string;
  example: boolean;
  members: string;
  state: ZoningView['state'];
  created_by: string;
  updated_at: Date;
}

interface StoredMembers {
  labelPlural: string;
  members: ZoningBody['members'];
}

const RESERVED = new Set(['iris', 'commune', 'ept', 'departement', 'region', 'qpv', 'groupe']);

function csvOf(members: ZoningBody['members']): string {
  const esc = (s: string) => (/[;"\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ['commune;groupe;nom du groupe', ...members.map((m) => [m.commune, m.group, m.groupName].map(esc).join(';'))].join('\n') + '\n';
}

/** Reads `commune;groupe;nom du groupe` (the format the ETL reads) into members. */
export function membersFromCsv(text: string, file: string): { members: ZoningBody['members']; notes: string[] } {
  const cog = loadCog();
  const { zoning, notes } = parseZoningCsv(file, text, cog, { id: 'depot', label: 'dépôt', description: '', example: false, published: true });
  const members = [...zoning.groups.values()].flatMap((g) => g.communes.map((commune) => ({ commune, group: g.code, groupName: g.name })));
  return { members, notes };
}

function check(body: Pick<ZoningBody, 'id' | 'label' | 'members'> & { labelPlural?: string | undefined; description: string; example: boolean }) {
  const cog = loadCog();
  try {
    return parseZoningCsv(`${body.id}.csv`, csvOf(body.members), cog, {
      id: body.id,
      label: body.label,
      label_plural: body.labelPlural ?? body.label,
      description: body.description,
      example: body.example,
      published: true
    });
  } catch (e) {
    if (e instanceof InputError) throw new ApiError(400, 'parametre_invalide', e.message, e.detail);
    throw e;
  }
}

function toView(r: ZoningRow): ZoningView {
  const stored = JSON.parse(r.members) as StoredMembers;
  const { zoning, notes } = check({ id: r.id, label: r.label, labelPlural: stored.labelPlural, description: r.description, example: r.example, members: stored.members });
  const cog = loadCog();
  const held = new Set([...zoning.groups.values()].flatMap((g) => g.communes));
  const deps = new Set([...held].map((c) => cog.communes.get(c)?.departement));
  const uncovered = [...cog.communes.values()]
    .filter((c) => deps.has(c.departement) && !held.has(c.code))
    .map((c) => ({ code: c.code, name: c.name }))
    .sort((a, b) => (a.code < b.code ? -1 : 1));
  return {
    id: r.id,
    label: r.label,
    labelPlural: stored.labelPlural,
    description: r.description,
    example: r.example,
    state: r.state,
    groups: [...zoning.groups.values()].map((g) => ({ code: g.code, name: g.name, communes: [...g.communes] })),
    notes,
    uncovered,
    createdBy: r.created_by,
    updatedAt: new Date(r.updated_at).toISOString()
  };
}

export async function listZonings(ctx: PublishingContext): Promise<ZoningView[]> {
  return (await ctx.store.all<ZoningRow>(`SELECT * FROM zoning_drafts ORDER BY id`)).map(toView);
}

export async function getZoning(ctx: PublishingContext, id: string): Promise<ZoningView> {
  const row = await ctx.store.one<ZoningRow>(`SELECT * FROM zoning_drafts WHERE id = $id`, { id });
  if (!row) throw new ApiError(404, 'zonage_inconnu', `Zonage inconnu : ${id}.`);
  return toView(row);
}

/** Creates or replaces a draft zoning; a published one must be unpublished first. */
export async function saveZoning(ctx: PublishingContext, actor: Actor, body: ZoningBody): Promise<ZoningView> {
  if (RESERVED.has(body.id)) throw new ApiError(400, 'parametre_invalide', `« ${body.id} » est réservé à un niveau du portail.`);
  const lease = ctx.db.acquire();
  try {
    const level = await lease.build.one<{ id: string }>(`SELECT id FROM levels WHERE id = $id`, { id: body.id });
    const ours = await ctx.store.one<{ state: string }>(`SELECT state FROM zoning_drafts WHERE id = $id`, { id: body.id });
    if (level && !ours) throw new ApiError(409, 'zonage_existant', `Le niveau « ${body.id} » existe déjà dans le portail (zonage du dépôt de code).`);
    if (ours?.state === 'publie') throw new ApiError(409, 'etat_incompatible', `Le zonage « ${body.id} » est publié : dépubliez-le avant de le modifier.`);
  } finally {
    lease.release();
  }
  const { zoning } = check(body);
  const now = ctx.clock().toISOString();
  const stored: StoredMembers = { labelPlural: body.labelPlural ?? body.label, members: body.members };
  await ctx.store.run(
    `INSERT OR REPLACE INTO zoning_drafts (id, label, description, example, members, state, created_by, created_at, updated_at)
     VALUES ($id, $label, $description, $example, $members, 'brouillon', $by, CAST($now AS TIMESTAMP), CAST($now AS TIMESTAMP))`,
    { id: body.id, label: body.label, description: body.description, example: body.example, members: JSON.stringify(stored), by: actor.username, now }
  );
  await audit(ctx.store, ctx.clock, {
    username: actor.username,
    action: 'zonage_cree',
    target: body.id,
    details: JSON.stringify({ groups: zoning.groups.size, communes: body.members.length, example: body.example })
  });
  return getZoning(ctx, body.id);
}

function zoningFiles(root: string, id: string) {
  return { csv: join(root, 'zonings', `${id}.csv`), yaml: join(root, 'zonings', `${id}.yaml`) };
}

export async function publishZoning(ctx: PublishingContext, actor: Actor, id: string): Promise<Job> {
  const z = await getZoning(ctx, id);
  if (z.state === 'publie') throw new ApiError(409, 'etat_incompatible', `Le zonage « ${id} » est déjà publié.`);
  const row = (await ctx.store.one<ZoningRow>(`SELECT * FROM zoning_drafts WHERE id = $id`, { id }))!;
  const stored = JSON.parse(row.members) as StoredMembers;
  const stagingRoot = join(ctx.paths.staging, `zonage-${id}`);
  const staged = zoningFiles(stagingRoot, id);
  mkdirSync(dirname(staged.csv), { recursive: true });
  writeFileSync(staged.csv, csvOf(stored.members));
  writeFileSync(
    staged.yaml,
    `# Zonage défini dans le portail par ${row.created_by}.\n` +
      stringify({ id, label: z.label, label_plural: z.labelPlural, description: z.description, example: z.example, published: true })
  );
  return ctx.jobs.enqueue({
    kind: 'zonage',
    label: `Publication du zonage ${id}`,
    target: id,
    requestedBy: actor.username,
    args: { publishedDirs: [ctx.paths.published, stagingRoot] },
    onSuccess: async () => {
      const target = zoningFiles(ctx.paths.published, id);
      mkdirSync(dirname(target.csv), { recursive: true });
      renameSync(staged.csv, target.csv);
      renameSync(staged.yaml, target.yaml);
      await ctx.store.run(`UPDATE zoning_drafts SET state = 'publie', updated_at = CAST($now AS TIMESTAMP) WHERE id = $id`, { id, now: ctx.clock().toISOString() });
      await ctx.db.reload();
      await audit(ctx.store, ctx.clock, { username: actor.username, action: 'zonage_publie', target: id, details: JSON.stringify({ build: ctx.db.current().id }) });
    }
  });
}

export async function unpublishZoning(ctx: PublishingContext, actor: Actor, id: string): Promise<Job> {
  const z = await getZoning(ctx, id);
  if (z.state !== 'publie') throw new ApiError(409, 'etat_incompatible', `Le zonage « ${id} » n’est pas publié.`);
  const files = zoningFiles(ctx.paths.published, id);
  return ctx.jobs.enqueue({
    kind: 'depublication-zonage',
    label: `Dépublication du zonage ${id}`,
    target: id,
    requestedBy: actor.username,
    args: { publishedDirs: [ctx.paths.published], excludeZonings: [id] },
    onSuccess: async () => {
      const kept = join(ctx.paths.withdrawn, `zonage-${id}-${ctx.clock().toISOString().replace(/[-:.]/g, '')}`);
      mkdirSync(kept, { recursive: true });
      for (const f of [files.csv, files.yaml]) if (existsSync(f)) renameSync(f, join(kept, basename(f)));
      await ctx.store.run(`UPDATE zoning_drafts SET state = 'depublie', updated_at = CAST($now AS TIMESTAMP) WHERE id = $id`, { id, now: ctx.clock().toISOString() });
      await ctx.db.reload();
      await audit(ctx.store, ctx.clock, { username: actor.username, action: 'zonage_depublie', target: id, details: JSON.stringify({ build: ctx.db.current().id }) });
    }
  });
}
