import { z } from 'zod';
import { InputError } from '../../etl/core/errors.ts';
import { requireUser } from '../admin/auth/middleware.ts';
import { IndicatorDescriptionSchema } from '../admin/publishing/descriptions.ts';
import {
  CorrectionSchema,
  MAX_UPLOAD_BYTES,
  type PublishingContext,
  createDraft,
  getDraft,
  getUpload,
  listDrafts,
  previewDraft,
  publishDraft,
  setReadOptions,
  storeUpload,
  unpublish,
  validateMapping
} from '../admin/publishing/drafts.ts';
import { ZoningBodySchema, getZoning, listZonings, membersFromCsv, publishZoning, saveZoning, unpublishZoning } from '../admin/publishing/zonings.ts';
import { ApiError } from '../errors.ts';
import { type Ctx, Router } from '../routing.ts';

const Id = z.object({ id: z.string().regex(/^[a-z0-9-]{1,100}$/, 'identifiant attendu') });
const VARIABLE = /^[A-Za-z][A-Za-z0-9_]*$/;

const ReadOptionsBody = z.object({
  encoding: z.enum(['utf-8', 'latin1']).optional(),
  separator: z.enum([';', ',', '\t', '|']).optional(),
  decimal: z.enum([',', '.']).optional(),
  headerRow: z.int().min(1).max(1000).optional(),
  sheet: z.string().max(100).optional()
});

const MappingBody = z.object({
  mapping: z
    .object({
      codeColumn: z.string().min(1).max(200),
      labelColumn: z.string().min(1).max(200).optional(),
      level: z.enum(['commune', 'iris']),
      yearColumn: z.string().min(1).max(200).optional(),
      year: z.int().min(1900).max(2100).optional(),
      values: z
        .array(z.object({ column: z.string().min(1).max(200), variable: z.string().regex(VARIABLE, 'nom de variable : lettres, chiffres, _') }))
        .min(1)
        .max(50),
      blank: z.enum(['secret', 'missing']).optional().meta({ description: 'Ce que signifie une cellule vide (défaut : secret)' })
    })
    .refine((m) => (m.yearColumn === undefined) !== (m.year === undefined), { message: 'une colonne d’année ou une année, pas les deux', path: ['year'] }),
  threshold: z.number().min(0).max(1e6),
  thresholdVariable: z.string().regex(VARIABLE).optional(),
  indicatorId: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/).max(80).optional(),
  corrections: z.array(CorrectionSchema).max(1000).default([])
});

const DraftBody = z.object({ uploadId: z.string().regex(/^[a-z0-9-]{1,100}$/), description: IndicatorDescriptionSchema });

const Json = z.unknown();

function noStore(c: Ctx): void {
  c.header('Cache-Control', 'no-store');
}

/** Refuses what would not fit before reading it: the declared length, then the bytes actually read. */
async function readUpload(c: Ctx): Promise<Uint8Array> {
  const declared = Number(c.req.header('Content-Length') ?? NaN);
  const tooBig = () =>
    new ApiError(413, 'fichier_trop_grand', `Le fichier dépasse ${MAX_UPLOAD_BYTES / 1024 / 1024} Mo : découpez-le ou compressez-le en XLSX.`);
  if (Number.isFinite(declared) && declared > MAX_UPLOAD_BYTES) throw tooBig();
  const body = c.req.raw.body;
  if (!body) throw new ApiError(400, 'fichier_invalide', 'Aucun fichier reçu.');
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_UPLOAD_BYTES) {
      await reader.cancel();
      throw tooBig();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const ch of chunks) {
    out.set(ch, at);
    at += ch.length;
  }
  return out;
}

/** A partner file that cannot be read is the statistician's to fix: a 400 that says where and what. */
async function asFileError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof InputError) throw new ApiError(400, 'fichier_invalide', e.message, e.detail);
    throw e;
  }
}

