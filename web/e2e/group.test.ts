import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, CHROMIUM, type Portal, closePortal, openPortal } from './harness.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`Tests navigateur ignorés : ${CHROMIUM} est absent (apt-get install chromium).`);

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let portal: Portal;
let browser: Browser;

/** Pixels of the map canvas in the colour bucket (4 bits a channel) of a hex colour. */
async function pixelsOf(page: Page, hex: string): Promise<number> {
  return page.evaluate((colour) => {
    const source = document.querySelector<HTMLCanvasElement>('.map canvas');
    if (!source) throw new Error('pas de canvas de carte');
    const canvas = document.createElement('canvas');
    canvas.width = source.width;
    canvas.height = source.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('pas de contexte 2D');
    ctx.drawImage(source, 0, 0);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const bucket = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16) >> 4);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if ((data[i] as number) >> 4 === bucket[0] && (data[i + 1] as number) >> 4 === bucket[1] && (data[i + 2] as number) >> 4 === bucket[2]) n++;
    }
    return n;
  }, hex);
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const results = (await page.evaluate(() =>
    (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<unknown> } }).axe.run(document, { resultTypes: ['violations'] })
  )) as { violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] };
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) : ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

const status = (page: Page) => page.textContent('#composition [role="status"]');
const cardFigure = (page: Page, title: string) =>
  page
    .locator('.card')
    .filter({ has: page.locator('h3', { hasText: new RegExp(`^${title}$`) }) })
    .locator('.big')
    .textContent();
const fr = (value: number, decimals: number) =>
  new Intl.NumberFormat('fr-FR', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);

