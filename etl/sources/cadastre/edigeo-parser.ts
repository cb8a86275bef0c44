/**
 * Thin adapter over @etalab/edigeo-parser 1.1.0 (pinned). Its public `parse()`
 * reprojects with its own CRS table, silently drops every feature whose geometry it
 * cannot assemble (printing to stderr), and assembles every layer (labels, lines…)
 * we do not load. We call the same building blocks it uses — block classes, line
 * header/value parsers, topological model, geometry assembly, validation,
 * de-intersection — on the layers we load only, so that each rejected or repaired
 * geometry is counted in the load report and coordinates stay in Lambert-93 for
 * etl/geo/crs.ts to reproject. Its stream-based line reader costs ~1 s per large lot
 * (a Buffer round trip and a stream event per line); `parseMember` is the same loop,
 * synchronous over the decoded text. These are internal modules: a version bump
 * must re-run edigeo.test.ts.
 */
import type { Geometry } from 'geojson';
import { buildGeometry } from '@etalab/edigeo-parser/lib/assemble/geometry/index.js';
import { buildProperties } from '@etalab/edigeo-parser/lib/assemble/properties/index.js';
import { deintersect } from '@etalab/edigeo-parser/lib/geometry/clean.js';
import { validate } from '@etalab/edigeo-parser/lib/geometry/validate.js';
import { createModel, type EdigeoModel } from '@etalab/edigeo-parser/lib/model/index.js';
import { extractHeader, parseValue } from '@etalab/edigeo-parser/lib/parse/parse.js';
import { parseBundle } from '@etalab/edigeo-parser/lib/parse/readers/common.js';
import FEA from '@etalab/edigeo-parser/lib/parse/types/fea.js';
import GEO from '@etalab/edigeo-parser/lib/parse/types/geo.js';
import LNK from '@etalab/edigeo-parser/lib/parse/types/lnk.js';
import PAR from '@etalab/edigeo-parser/lib/parse/types/par.js';
import PFE from '@etalab/edigeo-parser/lib/parse/types/pfe.js';
import PNO from '@etalab/edigeo-parser/lib/parse/types/pno.js';
import QUP from '@etalab/edigeo-parser/lib/parse/types/qup.js';
import type { EdigeoBlock } from '@etalab/edigeo-parser/lib/parse/types/fea.js';

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

/** The parser's namespace of each member (`SeTOP_1:Objet_819` comes from the T1 file). */
const NAMESPACES: Record<string, MemberKey> = { SeTOP_1: 't1', SeTOP_2: 't2', SeTOP_3: 't3', SeSPA_1: 's1', GEO: 'geo', QAL: 'qal' };

export interface EdigeoObject {
  /** EDIGEO object id, unique within the lot (`Objet_819`). */
  objectId: string;
  /** Member whose FEA block describes it. */
  member: MemberKey | undefined;
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
  /** Description blocks the parser refused (`member: message`), which the parser itself only prints. */
  rejectedBlocks: string[];
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
  const rejectedBlocks: string[] = [];
  const items = await parseBundle(
    members,
    async (m) => ({
      thf: { name: 'THF', data: m.thf },
      geo: { name: 'GEO', data: m.geo },
      qal: { name: 'QAL', data: m.qal },
      t1: { name: 'T1', data: m.t1 },
      t2: { name: 'T2', data: m.t2 },
      t3: { name: 'T3', data: m.t3 },
      s1: { name: 'S1', data: m.s1 }
    }),
    async (f: { name: string; data: Buffer }) => parseMember(f.data, (message) => rejectedBlocks.push(`${f.name} : ${message}`))
  );
  const model = createModel({ indexedItems: items, bundle });
  const layerCounts: Record<string, number> = {};
  const objects = new Map<string, EdigeoObject[]>(Object.keys(LOADED_TYPES).map((t) => [t, []]));
  for (const fea of model.getItems('FEA')) {
    const type = fea.featureType ?? '(sans type)';
    layerCounts[type] = (layerCounts[type] ?? 0) + 1;
    const list = objects.get(type);
    if (list) list.push(buildObject(fea, type as LoadedType, model));
  }
  return { layerCounts, objects, srsCode: model.srsCode, rejectedBlocks };
}

const BLOCK_TYPES: Record<string, new () => EdigeoBlock> = { FEA, LNK, PNO, PAR, PFE, GEO, QUP };
const IGNORED_CODES = new Set(['BOM', 'CSE', 'EOM']);

/**
 * The parser's `parseStream`, synchronously: lines `CCCTFNN:value`; `RTY` opens a
 * description block of a known type (others are skipped), `RID` names it, other
 * lines feed it. A block whose line is refused, or without id, is dropped and
 * reported; a duplicated id keeps the first block, as the parser does.
 */
export function parseMember(data: Buffer, reject: (message: string) => void): Record<string, EdigeoBlock> {
  const items: Record<string, EdigeoBlock> = {};
  let current: EdigeoBlock | undefined;
  const close = (error?: Error) => {
    if (!current) return;
    if (error) reject(`bloc ${current.id ?? 'sans identifiant'} rejeté (${error.message})`);
    else if (!current.id) reject('bloc sans identifiant (RID) rejeté');
    else if (current.id in items) reject(`identifiant de bloc ${current.id} en double, seul le premier est gardé`);
    else items[current.id] = current;
    current = undefined;
  };
  // One reusable line record: blocks copy the values they keep, never the record.
  const record = { code: '', valueType: '', valueFormat: '', valueSize: 0, rawValue: '', parsedValue: undefined as unknown };
  const text = data.toString('latin1');
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    if (!line) continue;
    const header = extractHeader(line);
    if (IGNORED_CODES.has(header.code)) continue;
    const rawValue = line.slice(8);
    const parsedValue = parseValue(header, rawValue);
    if (header.code === 'RTY') {
      close();
      const Block = BLOCK_TYPES[String(parsedValue)];
      if (Block) current = new Block();
      continue;
    }
    if (!current) continue;
    try {
      if (header.code === 'RID') current.setId(String(parsedValue));
      else {
        record.code = header.code;
        record.valueType = header.valueType;
        record.valueFormat = header.valueFormat;
        record.valueSize = header.valueSize;
        record.rawValue = rawValue;
        record.parsedValue = parsedValue;
        current.addLine(record);
      }
    } catch (error) {
      close(error as Error);
    }
  }
  close();
  return items;
}

function buildObject(fea: Parameters<typeof buildProperties>[0], type: LoadedType, model: EdigeoModel): EdigeoObject {
  const geometryType = LOADED_TYPES[type];
  const member = NAMESPACES[fea.fullId.slice(0, fea.fullId.indexOf(':'))];
  const out: EdigeoObject = { objectId: fea.id, member, properties: buildProperties(fea, model), geometry: null };
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
