import { aggregate, baseValue, thresholdMasked } from '../engine/aggregate.ts';
import { blocksWithin, type CommunePath, type MaskedUnit, maskedUnit, planBlocks, type SecrecyBlock } from '../engine/secondary.ts';
import { aggregateGroup, coversAll, MISSING_VALUE } from '../engine/group.ts';
import type { ComputedValue, IndicatorDefinition, IndicatorSeries } from '../engine/types.ts';
import type { RawValue, SourceDescription } from '../core/types.ts';
import type { TerritoryIndex } from './territory-index.ts';

/** A raw value whose code has been converted to the build's COG. */
export interface ConvertedValue extends RawValue {
  /** Current commune (commune-level values) or IRIS code (IRIS-level values). */
  current: string;
  /** Current commune of the unit. */
  commune: string;
}

export interface ValueRow extends ComputedValue {
  indicatorId: string;
  year: number;
  level: string;
  code: string;
  provenance: string;
}

export interface SeriesResult {
  rows: ValueRow[];
  /** Secondary-secrecy blocks (./../engine/secondary.ts); never published, used for ad-hoc groups. */
  blocks: SecrecyBlock[];
  baseLevel: 'iris' | 'commune';
  levels: string[];
}

type RawCell = { value: number | null; status: 'ok' | 'secret' | 'missing' };

const MISSING = MISSING_VALUE;

/** Index of one source's converted values: variable → unit code → cells (several after a merger). */
export type SourceCells = Map<string, Map<string, ConvertedValue[]>>;

export function indexSourceValues(values: ConvertedValue[]): SourceCells {
  const byVar: SourceCells = new Map();
  for (const v of values) {
    let byUnit = byVar.get(v.variable);
    if (!byUnit) byVar.set(v.variable, (byUnit = new Map()));
    const list = byUnit.get(v.current);
    if (list) list.push(v);
    else byUnit.set(v.current, [v]);
  }
  return byVar;
}

function seriesVariables(s: IndicatorSeries): { value?: string; numerator?: string; denominator?: string } {
  return s.value ? { value: s.value } : { numerator: s.numerator!, denominator: s.denominator! };
}

export function sourceCoverage(source: SourceDescription): readonly string[] | null {
  return source.coverage === undefined || source.coverage === 'france' ? null : source.coverage;
}

/**
 * The value of one unit from the cells published for it. Several published codes may
 * map to one current unit (93059 and 93066 → Saint-Denis): each published code is a
 * contribution. A cell left empty under a code that no longer exists is not a missing
 * contribution: the producer already publishes the merged commune on the new geography.
 */
function unitValue(
  def: IndicatorDefinition,
  vars: ReturnType<typeof seriesVariables>,
  cellsByVar: Map<string, ConvertedValue[] | undefined>,
  notes: Set<string>,
  onMasked?: (known: NonNullable<ReturnType<typeof thresholdMasked>>) => void
): ComputedValue | null {
  const lists = [...cellsByVar.values()];
  const first = lists.find((l) => l && l.length > 0)?.[0];
  if (!first) return null;
  const cellOf = (name: string | undefined, code: string): RawCell | undefined => {
    if (!name) return undefined;
    const c = cellsByVar.get(name)?.find((x) => x.code === code);
    return c ? { value: c.value, status: c.status } : { value: null, status: 'missing' };
  };
  const cellsFor = (code: string) => ({
    value: cellOf(vars.value, code),
    numerator: cellOf(vars.numerator, code),
    denominator: cellOf(vars.denominator, code)
  });
  // The common case: one published code for the unit.
  if (lists.every((l) => !l || l.length === 0 || (l.length === 1 && l[0]!.code === first.code))) {
    if (first.code !== first.current && first.level === 'commune') notes.add(`${first.code} rattaché à ${first.current}`);
    const cells = cellsFor(first.code);
    const v = baseValue(def, cells);
    if (v.status === 'secret' && onMasked) {
      const known = thresholdMasked(def, cells);
      if (known) onMasked(known);
    }
    return v;
  }
  const published = new Set<string>();
  for (const l of lists) for (const c of l ?? []) published.add(c.code);
  const contributions: ComputedValue[] = [];
  for (const code of [...published].sort()) {
    const cells = cellsFor(code);
    const obsolete = code !== first.current && first.level === 'commune';
    const any = [cells.value, cells.numerator, cells.denominator].filter((c): c is RawCell => c !== undefined);
    if (obsolete && any.every((c) => c.status === 'missing')) {
      notes.add(`${code} (fusionnée) : valeurs déjà comptées dans ${first.current} par le producteur`);
      continue;
    }
    if (obsolete) notes.add(`${code} rattaché à ${first.current}`);
    contributions.push(baseValue(def, cells));
  }
  if (contributions.length === 0) return null;
  if (contributions.length === 1) return contributions[0]!;
  return aggregate(def, contributions, { expectedParts: contributions.length });
}

function describeSeries(source: SourceDescription, s: IndicatorSeries): string {
  const cols = s.value ?? `${s.numerator} / ${s.denominator}`;
  return `${source.producer}, ${source.label} (${cols})`;
}

/**
 * Computes one series of an indicator at every level from the finest unit the producer
 * published: IRIS → commune → EPT, département, région and every zoning.
 */
