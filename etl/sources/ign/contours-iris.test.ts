import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Position } from 'geojson';
import { memoryLogger } from '../../core/logger.ts';
import type { AreaGeometry, GeoBatch } from '../../core/types.ts';
import { areaKm2 } from '../../geo/measure.ts';
import { mirrorFile } from '../../testing/mirror.ts';
import { contoursIrisAdapter } from './contours-iris.ts';

let batch: GeoBatch;
beforeAll(async () => {
  batch = await contoursIrisAdapter.read(mirrorFile(contoursIrisAdapter.source.mirrorPath), { logger: memoryLogger() });
});

function positions(g: AreaGeometry | { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown }): Position[] {
  const polys = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as Position[][][];
  return polys.flat(2);
}

describe('contoursIrisAdapter', () => {
  it('reads the 614 IRIS of the 93 with codes, names and IGN attributes, without warnings', () => {
    expect(batch.layer).toBe('iris');
    expect(batch.features).toHaveLength(614);
    expect(batch.warnings).toEqual([]);
    const types = new Map<string, number>();
    for (const f of batch.features) types.set(String(f.props.TYP_IRIS), (types.get(String(f.props.TYP_IRIS)) ?? 0) + 1);
    expect(Object.fromEntries(types)).toEqual({ H: 590, A: 21, D: 2, Z: 1 });
    expect(new Set(batch.features.map((f) => f.props.INSEE_COM)).size).toBe(40);
    const iris = batch.features.find((f) => f.code === '930100101');
    expect(iris).toMatchObject({ props: { INSEE_COM: '93010', NOM_COM: 'Bondy' } });
    expect(batch.features.every((f) => f.code.startsWith(String(f.props.INSEE_COM)))).toBe(true);
  });

  it('reprojects Lambert-93 to within 1e-5° of the ogr2ogr WGS84 copy, vertex by vertex', () => {
    const copy = JSON.parse(readFileSync(mirrorFile('iris/contours-iris-2022-93.wgs84.geojson'), 'utf8')) as {
      features: { properties: { CODE_IRIS: string }; geometry: AreaGeometry }[];
    };
    const byCode = new Map(copy.features.map((f) => [f.properties.CODE_IRIS, f.geometry]));
    let compared = 0;
    let worst = 0;
    for (const f of batch.features) {
      const ours = positions(f.geometry);
      const theirs = positions(byCode.get(f.code) as AreaGeometry);
      expect(ours.length).toBe(theirs.length);
      ours.forEach((p, k) => {
        worst = Math.max(worst, Math.abs(p[0]! - theirs[k]![0]!), Math.abs(p[1]! - theirs[k]![1]!));
        compared++;
      });
    }
    expect(compared).toBeGreaterThan(60_000);
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it('covers 236.9 km² in total, like the producer says', () => {
    const total = batch.features.reduce((s, f) => s + areaKm2(f.geometry), 0);
    expect(total).toBeGreaterThan(236.9 * 0.998);
    expect(total).toBeLessThan(236.9 * 1.002);
  });
});
