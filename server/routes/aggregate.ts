import { z } from 'zod';
import type { ComputedValue, IndicatorDefinition, IndicatorKind, Theme } from '../../etl/engine/types.ts';
import type { aggregate as engineAggregate } from '../../etl/engine/aggregate.ts';
import { aggregateGroup } from '../../etl/engine/group.ts';
import { ApiError } from '../errors.ts';
import { type IndicatorEntry, catalogue, latestYear } from '../queries/catalogue.ts';
import { type CommuneRow, communeCount, communes } from '../queries/territories.ts';
import { type ContributionRow, type StoredBlock, communeValues, secrecyBlocks } from '../queries/values.ts';
import { Router } from '../routing.ts';
import { SourceSchema, StatusSchema, ValueFieldsSchema, publicValue } from '../schemas.ts';

/** Absolute caps checked before the database is asked; the real bound is the number of communes. */
const MAX_CODES = 40_000;
const MAX_INDICATORS = 500;

const AggregateBody = z.object({
  communes: z
    .array(z.string().regex(/^(\d{5}|2[AB]\d{3})$/, 'code INSEE de commune attendu (5 caractères)'))
    .min(1)
    .max(MAX_CODES)
    .meta({ description: 'Codes INSEE des communes du groupe (au plus les communes de la base)' }),
  indicators: z.array(z.string().min(1).max(100)).min(1).max(MAX_INDICATORS),
  year: z.number().int().min(1800).max(2200).optional().meta({ description: 'Par défaut, la dernière année disponible par commune' })
});

const AggregateResponse = z.object({
  communes: z.array(z.object({ code: z.string(), name: z.string() })),
  values: z.array(
    ValueFieldsSchema.extend({
      indicator: z.string(),
      label: z.string(),
      unit: z.string(),
      decimals: z.number().int(),
      year: z.number().int(),
      source: SourceSchema.nullable(),
      status: StatusSchema,
      parts: z.number().int(),
      provenance: z.string()
    })
  )
});
type AggregateResult = z.infer<typeof AggregateResponse>;

/** The engine's view of a catalogue entry. */
export function definitionOf(entry: IndicatorEntry): IndicatorDefinition {
  const on = entry.secrecy.on === 'numerator' || entry.secrecy.on === 'denominator' ? entry.secrecy.on : 'value';
  return {
    id: entry.id,
    label: entry.label,
    shortLabel: entry.shortLabel,
    description: entry.description,
    theme: entry.theme as Theme,
    unit: entry.unit,
    kind: entry.kind as IndicatorKind,
    scale: entry.scale,
    decimals: entry.decimals,
    secrecy: { threshold: entry.secrecy.threshold, on, reason: entry.secrecy.reason },
    series: entry.series.map((s) => ({
      year: s.year,
      source: s.source.id,
      ...(s.valueVar ? { value: s.valueVar } : {}),
      ...(s.numeratorVar ? { numerator: s.numeratorVar } : {}),
      ...(s.denominatorVar ? { denominator: s.denominatorVar } : {})
    }))
  };
}

/** A stored commune value as a contribution; a secret one brings no number to the engine. */
function contribution(row: ContributionRow): ComputedValue {
  const secret = row.status === 'secret';
  return {
    value: secret ? null : row.value,
    numerator: secret ? null : row.numerator,
    denominator: secret ? null : row.denominator,
    status: publicValue(row).status,
    secretParts: row.secret_parts,
    missingParts: row.missing_parts,
    parts: row.parts
  };
}

/**
 * The value of a group of communes by the ETL's own rule (`aggregateGroup`), so that an
 * ad-hoc group equal to a published one gets the same value.
 */
export function groupValue(
  def: IndicatorDefinition,
  coverage: readonly string[] | null,
  members: readonly CommuneRow[],
  stored: ReadonlyMap<string, ContributionRow>,
  aggregate: typeof engineAggregate,
  blocks: readonly StoredBlock[] = []
): { value: ComputedValue; covered: boolean } {
  const inside = new Set(members.map((m) => m.code));
  // Secondary secrecy: masked units count only through blocks the group holds whole.
  const released = blocks
    .filter((b) => b.communes.every((c) => inside.has(c)))
    .map((b) => ({ units: b.units, sum: b.sum, denominator: b.denominator }));
  return aggregateGroup(
    def,
    coverage,
    members.map((m) => {
      const row = stored.get(m.code);
      return { departement: m.departement ?? null, value: row ? contribution(row) : undefined };
    }),
    aggregate,
    released
  );
}

