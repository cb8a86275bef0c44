import { getJson } from '$lib/api';
import type { IndicatorDetail, IndicatorSummary, Level } from '$lib/types';
import type { PageServerLoad } from './$types';

/** The catalogue with definitions: the summary list lacks descriptions, so details are read once per build. */
const cache = new Map<string, Promise<IndicatorDetail[]>>();

export const load: PageServerLoad = async ({ fetch, parent }) => {
  const { build } = await parent();
  let details = cache.get(build.id);
  if (!details) {
    details = (async () => {
      const { indicators } = await getJson<{ indicators: IndicatorSummary[] }>(fetch, '/api/indicators');
      return Promise.all(indicators.map((i) => getJson<IndicatorDetail>(fetch, `/api/indicators/${encodeURIComponent(i.id)}`)));
    })();
    cache.clear();
    cache.set(build.id, details);
    details.catch(() => cache.delete(build.id));
  }
  const [list, { levels }] = await Promise.all([details, getJson<{ levels: Level[] }>(fetch, '/api/levels')]);
  return {
    levels,
    indicators: list.map((d) => ({
      id: d.id,
      label: d.label,
      shortLabel: d.shortLabel,
      theme: d.theme,
      unit: d.unit,
      kind: d.kind,
      description: d.description,
      levels: d.levels,
      years: d.years,
      secrecy: d.secrecy,
      series: d.series.map((s) => ({ year: s.year, source: s.source, baseLevel: s.baseLevel, vars: [s.valueVar, s.numeratorVar, s.denominatorVar].filter(Boolean) }))
    }))
  };
};
