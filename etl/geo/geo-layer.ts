import type { AdapterContext, GeoBatch, GeoFeature, LoadWarning, SourceDescription } from '../core/types.ts';
import { InputError } from '../core/errors.ts';
import { readGeoJson } from './read-geojson.ts';
import type { ReadGeoFeature } from './read-geojson.ts';
import { repairGeometry } from './validate.ts';

/** How one producer's GeoJSON maps onto our `GeoFeature`. */
export interface GeoLayerSpec {
  source: SourceDescription;
  layer: GeoBatch['layer'];
  /** Property holding the territory code. */
  codeField: string;
  /** What a code looks like, checked so a shifted column is caught at read time. */
  codePattern: RegExp;
  /** French description of the code, for error messages ("un code IRIS à 9 caractères"). */
  codeLabel: string;
  /** Properties tried in order for the name; the first non-empty one wins. */
  nameFields: string[];
  /** Producer attributes copied to `props`. */
  propFields: string[];
  /** Exact number of features expected, when the file is a fixed delivery. */
  expectedCount?: number;
}

/**
 * Reads a polygon layer: GeoJSON → WGS84 → repaired geometry → `GeoFeature`.
 * Geometry problems become warnings naming the feature; a feature whose geometry is
 * entirely degenerate is left out *with* a warning, a missing code or a duplicate
 * code is an error (the territory could not be joined to its statistics).
 */
export async function readGeoLayer(spec: GeoLayerSpec, file: string, ctx: AdapterContext): Promise<GeoBatch> {
  const read = await readGeoJson(file);
  const warnings: LoadWarning[] = [];
  const features: GeoFeature[] = [];
  const seen = new Map<string, number>();
  let duplicatePoints = 0;
  for (const f of read.features) {
    const code = readCode(spec, f, file);
    const previous = seen.get(code);
    if (previous !== undefined) {
      throw new InputError({
        file,
        line: f.number,
        column: spec.codeField,
        expected: `un code unique (déjà vu à l’entité ${previous})`,
        found: code
      });
    }
    seen.set(code, f.number);
    const repaired = repairGeometry(f.geometry);
    duplicatePoints += repaired.stats.duplicatePointsRemoved;
    for (const w of repaired.warnings) {
      warnings.push({ source: spec.source.id, file, line: f.number, column: code, message: `${spec.layer} ${code} : ${w.message}` });
    }
    if (!repaired.geometry) {
      warnings.push({
        source: spec.source.id,
        file,
        line: f.number,
        column: code,
        message: `${spec.layer} ${code} : aucune géométrie utilisable après réparation, entité ignorée`
      });
      continue;
    }
    features.push({ code, name: readName(spec, f) ?? code, geometry: repaired.geometry, props: readProps(spec, f) });
  }
  if (spec.expectedCount !== undefined && read.features.length !== spec.expectedCount) {
    warnings.push({
      source: spec.source.id,
      file,
      message: `${read.features.length} entités lues, ${spec.expectedCount} attendues pour ${spec.source.label}`
    });
  }
  if (duplicatePoints > 0) ctx.logger.info(`${spec.source.id} : ${duplicatePoints} points consécutifs en double supprimés`);
  for (const w of warnings) ctx.logger.warn(`${file}${w.line ? `, entité ${w.line}` : ''} : ${w.message}`);
  return { layer: spec.layer, features, warnings };
}

function readCode(spec: GeoLayerSpec, f: ReadGeoFeature, file: string): string {
  const raw = f.properties[spec.codeField];
  const code = typeof raw === 'number' ? String(raw) : raw;
  if (typeof code !== 'string' || !spec.codePattern.test(code)) {
    throw new InputError({
      file,
      line: f.number,
      column: `${f.path ? `${f.path}.` : ''}properties.${spec.codeField}`,
      expected: spec.codeLabel,
      found: JSON.stringify(raw) ?? 'absent'
    });
  }
  return code;
}

function readName(spec: GeoLayerSpec, f: ReadGeoFeature): string | null {
  for (const field of spec.nameFields) {
    const v = f.properties[field];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return null;
}

function readProps(spec: GeoLayerSpec, f: ReadGeoFeature): GeoFeature['props'] {
  const props: GeoFeature['props'] = {};
  for (const field of spec.propFields) {
    const v = f.properties[field];
    props[field] = typeof v === 'string' || typeof v === 'number' ? v : null;
  }
  return props;
}
