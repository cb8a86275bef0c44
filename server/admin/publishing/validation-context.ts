import type { ValidationContext } from '../../../etl/sources/partner/validate.ts';
import type { Build } from '../../db.ts';

type Extra = Pick<ValidationContext, 'threshold' | 'thresholdVariable' | 'previous' | 'geographyYear'>;

/**
 * What an upload is checked against: the current build's territories and the former codes
 * they absorbed (`territories.former_codes`, e.g. 93059 in Saint-Denis since 2025).
 */
export async function validationContext(build: Build, extra: Extra): Promise<ValidationContext> {
  const rows = await build.memo('validation-territories', () =>
    build.all<{
      level: string;
      code: string;
      name: string;
      search_name: string;
      commune: string | null;
      ept: string | null;
      departement: string | null;
      region: string | null;
      former_codes: string[];
    }>(
      `SELECT level, code, name, search_name, commune, ept, departement, region, former_codes FROM territories
       WHERE level IN ('iris', 'commune', 'ept', 'departement', 'region') ORDER BY level, code`
    )
  );
  const formerCodes: ValidationContext['formerCodes'] = new Map();
  // The COG package lists former codes without the date of the merge: `since` is the build's
  // COG vintage, the first in which we know the code is gone.
  const cogYear = Number(build.info.cog_vintage) || new Date().getFullYear();
  for (const r of rows) {
    if (r.level !== 'commune') continue;
    for (const former of r.former_codes ?? []) {
      if (former !== r.code) formerCodes.set(former, { current: r.code, label: r.name, since: cogYear });
    }
  }
  return {
    territories: rows.map((r) => ({
      level: r.level,
      code: r.code,
      name: r.name,
      searchName: r.search_name,
      ...(r.commune ? { commune: r.commune } : {}),
      ...(r.ept ? { ept: r.ept } : {}),
      ...(r.departement ? { departement: r.departement } : {}),
      ...(r.region ? { region: r.region } : {})
    })),
    formerCodes,
    ...extra
  };
}
