import { booleanPointInPolygon } from '@turf/turf';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Position } from 'geojson';
import { memoryLogger } from '../core/logger.ts';
import type { AreaGeometry, GeoFeature } from '../core/types.ts';
import { epciEptIdfAdapter } from '../sources/ipr/epci-ept-idf.ts';
import { communesIdfAdapter } from '../sources/ign/communes-idf.ts';
import { contoursIrisAdapter } from '../sources/ign/contours-iris.ts';
import { mirrorFile } from '../testing/mirror.ts';
import { DEFAULT_ZOOM_BANDS } from './bands.ts';
import { areaKm2, polygonsOf } from './measure.ts';
import { buildGeoTopology, dissolveExtra, levelGeometries } from './topology.ts';
import type { GeoTopology, LevelGeometries } from './topology.ts';

/**
 * EPT membership on the 2015–2024 geography (SOURCES.md §1.4, APUR), with 93059
 * Pierrefitte folded into Saint-Denis 93066 as in COG 2025.
 */
const EPT_93: Record<string, string[]> = {
  '200057867': ['93001', '93027', '93031', '93039', '93066', '93070', '93072', '93079'], // Plaine Commune (T6)
  '200058097': ['93005', '93007', '93013', '93029', '93030', '93071', '93073', '93078'], // Paris Terres d'Envol (T7)
  '200057875': ['93006', '93008', '93010', '93045', '93048', '93053', '93055', '93061', '93063'], // Est Ensemble (T8)
  '200058790': ['93014', '93015', '93032', '93033', '93046', '93047', '93049', '93050', '93051', '93057', '93062', '93064', '93074', '93077'] // Grand Paris Grand Est (T9)
};

let communes: GeoFeature[];
let iris: GeoFeature[];
let communeTopo: GeoTopology;
let irisTopo: GeoTopology;
let levels: LevelGeometries;
let irisLevels: LevelGeometries;
const timings: Record<string, number> = {};

beforeAll(async () => {
  const ctx = { logger: memoryLogger() };
  let t = performance.now();
  communes = (await communesIdfAdapter.read(mirrorFile(communesIdfAdapter.source.mirrorPath), ctx)).features;
  iris = (await contoursIrisAdapter.read(mirrorFile(contoursIrisAdapter.source.mirrorPath), ctx)).features;
  timings.read = performance.now() - t;

  t = performance.now();
  const current = new Map(communes.map((f) => [f.code, f.code === '93059' ? '93066' : f.code]));
  const ept = new Map(Object.entries(EPT_93).flatMap(([siren, members]) => members.map((c): [string, string] => [c, siren])));
  const dep = new Map([...current.values()].map((c): [string, string] => [c, c.slice(0, 2)]));
  communeTopo = buildGeoTopology({
    unitLevel: 'commune-source',
    units: communes,
    groupings: [
      { level: 'commune', memberOf: current },
      { level: 'ept', of: 'commune', memberOf: ept },
      { level: 'departement', of: 'commune', memberOf: dep },
      { level: 'region', of: 'departement', memberOf: new Map([...dep.values()].map((d): [string, string] => [d, '11'])) }
    ]
  });
  levels = levelGeometries(communeTopo);
  timings.communes = performance.now() - t;

  t = performance.now();
  irisTopo = buildGeoTopology({
    unitLevel: 'iris',
    units: iris,
    groupings: [{ level: 'commune', memberOf: new Map(iris.map((f): [string, string] => [f.code, String(f.props.INSEE_COM)])) }]
  });
  irisLevels = levelGeometries(irisTopo);
  timings.iris = performance.now() - t;
});

function territory(ls: LevelGeometries, level: string, code: string) {
  const t = ls.get(level)?.get(code);
  if (!t) throw new Error(`${level} ${code} absent`);
  return t;
}

function vertexKeys(g: AreaGeometry): Set<string> {
  return new Set(polygonsOf(g).flat(2).map((p) => `${p[0]},${p[1]}`));
}

