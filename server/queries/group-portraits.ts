import type { Build } from '../db.ts';
import type { TerritoryRow } from './territories.ts';
import type { ContributionRow } from './values.ts';

/** A commune of an ad-hoc group, with what the group's synthetic territory is made of. */
export type GroupMemberRow = Pick<
  TerritoryRow,
  'code' | 'name' | 'postcodes' | 'ept' | 'departement' | 'region' | 'in_focus' | 'has_geometry' | 'area_km2' | 'minx' | 'miny' | 'maxx' | 'maxy'
>;

export function groupMembers(build: Build, codes: readonly string[]): Promise<GroupMemberRow[]> {
  return build.all<GroupMemberRow>(
    `SELECT code, name, postcodes, ept, departement, region, in_focus, has_geometry, area_km2, minx, miny, maxx, maxy
     FROM territories WHERE level = 'commune' AND list_contains($codes, code) ORDER BY code`,
    { codes }
  );
}

/**
 * Former commune code → current code (93059 → 93066, 75118 → 75056), memoised per build:
 * a group may name many codes, and most are current.
 */
export function formerCommuneCodes(build: Build): Promise<Map<string, string>> {
  return build.memo('formerCommuneCodes', async () => {
    const rows = await build.all<{ former: string; code: string }>(
      `SELECT unnest(former_codes) AS former, code FROM territories WHERE level = 'commune' ORDER BY code`
    );
    const map = new Map<string, string>();
    // a code absorbed twice (successive mergers) keeps the first current commune, as currentCode() does
    for (const r of rows) if (!map.has(r.former)) map.set(r.former, r.code);
    return map;
  });
}

export interface AncestorCountRow {
  level: string;
  code: string;
  name: string;
  label: string;
  rank: number;
  kind: string;
  /** How many of the group's communes it contains. */
  members: number;
}

/** Every ancestor (admin and zoning) of at least one of the communes, nearest level first. */
export function groupAncestors(build: Build, codes: readonly string[]): Promise<AncestorCountRow[]> {
  return build.all<AncestorCountRow>(
    `SELECT p.parent_level AS level, p.parent_code AS code, t.name, l.label, l.rank, l.kind, count(*)::INTEGER AS members
     FROM territory_parents p
     JOIN territories t ON t.level = p.parent_level AND t.code = p.parent_code
     JOIN levels l ON l.id = p.parent_level
     WHERE p.level = 'commune' AND list_contains($codes, p.code)
     GROUP BY p.parent_level, p.parent_code, t.name, l.label, l.rank, l.kind
     ORDER BY l.rank, l.kind, p.parent_level, p.parent_code`,
    { codes }
  );
}

/** Territories below the communes (IRIS), by level. */
export function groupDescendants(build: Build, codes: readonly string[]): Promise<{ level: string; label_plural: string; count: number }[]> {
  return build.all(
    `SELECT p.level, l.label_plural, count(*)::INTEGER AS count
     FROM territory_parents p JOIN levels l ON l.id = p.level
     WHERE p.parent_level = 'commune' AND list_contains($codes, p.parent_code)
     GROUP BY p.level, l.label_plural, l.rank, l.kind
     ORDER BY l.rank DESC, l.kind, p.level`,
    { codes }
  );
}

/** The stored commune values of every indicator and year for these communes: a group's contributions, history included. */
export function groupContributions(build: Build, codes: readonly string[]): Promise<ContributionRow[]> {
  return build.all<ContributionRow>(
    `SELECT indicator_id, year, code, value, numerator, denominator, status, secret_parts, missing_parts, parts
     FROM indicator_values
     WHERE level = 'commune' AND list_contains($codes, code)`,
    { codes }
  );
}
