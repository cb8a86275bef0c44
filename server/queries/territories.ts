import type { Build } from '../db.ts';
import { levels } from './catalogue.ts';

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

/**
 * One territory. Every territory of the build is read once and kept (50 000 in a national
 * build, a few megabytes): `territories` fits in one row group, so a lookup by level and
 * code scanned all of it, on every portrait and territory page.
 */
export async function territory(build: Build, level: string, code: string): Promise<TerritoryRow | undefined> {
  return (await territoryIndex(build)).get(level)?.get(code);
}

function territoryIndex(build: Build): Promise<Map<string, Map<string, TerritoryRow>>> {
  return build.memo('territoryIndex', async () => {
    const byLevel = new Map<string, Map<string, TerritoryRow>>();
    for (const row of await build.all<TerritoryRow>(`SELECT ${TERRITORY_COLUMNS} FROM territories ORDER BY level, code`)) {
      let codes = byLevel.get(row.level);
      if (!codes) byLevel.set(row.level, (codes = new Map()));
      codes.set(row.code, row);
    }
    return byLevel;
  });
}

/**
 * Level → code → name of every territory of the build, memoised: resolves a `within`
 * filter without a query per request (a few thousand rows; strings only).
 */
export function territoryNames(build: Build): Promise<Map<string, Map<string, string>>> {
  return build.memo('territoryNames', async () => {
    const byLevel = new Map<string, Map<string, string>>();
    for (const [level, rows] of await territoryIndex(build)) {
      byLevel.set(level, new Map([...rows].map(([code, row]) => [code, row.name])));
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

/**
 * Every ancestor, admin and zoning, coarsest last. Names and level labels come from the
 * build's memoised tables: joining `territories` (50 000 rows in a national build) on each
 * portrait cost more than the lookup of the parents themselves.
 */
export async function parents(build: Build, level: string, code: string): Promise<ParentRow[]> {
  const [rows, names, levelRows] = await Promise.all([
    build.all<{ level: string; code: string }>(
      'SELECT parent_level AS level, parent_code AS code FROM territory_parents WHERE level = $level AND code = $code',
      { level, code }
    ),
    territoryNames(build),
    levels(build)
  ]);
  const out: ParentRow[] = [];
  for (const r of rows) {
    const name = names.get(r.level)?.get(r.code);
    const l = levelRows.get(r.level);
    if (name === undefined || !l) continue;
    out.push({ level: r.level, code: r.code, name, label: l.label, rank: l.rank, kind: l.kind });
  }
  const order = (a: ParentRow, b: ParentRow) =>
    a.rank - b.rank || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || (a.level < b.level ? -1 : a.level > b.level ? 1 : 0);
  return out.sort(order);
}

export interface ChildCountRow {
  level: string;
  label_plural: string;
  rank: number;
  count: number;
}

/**
 * Descendants by level, nearest level first (admin before zonings of the same rank). Counted
 * once for every territory of the build and kept: `territory_parents` is stored by child, so
 * counting one territory's descendants scanned all of it (360 000 rows in a national build).
 */
export async function childCounts(build: Build, level: string, code: string): Promise<ChildCountRow[]> {
  return (await childCountIndex(build)).get(`${level}\u0000${code}`) ?? [];
}

function childCountIndex(build: Build): Promise<Map<string, ChildCountRow[]>> {
  return build.memo('childCounts', async () => {
    const rows = await build.all<ChildCountRow & { parent_level: string; parent_code: string }>(
      `SELECT p.parent_level, p.parent_code, p.level, l.label_plural, l.rank, count(*)::INTEGER AS count
       FROM territory_parents p JOIN levels l ON l.id = p.level
       GROUP BY p.parent_level, p.parent_code, p.level, l.label_plural, l.rank, l.kind
       ORDER BY p.parent_level, p.parent_code, l.rank DESC, l.kind, p.level`
    );
    const byParent = new Map<string, ChildCountRow[]>();
    for (const { parent_level, parent_code, ...row } of rows) {
      const key = `${parent_level}\u0000${parent_code}`;
      const list = byParent.get(key);
      if (list) list.push(row);
      else byParent.set(key, [row]);
    }
    return byParent;
  });
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