export function aggregateRoutes(deps: { aggregate: typeof engineAggregate }): Router {
  const r = new Router('/api/aggregate', 'Agrégation');

  r.post(
    '/',
    {
      summary: 'Agréger un groupe de communes',
      description:
        'Calcule les indicateurs pour un regroupement libre de communes, avec le même moteur et les mêmes règles de secret que les zonages publiés. ' +
        'Une commune absente de la source compte comme contribution manquante.',
      body: AggregateBody,
      maxBodyBytes: 1024 * 1024,
      response: AggregateResponse
    },
    async (c, { body }) => {
      const build = c.get('build');
      const codes = [...new Set(body.communes)];
      const limit = await communeCount(build);
      if (codes.length > limit) {
        throw new ApiError(400, 'limite_depassee', `Au plus ${limit} communes (toutes celles de la base) ; ${codes.length} demandées.`);
      }
      const known = await communes(build, codes);
      if (known.length < codes.length) {
        const found = new Set(known.map((k) => k.code));
        const unknown = codes.filter((code) => !found.has(code));
        throw new ApiError(404, 'territoire_inconnu', `Communes inconnues : ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? '…' : ''}.`, { unknown });
      }
      const { byId } = await catalogue(build);
      const ids = [...new Set(body.indicators)];
      const missing = ids.filter((id) => !byId.has(id));
      if (missing.length) throw new ApiError(404, 'indicateur_inconnu', `Indicateurs inconnus : ${missing.join(', ')}.`, { unknown: missing });
      const entries = ids.map((id) => byId.get(id) as IndicatorEntry);
      const years = new Map<string, number>();
      for (const entry of entries) {
        const year = body.year ?? latestYear(entry, 'commune');
        if (year === undefined || !entry.series.some((s) => s.year === year)) {
          throw new ApiError(404, 'annee_inconnue', `L'indicateur « ${entry.id} » n'existe pas pour ${body.year ?? 'aucune année'}.`);
        }
        years.set(entry.id, year);
      }

      const rows = await communeValues(build, [...years].map(([id, year]) => `${id}:${year}`), codes);
      const blocks = await secrecyBlocks(build);
      const stored = new Map<string, Map<string, ContributionRow>>();
      for (const row of rows) {
        const byCommune = stored.get(row.indicator_id) ?? new Map<string, ContributionRow>();
        byCommune.set(row.code, row);
        stored.set(row.indicator_id, byCommune);
      }
      const values: AggregateResult['values'] = entries.map((entry) => {
        const year = years.get(entry.id) as number;
        const series = entry.series.find((s) => s.year === year);
        const { value: result, covered } = groupValue(
          definitionOf(entry),
          series?.coverage ?? null,
          known,
          stored.get(entry.id) ?? new Map(),
          deps.aggregate,
          blocks.get(`${entry.id}:${year}`) ?? []
        );
        const shown = publicValue({
          value: result.value,
          numerator: result.numerator,
          denominator: result.denominator,
          status: result.status,
          secret_parts: result.secretParts,
          missing_parts: result.missingParts
        });
        const source = series?.source ?? null;
        const head = source ? `${source.producer}, ${source.label}` : entry.id;
        return {
          indicator: entry.id,
          label: entry.label,
          unit: entry.unit,
          decimals: entry.decimals,
          year,
          source,
          ...shown,
          parts: result.parts,
          provenance: covered
            ? `${head} ; agrégé de ${known.length} commune${known.length > 1 ? 's' : ''}`
            : `${head} ; la source ne couvre pas toutes les communes de ce groupe`
        };
      });
      const response: AggregateResult = { communes: known.map(({ code, name }) => ({ code, name })), values };
      return c.json(response);
    }
  );

  return r;
}
