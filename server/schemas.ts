import { z } from 'zod';
import { STATUSES, type ValueStatus } from '../etl/engine/types.ts';

/** Path segments: any value is looked up (unknown → 404); only absurd ones are a 400. */
export const LevelParam = z.string().min(1).max(64).meta({ description: 'Niveau : iris, commune, ept, departement, region ou un zonage publié' });
export const CodeParam = z.string().min(1).max(64).meta({ description: 'Code INSEE (EPT : SIREN ; groupe de zonage : son code)' });
export const IndicatorParam = z.string().min(1).max(100).meta({ description: "Identifiant de l'indicateur" });

export const StatusSchema = z.enum(STATUSES).meta({
  description: 'ok | secret (masqué) | partial (contributions secrètes exclues) | missing | not-aggregable'
});

export const SourceSchema = z.object({
  id: z.string(),
  label: z.string(),
  producer: z.string(),
  licence: z.string(),
  vintage: z.string().meta({ description: 'Millésime' }),
  url: z.string()
});
export type SourceRef = z.infer<typeof SourceSchema>;

export const TerritoryRefSchema = z.object({
  level: z.string(),
  levelLabel: z.string(),
  code: z.string(),
  name: z.string()
});
export type TerritoryRef = z.infer<typeof TerritoryRefSchema>;

export const ValueFieldsSchema = z.object({
  value: z.number().nullable().meta({ description: 'null quand secret, manquant ou non agrégeable' }),
  numerator: z.number().nullable(),
  denominator: z.number().nullable(),
  status: StatusSchema,
  secretParts: z.number().int().meta({ description: 'Contributions masquées par le secret statistique' }),
  missingParts: z.number().int().meta({ description: 'Contributions attendues mais absentes de la source' })
});
export type ValueFields = z.infer<typeof ValueFieldsSchema>;

export interface StoredValue {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  status: string;
  secret_parts: number;
  missing_parts: number;
}

const NO_VALUE: ReadonlySet<string> = new Set(['secret', 'missing', 'not-aggregable']);

function isStatus(s: string): s is ValueStatus {
  return (STATUSES as readonly string[]).includes(s);
}

/**
 * What may leave the server for a stored value. Whatever the row holds, a secret
 * value never carries a number, not even its numerator or denominator. A missing or
 * non-aggregable one has no value; a missing ratio keeps the known sums the engine
 * computed (a zero denominator).
 */
export function publicValue(row: StoredValue | undefined): ValueFields {
  if (!row) return { value: null, numerator: null, denominator: null, status: 'missing', secretParts: 0, missingParts: 0 };
  const status: ValueStatus = isStatus(row.status) ? row.status : 'missing';
  const secret = status === 'secret';
  return {
    value: NO_VALUE.has(status) ? null : row.value,
    numerator: secret ? null : row.numerator,
    denominator: secret ? null : row.denominator,
    status,
    secretParts: row.secret_parts,
    missingParts: row.missing_parts
  };
}

const TileCoordinate = (name: string) =>
  z
    .string()
    .regex(/^\d{1,8}$/, `${name} : entier positif attendu`)
    .transform(Number);

/** Path parameters `{z}/{x}/{y}.pbf` of every tile route. */
export function tileCoordinates(zoomDescription: string) {
  return {
    z: TileCoordinate('z').pipe(z.number().max(24)).meta({ description: zoomDescription }),
    x: TileCoordinate('x'),
    y: z
      .string()
      .regex(/^\d{1,8}\.pbf$/, 'attendu « {y}.pbf »')
      .transform((s) => Number(s.slice(0, -'.pbf'.length)))
  };
}

/** TileJSON 3.0.0 as our tile routes (territories and cadastre) answer it. */
export const TileJsonSchema = z.object({
  tilejson: z.literal('3.0.0'),
  name: z.string(),
  scheme: z.literal('xyz'),
  version: z.string(),
  tiles: z.array(z.string()),
  minzoom: z.number().int(),
  maxzoom: z.number().int(),
  bounds: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  center: z.tuple([z.number(), z.number(), z.number()]),
  vector_layers: z.array(
    z.object({
      id: z.string(),
      description: z.string(),
      minzoom: z.number().int(),
      maxzoom: z.number().int(),
      fields: z.record(z.string(), z.string())
    })
  )
});
