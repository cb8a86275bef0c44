import { z } from 'zod';
import { searchName } from '../../etl/build/search-name.ts';
import type { Build } from '../db.ts';
import { type Level, levels } from '../queries/catalogue.ts';
import { type ParentRow, type TerritoryRow, childCounts, parents, search } from '../queries/territories.ts';
import { Router } from '../routing.ts';
import { CodeParam, LevelParam, TerritoryRefSchema } from '../schemas.ts';
import { requireLevel, resolveTerritory } from './lookup.ts';

export const TerritoryDetailSchema = z.object({
  level: z.string(),
  levelLabel: z.string(),
  code: z.string(),
  name: z.string(),
  postcodes: z.array(z.string()),
  formerCodes: z.array(z.string()).meta({ description: 'Codes des communes fusionnées dans celle-ci' }),
  parents: z.array(TerritoryRefSchema).meta({ description: "Chaque niveau englobant jusqu'à la région (la France dans le profil national), et les zonages" }),
  children: z.array(z.object({ level: z.string(), label: z.string(), count: z.number().int() })),
  childrenCount: z.number().int().meta({ description: 'Territoires du niveau immédiatement inférieur' }),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable().meta({ description: 'WGS84 : ouest, sud, est, nord' }),
  center: z.tuple([z.number(), z.number()]).nullable(),
  areaKm2: z.number().nullable(),
  inFocus: z.boolean(),
  hasGeometry: z.boolean()
});
export type TerritoryDetail = z.infer<typeof TerritoryDetailSchema>;

const SearchResultSchema = z.object({
  q: z.string(),
  results: z.array(
    TerritoryRefSchema.extend({
      postcodes: z.array(z.string()),
      commune: z.string().nullable(),
      departement: z.string().nullable(),
      match: z.enum(['code', 'code postal', 'ancien code', 'nom'])
    })
  )
});

/** The ETL's search form of a name, applied to the query. */
export const normaliseQuery = searchName;

/** `ancestors` when the caller already has them (portraits). */
export async function territoryDetail(build: Build, level: Level, row: TerritoryRow, ancestors?: ParentRow[]): Promise<TerritoryDetail> {
  const [parentRows, children] = await Promise.all([
    ancestors ?? parents(build, level.id, row.code),
    childCounts(build, level.id, row.code)
  ]);
  const hasBbox = row.minx !== null && row.miny !== null && row.maxx !== null && row.maxy !== null;
  return {
    level: level.id,
    levelLabel: level.label,
    code: row.code,
    name: row.name,
    postcodes: row.postcodes,
    formerCodes: row.former_codes,
    parents: parentRows.map((p) => ({ level: p.level, levelLabel: p.label, code: p.code, name: p.name })),
    children: children.map((c) => ({ level: c.level, label: c.label_plural, count: c.count })),
    childrenCount: children[0]?.count ?? 0,
    bbox: hasBbox ? [row.minx as number, row.miny as number, row.maxx as number, row.maxy as number] : null,
    center: row.lon !== null && row.lat !== null ? [row.lon, row.lat] : null,
    areaKm2: row.area_km2,
    inFocus: row.in_focus,
    hasGeometry: row.has_geometry
  };
}

export function territoriesRoutes(): Router {
  const r = new Router('/api/territories', 'Territoires');

  r.get(
    '/',
    {
      summary: 'Rechercher un territoire',
      description:
        'Par nom (sans tenir compte des accents ni de la casse : « saint denis » trouve Saint-Denis), code INSEE, SIREN, code postal ou ancien code.',
      query: z.object({
        q: z.string().trim().min(1).max(100).meta({ description: 'Texte recherché' }),
        level: LevelParam.optional(),
        limit: z.coerce.number().int().min(1).max(100).default(20)
      }),
      response: SearchResultSchema
    },
    async (c, { query }) => {
      const build = c.get('build');
      if (query.level) await requireLevel(build, query.level);
      const rows = await search(build, {
        raw: query.q,
        normalised: normaliseQuery(query.q),
        level: query.level ?? null,
        limit: query.limit
      });
      const all = await levels(build);
      const body: z.infer<typeof SearchResultSchema> = {
        q: query.q,
        results: rows.map((row) => ({
          level: row.level,
          levelLabel: all.get(row.level)?.label ?? row.level,
          code: row.code,
          name: row.name,
          postcodes: row.postcodes,
          commune: row.commune,
          departement: row.departement,
          match: row.match
        }))
      };
      return c.json(body);
    }
  );

  r.get(
    '/:level/:code',
    {
      summary: "Fiche d'un territoire",
      description: 'Nom, territoires englobants, nombre de territoires contenus, emprise et surface. Un ancien code redirige (301) vers le code actuel.',
      params: z.object({ level: LevelParam, code: CodeParam }),
      response: TerritoryDetailSchema,
      responses: { 301: { description: 'Ancien code : redirection vers le territoire actuel' } }
    },
    async (c, { params }) => {
      const build = c.get('build');
      const resolved = await resolveTerritory(build, params.level, params.code);
      if ('movedTo' in resolved) {
        return c.redirect(`/api/territories/${encodeURIComponent(resolved.level.id)}/${encodeURIComponent(resolved.movedTo)}`, 301);
      }
      return c.json(await territoryDetail(build, resolved.level, resolved.territory));
    }
  );

  return r;
}
