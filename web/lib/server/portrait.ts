import { error, redirect } from '@sveltejs/kit';
import { getJson } from '$lib/api';
import type { BBox } from '$lib/map/territory-map';
import { codeFromSlug, portraitSlug } from '$lib/slug';
import type { ApiErrorBody, IndicatorSummary, Level, Portrait, TerritoryDetail, ValuesResponse } from '$lib/types';

type Fetch = typeof fetch;

/**
 * The portrait of `/portrait/{level}/{slug}`; a former code or a wrong slug redirects
 * (301) to the canonical URL (`suffix` kept: `/pdf`, `/donnees.csv`), an unknown
 * level or code is a 404.
 */
export async function loadPortrait(fetch: Fetch, level: string, slug: string, suffix = '', search = ''): Promise<Portrait> {
  const code = codeFromSlug(slug);
  const path = `/api/portraits/${encodeURIComponent(level)}/${encodeURIComponent(code)}`;
  const response = await fetch(path, { redirect: 'manual' });
  if (response.status === 301 || response.status === 302) {
    // a merged commune's former code: the API names the current one
    const location = response.headers.get('location') ?? '';
    const moved = decodeURIComponent(location.split('/').pop() ?? '');
    if (!moved || moved === code) error(404, { message: `Territoire introuvable : ${level} ${code}.` });
    const portrait = await getJson<Portrait>(fetch, `/api/portraits/${encodeURIComponent(level)}/${encodeURIComponent(moved)}`);
    redirect(301, canonical(portrait) + suffix + search);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as ApiErrorBody | null;
    const message = body?.error?.message ?? `Portrait indisponible (${response.status}).`;
    error(response.status === 404 ? 404 : 502, { message, code: body?.error?.code });
  }
  const portrait = (await response.json()) as Portrait;
  if (slug !== portraitSlug(portrait.territory.code, portrait.territory.name)) redirect(301, canonical(portrait) + suffix + search);
  return portrait;
}

export function canonical(portrait: Portrait): string {
  const t = portrait.territory;
  return `/portrait/${encodeURIComponent(t.level)}/${encodeURIComponent(portraitSlug(t.code, t.name))}`;
}

const CHILD_DEFAULTS: Record<string, string[]> = {
  commune: ['taux-chomage', 'revenu-disponible-median-uc', 'densite-population'],
  iris: ['part-allocataires-rsa', 'part-familles-monoparentales-allocataires', 'revenu-disponible-median-uc'],
  departement: ['taux-chomage', 'densite-population'],
  ept: ['taux-chomage']
};
const SIBLING_PROBES = ['population-municipale', 'menages', 'allocataires-caf', 'superficie'];

function parentFor(t: TerritoryDetail, levels: Level[]): TerritoryDetail['parents'][number] | null {
  const kind = levels.find((l) => l.id === t.level)?.kind;
  const find = (level: string) => t.parents.find((p) => p.level === level) ?? null;
  if (kind === 'zoning') return find('departement');
  if (t.level === 'iris') return find('commune');
  if (t.level === 'commune') return find('ept') ?? find('departement');
  if (t.level === 'ept') return find('departement');
  if (t.level === 'departement') return find('region');
  return null;
}

function childLevelFor(t: TerritoryDetail): string | null {
  const levels = t.children.map((c) => c.level);
  if (t.level !== 'commune' && levels.includes('commune')) return t.level === 'region' && levels.includes('departement') ? 'departement' : 'commune';
  if (levels.includes('iris')) return 'iris';
  return levels[0] ?? null;
}

/** The two portrait maps: the territory among its neighbours, and its subdivisions coloured by an indicator. */
export async function loadPortraitMaps(fetch: Fetch, portrait: Portrait, chosen: string | null) {
  const t = portrait.territory;
  const [{ levels }, { indicators }] = await Promise.all([
    getJson<{ levels: Level[] }>(fetch, '/api/levels'),
    getJson<{ indicators: IndicatorSummary[] }>(fetch, '/api/indicators')
  ]);
  const levelOf = (id: string) => levels.find((l) => l.id === id);

  const parent = t.hasGeometry ? parentFor(t, levels) : null;
  const probe = indicators.find((i) => SIBLING_PROBES.includes(i.id) && i.levels.includes(t.level)) ?? indicators.find((i) => i.levels.includes(t.level));
  const situation = async () => {
    if (!parent || !probe) return null;
    const within = `${parent.level}:${parent.code}`;
    const [detail, siblings] = await Promise.all([
      getJson<TerritoryDetail>(fetch, `/api/territories/${encodeURIComponent(parent.level)}/${encodeURIComponent(parent.code)}`),
      getJson<ValuesResponse>(fetch, `/api/indicators/${probe.id}/values?${new URLSearchParams({ level: t.level, within })}`)
    ]);
    if (!detail.bbox || siblings.values.length < 2) return null;
    return {
      parent: { level: parent.level, code: parent.code, name: parent.name, levelLabel: parent.levelLabel },
      bounds: detail.bbox as BBox,
      siblings: siblings.values.map((v) => ({ code: v.code, name: v.name }))
    };
  };

  const childLevel = t.hasGeometry ? childLevelFor(t) : null;
  const children = async () => {
    if (!childLevel || !t.bbox) return null;
    const choices = indicators.filter((i) => i.levels.includes(childLevel));
    if (!choices.length) return null;
    const defaults = CHILD_DEFAULTS[childLevel] ?? [];
    const pick = choices.find((c) => c.id === chosen) ?? defaults.map((d) => choices.find((c) => c.id === d)).find(Boolean) ?? choices[0];
    if (!pick) return null;
    const values = await getJson<ValuesResponse>(
      fetch,
      `/api/indicators/${encodeURIComponent(pick.id)}/values?${new URLSearchParams({ level: childLevel, within: `${t.level}:${t.code}` })}`
    );
    if (!values.values.length) return null;
    const info = levelOf(childLevel);
    return { level: childLevel, levelLabel: info?.labelPlural ?? childLevel, levelMinZoom: info?.minZoom ?? 0, values, choices };
  };

  const [s, c] = await Promise.all([situation(), children()]);
  return { situation: s, children: c, levelMinZoom: levelOf(t.level)?.minZoom ?? 0, isExample: levelOf(t.level)?.example === true };
}
