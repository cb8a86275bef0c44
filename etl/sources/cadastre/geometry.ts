import type { AreaGeometry } from '../../core/types.ts';
import { bboxOf } from '../../geo/measure.ts';
import { repairGeometry, type GeometryWarningKind } from '../../geo/validate.ts';
import type { CadastreIssue, CleanGeometry } from './types.ts';

/** Where a feature comes from, for the issues its geometry raises. */
export interface FeatureOrigin {
  source: string;
  file: string;
  /** Feature number in the file (GeoJSON) when known. */
  line?: number;
  column?: string;
  featureId: string;
  /** `parcelle`, `bâtiment`… for messages. */
  what: string;
}

/** Every repair the cadastre loader can report, by `kind` in the load report. */
const REPAIRED: Record<GeometryWarningKind, { kind: string; severity: 'info' | 'warning' }> = {
  'anneau-non-ferme': { kind: 'anneau-ferme', severity: 'warning' },
  'anneau-degenere': { kind: 'trou-degenere-supprime', severity: 'warning' },
  'polygone-supprime': { kind: 'polygone-degenere-supprime', severity: 'warning' },
  'auto-intersection': { kind: 'auto-intersection-signalee', severity: 'warning' }
};

/**
 * Runs the shared repair (etl/geo/validate.ts) on one feature: closes rings, drops
 * degenerate rings, rewinds, reports self-intersections. A feature left with no
 * polygon keeps its attributes with a null geometry and an issue of kind
 * `geometrie-inutilisable`: parcels are counted and joined by id, so dropping the
 * row would silently change counts and DVF join rates.
 */
export function cleanGeometry(geometry: AreaGeometry, origin: FeatureOrigin, issues: CadastreIssue[]): CleanGeometry {
  const { geometry: repaired, warnings } = repairGeometry(geometry);
  for (const w of warnings) {
    const r = REPAIRED[w.kind];
    issues.push(issue(origin, r.kind, r.severity, `${origin.what} ${origin.featureId} : ${w.message}`));
  }
  if (!repaired) {
    issues.push(
      issue(origin, 'geometrie-inutilisable', 'warning', `${origin.what} ${origin.featureId} : aucun polygone utilisable, géométrie non chargée (attributs conservés)`)
    );
    return { geometry: null, bbox: null };
  }
  return { geometry: repaired, bbox: bboxOf(repaired) };
}

export function issue(origin: FeatureOrigin, kind: string, severity: 'info' | 'warning', message: string): CadastreIssue {
  const out: CadastreIssue = { source: origin.source, file: origin.file, message, kind, severity, featureId: origin.featureId };
  if (origin.line !== undefined) out.line = origin.line;
  if (origin.column !== undefined) out.column = origin.column;
  return out;
}
