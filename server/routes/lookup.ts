import type { Build } from '../db.ts';
import { ApiError } from '../errors.ts';
import { type IndicatorEntry, type Level, catalogue, levels } from '../queries/catalogue.ts';
import { type TerritoryRow, currentCode, territory } from '../queries/territories.ts';

export async function requireLevel(build: Build, id: string): Promise<Level> {
  const all = await levels(build);
  const level = all.get(id);
  if (!level) {
    throw new ApiError(404, 'niveau_inconnu', `Niveau inconnu : « ${id} ». Niveaux disponibles : ${[...all.keys()].join(', ')}.`);
  }
  return level;
}

export async function requireIndicator(build: Build, id: string): Promise<IndicatorEntry> {
  const entry = (await catalogue(build)).byId.get(id);
  if (!entry) throw new ApiError(404, 'indicateur_inconnu', `Indicateur inconnu : « ${id} ». Voir /api/indicators.`);
  return entry;
}

export function requireYear(entry: IndicatorEntry, year: number): void {
  if (!entry.series.some((s) => s.year === year)) {
    const years = entry.series.map((s) => s.year).join(', ');
    throw new ApiError(404, 'annee_inconnue', `L'indicateur « ${entry.id} » n'existe pas pour ${year} (années : ${years || 'aucune'}).`);
  }
}

export type Resolved = { territory: TerritoryRow; level: Level } | { movedTo: string; level: Level };

/** A territory by level and code; a former code (93059) resolves to the territory that absorbed it. */
export async function resolveTerritory(build: Build, levelId: string, code: string): Promise<Resolved> {
  const level = await requireLevel(build, levelId);
  const row = await territory(build, level.id, code);
  if (row) return { territory: row, level };
  const moved = await currentCode(build, level.id, code);
  if (moved) return { movedTo: moved, level };
  throw new ApiError(404, 'territoire_inconnu', `Aucun territoire de niveau « ${level.label} » n'a le code « ${code} ».`);
}

export async function requireTerritory(build: Build, levelId: string, code: string): Promise<{ territory: TerritoryRow; level: Level }> {
  const resolved = await resolveTerritory(build, levelId, code);
  if ('movedTo' in resolved) {
    const row = await territory(build, resolved.level.id, resolved.movedTo);
    if (row) return { territory: row, level: resolved.level };
    throw new ApiError(404, 'territoire_inconnu', `Aucun territoire de niveau « ${resolved.level.label} » n'a le code « ${code} ».`);
  }
  return resolved;
}
