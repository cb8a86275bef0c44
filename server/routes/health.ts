import { z } from 'zod';
import { levels, sources } from '../queries/catalogue.ts';
import { ErrorBodySchema, errorBody } from '../errors.ts';
import { type Ctx, Router } from '../routing.ts';
import { SourceSchema } from '../schemas.ts';
import type { TileService } from '../tiles/service.ts';

const HealthSchema = z.object({
  status: z.literal('ok'),
  time: z.string(),
  build: z.object({
    id: z.string(),
    createdAt: z.string().nullable(),
    cogVintage: z.string().nullable(),
    profile: z.string().nullable(),
    etlVersion: z.string().nullable()
  }),
  sources: z.array(SourceSchema.extend({ loadedAt: z.string() })),
  tileCache: z.object({ entries: z.number().int(), bytes: z.number().int(), maxBytes: z.number().int() })
});

const LevelsSchema = z.object({
  levels: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      labelPlural: z.string(),
      rank: z.number().int(),
      kind: z.enum(['admin', 'zoning']),
      example: z.boolean().meta({ description: 'Zonage de démonstration, pas un découpage officiel' }),
      minZoom: z.number().int(),
      maxZoom: z.number().int()
    })
  )
});

const LiveSchema = z.object({ status: z.literal('ok'), uptimeSeconds: z.number() });

const ReadySchema = z.object({ status: z.literal('ok'), build: z.string(), queryMs: z.number() });

/** Readiness beyond "a build answers": the server itself may refuse traffic (shutdown under way). */
export interface Readiness {
  /** A French reason not to send traffic here, or null. */
  notReady(): string | null;
  /** The trivial query must answer within this. */
  timeoutMs: number;
}

function notReadyAnswer(c: Ctx, reason: string): Response {
  c.header('Cache-Control', 'no-store');
  c.header('Retry-After', '5');
  return c.json(errorBody('service_indisponible', reason), 503);
}

export function healthRoutes(deps: { clock: () => Date; tiles: TileService; readiness?: Readiness | undefined }): Router {
  const r = new Router('/api', 'Service');
  const started = deps.clock().getTime();
  const readyTimeoutMs = deps.readiness?.timeoutMs ?? 2000;

  r.get(
    '/health/live',
    {
      summary: 'Vivacité : le processus répond',
      description: "Ne lit pas la base : un échec veut dire qu'il faut redémarrer le processus (sonde liveness, HEALTHCHECK Docker).",
      response: LiveSchema
    },
    (c) => {
      c.header('Cache-Control', 'no-store');
      return c.json({ status: 'ok' as const, uptimeSeconds: Math.round((deps.clock().getTime() - started) / 1000) });
    }
  );

  r.get(
    '/health/ready',
    {
      summary: 'Disponibilité : un build est ouvert et répond',
      description: `Une requête triviale sur le build en service doit répondre en ${readyTimeoutMs} ms ; sinon, ou pendant l'arrêt, 503 \`service_indisponible\` avec la raison (sonde readiness : ne plus envoyer de trafic, sans redémarrer).`,
      response: ReadySchema,
      responses: { 503: { description: 'Pas prêt : arrêt en cours, base qui ne répond pas', schema: ErrorBodySchema } }
    },
    async (c) => {
      const reason = deps.readiness?.notReady();
      if (reason) return notReadyAnswer(c, reason);
      const build = c.get('build');
      const t0 = performance.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), readyTimeoutMs);
      });
      try {
        const answer = await Promise.race([build.one<{ ok: number }>('SELECT 1 AS ok'), late]);
        if (answer === 'late') return notReadyAnswer(c, `Le build ${build.id} ne répond pas en ${readyTimeoutMs} ms (base occupée ou en cours de réouverture).`);
        if (answer?.ok !== 1) return notReadyAnswer(c, `Le build ${build.id} répond de façon inattendue.`);
      } catch (e) {
        return notReadyAnswer(c, `Le build ${build.id} ne répond pas : ${(e as Error).message.split('\n')[0]}`);
      } finally {
        clearTimeout(timer);
      }
      c.header('Cache-Control', 'no-store');
      return c.json({ status: 'ok' as const, build: build.id, queryMs: Math.round((performance.now() - t0) * 10) / 10 });
    }
  );

  r.get('/health', { summary: 'État du service et build courant', response: HealthSchema }, async (c) => {
    const build = c.get('build');
    const { entries, bytes, maxBytes } = deps.tiles.stats();
    const body: z.infer<typeof HealthSchema> = {
      status: 'ok',
      time: deps.clock().toISOString(),
      build: {
        id: build.id,
        createdAt: build.createdAt,
        cogVintage: build.info.cog_vintage ?? null,
        profile: build.info.profile ?? null,
        etlVersion: build.info.etl_version ?? null
      },
      sources: await sources(build),
      tileCache: { entries, bytes, maxBytes }
    };
    return c.json(body);
  });

  r.get(
    '/levels',
    { summary: 'Niveaux territoriaux et zonages publiés', response: LevelsSchema },
    async (c) => c.json({ levels: [...(await levels(c.get('build'))).values()] })
  );

  return r;
}
