import { z } from 'zod';
import { toCsv } from '../downloads/csv.ts';
import { type ValuesResult, downloadName, valuesGeoJson, valuesMetadata, valuesTable } from '../downloads/values.ts';
import { toXlsx } from '../downloads/xlsx.ts';
import { ApiError } from '../errors.ts';
import { type IndicatorEntry, catalogue, indicatorLevels, latestYear } from '../queries/catalogue.ts';
import { territoryNames } from '../queries/territories.ts';
import { fullGeometries, levelValues, provenances } from '../queries/values.ts';
import { type Ctx, Router } from '../routing.ts';
import { IndicatorParam, SourceSchema, StatusSchema, ValueFieldsSchema, publicValue } from '../schemas.ts';
import { requireIndicator, requireLevel, requireYear } from './lookup.ts';

const IndicatorSummarySchema = z.object({
  id: z.string(),
  label: z.string(),
  shortLabel: z.string(),
  description: z.string(),
  theme: z.string(),
  unit: z.string(),
  kind: z.string().meta({ description: 'count | ratio | median | mean | rate' }),
  decimals: z.number().int(),
  levels: z.array(z.string()),
  years: z.array(z.number().int()),
  source: SourceSchema.nullable().meta({ description: 'Source de la dernière année' }),
  vintage: z.string().nullable()
});
type IndicatorSummary = z.infer<typeof IndicatorSummarySchema>;

const IndicatorDetailSchema = IndicatorSummarySchema.extend({
  scale: z.number(),
  secrecy: z.object({ threshold: z.number(), on: z.string(), reason: z.string() }),
  definition: z.unknown().meta({ description: 'La définition déclarative (YAML) telle que chargée' }),
  series: z.array(
    z.object({
      year: z.number().int(),
      source: SourceSchema,
      valueVar: z.string().nullable(),
      numeratorVar: z.string().nullable(),
      denominatorVar: z.string().nullable(),
      baseLevel: z.string(),
      levels: z.array(z.string()),
      coverage: z.array(z.string()).nullable().meta({ description: 'Départements couverts entièrement par la source ; null : France entière' })
    })
  ),
  provenance: z.array(z.object({ year: z.number().int(), text: z.string(), count: z.number().int() }))
});

const ValuesResponseSchema = z.object({
  indicator: z.string(),
  label: z.string(),
  description: z.string(),
  unit: z.string(),
  kind: z.string(),
  decimals: z.number().int(),
  level: z.string(),
  levelLabel: z.string(),
  year: z.number().int(),
  within: z.object({ level: z.string(), code: z.string(), name: z.string() }).nullable(),
  source: SourceSchema.nullable(),
  provenance: z.array(z.string()),
  values: z.array(ValueFieldsSchema.extend({ code: z.string(), name: z.string(), status: StatusSchema }))
});

const ValuesQuery = z.object({
  level: z.string().min(1).max(64).default('commune').meta({ description: 'Niveau des territoires' }),
  year: z.coerce.number().int().min(1800).max(2200).optional().meta({ description: 'Par défaut, la dernière année disponible au niveau' }),
  within: z
    .string()
    .regex(/^[a-z0-9-]{1,64}:[A-Za-z0-9_.-]{1,64}$/, 'attendu « niveau:code », par ex. departement:93')
    .optional()
    .meta({ description: 'Restreint aux territoires contenus dans « niveau:code », par ex. departement:93' }),
  format: z.enum(['json', 'csv', 'xlsx', 'geojson']).default('json')
});

export function summary(entry: IndicatorEntry): IndicatorSummary {
  const last = entry.series.at(-1);
  return {
    id: entry.id,
    label: entry.label,
    shortLabel: entry.shortLabel,
    description: entry.description,
    theme: entry.theme,
    unit: entry.unit,
    kind: entry.kind,
    decimals: entry.decimals,
    levels: indicatorLevels(entry),
    years: entry.series.map((s) => s.year),
    source: last?.source ?? null,
    vintage: last?.source.vintage ?? null
  };
}

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  geojson: 'application/geo+json; charset=utf-8'
} as const;

