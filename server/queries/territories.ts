import type { Build } from '../db.ts';

export interface TerritoryRow {
  level: string;
  code: string;
  name: string;
  postcodes: string[];
  commune: string | null;
  ept: string | null;
  departement: string | null;
  region: string | null;
  in_focus: boolean;
  has_geometry: boolean;
  area_km2: number | null;
  minx: number | null;
  miny: number | null;
  maxx: number | null;
  maxy: number | null;
  lon: number | null;
  lat: number | null;
  former_codes: string[];
}

const TERRITORY_COLUMNS = `level, code, name, postcodes, commune, ept, departement, region, in_focus, has_geometry,
  area_km2, minx, miny, maxx, maxy, lon, lat, former_codes`;

export function territory(build: Build, level: string, code: string): Promise<TerritoryRow | undefined> {
  return build.one<TerritoryRow>(`SELECT ${TERRITORY_COLUMNS} FROM territories WHERE level = $level AND code = $code`, {
    level,
    code
  });
}

/**
 * Level → code → name of every territory of the build, memoised: resolves a `within`
 * filter without a query per request (a few thousand rows; strings only).
 */
export function territoryNames(build: Build): Promise<Map<string, Map<string, string>>> {
  return build.memo('territoryNames', async () => {
    const rows = await build.all<{ level: string; code: string; name: string }>('SELECT level, code, name FROM territories');
    const byLevel = new Map<string, Map<string, string>>();
    for (const r of rows) {
      let names = byLevel.get(r.level);
      if (!names) byLevel.set(r.level, (names = new Map()));
      names.set(r.code, r.name);
    }
    return byLevel;
  });
}

/** The current code of a territory merged away (93059 → 93066). */
export async function currentCode(build: Build, level: string, formerCode: string): Promise<string | undefined> {
  const row = await build.one<{ code: string }>(
    'SELECT code FROM territories WHERE level = $level AND list_contains(former_codes, $code) ORDER BY code LIMIT 1',
    { level, code: formerCode }
  );
  return row?.code;
}

export interface ParentRow {
  level: string;
  code: string;
  name: string;
  label: string;
  rank: number;
  kind: string;
}

/** Every ancestor, admin and zoning, coarsest last. */
export function parents(build: Build, level: string, code: string): Promise<ParentRow[]> {
  return build.all<ParentRow>(
    `SELECT p.parent_level AS level, p.parent_code AS code, t.name, l.label, l.rank, l.kind
     FROM territory_parents p
     JOIN territories t ON t.level = p.parent_level AND t.code = p.parent_code
     JOIN levels l ON l.id = p.parent_level
     WHERE p.level = $level AND p.code = $code
     ORDER BY l.rank, l.kind, l.id`,
    { level, code }
  );
}

export interface ChildCountRow {
  level: string;
  label_plural: string;
  rank: number;
  count: number;
}

/** Descendants by level, nearest level first (admin before zonings of the same rank). */
export function childCounts(build: Build, level: string, code: string): Promise<ChildCountRow[]> {
  return build.all<ChildCountRow>(
    `SELECT p.level, l.label_plural, l.rank, count(*)::INTEGER AS count
     FROM territory_parents p JOIN levels l ON l.id = p.level
     WHERE p.parent_level = $level AND p.parent_code = $code
     GROUP BY p.level, l.label_plural, l.rank, l.kind
     ORDER BY l.rank DESC, l.kind, p.level`,
    { level, code }
  );
}

export interface SearchRow {
  level: string;
  code: string;
  name: string;
  postcodes: string[];
  commune: string | null;
  departement: string | null;
  match: 'code' | 'code postal' | 'ancien code' | 'nom';
}

/**
 * Matches a normalised query (lower case, no accents, punctuation → spaces) against
 * names, and the raw query against INSEE codes, postcodes and former codes. Exact
 * code or name first, then names starting with the query, then a word starting with it.
 */
export function search(
  build: Build,
  args: { raw: string; normalised: string; level: string | null; limit: number }
): Promise<SearchRow[]> {
  return build.all<SearchRow>(
    `WITH candidates AS (
       SELECT t.level, t.code, t.name, t.postcodes, t.commune, t.departement, l.rank, l.kind,
              trim(regexp_replace(t.search_name, '[^a-z0-9]+', ' ', 'g')) AS norm,
              CASE WHEN upper(t.code) = upper($raw) THEN 'code'
                   WHEN list_contains(t.postcodes, $raw) THEN 'code postal'
                   WHEN list_contains(t.former_codes, $raw) THEN 'ancien code'
                   ELSE 'nom' END AS match
       FROM territories t JOIN levels l ON l.id = t.level
       WHERE ($level IS NULL OR t.level = $level)
     )
     SELECT level, code, name, postcodes, commune, departement, match
     FROM candidates
     WHERE match <> 'nom' OR ($norm <> '' AND contains(norm, $norm))
     ORDER BY CASE WHEN match <> 'nom' THEN 0
                   WHEN norm = $norm THEN 1
                   WHEN starts_with(norm, $norm) THEN 2
                   WHEN contains(' ' || norm, ' ' || $norm) THEN 3
                   ELSE 4 END,
              CASE level WHEN 'commune' THEN 0 WHEN 'ept' THEN 1 WHEN 'departement' THEN 2 WHEN 'region' THEN 3
                         WHEN 'iris' THEN 5 ELSE 4 END,
              length(name), name, code
     LIMIT $limit`,
    { raw: args.raw, norm: args.normalised, level: args.level, limit: args.limit }
  );
}

export interface CommuneRow {
  code: string;
  name: string;
  departement: string | null;
}

/** Every commune by code, memoised per build (ad-hoc groups ask for a few on each request). */
function communeIndex(build: Build): Promise<Map<string, CommuneRow>> {
  return build.memo('communeIndex', async () => {
    const rows = await build.all<CommuneRow>(`SELECT code, name, departement FROM territories WHERE level = 'commune' ORDER BY code`);
    return new Map(rows.map((r) => [r.code, r]));
  });
}

/** The communes among `codes` (unknown codes left out), in code order. */
export async function communes(build: Build, codes: readonly string[]): Promise<CommuneRow[]> {
  const index = await communeIndex(build);
  const found = [...new Set(codes)].flatMap((code) => index.get(code) ?? []);
  return found.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

export async function communeCount(build: Build): Promise<number> {
  return (await communeIndex(build)).size;
}
