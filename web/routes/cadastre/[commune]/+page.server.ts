import { error } from '@sveltejs/kit';
import { getJson } from '$lib/api';
import type { CommuneList, History, Parcel, SearchResult } from '$lib/components/cadastre/types';
import type { PageServerLoad } from './$types';

const VINTAGE = /^\d{4}-\d{2}-\d{2}$/;

/** An API answer, or its French error message (a bad search is shown on the page, not as an error page). */
async function tryJson<T>(fetch: typeof globalThis.fetch, path: string): Promise<{ body: T } | { message: string }> {
  const response = await fetch(path);
  const body = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) return { message: (body as { error?: { message?: string } } | null)?.error?.message ?? `Erreur ${response.status}` };
  return { body: body as T };
}

export const load: PageServerLoad = async ({ fetch, params, url }) => {
  const code = params.commune;
  if (!/^\d[0-9AB]\d{3}$/.test(code)) error(404, { message: `Code de commune invalide : « ${code} ».` });
  const list = await getJson<CommuneList>(fetch, '/api/cadastre');
  const commune = list.communes.find((c) => c.commune === code);
  if (!commune) {
    error(404, { message: `Le cadastre de la commune ${code} n’est pas chargé (communes : ${list.communes.map((c) => c.commune).join(', ')}).` });
  }
  const vintages = commune.layers.parcelles ?? [];

  // « Ce qui a changé entre … et … » : by default the previous and the latest millésime
  let to = url.searchParams.get('a') ?? '';
  let from = url.searchParams.get('de') ?? '';
  if (!VINTAGE.test(to) || !vintages.includes(to)) to = vintages.at(-1) ?? '';
  if (!VINTAGE.test(from) || !vintages.includes(from) || from >= to) from = vintages[vintages.indexOf(to) - 1] ?? '';
  let history: History | null = null;
  if (from && to) {
    const h = await getJson<History & { changes?: unknown }>(fetch, `/api/cadastre/${code}/history?from=${from}&to=${to}`);
    history = { commune: h.commune, from: h.from, to: h.to, parcelCount: h.parcelCount, counts: h.counts, sections: h.sections };
  }

  // parcel search: by identifier, or by section + numéro
  const q = (url.searchParams.get('q') ?? '').trim();
  const section = (url.searchParams.get('section') ?? '').trim();
  const numero = (url.searchParams.get('numero') ?? '').trim();
  let search: { message: string | null; results: SearchResult['results']; total: number } | null = null;
  let parcel: Parcel | null = null;
  if (q || section || numero) {
    const p = q ? new URLSearchParams({ q }) : new URLSearchParams({ commune: code, section, ...(numero ? { numero } : {}) });
    const found = await tryJson<SearchResult>(fetch, `/api/cadastre/search?${p}`);
    if ('message' in found) search = { message: found.message, results: [], total: 0 };
    else {
      search = { message: found.body.total ? null : 'Aucune parcelle ne correspond.', results: found.body.results, total: found.body.total };
      const only = found.body.results.length === 1 ? found.body.results[0] : undefined;
      if (only) {
        const detail = await tryJson<Parcel>(fetch, `/api/cadastre/${only.commune}/parcels/${only.id}`);
        if ('body' in detail) parcel = detail.body;
        else search.message = detail.message;
      }
    }
  }

  return {
    commune: { code, name: commune.name, layers: commune.layers },
    layers: list.layers.filter((l) => commune.layers[l.id]?.length),
    vintages,
    from,
    to,
    history,
    form: { q, section, numero },
    search,
    parcel
  };
};
