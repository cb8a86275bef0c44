import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureApp, fixtureApp } from '../testing/fixture-app.ts';
import { FIXTURE } from '../testing/fixture-db.ts';

interface AggValue {
  indicator: string;
  year: number;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  status: string;
  secretParts: number;
  missingParts: number;
  parts: number;
}
interface AggBody {
  communes: { code: string; name: string }[];
  values: AggValue[];
}
interface ValuesBody {
  values: { code: string; value: number | null; numerator: number | null; status: string; secretParts: number }[];
}
interface ErrorBody {
  error: { code: string; message: string };
}

let t: FixtureApp;
beforeAll(async () => {
  t = await fixtureApp();
});
afterAll(() => t.close());

const post = <T>(body: unknown) =>
  t.json<T>('/api/aggregate', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  });
const value = (b: AggBody, id: string) => b.values.find((v) => v.indicator === id) as AggValue;

describe('POST /api/aggregate', () => {
  const estEnsemble = [FIXTURE.bondy, FIXTURE.montreuil, FIXTURE.pantin];

  it('gives an ad-hoc group of communes the same values as the EPT they form', async () => {
    const { status, body } = await post<AggBody>({ communes: estEnsemble, indicators: ['population', 'taux-chomage'] });
    expect(status).toBe(200);
    expect(body.communes.map((c) => c.name)).toEqual(['Bondy', 'Montreuil', 'Pantin']);
    for (const id of ['population', 'taux-chomage']) {
      const stored = await t.json<ValuesBody>(`/api/indicators/${id}/values?level=ept&within=ept:${FIXTURE.estEnsemble}`);
      const ept = stored.body.values[0];
      const adhoc = value(body, id);
      expect(adhoc.status, id).toBe(ept?.status);
      expect(adhoc.secretParts, id).toBe(ept?.secretParts);
      expect(adhoc.numerator, id).toBe(ept?.numerator);
      expect(adhoc.value, id).toBeCloseTo(ept?.value as number, 5);
    }
    expect(value(body, 'taux-chomage')).toMatchObject({ status: 'partial', secretParts: 2, numerator: 10000, denominator: 68000, year: 2021 });
  });

  it('matches a published zoning group too', async () => {
    const { body } = await post<AggBody>({ communes: [FIXTURE.montreuil, FIXTURE.bondy], indicators: ['population'] });
    expect(value(body, 'population').value).toBe(165500);
  });

  it('applies secrecy: a group of secret units only is secret, with no number', async () => {
    const { body } = await post<AggBody>({ communes: [FIXTURE.pantin], indicators: ['taux-chomage'] });
    expect(value(body, 'taux-chomage')).toMatchObject({ value: null, numerator: null, denominator: null, status: 'secret', secretParts: 1 });
  });

  it('does not aggregate a median, but passes a single commune through', async () => {
    const group = await post<AggBody>({ communes: estEnsemble, indicators: ['revenu-median'] });
    expect(value(group.body, 'revenu-median')).toMatchObject({ value: null, status: 'not-aggregable' });
    const single = await post<AggBody>({ communes: [FIXTURE.montreuil], indicators: ['revenu-median'] });
    expect(value(single.body, 'revenu-median')).toMatchObject({ value: 21000, status: 'ok' });
  });

  it('counts communes without a stored value as missing', async () => {
    const { body } = await post<AggBody>({ communes: [FIXTURE.saintDenis], indicators: ['revenu-median'] });
    expect(value(body, 'revenu-median')).toMatchObject({ value: null, status: 'missing', missingParts: 1 });
  });

  it('gives missing when the source does not cover every commune’s département, as for published groups', async () => {
    const { body } = await post<AggBody & { values: { provenance: string }[] }>({ communes: [FIXTURE.bondy, FIXTURE.paris], indicators: ['revenu-median', 'population'] });
    expect(value(body, 'revenu-median')).toMatchObject({ value: null, status: 'missing', missingParts: 1, parts: 0 });
    expect((body.values[0] as { provenance: string }).provenance).toContain('ne couvre pas toutes les communes');
    expect(value(body, 'population')).toMatchObject({ value: 54500 + 2133000, status: 'ok' });
  });

  it('ignores duplicate codes and takes an explicit year', async () => {
    const { body } = await post<AggBody>({ communes: [FIXTURE.bondy, FIXTURE.bondy], indicators: ['population'], year: 2015 });
    expect(body.communes).toHaveLength(1);
    expect(value(body, 'population')).toMatchObject({ year: 2015, value: 52400 });
  });

  it.each([
    ['not JSON', '{communes:', 400, 'corps_invalide'],
    ['no communes', { communes: [], indicators: ['population'] }, 400, 'corps_invalide'],
    ['no indicators', { communes: ['93010'], indicators: [] }, 400, 'corps_invalide'],
    ['a malformed code', { communes: ['9301'], indicators: ['population'] }, 400, 'corps_invalide'],
    ['a number for a code', { communes: [93010], indicators: ['population'] }, 400, 'corps_invalide'],
    ['a missing field', { communes: ['93010'] }, 400, 'corps_invalide'],
    ['more communes than the database holds', { communes: ['93010', '93048', '93055', '93066', '75056', '93001'], indicators: ['population'] }, 400, 'limite_depassee'],
    ['an unknown commune', { communes: ['93010', '94001'], indicators: ['population'] }, 404, 'territoire_inconnu'],
    ['an unknown indicator', { communes: ['93010'], indicators: ['population', 'bonheur'] }, 404, 'indicateur_inconnu'],
    ['a year without data', { communes: ['93010'], indicators: ['taux-chomage'], year: 2015 }, 404, 'annee_inconnue']
  ])('answers %s with %i %s', async (_what, body, status, code) => {
    const res = await post<ErrorBody>(body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it('names the unknown communes', async () => {
    const res = await post<ErrorBody>({ communes: ['93010', '94001'], indicators: ['population'] });
    expect(res.body.error.message).toContain('94001');
  });

  it('answers 400 past the body size limit', async () => {
    const res = await post<ErrorBody>({ communes: ['93010'], indicators: ['population'], padding: 'x'.repeat(1024 * 1024) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('corps_trop_grand');
  });

  it('only accepts POST', async () => {
    const res = await t.json<ErrorBody>('/api/aggregate');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route_inconnue');
  });
});
