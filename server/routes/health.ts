import { z } from 'zod';
import { levels, sources } from '../queries/catalogue.ts';
import { Router } from '../routing.ts';
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
      minZoom: z.number().int(),
      maxZoom: z.number().int()
    })
  )
});

export function healthRoutes(deps: { clock: () => Date; tiles: TileService }): Router {
  const r = new Router('/api', 'Service');

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
