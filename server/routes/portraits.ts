import { z } from 'zod';
import { type Level, catalogue, indicatorLevels, latestYear } from '../queries/catalogue.ts';
import { type ParentRow, parents } from '../queries/territories.ts';
import { type KeyedValueRow, valuesOf } from '../queries/values.ts';
import { Router } from '../routing.ts';
import { CodeParam, LevelParam, SourceSchema, StatusSchema, TerritoryRefSchema, ValueFieldsSchema, publicValue } from '../schemas.ts';
import { resolveTerritory } from './lookup.ts';
import { TerritoryDetailSchema, territoryDetail } from './territories.ts';

export const PortraitIndicatorSchema = z.object({
  id: z.string(),
  label: z.string(),
  shortLabel: z.string(),
  theme: z.string(),
  unit: z.string(),
  kind: z.string(),
  decimals: z.number().int(),
  year: z.number().int().nullable(),
  source: SourceSchema.nullable(),
  provenance: z.string().nullable(),
  value: ValueFieldsSchema,
  comparisons: z.array(TerritoryRefSchema.extend(ValueFieldsSchema.shape)),
  history: z.array(z.object({ year: z.number().int(), value: z.number().nullable(), status: StatusSchema }))
});

export const PortraitSchema = z.object({
  territory: TerritoryDetailSchema,
  comparisons: z.array(TerritoryRefSchema).meta({ description: 'Territoires de comparaison, du plus proche au plus large' }),
  indicators: z.array(PortraitIndicatorSchema)
});
type PortraitIndicator = z.infer<typeof PortraitIndicatorSchema>;

const ZONING_COMPARISONS = new Set(['departement', 'region', 'pays']);

/**
 * What a territory is compared with: the admin levels above it (IRIS → commune,
 * EPT, EPCI, département, région, France — the EPCI and France in the national profile
 * only; a commune of Paris has no EPT), and for a zoning group its département, région
 * and France.
 */
export function comparisonTerritories(level: Level, ancestors: ParentRow[]): ParentRow[] {
  if (level.kind === 'zoning') return ancestors.filter((p) => ZONING_COMPARISONS.has(p.level));
  return ancestors.filter((p) => p.kind === 'admin' && p.rank > level.rank);
}

export function portraitsRoutes(): Router {
  const r = new Router('/api/portraits', 'Portraits');

  r.get(
    '/:level/:code',
    {
      summary: "Portrait d'un territoire",
      description:
        'Le territoire, ses territoires englobants, et pour chaque indicateur disponible à son niveau : la valeur de la dernière année, ' +
        'la même valeur pour chaque territoire de comparaison (EPT, EPCI, département, région, France selon le profil de la base), la source, le statut et l’historique.',
      params: z.object({ level: LevelParam, code: CodeParam }),
      response: PortraitSchema,
      responses: { 301: { description: 'Ancien code : redirection vers le territoire actuel' } }
    },
    async (c, { params }) => {
      const build = c.get('build');
      const resolved = await resolveTerritory(build, params.level, params.code);
      if ('movedTo' in resolved) {
        return c.redirect(`/api/portraits/${encodeURIComponent(resolved.level.id)}/${encodeURIComponent(resolved.movedTo)}`, 301);
      }
      const { level, territory } = resolved;
      const [ancestors, { list }] = await Promise.all([parents(build, level.id, territory.code), catalogue(build)]);
      const comparisons = comparisonTerritories(level, ancestors);
      const self = { level: level.id, code: territory.code };
      const [detail, rows] = await Promise.all([
        territoryDetail(build, level, territory, ancestors),
        valuesOf(build, [self, ...comparisons], { provenance: 'first' })
      ]);

      const byIndicator = new Map<string, KeyedValueRow[]>();
      for (const row of rows) {
        const list = byIndicator.get(row.indicator_id);
        if (list) list.push(row);
        else byIndicator.set(row.indicator_id, [row]);
      }
      const indicators: PortraitIndicator[] = [];
      for (const entry of list) {
        const own = (byIndicator.get(entry.id) ?? []).filter((v) => v.level === self.level && v.code === self.code);
        if (own.length === 0 && !indicatorLevels(entry).includes(level.id)) continue;
        const year = own.at(-1)?.year ?? latestYear(entry, level.id) ?? null;
        const at = (l: string, code: string) =>
          byIndicator.get(entry.id)?.find((v) => v.year === year && v.level === l && v.code === code);
        const current = at(self.level, self.code);
        indicators.push({
          id: entry.id,
          label: entry.label,
          shortLabel: entry.shortLabel,
          theme: entry.theme,
          unit: entry.unit,
          kind: entry.kind,
          decimals: entry.decimals,
          year,
          source: entry.series.find((s) => s.year === year)?.source ?? null,
          provenance: current?.provenance ?? null,
          value: publicValue(current),
          comparisons: comparisons.map((p) => ({
            level: p.level,
            levelLabel: p.label,
            code: p.code,
            name: p.name,
            ...publicValue(at(p.level, p.code))
          })),
          history: own.map((v) => {
            const shown = publicValue(v);
            return { year: v.year, value: shown.value, status: shown.status };
          })
        });
      }
      const body: z.infer<typeof PortraitSchema> = {
        territory: detail,
        comparisons: comparisons.map((p) => ({ level: p.level, levelLabel: p.label, code: p.code, name: p.name })),
        indicators
      };
      return c.json(body);
    }
  );

  return r;
}