export function adminPublishingRoutes(ctx: PublishingContext): Router {
  const r = new Router('/api/admin', 'Administration : publication');

  r.postBinary(
    '/uploads',
    {
      summary: 'Déposer un fichier (CSV ou XLSX)',
      description: `Corps : le fichier brut (au plus ${MAX_UPLOAD_BYTES / 1024 / 1024} Mo) ; paramètre \`filename\`. Le fichier est lu (encodage, séparateur, marque décimale, ligne d’en-tête détectés) et gardé ; rien n’est publié.`,
      query: z.object({ filename: z.string().min(1).max(255) }),
      responses: { 201: { description: 'Dépôt lu' }, 400: { description: 'Fichier illisible' }, 413: { description: 'Fichier trop grand' } }
    },
    async (c, { query }) => {
      const user = requireUser(c, 'statisticien');
      const bytes = await readUpload(c);
      const upload = await asFileError(() => storeUpload(ctx, user, query.filename, bytes));
      noStore(c);
      return c.json({ upload }, 201);
    }
  );

  r.get('/uploads/:id', { summary: 'Un dépôt : lecture, correspondance, rapport', params: Id }, async (c, { params }) => {
    requireUser(c, 'statisticien');
    noStore(c);
    return c.json({ upload: await asFileError(() => getUpload(ctx, params.id)) });
  });

  r.post(
    '/uploads/:id/options',
    { summary: 'Changer les options de lecture d’un dépôt', params: Id, body: ReadOptionsBody, maxBodyBytes: 4096 },
    async (c, { params, body }) => {
      const user = requireUser(c, 'statisticien');
      noStore(c);
      return c.json({ upload: await asFileError(() => setReadOptions(ctx, user, params.id, body)) });
    }
  );

  r.post(
    '/uploads/:id/validation',
    {
      summary: 'Faire correspondre les colonnes et valider',
      description: 'Renvoie le rapport de validation : codes inconnus (avec suggestions), anciens codes convertis, doublons, cellules non numériques, marqueurs de secret, valeurs sous le seuil, totaux incohérents, valeurs aberrantes.',
      params: Id,
      body: MappingBody,
      maxBodyBytes: 256 * 1024
    },
    async (c, { params, body }) => {
      const user = requireUser(c, 'statisticien');
      noStore(c);
      return c.json({ upload: await asFileError(() => validateMapping(ctx, user, params.id, body)) });
    }
  );

  r.get('/drafts', { summary: 'Brouillons et publications' }, async (c) => {
    requireUser(c, 'statisticien');
    noStore(c);
    return c.json({ drafts: await listDrafts(ctx) });
  });

  r.post('/drafts', { summary: 'Décrire l’indicateur : crée un brouillon', body: DraftBody, maxBodyBytes: 64 * 1024 }, async (c, { body }) => {
    const user = requireUser(c, 'statisticien');
    noStore(c);
    return c.json({ draft: await asFileError(() => createDraft(ctx, user, body.uploadId, body.description)) }, 201);
  });

  r.get('/drafts/:id', { summary: 'Un brouillon', params: Id }, async (c, { params }) => {
    requireUser(c, 'statisticien');
    noStore(c);
    return c.json({ draft: await getDraft(ctx, params.id) });
  });

  r.post('/drafts/:id/preview', { summary: 'Construire l’aperçu d’un brouillon', params: Id, body: Json, maxBodyBytes: 1024 }, async (c, { params }) => {
    const user = requireUser(c, 'statisticien');
    noStore(c);
    return c.json({ job: await previewDraft(ctx, user, params.id) }, 202);
  });

  r.post('/drafts/:id/publish', { summary: 'Publier un brouillon', params: Id, body: Json, maxBodyBytes: 1024 }, async (c, { params }) => {
    const user = requireUser(c, 'statisticien');
    noStore(c);
    return c.json({ job: await publishDraft(ctx, user, params.id) }, 202);
  });

  r.post(
    '/published/:indicator/:year/unpublish',
    {
      summary: 'Dépublier un millésime publié depuis le portail',
      params: z.object({ indicator: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/).max(80), year: z.coerce.number().int().min(1900).max(2100) }),
      body: Json,
      maxBodyBytes: 1024
    },
    async (c, { params }) => {
      const user = requireUser(c, 'statisticien');
      noStore(c);
      return c.json({ job: await unpublish(ctx, user, params.indicator, params.year) }, 202);
    }
  );

  r.get('/jobs', { summary: 'Constructions demandées depuis le portail' }, (c) => {
    requireUser(c, 'statisticien');
    noStore(c);
    return c.json({ jobs: ctx.jobs.list() });
  });

  r.get('/jobs/:id', { summary: 'Une construction', params: z.object({ id: z.string().regex(/^[\w-]{1,80}$/) }) }, (c, { params }) => {
    requireUser(c, 'statisticien');
    noStore(c);
    const job = ctx.jobs.get(params.id);
    if (!job) throw new ApiError(404, 'construction_inconnue', `Construction inconnue : ${params.id}.`);
    return c.json({ job });
  });

  const ZoningId = z.object({ id: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'identifiant de zonage attendu') });

  r.get('/zonings', { summary: 'Zonages définis dans le portail' }, async (c) => {
    requireUser(c, 'statisticien');
    noStore(c);
    return c.json({ zonings: await listZonings(ctx) });
  });

  r.get('/zonings/:id', { summary: 'Un zonage défini dans le portail', params: ZoningId }, async (c, { params }) => {
    requireUser(c, 'statisticien');
    noStore(c);
    return c.json({ zoning: await getZoning(ctx, params.id) });
  });

  r.postBinary(
    '/zonings/csv',
    {
      summary: 'Lire un fichier de zonage',
      description: 'Corps : CSV `commune;groupe;nom du groupe` (en-tête obligatoire). Renvoie les communes lues et les conversions d’anciens codes (`notes`), sans rien enregistrer ; chaque commune au plus une fois.',
      query: z.object({ filename: z.string().min(1).max(255).default('zonage.csv') })
    },
    async (c, { query }) => {
      requireUser(c, 'statisticien');
      const bytes = await readUpload(c);
      const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
      noStore(c);
      return c.json(await asFileError(async () => membersFromCsv(text, query.filename)));
    }
  );

  r.post('/zonings', { summary: 'Créer ou remplacer un zonage (brouillon)', body: ZoningBodySchema, maxBodyBytes: 256 * 1024 }, async (c, { body }) => {
    const user = requireUser(c, 'statisticien');
    noStore(c);
    return c.json({ zoning: await saveZoning(ctx, user, body) }, 201);
  });

  r.post('/zonings/:id/publish', { summary: 'Publier un zonage', params: ZoningId, body: Json, maxBodyBytes: 1024 }, async (c, { params }) => {
    const user = requireUser(c, 'statisticien');
    noStore(c);
    return c.json({ job: await publishZoning(ctx, user, params.id) }, 202);
  });

  r.post('/zonings/:id/unpublish', { summary: 'Dépublier un zonage', params: ZoningId, body: Json, maxBodyBytes: 1024 }, async (c, { params }) => {
    const user = requireUser(c, 'statisticien');
    noStore(c);
    return c.json({ job: await unpublishZoning(ctx, user, params.id) }, 202);
  });

  return r;
}
