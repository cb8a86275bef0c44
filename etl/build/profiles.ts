import { openDb, queryRows } from '../db/duckdb.ts';
import { buildStore, currentBuildPath } from './store.ts';
import { DEFAULT_SCOPE, type Scope } from './territory-index.ts';

/**
 * Régions of France whose communes some source of the build covers: the 13 of
 * metropolitan France and the four DROM of the populations légales and the CAF file
 * (Guadeloupe, Martinique, Guyane, La Réunion). Mayotte (06) is in none of them, and
 * the collectivités d'outre-mer are outside the INSEE statistics loaded here.
 */
export const NATIONAL_REGIONS = [
  '01', '02', '03', '04', '11', '24', '27', '28', '32', '44', '52', '53', '75', '76', '84', '93', '94'
] as const;

/** The régions a « France » total is made of (metropolitan France and the five DROM). */
export const FRANCE_REGIONS = ['01', '02', '03', '04', '06', '11', '24', '27', '28', '32', '44', '52', '53', '75', '76', '84', '93', '94'] as const;

export const PROFILES = {
  /** The Seine-Saint-Denis portal: Île-de-France communes, IRIS with contours. */
  departement: DEFAULT_SCOPE,
  /**
   * Every level from the IRIS to France: every commune of the régions above, every IRIS a
   * national source publishes (contour or not), the EPCI, and France. The map still
   * focuses on the 93 and Paris, the only places with contours at every level.
   */
  national: {
    regions: [...NATIONAL_REGIONS],
    focus: DEFAULT_SCOPE.focus,
    profile: 'national',
    irisFromSources: true,
    epci: true,
    country: true
  }
} as const satisfies Record<string, Scope>;

export type ProfileId = keyof typeof PROFILES;

export function isProfileId(name: string): name is ProfileId {
  return Object.hasOwn(PROFILES, name);
}

/** The scope of a profile, as a fresh object the build may keep. */
export function profileScope(id: ProfileId): Scope {
  const p: Scope = PROFILES[id];
  return { ...p, regions: [...p.regions], focus: [...p.focus] };
}

/**
 * The profile of the build in service, so that a rebuild without `--profile` (a
 * publication from the back office, a new zoning) keeps a national portal national.
 * Null without a build in service, or for a build made before profiles were recorded.
 */
export async function profileInService(dataDir: string): Promise<ProfileId | null> {
  const path = currentBuildPath(buildStore(dataDir));
  if (!path) return null;
  const db = await openDb(path, { readOnly: true });
  try {
    const [row] = await queryRows<{ value: string }>(db.conn, `SELECT value FROM build_info WHERE key = 'profile'`);
    return row && isProfileId(row.value) ? row.value : null;
  } finally {
    db.close();
  }
}