/** Distance (degrees, planar) from p to segment ab. */
function toSegment(p: Position, a: Position, b: Position): number {
  const [px, py, ax, ay, bx, by] = [p[0]!, p[1]!, a[0]!, a[1]!, b[0]!, b[1]!];
  const dx = bx - ax;
  const dy = by - ay;
  const len = dx * dx + dy * dy;
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Vertices of `a` that lie on the boundary of `b`: their common border, as `a` draws it. */
function borderOf(a: AreaGeometry, b: AreaGeometry): Position[] {
  const segments: [Position, Position][] = [];
  for (const ring of polygonsOf(b).flat()) for (let i = 0; i + 1 < ring.length; i++) segments.push([ring[i]!, ring[i + 1]!]);
  return polygonsOf(a)
    .flat(2)
    .filter((p) => segments.some(([s, e]) => toSegment(p, s, e) < 1e-9));
}

describe('commune topology (IDF, COG 2024 → 2025)', () => {
  it('dissolves Saint-Denis 93066 + Pierrefitte 93059 into one feature of 12.36 + 3.41 km²', () => {
    const communeLevel = levels.get('commune')!;
    expect(communeLevel.size).toBe(1267);
    expect(communeLevel.has('93059')).toBe(false);
    const sd = territory(levels, 'commune', '93066');
    // One polygon, one ring: the old border between the two communes is gone.
    expect(sd.full.type).toBe('Polygon');
    expect(polygonsOf(sd.full)[0]).toHaveLength(1);
    expect(sd.areaKm2).toBeGreaterThan((12.36 + 3.41) * 0.97);
    expect(sd.areaKm2).toBeLessThan((12.36 + 3.41) * 1.03);

    const pierrefitte = territory(levels, 'commune-source', '93059');
    const oldSaintDenis = territory(levels, 'commune-source', '93066');
    expect(booleanPointInPolygon(pierrefitte.labelPoint, oldSaintDenis.full)).toBe(false);
    expect(booleanPointInPolygon(pierrefitte.labelPoint, sd.full)).toBe(true);
    for (const band of sd.bands) expect(booleanPointInPolygon(pierrefitte.labelPoint, band.geometry)).toBe(true);
  });

  it('dissolves the four EPT of the 93 to within 2 % of the Institut Paris Région polygons', async () => {
    const ipr = await epciEptIdfAdapter.read(mirrorFile(epciEptIdfAdapter.source.mirrorPath), { logger: memoryLogger() });
    const gaps: Record<string, number> = {};
    for (const siren of Object.keys(EPT_93)) {
      const reference = ipr.features.find((f) => f.code === siren);
      if (!reference) throw new Error(`EPT ${siren} absent du fichier IPR`);
      const ours = territory(levels, 'ept', siren);
      expect(ours.full.type).toBe('Polygon');
      gaps[siren] = ours.areaKm2 / areaKm2(reference.geometry) - 1;
    }
    // Measured: T6 −1.4 %, T7 +1.4 %, T8 −0.1 %, T9 −0.5 %. T6/T7 differ by the same
    // 1.1 km² in opposite directions: the IPR file draws their common border elsewhere
    // (an older or differently simplified limit), not a dissolve artefact.
    for (const gap of Object.values(gaps)) expect(Math.abs(gap)).toBeLessThan(0.02);
  });

  it('keeps shared borders shared in band 0: Bondy and Bobigny use the same vertices', () => {
    const bondy = territory(levels, 'commune', '93010').bands[0]!.geometry;
    const bobigny = territory(levels, 'commune', '93008').bands[0]!.geometry;
    const fromBondy = borderOf(bondy, bobigny);
    const fromBobigny = borderOf(bobigny, bondy);
    expect(fromBondy.length).toBeGreaterThanOrEqual(2);
    const bondyVertices = vertexKeys(bondy);
    const bobignyVertices = vertexKeys(bobigny);
    for (const p of fromBondy) expect(bobignyVertices.has(`${p[0]},${p[1]}`)).toBe(true);
    for (const p of fromBobigny) expect(bondyVertices.has(`${p[0]},${p[1]}`)).toBe(true);
  });

  it('keeps every border of the 93 shared in every band (no vertex of one commune floats on its neighbour’s edge)', () => {
    const codes = [...levels.get('commune')!.keys()].filter((c) => c.startsWith('93'));
    for (const band of DEFAULT_ZOOM_BANDS) {
      let sharedVertices = 0;
      for (const a of codes) {
        const ga = territory(levels, 'commune', a).bands[band.band]!;
        for (const b of codes) {
          if (a === b) continue;
          const gb = territory(levels, 'commune', b).bands[band.band]!;
          if (ga.bbox[0] > gb.bbox[2] || gb.bbox[0] > ga.bbox[2] || ga.bbox[1] > gb.bbox[3] || gb.bbox[1] > ga.bbox[3]) continue;
          const keys = vertexKeys(gb.geometry);
          for (const p of borderOf(ga.geometry, gb.geometry)) {
            expect(keys.has(`${p[0]},${p[1]}`), `${a}/${b} bande ${band.band}`).toBe(true);
            sharedVertices++;
          }
        }
      }
      expect(sharedVertices).toBeGreaterThan(100);
    }
  });

  it('dissolves the 93 into a single ring in every band, its area the sum of its communes (no slivers, no gaps)', () => {
    const dep = territory(levels, 'departement', '93');
    const communes93 = [...levels.get('commune')!].filter(([c]) => c.startsWith('93')).map(([, t]) => t);
    expect(communes93).toHaveLength(39);
    expect(Math.abs(dep.areaKm2 - communes93.reduce((s, t) => s + t.areaKm2, 0))).toBeLessThan(1e-6);
    for (const band of dep.bands) {
      expect(band.geometry.type).toBe('Polygon');
      expect(polygonsOf(band.geometry)[0]).toHaveLength(1);
      const sum = communes93.reduce((s, t) => s + areaKm2(t.bands[band.band]!.geometry), 0);
      expect(Math.abs(areaKm2(band.geometry) - sum)).toBeLessThan(1e-6);
    }
    expect(dep.areaKm2).toBeGreaterThan(236.9 * 0.99);
    expect(dep.areaKm2).toBeLessThan(236.9 * 1.01);
    expect(territory(levels, 'region', '11').full.type).toBe('Polygon');
  });

  it('makes band 0 lighter than full resolution and never collapses a territory', () => {
    const count = (level: string, band: number): number => [...levels.get(level)!.values()].reduce((n, t) => n + t.bands[band]!.vertices, 0);
    // The Magrit file is already simplified (21 points per commune): band 0 still drops a third.
    expect(count('commune', 0)).toBeLessThan(count('commune', 3) * 0.75);
    expect(count('departement', 0)).toBeLessThan(count('departement', 3) * 0.75);
    for (const [, ts] of levels) {
      for (const [, t] of ts) {
        expect(t.bands.map((b) => b.band)).toEqual([0, 1, 2, 3]);
        for (const b of t.bands) {
          for (const poly of polygonsOf(b.geometry)) for (const ring of poly) expect(ring.length).toBeGreaterThanOrEqual(4);
          expect(b.bbox.every(Number.isFinite)).toBe(true);
        }
        expect(booleanPointInPolygon(t.labelPoint, t.full)).toBe(true);
      }
    }
    expect(communeTopo.stats.fallbacks.size).toBe(0);
  });

  it('dissolves an ad-hoc group of communes from the built topology, quickly', () => {
    const t0 = performance.now();
    // Bondy, Bobigny and Noisy-le-Sec, which touch each other.
    const group = dissolveExtra(communeTopo, ['93010', '93008', '93053']);
    expect(performance.now() - t0).toBeLessThan(100);
    const sum = ['93010', '93008', '93053'].reduce((s, c) => s + territory(levels, 'commune', c).areaKm2, 0);
    expect(Math.abs(group.areaKm2 - sum)).toBeLessThan(1e-6);
    expect(group.full.type).toBe('Polygon');
    expect(group.bands).toHaveLength(4);
    // Codes of another level work too, and the merged Saint-Denis covers Pierrefitte.
    expect(dissolveExtra(communeTopo, ['93059'], 'commune-source').areaKm2).toBeCloseTo(territory(levels, 'commune-source', '93059').areaKm2, 9);
    expect(() => dissolveExtra(communeTopo, ['93010', '99999'])).toThrow('Codes commune inconnus de la topologie : 99999');
    expect(() => dissolveExtra(communeTopo, ['93010'], 'canton')).toThrow('Niveau « canton » absent');
  });
});

describe('IRIS topology (614 IRIS of the 93)', () => {
  it('simplifies far more at band 0 than at full resolution, without losing any IRIS', () => {
    const irisLevel = irisLevels.get('iris')!;
    expect(irisLevel.size).toBe(614);
    const count = (band: number): number => [...irisLevel.values()].reduce((n, t) => n + t.bands[band]!.vertices, 0);
    expect(count(3)).toBeGreaterThan(60_000);
    expect(count(0)).toBeLessThan(count(3) * 0.1);
    expect(count(1)).toBeLessThan(count(3) * 0.2);
    expect(count(2)).toBeLessThan(count(3) * 0.4);
    for (const [, t] of irisLevel) {
      for (const b of t.bands) expect(areaKm2(b.geometry)).toBeGreaterThan(0);
      expect(booleanPointInPolygon(t.labelPoint, t.full)).toBe(true);
    }
    const total = [...irisLevel.values()].reduce((s, t) => s + t.areaKm2, 0);
    expect(total).toBeGreaterThan(236.9 * 0.998);
    expect(total).toBeLessThan(236.9 * 1.002);
  });

  it('groups IRIS into communes whose areas are INSEE’s SUPERF (the IRIS contours are not simplified)', () => {
    const fromIris = irisLevels.get('commune')!;
    expect(fromIris.size).toBe(40);
    // SUPERF (km²) from the INSEE comparateur 2025 extract, for the communes where the
    // simplified Magrit contours are furthest off.
    const superf: Record<string, number> = { '93006': 2.57, '93010': 5.47, '93013': 2.08, '93033': 1.68, '93045': 1.26, '93047': 5.45, '93057': 2.92 };
    for (const [code, km2] of Object.entries(superf)) {
      expect(Math.abs(territory(irisLevels, 'commune', code).areaKm2 / km2 - 1), code).toBeLessThan(0.005);
    }
  });

  it('agrees with the simplified commune contours within their simplification error', () => {
    const gaps: number[] = [];
    for (const [code, t] of irisLevels.get('commune')!) {
      const commune = territory(levels, 'commune-source', code);
      gaps.push(Math.abs(t.areaKm2 / commune.areaKm2 - 1));
      expect(booleanPointInPolygon(t.labelPoint, commune.full), code).toBe(true);
    }
    gaps.sort((a, b) => a - b);
    // Magrit's contours move small communes most: Les Lilas 93045 is 7.9 % too large
    // (1.365 km² for SUPERF 1.26), Les Pavillons-sous-Bois 93057 7.4 % too small.
    expect(gaps[gaps.length - 1]).toBeLessThan(0.1);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeLessThan(0.015);
  });

  it('builds everything in a few seconds', () => {
    console.info(`géométries : lecture ${timings.read!.toFixed(0)} ms, communes IDF ${timings.communes!.toFixed(0)} ms, IRIS ${timings.iris!.toFixed(0)} ms`);
    expect(timings.read! + timings.communes! + timings.iris!).toBeLessThan(10_000);
  });
});

describe('small rings under heavy simplification', () => {
  /** A regular polygon of `n` vertices, radius `r` degrees, around (x, y), closed. */
  function ngon(x: number, y: number, r: number, n: number): Position[] {
    const ring = Array.from({ length: n }, (_, k): Position => [x + r * Math.cos((2 * Math.PI * k) / n), y + r * Math.sin((2 * Math.PI * k) / n)]);
    return [...ring, ring[0]!];
  }

  it('keeps a 10 m enclave and a 10 m islet as triangles at zoom 0–7, the enclave still filling its host’s hole', () => {
    const enclave = ngon(2.48, 48.9, 0.0001, 12);
    const topo = buildGeoTopology({
      unitLevel: 'commune',
      units: [
        { code: 'A', geometry: { type: 'Polygon', coordinates: [ngon(2.48, 48.9, 0.02, 64), [...enclave].reverse()] } },
        { code: 'B', geometry: { type: 'Polygon', coordinates: [enclave] } },
        { code: 'C', geometry: { type: 'Polygon', coordinates: [ngon(2.52, 48.9, 0.0001, 12)] } }
      ],
      groupings: [{ level: 'tout', memberOf: new Map([['A', 'x'], ['B', 'x'], ['C', 'x']]) }]
    });
    const ls = levelGeometries(topo);
    expect(topo.stats.fallbacks.size).toBe(0);
    const b0 = territory(ls, 'commune', 'B').bands[0]!;
    const c0 = territory(ls, 'commune', 'C').bands[0]!;
    // Every arc end is kept, plus the protected points: a triangle, not a line.
    expect(b0.fromBand).toBe(0);
    expect(b0.vertices).toBe(4);
    expect(c0.vertices).toBe(4);
    expect(areaKm2(b0.geometry)).toBeGreaterThan(0);
    const hole = polygonsOf(territory(ls, 'commune', 'A').bands[0]!.geometry)[0]![1]!;
    expect(new Set(hole.map((p) => `${p[0]},${p[1]}`))).toEqual(vertexKeys(b0.geometry));
    // Dissolved with its host, the enclave leaves no hole.
    const all = territory(ls, 'tout', 'x').bands[0]!.geometry;
    expect(polygonsOf(all).map((p) => p.length)).toEqual([1, 1]);
  });
});
