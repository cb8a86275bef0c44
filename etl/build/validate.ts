import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../db/duckdb.ts';
import type { Scope, TerritoryIndex } from './territory-index.ts';

interface Check {
  /** What must hold, in French, shown when it does not. */
  what: string;
  /** A query returning offending rows (at most a few are reported). */
  sql: string;
}

/**
 * Checks run on a finished build before it is swapped in: row counts and referential
 * integrity (every value's territory exists, every parent exists), secrecy (no number
 * under a secret status), and geometry presence. Any failure keeps the previous build.
 */
const CHECKS: Check[] = [
  {
    what: 'chaque valeur d’indicateur porte sur un territoire existant',
    sql: `SELECT v.indicator_id, v.level, v.code FROM indicator_values v
          ANTI JOIN territories t ON t.level = v.level AND t.code = v.code LIMIT 5`
  },
  {
    what: 'chaque valeur d’indicateur renvoie à un indicateur du catalogue',
    sql: `SELECT DISTINCT v.indicator_id FROM indicator_values v ANTI JOIN indicators i ON i.id = v.indicator_id LIMIT 5`
  },
  {
    what: 'une seule valeur par indicateur, année, niveau et territoire',
    sql: `SELECT indicator_id, year, level, code, count(*) AS n FROM indicator_values
          GROUP BY ALL HAVING count(*) > 1 LIMIT 5`
  },
  {
    what: 'chaque parent de territoire existe',
    sql: `SELECT p.level, p.code, p.parent_level, p.parent_code FROM territory_parents p
          ANTI JOIN territories t ON t.level = p.parent_level AND t.code = p.parent_code LIMIT 5`
  },
  {
    what: 'aucune valeur secrète, manquante ou non agrégeable ne porte de nombre',
    sql: `SELECT indicator_id, level, code, status FROM indicator_values
          WHERE status IN ('secret', 'missing', 'not-aggregable')
            AND (value IS NOT NULL OR numerator IS NOT NULL OR denominator IS NOT NULL) LIMIT 5`
  },
  {
    what: 'une valeur partielle dit combien de contributions manquent',
    sql: `SELECT indicator_id, level, code FROM indicator_values
          WHERE status = 'partial' AND secret_parts + missing_parts = 0 LIMIT 5`
  },
  {
    what: 'chaque territoire affiché a une géométrie à chaque bande de zoom',
    sql: `SELECT t.level, t.code FROM territories t
          WHERE t.has_geometry AND (SELECT count(*) FROM territory_geoms g WHERE g.level = t.level AND g.code = t.code)
                <> (SELECT max(band) + 1 FROM territory_geoms) LIMIT 5`
  },
  {
    what: 'les valeurs rangées par série sont celles rangées par territoire',
    sql: `SELECT * FROM (SELECT (SELECT count(*)::INTEGER FROM indicator_values) AS par_territoire,
                                (SELECT count(*)::INTEGER FROM indicator_values_by_series) AS par_serie)
          WHERE par_territoire <> par_serie`
  },
  {
    what: 'chaque valeur brute porte sur une commune du périmètre',
    sql: `SELECT DISTINCT r.source_id, r.code, r.commune FROM raw_values r
          ANTI JOIN territories t ON t.level = 'commune' AND t.code = r.commune LIMIT 5`
  }
];

export async function validateBuild(
  conn: DuckDBConnection,
  ctx: { scope: Scope; index: TerritoryIndex }
): Promise<string[]> {
  const problems: string[] = [];
  for (const c of CHECKS) {
    const rows = await queryRows(conn, c.sql);
    if (rows.length) problems.push(`${c.what} — contre-exemples : ${rows.map((r) => JSON.stringify(r)).join(' ; ')}`);
  }

  const counts = await queryRows<{ level: string; n: number }>(
    conn,
    `SELECT level, count(*)::INTEGER AS n FROM territories GROUP BY level`
  );
  const n = new Map(counts.map((r) => [r.level, r.n]));
  const expect = (level: string, expected: number) => {
    if ((n.get(level) ?? 0) !== expected) {
      problems.push(`${expected} territoires de niveau ${level} attendus, ${n.get(level) ?? 0} trouvés`);
    }
  };
  expect('commune', ctx.index.communes.length);
  expect('iris', ctx.index.irisCommune.size);
  for (const [level, groups] of ctx.index.groups) expect(level, groups.size);

  for (const dep of ctx.scope.focus) {
    const [row] = await queryRows<{ n: number }>(
      conn,
      `SELECT count(*)::INTEGER AS n FROM territories WHERE level = 'commune' AND departement = $dep AND has_geometry`,
      { dep }
    );
    const expected = ctx.index.communes.filter((c) => ctx.index.cog.communes.get(c)!.departement === dep).length;
    if (row!.n !== expected) problems.push(`${expected} communes avec géométrie attendues dans le ${dep}, ${row!.n} trouvées`);
  }

  const empty = await queryRows<{ id: string }>(
    conn,
    `SELECT i.id FROM indicators i WHERE NOT EXISTS (
       SELECT 1 FROM indicator_values v WHERE v.indicator_id = i.id AND v.status IN ('ok', 'partial'))`
  );
  for (const e of empty) problems.push(`l’indicateur ${e.id} n’a aucune valeur connue`);
  return problems;
}