describe.skipIf(!hasChromium)('groupes de communes dans Chromium', () => {
  beforeAll(async () => {
    ({ portal, browser } = await openPortal());
  }, 300_000);
  afterAll(() => closePortal({ portal, browser }));

  it('composes a group from the keyboard and on the map, opens its portrait with the figures of POST /api/aggregate, and the shared link gives the same page', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${portal.url}/carte?indicateur=taux-chomage&niveau=commune&palette=Blues&opacite=100`);
    await page.waitForSelector('.map[data-etat="pret"]', { timeout: 30_000 });
    const magentaBefore = await pixelsOf(page, '#d1007a');

    // keyboard only: the mode button, the search field, a result's button, Enter in the field
    await page.focus('#composer-groupe');
    await page.keyboard.press('Enter');
    expect(await page.getAttribute('#composer-groupe', 'aria-pressed')).toBe('true');
    await page.waitForFunction(() => !document.querySelector('#composition')?.textContent?.includes('Chargement de la liste'));
    await page.focus('#groupe-recherche');
    await page.keyboard.type('bondy');
    await page.waitForSelector('#groupe-resultats button');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Ajouter Bondy (93010) au groupe');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#composition [role="status"]')?.textContent?.includes('1 commune dans le groupe'));
    expect(await status(page)).toBe('Bondy ajoutée au groupe. 1 commune dans le groupe.');
    await page.focus('#groupe-recherche');
    await page.fill('#groupe-recherche', 'montreuil');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#composition [role="status"]')?.textContent?.includes('2 communes'));
    expect(await status(page)).toBe('Montreuil ajoutée au groupe. 2 communes dans le groupe.');

    // a click on a commune of the map adds it (the composer's field scrolled the page: bring the map back into view)
    await page.locator('.map').scrollIntoViewIfNeeded();
    const box = (await page.locator('.map').boundingBox())!;
    let picked: string | null = null;
    for (const [dx, dy] of [[0, 0], [-80, -40], [80, 40], [-120, 60], [120, -60], [0, 100], [0, -100]] as const) {
      const point = { x: box.x + box.width / 2 + dx, y: box.y + box.height / 2 + dy };
      await page.mouse.move(point.x, point.y);
      const tooltip = await page.waitForSelector('.tooltip', { timeout: 3_000 }).catch(() => null);
      const name = tooltip ? (await page.textContent('.tooltip strong'))?.trim() : null;
      if (!name || name === 'Bondy' || name === 'Montreuil') continue;
      expect(await page.textContent('.tooltip')).toContain('Cliquer pour ajouter ou retirer la commune');
      await page.mouse.click(point.x, point.y);
      picked = name;
      break;
    }
    expect(picked, 'une commune cliquable au centre de la carte').not.toBeNull();
    await page.waitForFunction(() => document.querySelector('#composition [role="status"]')?.textContent?.includes('3 communes'));
    expect(await status(page)).toBe(`${picked} ajoutée au groupe. 3 communes dans le groupe.`);
    expect(await page.locator('#composition ul.members li').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('Bondy'), expect.stringContaining('Montreuil'), expect.stringContaining(picked as string)])
    );
    // the selection is outlined on the map (magenta dashes, absent from the Blues palette)
    await page.mouse.move(box.x + 2, box.y + 2);
    const deadline = Date.now() + 15_000;
    let magenta = await pixelsOf(page, '#d1007a');
    while (magenta < magentaBefore + 300 && Date.now() < deadline) {
      await page.waitForTimeout(250);
      magenta = await pixelsOf(page, '#d1007a');
    }
    expect(magenta, 'pixels du contour de la sélection').toBeGreaterThan(magentaBefore + 300);

    expect(await seriousViolations(page), 'axe sur la carte en composition').toEqual([]);

    // the map's URL holds the group
    await page.fill('#groupe-nom', 'Mon secteur');
    await page.waitForFunction(() => /[?&]groupe=\d{5},\d{5},\d{5}&nomgroupe=Mon\+secteur/.test(location.search));
    const mapLink = page.url();

    await page.click('a:has-text("Voir le portrait du groupe (3 communes)")');
    await page.waitForURL(/\/portrait\/groupe\/\d{5}-\d{5}-\d{5}\?nom=Mon\+secteur$/, { timeout: 30_000 });
    expect(await page.textContent('h1')).toBe('Mon secteur');
    const codes = new URL(page.url()).pathname.split('/').pop()!.split('-');
    expect(codes).toEqual(expect.arrayContaining(['93010', '93048']));

    const aggregate = (await (
      await fetch(`${portal.url}/api/aggregate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ communes: codes, indicators: ['population-municipale', 'taux-chomage'] })
      })
    ).json()) as { values: { indicator: string; value: number | null; status: string }[] };
    const agg = (id: string) => aggregate.values.find((v) => v.indicator === id)!;
    expect(agg('population-municipale').status).toBe('ok');
    const population = fr(agg('population-municipale').value as number, 0);
    expect(await cardFigure(page, 'Population')).toContain(population);
    if (agg('taux-chomage').value !== null) expect(await cardFigure(page, 'Taux de chômage')).toContain(fr(agg('taux-chomage').value as number, 1));
    expect(await page.locator('section[aria-labelledby="communes-du-groupe"] li a').allTextContents()).toEqual(
      expect.arrayContaining(['Bondy', 'Montreuil', picked as string])
    );
    await page.waitForSelector('html[data-portrait-pret="oui"]', { timeout: 30_000 });
    expect(await seriousViolations(page)).toEqual([]);

    // « Partager » copies the address; opened again, it gives the same page
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: portal.url });
    await page.click('button:has-text("Partager")');
    await page.waitForFunction(() => document.querySelector('.copied')?.textContent?.includes('copié'));
    const shared = await page.evaluate(() => navigator.clipboard.readText());
    expect(shared).toBe(page.url());
    const again = await browser.context.newPage();
    const response = await again.goto(shared);
    expect(response?.status()).toBe(200);
    expect(await again.textContent('h1')).toBe('Mon secteur');
    expect(await cardFigure(again, 'Population')).toBe(await cardFigure(page, 'Population'));
    expect(await again.locator('.card .big').allTextContents()).toEqual(await page.locator('.card .big').allTextContents());
    await again.close();

    // « Modifier le groupe sur la carte » comes back to the map with the same group
    await page.click('a:has-text("Modifier le groupe sur la carte")');
    await page.waitForURL(/\/carte\?/);
    await page.waitForSelector('#composition ul.members li');
    expect(await page.locator('#composition ul.members li').count()).toBe(3);
    expect(await page.inputValue('#groupe-nom')).toBe('Mon secteur');
    expect(new URL(page.url()).searchParams.get('groupe')).toBe(new URL(mapLink).searchParams.get('groupe'));
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('downloads the group portrait as CSV, XLSX and PDF', async () => {
    const path = '/portrait/groupe/93010-93048-93064';
    const csv = await fetch(`${portal.url}${path}/donnees.csv?nom=Canal`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toContain('portrait_groupe-93010-93048-93064.csv');
    const lines = (await csv.text()).split('\r\n');
    expect(lines[0]).toContain('indicateur;libelle;annee');
    expect(lines.some((l) => l.includes(';Groupe de communes;93010-93048-93064;Canal;'))).toBe(true);
    const xlsx = await fetch(`${portal.url}${path}/donnees.xlsx`);
    expect(xlsx.status).toBe(200);
    expect(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString('latin1')).toBe('PK');

    const page = await browser.context.newPage();
    await page.goto(`${portal.url}${path}?nom=Canal`);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 90_000 }), page.click('a:has-text("Télécharger le PDF")')]);
    const pdf = readFileSync(await download.path());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length).toBeGreaterThanOrEqual(2);
    await page.close();
  }, 150_000);

  it('redirects an address with unsorted, repeated or former codes to the canonical one, and answers 404 for an unknown commune', async () => {
    const moved = await fetch(`${portal.url}/portrait/groupe/93066-93059-93010?nom=Nord`, { redirect: 'manual' });
    expect(moved.status).toBe(301);
    expect(moved.headers.get('location')).toBe('/portrait/groupe/93010-93066?nom=Nord');
    const unknown = await fetch(`${portal.url}/portrait/groupe/93010-99999`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('99999');
  });
});
