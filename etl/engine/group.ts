import { aggregate } from './aggregate.ts';
import type { ReleasedBlock } from './secondary.ts';
import type { ComputedValue, IndicatorDefinition } from './types.ts';

/** A unit with no value in the source. */
export const MISSING_VALUE: ComputedValue = Object.freeze({
  value: null,
  numerator: null,
  denominator: null,
  status: 'missing',
  secretParts: 0,
  missingParts: 1,
  parts: 0
});

/**
 * Does a source cover every member? `null` = the whole of France; a list = the
 * départements it covers completely; an empty list = only scattered units (an extract
 * of a few communes), never enough for a group above the commune.
 */
export function coversAll(coverage: readonly string[] | null, departements: readonly (string | null)[]): boolean {
  if (coverage === null) return true;
  return coverage.length > 0 && departements.every((d) => d !== null && coverage.includes(d));
}

/**
 * The value of a group of communes (EPT, département, zoning, ad-hoc selection): a source
 * that does not cover every member gives `missing` rather than an under-count; otherwise
 * every member brings its commune value (missing when absent) to the engine. The ETL and
 * the server both call this, so an ad-hoc group equal to a published one gets its value.
 * `released`: the secondary-secrecy blocks the group holds whole (`blocksWithin`).
 */
export function aggregateGroup(
  def: IndicatorDefinition,
  coverage: readonly string[] | null,
  members: readonly { departement: string | null; value: ComputedValue | undefined }[],
  engine: typeof aggregate = aggregate,
  released: readonly ReleasedBlock[] = []
): { value: ComputedValue; covered: boolean } {
  if (!coversAll(coverage, members.map((m) => m.departement))) return { value: MISSING_VALUE, covered: false };
  return {
    value: engine(def, members.map((m) => m.value ?? MISSING_VALUE), { expectedParts: members.length, released }),
    covered: true
  };
}
