/**
 * What an outsider can collect from the public API about a few indicators: every value
 * published at every level and zoning, which IRIS make each commune and which communes
 * make each territory, the communes' adjacency, and ad-hoc groups (`POST /api/aggregate`)
 * of up to three neighbouring communes around each commune holding a secret IRIS.
 * Only `app.request` is used, and each distinct request is sent once.
 */
import type { Feature, FeatureCollection, Position } from 'geojson';

/** A published figure as the API gives it. */
export interface Observed {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  status: string;
  secretParts: number;
}

/** An aggregate the attacker can read: a published territory or an ad-hoc group, by its communes. */
export interface Territory {
  /** `ept:200057875`, `groupe:93010+93048`… */
  key: string;
  communes: string[];
}

export interface Crawl {
  /** Communes of the département, sorted. */
  communes: string[];
  /** IRIS of each commune, as published (`within=commune:…`). */
  irisOf: Map<string, string[]>;
  /** Communes of the département sharing a border with each one. */
  neighbours: Map<string, string[]>;
  /** indicator → IRIS → its published value. */
  iris: Map<string, Map<string, Observed>>;
  territories: Territory[];
  /** indicator → territory key → its published value. */
  observed: Map<string, Map<string, Observed>>;
  /** Distinct requests sent. */
  requests: number;
}

export interface Requester {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

interface ValuesBody {
  values: ({ code: string } & Observed)[];
}

interface AggregateBody {
  values: ({ indicator: string } & Observed)[];
}

/** A JSON client over the public API that sends each distinct request once and fails on anything but 200. */
export function cachedApi(app: Requester) {
  const cache = new Map<string, Promise<unknown>>();
  const send = (key: string, path: string, init?: RequestInit): Promise<unknown> => {
    let hit = cache.get(key);
    if (!hit) {
      hit = (async () => {
        const res = await app.request(path, init);
        if (res.status !== 200) throw new Error(`${key} : réponse ${res.status} ${(await res.text()).slice(0, 200)}`);
        return res.json();
      })();
      cache.set(key, hit);
    }
    return hit;
  };
  return {
    get: <T>(path: string) => send(`GET ${path}`, path) as Promise<T>,
    post: <T>(path: string, body: unknown) => {
      const text = JSON.stringify(body);
      return send(`POST ${path} ${text}`, path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text }) as Promise<T>;
    },
    get requests() {
      return cache.size;
    }
  };
}

const observed = (o: Observed): Observed => ({
  value: o.value,
  numerator: o.numerator,
  denominator: o.denominator,
  status: o.status,
  secretParts: o.secretParts
});

/**
 * Communes sharing a border: the full-resolution contours come from one topology per
 * family, so a shared border has the same vertices on both sides. Two communes are
 * neighbours when they share at least two vertices (a border segment, not a corner).
 */
export function adjacency(collection: FeatureCollection): Map<string, string[]> {
  const byVertex = new Map<string, Set<string>>();
  const codeOf = (f: Feature) => String((f.properties as { code: string }).code);
  const walk = (coords: unknown, code: string) => {
    if (typeof (coords as Position)[0] === 'number') {
      const [x, y] = coords as Position;
      const key = `${x!.toFixed(7)},${y!.toFixed(7)}`;
      const set = byVertex.get(key) ?? new Set<string>();
      set.add(code);
      byVertex.set(key, set);
      return;
    }
    for (const c of coords as unknown[]) walk(c, code);
  };
  for (const f of collection.features) {
    if (f.geometry && 'coordinates' in f.geometry) walk(f.geometry.coordinates, codeOf(f));
  }
  const shared = new Map<string, number>();
  for (const codes of byVertex.values()) {
    const list = [...codes].sort();
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const key = `${list[i]}|${list[j]}`;
        shared.set(key, (shared.get(key) ?? 0) + 1);
      }
    }
  }
  const out = new Map<string, string[]>(collection.features.map((f) => [codeOf(f), []]));
  for (const [key, n] of shared) {
    if (n < 2) continue;
    const [a, b] = key.split('|') as [string, string];
    out.get(a)!.push(b);
    out.get(b)!.push(a);
  }
  for (const list of out.values()) list.sort();
  return out;
}

/** Every group of up to three communes made of `commune` and one or two of its neighbours. */
export function groupsAround(commune: string, neighbours: readonly string[]): string[][] {
  const groups: string[][] = [[commune]];
  for (let i = 0; i < neighbours.length; i++) {
    groups.push([commune, neighbours[i]!].sort());
    for (let j = i + 1; j < neighbours.length; j++) groups.push([commune, neighbours[i]!, neighbours[j]!].sort());
  }
  return groups;
}

export async function crawl(app: Requester, opts: { indicators: readonly string[]; departement: string }): Promise<Crawl> {
  const api = cachedApi(app);
  const ids = opts.indicators;
  const within = `departement:${opts.departement}`;
  const values = (id: string, query: string) => api.get<ValuesBody>(`/api/indicators/${id}/values?${query}`);

  const communes = (await values(ids[0]!, `level=commune&within=${within}`)).values.map((v) => v.code).sort();
  const irisOf = new Map<string, string[]>();
  for (const c of communes) irisOf.set(c, (await values(ids[0]!, `level=iris&within=commune:${c}`)).values.map((v) => v.code).sort());
  const geojson = await api.get<FeatureCollection>(`/api/indicators/${ids[0]}/values?level=commune&within=${within}&format=geojson`);
  const neighbours = adjacency(geojson);

  const iris = new Map<string, Map<string, Observed>>();
  const observedBy = new Map<string, Map<string, Observed>>(ids.map((id) => [id, new Map()]));
  const territories = new Map<string, Territory>();
  for (const id of ids) {
    iris.set(id, new Map((await values(id, `level=iris&within=${within}`)).values.map((v) => [v.code, observed(v)])));
    const { levels } = await api.get<{ levels: string[] }>(`/api/indicators/${id}`);
    for (const level of levels.filter((l) => l !== 'iris')) {
      for (const t of (await values(id, `level=${level}`)).values) {
        if (t.value === null && t.numerator === null) continue;
        const key = `${level}:${t.code}`;
        if (!territories.has(key)) {
          const members = level === 'commune' ? [t.code] : (await values(id, `level=commune&within=${key}`)).values.map((v) => v.code).sort();
          territories.set(key, { key, communes: members });
        }
        observedBy.get(id)!.set(key, observed(t));
      }
    }
  }

  // Ad-hoc groups around every commune that holds a secret IRIS of any indicator.
  const holding = communes.filter((c) => (irisOf.get(c) ?? []).some((code) => ids.some((id) => iris.get(id)!.get(code)?.status === 'secret')));
  for (const c of holding) {
    for (const members of groupsAround(c, neighbours.get(c) ?? [])) {
      const key = `groupe:${members.join('+')}`;
      if (territories.has(key)) continue;
      const body = await api.post<AggregateBody>('/api/aggregate', { communes: members, indicators: ids });
      territories.set(key, { key, communes: members });
      for (const v of body.values) observedBy.get(v.indicator)!.set(key, observed(v));
    }
  }
  return { communes, irisOf, neighbours, iris, territories: [...territories.values()], observed: observedBy, requests: api.requests };
}