export function indicatorsRoutes(deps: { clock: () => Date }): Router {
  const r = new Router('/api/indicators', 'Indicateurs');

  r.get(
    '/',
    {
      summary: 'Catalogue des indicateurs',
      response: z.object({ indicators: z.array(IndicatorSummarySchema) })
    },
    async (c) => {
      const { list } = await catalogue(c.get('build'));
      return c.json({ indicators: list.map(summary) });
    }
  );

  r.get(
    '/:id',
    {
      summary: 'Un indicateur : définition complète et provenance',
      params: z.object({ id: IndicatorParam }),
      response: IndicatorDetailSchema
    },
    async (c, { params }) => {
      const build = c.get('build');
      const entry = await requireIndicator(build, params.id);
      const sentences = await provenances(build, entry.id);
      const body: z.infer<typeof IndicatorDetailSchema> = {
        ...summary(entry),
        scale: entry.scale,
        secrecy: entry.secrecy,
        definition: entry.definition,
        series: entry.series,
        provenance: sentences.map((p) => ({ year: p.year, text: p.provenance, count: p.count }))
      };
      return c.json(body);
    }
  );

  r.get(
    '/:id/values',
    {
      summary: "Valeurs d'un indicateur pour tous les territoires d'un niveau",
      description:
        "Une valeur secrète vaut null avec son statut, jamais le chiffre ; une valeur partielle porte le nombre de contributions secrètes. " +
        'format=csv (séparateur « ; », BOM UTF-8, virgule décimale), xlsx ou geojson (avec les géométries) pour télécharger.',
      params: z.object({ id: IndicatorParam }),
      query: ValuesQuery,
      response: ValuesResponseSchema,
      responses: {
        200: { description: 'Selon format : JSON, CSV, XLSX ou GeoJSON' }
      }
    },
    async (c, { params, query }) => {
      const result = await indicatorValues(c, params.id, query);
      if (query.format === 'json') return c.json(result);
      return download(c, result, query.format, deps.clock());
    }
  );

  return r;
}

async function indicatorValues(c: Ctx, id: string, query: z.output<typeof ValuesQuery>): Promise<ValuesResult> {
  const build = c.get('build');
  const entry = await requireIndicator(build, id);
  const level = await requireLevel(build, query.level);
  const year = query.year ?? latestYear(entry, level.id);
  if (year === undefined) throw new ApiError(404, 'annee_inconnue', `L'indicateur « ${entry.id} » n'a aucune année publiée.`);
  requireYear(entry, year);
  let within: ValuesResult['within'] = null;
  if (query.within) {
    const [withinLevel, withinCode] = query.within.split(':') as [string, string];
    const l = await requireLevel(build, withinLevel);
    const name = (await territoryNames(build)).get(l.id)?.get(withinCode);
    if (name === undefined) throw new ApiError(404, 'territoire_inconnu', `Aucun territoire de niveau « ${l.label} » n'a le code « ${withinCode} ».`);
    within = { level: l.id, code: withinCode, name };
  }
  const { territories, values, provenance } = await levelValues(build, { indicator: entry.id, year, level: level.id, within });
  const series = entry.series.find((s) => s.year === year);
  return {
    indicator: entry.id,
    label: entry.label,
    description: entry.description,
    unit: entry.unit,
    kind: entry.kind,
    decimals: entry.decimals,
    level: level.id,
    levelLabel: level.label,
    year,
    within,
    source: series?.source ?? null,
    provenance: provenance.filter((p) => p !== ''),
    values: territories.map((t, i) => ({ code: t.code, name: t.name, ...publicValue(values[i]) }))
  };
}

async function download(c: Ctx, result: ValuesResult, format: 'csv' | 'xlsx' | 'geojson', now: Date): Promise<Response> {
  const build = c.get('build');
  const stamp = { id: build.id, createdAt: build.createdAt };
  const metadata = valuesMetadata(result, stamp, now);
  let body: string | Uint8Array;
  if (format === 'csv') body = toCsv(valuesTable(result));
  else if (format === 'xlsx') body = await toXlsx(valuesTable(result), metadata, { sheet: result.indicator, created: now });
  else {
    const geometries = await fullGeometries(build, result.level, result.values.map((v) => v.code));
    body = JSON.stringify(valuesGeoJson(result, geometries, stamp, now));
  }
  const source = result.source;
  return c.body(body as string, 200, {
    'Content-Type': CONTENT_TYPES[format],
    'Content-Disposition': `attachment; filename="${downloadName(result, format)}"`,
    // the same provenance for clients that read headers, percent-encoded as headers are Latin-1
    'X-Observatoire-Source': encodeURIComponent(source ? `${source.producer}, ${source.label} (${source.vintage}) — ${source.licence}` : 'inconnue')
  });
}
