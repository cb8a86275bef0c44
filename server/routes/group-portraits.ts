import { z } from 'zod';
import type { aggregate as engineAggregate } from '../../etl/engine/aggregate.ts';
import type { ComputedValue } from '../../etl/engine/types.ts';
import type { Build } from '../db.ts';
import { ApiError } from '../errors.ts';
import { catalogue, levels } from '../queries/catalogue.ts';
import {
  type AncestorCountRow,
  type GroupMemberRow,
  formerCommuneCodes,
  groupAncestors,
  groupContributions,
  groupDescendants,
  groupMembers
} from '../queries/group-portraits.ts';
import { communeCount, communes } from '../queries/territories.ts';
import { type ContributionRow, type KeyedValueRow, secrecyBlocks, valuesOf } from '../queries/values.ts';
import { Router } from '../routing.ts';
import { TerritoryRefSchema, type ValueFields, publicValue } from '../schemas.ts';
import { definitionOf, groupValue } from './aggregate.ts';
import { PortraitIndicatorSchema, PortraitSchema } from './portraits.ts';

export const GROUP_LEVEL = 'groupe';
export const GROUP_LEVEL_LABEL = 'Groupe de communes';
/** Longest group name kept, in characters; a longer `nom` is cut. */
export const MAX_NAME_LENGTH = 80;
/** Absolute cap on the codes read from the query; the real bound is the number of communes of the build. */
const MAX_CODES = 40_000;
const CODE = /^(\d{5}|2[AB]\d{3})$/;

// The shape of GET /api/portraits/{level}/{code}, plus the group's own fields.
const GroupPortraitSchema = PortraitSchema.extend({
  comparisons: z.array(TerritoryRefSchema).meta({ description: 'EPT commun, département(s), région(s)' }),
  communes: z.array(z.object({ code: z.string(), name: z.string(), ept: z.string().nullable(), departement: z.string().nullable() })),
  notes: z.array(z.string()).meta({ description: 'Conversions d’anciens codes de communes' })
});
type GroupPortrait = z.infer<typeof GroupPortraitSchema>;
type GroupIndicator = z.infer<typeof PortraitIndicatorSchema>;

const GroupQuery = z.object({
  communes: z
    .string()
    .min(1)
    .max(MAX_CODES * 6)
    .meta({ description: 'Codes INSEE des communes, séparés par des virgules (93010,93048,93064) ; au plus les communes de la base' }),
  nom: z.string().max(2000).optional().meta({ description: `Nom du groupe, coupé à ${MAX_NAME_LENGTH} caractères ; par défaut « Groupe de N communes »` })
});

/** The codes of `communes=…`, duplicates collapsed, in the order given; a malformed code is a 400. */
export function parseCommuneList(text: string): string[] {
  const codes = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (codes.length === 0) throw new ApiError(400, 'parametre_invalide', 'Paramètre invalide — « communes » : au moins un code de commune attendu.');
  const bad = codes.filter((c) => !CODE.test(c));
  if (bad.length) {
    const shown = bad.slice(0, 5).map((b) => `« ${b.slice(0, 20)} »`).join(', ');
    throw new ApiError(400, 'parametre_invalide', `Paramètre invalide — « communes » : code INSEE de commune attendu (5 caractères), reçu ${shown}${bad.length > 5 ? '…' : ''}.`);
  }
  return [...new Set(codes)];
}

const countFormat = new Intl.NumberFormat('fr-FR');

export function defaultGroupName(count: number): string {
  return count === 1 ? 'Groupe d’une commune' : `Groupe de ${countFormat.format(count)} communes`;
}

/**
 * The name shown for a group: `nom` without control or invisible formatting characters
 * (bidi overrides would reorder the page around it), spaces collapsed, cut to
 * MAX_NAME_LENGTH characters; the default name when nothing is left.
 */
export function groupName(nom: string | undefined, count: number): string {
  const clean = (nom ?? '').replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ').replace(/\s+/g, ' ').trim();
  const capped = [...clean].slice(0, MAX_NAME_LENGTH).join('').trim();
  return capped || defaultGroupName(count);
}

