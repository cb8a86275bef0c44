import { error, redirect } from '@sveltejs/kit';
import { getJson } from '$lib/api';
import type { BBox } from '$lib/map/territory-map';
import { type GroupPortrait, codesFromSegment, groupPortraitPath } from '$lib/portrait/group';
import type { IndicatorSummary, Level, ValuesResponse } from '$lib/types';

type Fetch = typeof fetch;

/**
 * The portrait of `/portrait/groupe/{codes}?nom=…`. The API validates the codes (400,
 * 404 naming the unknown ones); a URL other than the canonical one — codes unsorted,
 * repeated or former (93059) — redirects (301) to it, `suffix` (`/pdf`, `/donnees.csv`)
 * and the query kept.
 */
export async function loadGroupPortrait(fetch: Fetch, segment: string, url: URL, suffix = ''): Promise<GroupPortrait> {
  const codes = codesFromSegment(segment);
  if (codes.length === 0) error(404, { message: 'Aucune commune dans ce groupe.' });
  const query = new URLSearchParams({ communes: codes.join(',') });
  const nom = url.searchParams.get('nom');
  if (nom !== null) query.set('nom', nom);
  const portrait = await getJson<GroupPortrait>(fetch, `/api/portraits/groupe?${query}`);
  if (portrait.territory.code !== segment) {
    redirect(301, `${groupPortraitPath(portrait.communes.map((c) => c.code), null, suffix)}${url.search}`);
  }
  return portrait;
}

/** The name to carry in links (PDF, data, map): the one asked for, if any. */
export function askedName(url: URL): string | null {
  return url.searchParams.get('nom')?.trim() || null;
}

const PROBES = ['population-municipale', 'superficie'];

/**
 * The group's communes among the other communes of their départements, for the map:
 * the départements' extent and every commune's code and name.
 */
export async function loadGroupMap(fetch: Fetch, portrait: GroupPortrait) {
  const t = portrait.territory;
  if (!t.hasGeometry || !t.bbox) return null;
  const [{ levels }, { indicators }] = await Promise.all([
    getJson<{ levels: Level[] }>(fetch, '/api/levels'),
    getJson<{ indicators: IndicatorSummary[] }>(fetch, '/api/indicators')
  ]);
  // the values route lists every commune of `within`, with or without a value: any indicator published at the commune will do
  const probe = indicators.find((i) => PROBES.includes(i.id) && i.levels.includes('commune')) ?? indicators.find((i) => i.levels.includes('commune'));
  const departements = portrait.comparisons.filter((c) => c.level === 'departement');
  const neighbours = probe
    ? await Promise.all(
        departements.map((d) =>
          getJson<ValuesResponse>(
            fetch,
            `/api/indicators/${encodeURIComponent(probe.id)}/values?${new URLSearchParams({ level: 'commune', within: `departement:${d.code}` })}`
          )
        )
      )
    : [];
  const communes = new Map<string, string>();
  for (const v of neighbours.flatMap((n) => n.values)) communes.set(v.code, v.name);
  for (const c of portrait.communes) communes.set(c.code, c.name);
  return {
    bounds: t.bbox as BBox,
    levelMinZoom: levels.find((l) => l.id === 'commune')?.minZoom ?? 0,
    communes: [...communes].map(([code, name]) => ({ code, name })),
    departements: departements.map((d) => d.code)
  };
}
