/**
 * Thin adapter over @etalab/edigeo-parser 1.1.0 (pinned). Its public `parse()`
 * reprojects with its own CRS table and silently drops every feature whose
 * geometry it cannot assemble, and assembles every layer (labels, lines…) we do not
 * load. We call the same building blocks it uses — block parser, topological
 * model, geometry assembly, validation, de-intersection — on the layers we load
 * only, so that each rejected or repaired geometry is counted in the load report
 * and coordinates stay in Lambert-93 for etl/geo/crs.ts to reproject. These are
 * internal modules: a version bump must re-run edigeo.test.ts.
 */
import type { Geometry } from 'geojson';
import { buildGeometry } from '@etalab/edigeo-parser/lib/assemble/geometry/index.js';
import { buildProperties } from '@etalab/edigeo-parser/lib/assemble/properties/index.js';
import { deintersect } from '@etalab/edigeo-parser/lib/geometry/clean.js';
import { validate } from '@etalab/edigeo-parser/lib/geometry/validate.js';
import { createModel, type EdigeoModel } from '@etalab/edigeo-parser/lib/model/index.js';
import { parseBuffer } from '@etalab/edigeo-parser/lib/parse/readers/buffer.js';
import { parseBundle } from '@etalab/edigeo-parser/lib/parse/readers/common.js';

/** The members of a lot the parser reads (THF: lot description; GEO: CRS; QAL: dates; VEC: data). */
export const PARSED_MEMBERS = {
  thf: '.THF',
  geo: '.GEO',
  qal: '.QAL',
  t1: 'T1.VEC',
  t2: 'T2.VEC',
  t3: 'T3.VEC',
  s1: 'S1.VEC'
} as const;
export type MemberKey = keyof typeof PARSED_MEMBERS;

export interface EdigeoObject {
  /** EDIGEO object id, unique within the lot (`Objet_819`). */
  objectId: string;
  /** Attributes without the `_id` suffix (`IDU`, `SUPF`, `TEX`, `DUR`…), plus DATE_OBS/DATE_MAJ. */
  properties: Record<string, unknown>;
  /** Lambert-93 geometry as assembled, or null when the parser could not build a valid one. */
  geometry: Geometry | null;
  /** Why the geometry was rejected, or what was repaired. */
  rejected?: string[];
  deintersected?: boolean;
}

export interface ParsedLot {
  /** FEA blocks per EDIGEO feature type (`PARCELLE_id` → 389), every layer, as GDAL counts them. */
  layerCounts: Record<string, number>;
  /** Objects of the requested feature types, by type. */
  objects: Map<string, EdigeoObject[]>;
  srsCode: string;
}

/** Geometry type of each layer we load (as in the parser's own table). */
export const LOADED_TYPES = {
  PARCELLE_id: 'Polygon',
  BATIMENT_id: 'MultiPolygon',
  SECTION_id: 'MultiPolygon',
  LIEUDIT_id: 'Polygon'
} as const;
export type LoadedType = keyof typeof LOADED_TYPES;

export async function parseLot(members: Record<MemberKey, Buffer>, bundle: string): Promise<ParsedLot> {
  const items = await parseBundle(members, async (m) => ({
    thf: { data: m.thf },
    geo: { data: m.geo },
    qal: { data: m.qal },
    t1: { data: m.t1 },
    t2: { data: m.t2 },
    t3: { data: m.t3 },
    s1: { data: m.s1 }
  }), (f: { data: Buffer }) => parseBuffer(f.data));
  const model = createModel({ indexedItems: items, bundle });
  const layerCounts: Record<string, number> = {};
  const objects = new Map<string, EdigeoObject[]>(Object.keys(LOADED_TYPES).map((t) => [t, []]));
  for (const fea of model.getItems('FEA')) {
    const type = fea.featureType ?? '(sans type)';
    layerCounts[type] = (layerCounts[type] ?? 0) + 1;
    const list = objects.get(type);
    if (list) list.push(buildObject(fea, type as LoadedType, model));
  }
  return { layerCounts, objects, srsCode: model.srsCode };
}

function buildObject(fea: Parameters<typeof buildProperties>[0], type: LoadedType, model: EdigeoModel): EdigeoObject {
  const geometryType = LOADED_TYPES[type];
  const out: EdigeoObject = { objectId: fea.id, properties: buildProperties(fea, model), geometry: null };
  let geometry: Geometry;
  try {
    geometry = buildGeometry(geometryType, fea, model);
  } catch (error) {
    out.rejected = [(error as Error).message];
    return out;
  }
  const errors = validate(geometry);
  if (errors.length === 0) out.geometry = geometry;
  else if (errors.length === 1 && errors[0] === 'has-self-intersection') {
    // The parser's own fix: split the rings at the crossing and keep the pieces
    // (MultiPolygon) or the main one when the rest is negligible (Polygon).
    try {
      out.geometry = deintersect(geometry, geometryType === 'MultiPolygon');
      out.deintersected = true;
    } catch (error) {
      out.rejected = [`has-self-intersection: ${(error as Error).message}`];
    }
  } else out.rejected = errors;
  return out;
}