export function computeSeries(
  def: IndicatorDefinition,
  series: IndicatorSeries,
  source: SourceDescription,
  baseLevel: 'iris' | 'commune',
  cells: SourceCells,
  index: TerritoryIndex
): SeriesResult {
  const vars = seriesVariables(series);
  const varNames = Object.values(vars) as string[];
  const rows: ValueRow[] = [];
  const head = describeSeries(source, series);
  const push = (level: string, code: string, v: ComputedValue, provenance: string) =>
    rows.push({ ...v, indicatorId: def.id, year: series.year, level, code, provenance });

  const unitCells = (unit: string) => new Map(varNames.map((n) => [n, cells.get(n)?.get(unit)]));
  const units = new Set<string>();
  for (const n of varNames) for (const u of cells.get(n)?.keys() ?? []) units.add(u);

  const communeValues = new Map<string, ComputedValue>();
  const communeNotes = new Map<string, string>();
  const masked: MaskedUnit[] = [];
  const path = communePath(index);
  let blocks: SecrecyBlock[];

  if (baseLevel === 'iris') {
    const irisByCommune = new Map<string, ComputedValue[]>();
    const seen = new Map<string, Set<string>>();
    for (const unit of units) {
      const notes = new Set<string>();
      const cellsOfUnit = unitCells(unit);
      let known: Parameters<typeof maskedUnit>[3] | null = null;
      const v = unitValue(def, vars, cellsOfUnit, notes, (k) => (known = k));
      if (!v) continue;
      const commune = [...cellsOfUnit.values()].find((l) => l && l.length > 0)?.[0]?.commune;
      if (!commune || !index.inScope(commune)) continue;
      const m = known ? maskedUnit(def, unit, commune, known) : null;
      if (m) masked.push(m);
      const list = irisByCommune.get(commune) ?? [];
      list.push(v);
      irisByCommune.set(commune, list);
      const s = seen.get(commune) ?? new Set();
      s.add(unit);
      seen.set(commune, s);
      if (index.irisCommune.has(unit)) push('iris', unit, v, head);
    }
    for (const [iris] of index.irisCommune) {
      if (!units.has(iris)) push('iris', iris, MISSING, `${head} ; IRIS absent du fichier du producteur`);
    }
    blocks = planBlocks(def.secrecy.threshold, masked, path, true);
    const insideCommune = new Map<string, SecrecyBlock[]>();
    for (const b of blocks) if (b.level === 'commune') insideCommune.set(b.group, [...(insideCommune.get(b.group) ?? []), b]);
    for (const commune of index.communes) {
      const contributions = irisByCommune.get(commune) ?? [];
      const known = seen.get(commune) ?? new Set<string>();
      // Expected IRIS: those of the commune's contours, plus any the producer published.
      const expected = new Set([...(index.irisByCommune.get(commune) ?? []), ...known]).size;
      if (contributions.length === 0) continue;
      const released = (insideCommune.get(commune) ?? []).map((b) => ({ units: b.units.length, sum: b.sum, denominator: b.denominator }));
      communeValues.set(commune, aggregate(def, contributions, { expectedParts: Math.max(expected, 1), released }));
      communeNotes.set(commune, `${head} ; agrégé de ${contributions.length} IRIS`);
    }
  } else {
    for (const unit of units) {
      if (!index.inScope(unit)) continue;
      const notes = new Set<string>();
      let known: Parameters<typeof maskedUnit>[3] | null = null;
      const v = unitValue(def, vars, unitCells(unit), notes, (k) => (known = k));
      if (!v) continue;
      const m = known ? maskedUnit(def, unit, unit, known) : null;
      if (m) masked.push(m);
      communeValues.set(unit, v);
      communeNotes.set(unit, notes.size ? `${head} ; ${[...notes].join(' ; ')}` : head);
    }
    blocks = planBlocks(def.secrecy.threshold, masked, path, false);
  }

  const communeDep = (c: string) => index.cog.communes.get(c)!.departement;
  for (const commune of index.communes) {
    const v = communeValues.get(commune);
    if (v) push('commune', commune, v, communeNotes.get(commune)!);
    else {
      const why = coversAll(sourceCoverage(source), [communeDep(commune)])
        ? 'commune absente du fichier du producteur'
        : 'hors du champ couvert par la source';
      push('commune', commune, MISSING, `${head} ; ${why}`);
    }
  }

  const levels = baseLevel === 'iris' ? ['iris', 'commune'] : ['commune'];
  for (const [level, groups] of index.groups) {
    levels.push(level);
    for (const [code, members] of groups) {
      const r = aggregateGroup(
        def,
        sourceCoverage(source),
        members.map((m) => ({ departement: communeDep(m), value: communeValues.get(m) })),
        aggregate,
        // A national build has 137 series × 35 000 communes: no set of members without blocks to test.
        blocks.length > 0 ? blocksWithin(blocks, new Set(members)) : []
      );
      push(
        level,
        code,
        r.value,
        r.covered ? `${head} ; agrégé de ${members.length} communes` : `${head} ; la source ne couvre pas toutes les communes de ce territoire`
      );
    }
  }
  return { rows, blocks, baseLevel, levels };
}

const paths = new WeakMap<TerritoryIndex, CommunePath>();

/** A commune's EPT (when it has one) and département, the levels masked units are pooled in; one per index. */
function communePath(index: TerritoryIndex): CommunePath {
  const known = paths.get(index);
  if (known) return known;
  const up = new Map<string, { level: 'ept' | 'departement'; code: string }[]>();
  for (const level of ['ept', 'departement'] as const) {
    for (const [code, members] of index.groups.get(level) ?? []) {
      for (const c of members) up.set(c, [...(up.get(c) ?? []), { level, code }]);
    }
  }
  const path: CommunePath = (commune) => up.get(commune) ?? [];
  paths.set(index, path);
  return path;
}
