/**
 * The build's territories as a lookup for an upload: what a code of the file is at the
 * level the statistician declared (a territory of that level, a former code, a parent
 * total, a finer level, outside the observatory's scope, or unknown), and which
 * territories a parent covers.
 */
import type { ContextTerritory, ValidationContext } from './types.ts';

export type Level = 'commune' | 'iris';

export const CODE_PATTERN: Record<Level, RegExp> = {
  commune: /^(?:\d{5}|2[AB]\d{3})$/,
  iris: /^(?:\d{5}|2[AB]\d{3})\d{4}$/
};

const PARENT_LEVELS: Record<Level, readonly string[]> = {
  iris: ['commune', 'ept', 'departement', 'region'],
  commune: ['ept', 'departement', 'region']
};

/** Arrondissements municipaux of Paris, Lyon and Marseille: parts of a commune, not former communes. */
export function isArrondissement(code: string): boolean {
  const n = Number(code);
  return (n >= 75101 && n <= 75120) || (n >= 69381 && n <= 69389) || (n >= 13201 && n <= 13216);
}

export type Resolution =
  | { kind: 'territory'; territory: ContextTerritory; commune: string }
  | { kind: 'former'; current: string; label: string; since: number; arrondissement: boolean }
  | { kind: 'parent'; territory: ContextTerritory }
  | { kind: 'finer'; territory: ContextTerritory | null }
  | { kind: 'iris-outside'; commune: string; communeHasIris: boolean }
  | { kind: 'out-of-scope' }
  | { kind: 'unknown' };

function departementOf(code: string): string {
  return code.startsWith('97') ? code.slice(0, 3) : code.slice(0, 2);
}

export class TerritoryIndex {
  private readonly byKey = new Map<string, ContextTerritory>();
  private readonly byLevel = new Map<string, ContextTerritory[]>();
  private readonly communesWithIris = new Set<string>();
  readonly scope = new Set<string>();
  private readonly singleRegion: string | null;

  constructor(private readonly context: Pick<ValidationContext, 'territories' | 'formerCodes'>) {
    for (const t of context.territories) {
      this.byKey.set(`${t.level}:${t.code}`, t);
      const list = this.byLevel.get(t.level) ?? [];
      list.push(t);
      this.byLevel.set(t.level, list);
      if (t.level === 'commune' && t.departement) this.scope.add(t.departement);
      if (t.level === 'iris' && t.commune) this.communesWithIris.add(t.commune);
    }
    const regions = this.byLevel.get('region') ?? [];
    this.singleRegion = regions.length === 1 ? regions[0]!.code : null;
  }

  get(level: string, code: string): ContextTerritory | undefined {
    return this.byKey.get(`${level}:${code}`);
  }

  ofLevel(level: string): readonly ContextTerritory[] {
    return this.byLevel.get(level) ?? [];
  }

  /** The current commune for a commune code of any vintage, or null. */
  currentCommune(code: string): string | null {
    if (this.get('commune', code)) return code;
    return this.context.formerCodes.get(code)?.current ?? null;
  }

  resolve(code: string, level: Level): Resolution {
    const own = this.get(level, code);
    if (own) return { kind: 'territory', territory: own, commune: level === 'commune' ? own.code : (own.commune ?? code.slice(0, 5)) };
    if (level === 'commune') {
      const former = this.context.formerCodes.get(code);
      if (former) return { kind: 'former', current: former.current, label: former.label, since: former.since, arrondissement: isArrondissement(code) };
    }
    for (const parentLevel of PARENT_LEVELS[level]) {
      const parent = this.get(parentLevel, code);
      if (parent) return { kind: 'parent', territory: parent };
    }
    if (level === 'iris' && this.context.formerCodes.has(code)) {
      const current = this.context.formerCodes.get(code)!.current;
      const parent = this.get('commune', current);
      if (parent) return { kind: 'parent', territory: parent };
    }
    if (level === 'commune') {
      const iris = this.get('iris', code);
      if (iris) return { kind: 'finer', territory: iris };
      if (CODE_PATTERN.iris.test(code) && this.scope.has(departementOf(code))) return { kind: 'finer', territory: null };
    }
    if (!CODE_PATTERN[level].test(code)) return { kind: 'unknown' };
    if (!this.scope.has(departementOf(code))) return { kind: 'out-of-scope' };
    if (level === 'iris') {
      const commune = this.currentCommune(code.slice(0, 5));
      if (commune) return { kind: 'iris-outside', commune, communeHasIris: this.communesWithIris.has(commune) };
    }
    return { kind: 'unknown' };
  }

  /** Territories of `level` inside `parent` (a région's when territories do not name their région and the build has one). */
  childrenOf(parent: ContextTerritory, level: Level): ContextTerritory[] {
    const all = this.ofLevel(level);
    switch (parent.level) {
      case 'commune':
        return level === 'iris' ? all.filter((t) => t.commune === parent.code) : [];
      case 'ept':
        return all.filter((t) => t.ept === parent.code);
      case 'departement':
        return all.filter((t) => t.departement === parent.code);
      case 'region':
        if (all.some((t) => t.region !== undefined)) return all.filter((t) => t.region === parent.code);
        return this.singleRegion === parent.code ? [...all] : [];
      default:
        return [];
    }
  }

  /** Current communes a parent covers. */
  communesOf(parent: ContextTerritory): Set<string> {
    if (parent.level === 'commune') return new Set([parent.code]);
    return new Set(this.childrenOf(parent, 'commune').map((t) => t.code));
  }
}
