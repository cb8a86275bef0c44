import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, CHROMIUM, type Portal, closePortal, openPortal } from './harness.ts';

const hasChromium = existsSync(CHROMIUM);

let portal: Portal;
let browser: Browser;

/** « 1 234 » (narrow no-break spaces) or « -12 » → number. */
const parseFr = (text: string | null) => Number((text ?? '').replace(/[\s\u202f\u00a0]/g, '').replace(',', '.').replace('−', '-'));

describe.skipIf(!hasChromium)('cadastre dans Chromium', () => {
  beforeAll(async () => {
    ({ portal, browser } = await openPortal());
  }, 300_000);
  afterAll(() => closePortal({ portal, browser }));

  it('shows the millésimes, a history whose net change matches the parcel counts, a parcel found by id, and a CSV', async () => {
    const api = (await (await fetch(`${portal.url}/api/cadastre/93010/history`)).json()) as {
      from: string;
      to: string;
      parcelCount: { from: number; to: number };
    };
    const list = (await (await fetch(`${portal.url}/api/cadastre`)).json()) as { communes: { commune: string; layers: Record<string, string[]> }[] };
    const vintages = list.communes.find((c) => c.commune === '93010')?.layers.parcelles ?? [];
    expect(vintages.length).toBeGreaterThanOrEqual(2);

    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${portal.url}/cadastre/93010`);
    const shown = await page.textContent('.millesimes');
    for (const v of vintages) expect(shown).toContain(v);
    expect(await page.inputValue('#de')).toBe(api.from);
    expect(await page.inputValue('#a')).toBe(api.to);
    const created = parseFr(await page.textContent('[data-total="created"]'));
    const deleted = parseFr(await page.textContent('[data-total="deleted"]'));
    expect(created - deleted).toBe(api.parcelCount.to - api.parcelCount.from);
    expect(await page.locator('table.history tbody tr').count()).toBeGreaterThan(0);
    await page.waitForSelector('.change-map[data-etat="pret"]', { timeout: 30_000 });

    // the history CSV link
    const csvHref = await page.getAttribute('a[data-csv]', 'href');
    const csv = await fetch(new URL(csvHref ?? '', portal.url));
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect((await csv.text()).split('\n')[0]).toContain('parcelle');

    // search by identifier (the form works as a plain GET)
    await page.fill('#q', '930100000A0224');
    await Promise.all([page.waitForURL(/q=930100000A0224/), page.click('form.search button[type="submit"]')]);
    await page.waitForSelector('.parcel [data-champ="section"]');
    expect((await page.textContent('.parcel [data-champ="section"]'))?.trim()).toBe('0A');
    expect(await page.textContent('.parcel [data-champ="contenance"]')).toMatch(/^\d[\d\s\u202f]* m²$/);
    const parcel = (await (await fetch(`${portal.url}/api/cadastre/93010/parcels/930100000A0224`)).json()) as { contenance: number };
    expect(parseFr((await page.textContent('.parcel [data-champ="contenance"]'))!.replace(' m²', ''))).toBe(parcel.contenance);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