/** Current codes of the requested communes: a former code is converted (with a note), an unknown one is a 404. */
async function resolveCommunes(build: Build, requested: readonly string[]): Promise<{ codes: string[]; notes: string[] }> {
  const known = await communes(build, requested);
  const current = new Set(known.map((k) => k.code));
  const missing = requested.filter((c) => !current.has(c));
  const notes: string[] = [];
  const unknown: string[] = [];
  if (missing.length) {
    const former = await formerCommuneCodes(build);
    const converted = new Map<string, string>();
    for (const code of missing) {
      const now = former.get(code);
      if (now) converted.set(code, now);
      else unknown.push(code);
    }
    if (unknown.length) {
      throw new ApiError(
        404,
        'territoire_inconnu',
        `Communes inconnues : ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? '…' : ''}.`,
        { unknown }
      );
    }
    const names = new Map((await communes(build, [...converted.values()])).map((c) => [c.code, c.name]));
    for (const [from, to] of converted) {
      current.add(to);
      notes.push(`Le code ${from}, d’une commune qui n’existe plus, est remplacé par ${to} (${names.get(to) ?? to}).`);
    }
  }
  return { codes: [...current].sort(), notes };
}

function unionBBox(members: readonly GroupMemberRow[]): [number, number, number, number] | null {
  let box: [number, number, number, number] | null = null;
  for (const m of members) {
    if (m.minx === null || m.miny === null || m.maxx === null || m.maxy === null) continue;
    box = box ? [Math.min(box[0], m.minx), Math.min(box[1], m.miny), Math.max(box[2], m.maxx), Math.max(box[3], m.maxy)] : [m.minx, m.miny, m.maxx, m.maxy];
  }
  return box;
}

/**
 * What a group is compared with: its EPT when all communes share one, each département
 * it touches (one when they all share it), each region.
 */
export function groupComparisons(ancestors: readonly AncestorCountRow[], memberCount: number): AncestorCountRow[] {
  const ept = ancestors.filter((a) => a.level === 'ept' && a.members === memberCount);
  return [...ept, ...ancestors.filter((a) => a.level === 'departement'), ...ancestors.filter((a) => a.level === 'region')];
}

function shown(result: ComputedValue): ValueFields {
  return publicValue({
    value: result.value,
    numerator: result.numerator,
    denominator: result.denominator,
    status: result.status,
    secret_parts: result.secretParts,
    missing_parts: result.missingParts
  });
}

export function groupPortraitsRoutes(deps: { aggregate: typeof engineAggregate }): Router {
  const r = new Router(`/api/portraits/${GROUP_LEVEL}`, 'Portraits');

  r.get(
    '/',
    {
      summary: "Portrait d'un groupe de communes",
      description:
        'Le portrait d’un regroupement libre de communes, de même forme que celui d’un territoire : chaque indicateur publié à la commune, ' +
        'calculé pour le groupe par le même moteur et les mêmes règles de secret (primaire et secondaire) que `POST /api/aggregate` et les zonages publiés, ' +
        'pour la dernière année et chaque année de l’historique, comparé à l’EPT commun, au(x) département(s) et à la région. ' +
        'Un ancien code est converti (voir `notes`) ; un code inconnu donne 404.',
      query: GroupQuery,
      response: GroupPortraitSchema
    },
    async (c, { query }) => {
      const build = c.get('build');
      const requested = parseCommuneList(query.communes);
      const limit = await communeCount(build);
      if (requested.length > limit) {
        throw new ApiError(400, 'limite_depassee', `Au plus ${limit} communes (toutes celles de la base) ; ${requested.length} demandées.`);
      }
      const { codes, notes } = await resolveCommunes(build, requested);
      const [members, ancestors, descendants, allLevels, { list }, stored, blocks] = await Promise.all([
        groupMembers(build, codes),
        groupAncestors(build, codes),
        groupDescendants(build, codes),
        levels(build),
        catalogue(build),
        groupContributions(build, codes),
        secrecyBlocks(build)
      ]);
      const n = members.length;
      const comparisons = groupComparisons(ancestors, n);
      const comparisonRows = await valuesOf(build, comparisons);

      const byKey = new Map<string, Map<string, ContributionRow>>();
      for (const row of stored) {
        const key = `${row.indicator_id}:${row.year}`;
        const byCommune = byKey.get(key) ?? new Map<string, ContributionRow>();
        byCommune.set(row.code, row);
        byKey.set(key, byCommune);
      }
      const storedAt = new Map<string, KeyedValueRow>();
      for (const row of comparisonRows) storedAt.set(`${row.indicator_id}:${row.year}:${row.level}:${row.code}`, row);

      const indicators: GroupIndicator[] = [];
      for (const entry of list) {
        const series = entry.series.filter((s) => s.levels.includes('commune'));
        const latest = series.at(-1);
        if (!latest) continue;
        const def = definitionOf(entry);
        const values = series.map((s) => {
          const key = `${entry.id}:${s.year}`;
          return groupValue(def, s.coverage, members, byKey.get(key) ?? new Map(), deps.aggregate, blocks.get(key) ?? []);
        });
        const { value: result, covered } = values.at(-1) as { value: ComputedValue; covered: boolean };
        const head = `${latest.source.producer}, ${latest.source.label}`;
        indicators.push({
          id: entry.id,
          label: entry.label,
          shortLabel: entry.shortLabel,
          theme: entry.theme,
          unit: entry.unit,
          kind: entry.kind,
          decimals: entry.decimals,
          year: latest.year,
          source: latest.source,
          // the same words as POST /api/aggregate
          provenance: covered
            ? `${head} ; agrégé de ${n} commune${n > 1 ? 's' : ''}`
            : `${head} ; la source ne couvre pas toutes les communes de ce groupe`,
          value: shown(result),
          comparisons: comparisons.map((p) => ({
            level: p.level,
            levelLabel: p.label,
            code: p.code,
            name: p.name,
            ...publicValue(storedAt.get(`${entry.id}:${latest.year}:${p.level}:${p.code}`))
          })),
          history: series.map((s, i) => {
            const v = shown((values[i] as { value: ComputedValue }).value);
            return { year: s.year, value: v.value, status: v.status };
          })
        });
      }

      const areas = members.map((m) => m.area_km2);
      const communeLevel = allLevels.get('commune');
      const box = unionBBox(members);
      const body: GroupPortrait = {
        territory: {
          level: GROUP_LEVEL,
          levelLabel: GROUP_LEVEL_LABEL,
          code: codes.join('-'),
          name: groupName(query.nom, n),
          postcodes: [...new Set(members.flatMap((m) => m.postcodes))].sort(),
          formerCodes: [],
          parents: ancestors
            .filter((a) => a.members === n)
            .map((a) => ({ level: a.level, levelLabel: a.label, code: a.code, name: a.name })),
          children: [
            { level: 'commune', label: communeLevel?.labelPlural ?? 'Communes', count: n },
            ...descendants.map((d) => ({ level: d.level, label: d.label_plural, count: d.count }))
          ],
          childrenCount: n,
          bbox: box,
          // a group has no label point of its own (the middle of its extent may lie outside it)
          center: null,
          areaKm2: areas.every((a): a is number => a !== null) ? Math.round(areas.reduce((s, a) => s + a, 0) * 1e6) / 1e6 : null,
          inFocus: members.every((m) => m.in_focus),
          hasGeometry: members.every((m) => m.has_geometry)
        },
        comparisons: comparisons.map((p) => ({ level: p.level, levelLabel: p.label, code: p.code, name: p.name })),
        indicators,
        communes: members.map((m) => ({ code: m.code, name: m.name, ept: m.ept, departement: m.departement })),
        notes
      };
      return c.json(body);
    }
  );

  return r;
}
