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

interface MapPixels {
  /** Pixel count by colour bucket. */
  counts: Record<string, number>;
  /** Colour bucket of every 7th pixel, in order: where each colour is. */
  grid: string[];
}

/** Pixels of the map canvas bucketed by colour: what a person sees, not what the code meant to draw. */
async function mapPixels(page: Page): Promise<MapPixels> {
  return page.evaluate(() => {
    const source = document.querySelector<HTMLCanvasElement>('.map canvas');
    if (!source) throw new Error('pas de canvas de carte');
    const canvas = document.createElement('canvas');
    canvas.width = source.width;
    canvas.height = source.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('pas de contexte 2D');
    ctx.drawImage(source, 0, 0);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const counts: Record<string, number> = {};
    const grid: string[] = [];
    for (let i = 0, n = 0; i < data.length; i += 4, n++) {
      // 4 bits per channel: antialiased edges fall into neighbouring buckets, fills do not
      const key = [data[i], data[i + 1], data[i + 2]].map((c) => ((c as number) >> 4).toString(16)).join('');
      counts[key] = (counts[key] ?? 0) + 1;
      if (n % 7 === 0) grid.push(key);
    }
    return { counts, grid };
  });
}

function isGrey(key: string): boolean {
  const [r, g, b] = [...key].map((c) => parseInt(c, 16)) as [number, number, number];
  return Math.max(r, g, b) - Math.min(r, g, b) <= 1;
}

/** Buckets covering a real area of the map (more than 0,3 % of its pixels), background and greys excluded. */
function colourfulAreas(counts: Record<string, number>): Map<string, number> {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const out = new Map<string, number>();
  for (const [key, n] of Object.entries(counts)) if (!isGrey(key) && n / total > 0.003) out.set(key, n);
  return out;
}

/** Share of the coloured map whose colour differs between two renders, place by place. */
function changed(a: MapPixels, b: MapPixels): number {
  let coloured = 0;
  let different = 0;
  a.grid.forEach((key, i) => {
    const other = b.grid[i] ?? '';
    if (isGrey(key) && isGrey(other)) return;
    coloured++;
    if (key !== other) different++;
  });
  return coloured ? different / coloured : 0;
}

function hexBucket(hex: string): string {
  return [1, 3, 5].map((i) => (parseInt(hex.slice(i, i + 2), 16) >> 4).toString(16)).join('');
}

async function waitForMap(page: Page, key?: string): Promise<void> {
  const selector = key ? `.map[data-etat="pret"][data-cle="${key}"]` : '.map[data-etat="pret"]';
  await page.waitForSelector(selector, { timeout: 30_000 });
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

describe.skipIf(!hasChromium)('portail dans Chromium', () => {
  beforeAll(async () => {
    ({ portal, browser } = await openPortal());
  }, 300_000);
  afterAll(() => closePortal({ portal, browser }));

  it('draws the map in colour, recolours it on a new indicator or classification, and a copied link restores it', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${portal.url}/carte?indicateur=taux-chomage&niveau=commune&palette=YlOrRd&opacite=100`);
    await waitForMap(page);

    // hover: name, value, unit, year and status
    const box = (await page.locator('.map').boundingBox())!;
    const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    await page.mouse.move(centre.x, centre.y);
    await page.waitForSelector('.tooltip', { timeout: 5_000 });
    expect(await page.textContent('.tooltip')).toMatch(/^\s*\S.*\d+,\d\s%.*2022.*publiée/s);
    await page.mouse.move(box.x + 2, box.y + 2);

    const firstPixels = await mapPixels(page);
    const first = colourfulAreas(firstPixels.counts);
    const legend = await page.$$eval('.legend .classes li .swatch', (els) => els.map((e) => getComputedStyle(e).backgroundColor));
    expect(legend.length).toBe(5);
    const palette = legend.map((rgb) => {
      const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
      return `#${[r, g, b].map((c) => (c as number).toString(16).padStart(2, '0')).join('')}`;
    });
    const painted = palette.filter((hex) => (first.get(hexBucket(hex)) ?? 0) > 500);
    expect(painted.length, `classes visibles : ${painted.join(', ')}`).toBeGreaterThanOrEqual(4);

    // another indicator: other territories in other classes
    const before = await page.getAttribute('.map', 'data-cle');
    await page.selectOption('#indicateur', 'part-etablissements-construction');
    await page.waitForFunction((k) => document.querySelector('.map')?.getAttribute('data-cle') !== k, before);
    await waitForMap(page);
    const second = await mapPixels(page);
    expect(await page.textContent('.map-title')).toContain('construction');
    expect(changed(firstPixels, second)).toBeGreaterThan(0.3);

    // another classification and palette
    await page.selectOption('#methode', 'intervalles');
    await page.selectOption('#palette', 'Blues');
    await page.selectOption('#classes', '4');
    await page.waitForFunction(() => document.querySelector('.map')?.getAttribute('data-cle')?.includes('intervalles|4|Blues'));
    await waitForMap(page);
    const third = await mapPixels(page);
    expect(changed(second, third)).toBeGreaterThan(0.5);
    const blues = await page.$$eval('.legend .classes li .swatch', (els) => els.map((e) => getComputedStyle(e).backgroundColor));
    expect(blues).toHaveLength(4);

    // the URL carries the whole state
    await page.waitForFunction(() => location.search.includes('methode=intervalles') && location.search.includes('palette=Blues'));
    const link = page.url();
    expect(link).not.toContain('vue=');
    const key = await page.getAttribute('.map', 'data-cle');
    const copy = await browser.context.newPage();
    await copy.goto(link);
    await waitForMap(copy, key ?? undefined);
    expect(await copy.inputValue('#methode')).toBe('intervalles');
    expect(await copy.inputValue('#classes')).toBe('4');
    expect(await copy.inputValue('#indicateur')).toBe('part-etablissements-construction');
    expect(changed(third, await mapPixels(copy))).toBeLessThan(0.03);
    expect(await copy.textContent('#resume-carte')).toMatch(/valeur la plus élevée/);
    await copy.close();
    // a click opens the territory's portrait
    await page.mouse.click(centre.x, centre.y);
    await page.waitForURL(/\/portrait\/commune\/93\d{3}-[a-z-]+$/, { timeout: 15_000 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws counts as proportional circles, exports the map as PNG and its data as CSV, and has an embeddable view', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${portal.url}/carte?indicateur=population-municipale&niveau=commune`);
    await waitForMap(page);
    expect(await page.inputValue('#rendu')).toBe('symboles');
    expect(await page.textContent('.legend')).toContain('Surface des cercles proportionnelle');

    const [png] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Image PNG")')]);
    const image = readFileSync(await png.path());
    expect(image.subarray(1, 4).toString('latin1')).toBe('PNG');
    const [width, height] = [image.readUInt32BE(16), image.readUInt32BE(20)];
    const canvas = await page.$eval('.map canvas', (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
    expect(width).toBeGreaterThan(canvas[0] as number);
    expect(height).toBeGreaterThan(canvas[1] as number);

    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Données CSV")')]);
    const text = readFileSync(await csv.path(), 'utf8');
    expect(text.startsWith('\uFEFFcode;nom;annee;valeur;unite;statut;classe;source;millesime')).toBe(true);
    expect(text).toMatch(/\r\n93010;Bondy;2022;51066;habitants;publiée;/);

    await page.click('button:has-text("Intégrer")');
    const snippet = await page.inputValue('#code-integration');
    expect(snippet).toMatch(/^<iframe src="http:\/\/127\.0\.0\.1:\d+\/carte\/integrer\?indicateur=population-municipale&amp;niveau=commune&amp;/);
    const src = /src="([^"]+)"/.exec(snippet)?.[1]?.replace(/&amp;/g, '&') ?? '';
    const embed = await browser.context.newPage();
    await embed.goto(src);
    await waitForMap(embed);
    expect(await embed.locator('nav.site').count()).toBe(0);
    expect(await embed.textContent('h1')).toBe('Population municipale');
    await embed.close();
    await page.close();
  });

  it('shows secret values as their own class, never as zero', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${portal.url}/carte?indicateur=part-allocataires-rsa&niveau=iris`);
    await waitForMap(page);
    const special = await page.textContent('.legend .special');
    expect(special).toMatch(/Secret statistique\s*\d+/);
    const secretRows = await page.$$eval('table tbody tr', (rows) =>
      rows.filter((r) => r.textContent?.includes('secret statistique')).map((r) => r.querySelectorAll('td')[2]?.textContent?.trim())
    );
    expect(secretRows.length).toBeGreaterThan(0);
    for (const cell of secretRows) expect(cell).toBe('—');
    await page.close();
  });

  it('can be used with the keyboard, with a visible focus, and axe finds no serious violation on the map page', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${portal.url}/carte`);
    await waitForMap(page);
    const reached = new Set<string>();
    let outlined = 0;
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el) return null;
        const s = getComputedStyle(el);
        return { id: el.id, visible: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 };
      });
      if (focus?.id) reached.add(focus.id);
      if (focus?.visible) outlined++;
    }
    for (const id of ['filtre-indicateur', 'indicateur', 'niveau', 'annee', 'methode', 'classes', 'palette', 'opacite']) {
      expect(reached, `focus clavier sur #${id}`).toContain(id);
    }
    expect(outlined).toBeGreaterThan(20);
    // the indicator list answers the arrow keys
    await page.focus('#indicateur');
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => !document.querySelector('.map')?.getAttribute('data-cle')?.startsWith('/api/indicators/taux-chomage/'));
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('shows the right numbers for Bondy, redirects a wrong slug and answers 404 for an unknown code', async () => {
    const api = (await (await fetch(`${portal.url}/api/portraits/commune/93010`)).json()) as {
      indicators: { id: string; value: { value: number | null } }[];
    };
    const value = (id: string) => api.indicators.find((i) => i.id === id)?.value.value as number;
    const population = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 }).format(value('population-municipale'));
    const chomage = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value('taux-chomage'));

    const page = await browser.context.newPage();
    const response = await page.goto(`${portal.url}/portrait/commune/93010`);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/portrait/commune/93010-bondy');
    expect(await page.textContent('h1')).toBe('Bondy');
    const card = (title: string) => page.locator('.card').filter({ has: page.locator('h3', { hasText: new RegExp(`^${title}$`) }) });
    const populationCard = card('Population');
    expect(await populationCard.locator('.big').textContent()).toContain(population);
    expect(await populationCard.textContent()).toMatch(/soit \d+,\d\s%\sdu total de la Seine-Saint-Denis/);
    const chomageCard = card('Taux de chômage');
    expect(await chomageCard.locator('.big').textContent()).toContain(chomage);
    expect(await chomageCard.textContent()).toMatch(/fois celui de la Seine-Saint-Denis|proche de celui de la Seine-Saint-Denis/);
    expect(await chomageCard.textContent()).toContain('Source : Insee');
    await page.waitForSelector('html[data-portrait-pret="oui"]', { timeout: 30_000 });
    expect(await seriousViolations(page)).toEqual([]);

    const missing = await page.goto(`${portal.url}/portrait/commune/99999-nulle-part`);
    expect(missing?.status()).toBe(404);
    expect(await page.textContent('h1')).toBe('Page introuvable');
    await page.close();
  });

  it('serves a portrait for every level and for the example zoning, under its canonical URL', async () => {
    const cases: [string, string, RegExp][] = [
      ['iris', '930100202', /^\/portrait\/iris\/930100202-le-centre-ville$/],
      ['ept', '200057875', /^\/portrait\/ept\/200057875-est-ensemble$/],
      ['departement', '93', /^\/portrait\/departement\/93-seine-saint-denis$/],
      ['region', '11', /^\/portrait\/region\/11-ile-de-france$/],
      ['bassins-exemple', 'B3', /^\/portrait\/bassins-exemple\/B3-.*-exemple$/]
    ];
    for (const [level, code, canonical] of cases) {
      const response = await fetch(`${portal.url}/portrait/${level}/${code}`);
      expect(response.status, `${level} ${code}`).toBe(200);
      expect(new URL(response.url).pathname).toMatch(canonical);
      const html = await response.text();
      expect(html).toMatch(/<h1[^>]*>[^<]+<\/h1>/);
      expect(html).toContain('Source : ');
      if (level === 'bassins-exemple') expect(html).toContain('zonage d’exemple, non officiel');
    }
    expect((await fetch(`${portal.url}/portrait/nulle-part/93010`)).status).toBe(404);
  });

  it('downloads the portrait as a valid multi-page A4 PDF, and its data as CSV', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${portal.url}/portrait/commune/93010-bondy`);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 90_000 }), page.click('a:has-text("Télécharger le PDF")')]);
    const file = await download.path();
    const pdf = readFileSync(file);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-1024).toString('latin1')).toContain('%%EOF');
    const text = pdf.toString('latin1');
    const pages = text.match(/\/Type\s*\/Page(?!s)/g) ?? [];
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/\/MediaBox\s*\[\s*0\s+0\s+59[45](\.\d+)?\s+84[12](\.\d+)?\s*\]/);

    const csv = await fetch(`${portal.url}/portrait/commune/93010-bondy/donnees.csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const body = await csv.text();
    expect(body.split('\r\n')[0]).toContain('indicateur;libelle;annee');
    expect(body).toContain('taux-chomage');
    await page.close();
  }, 120_000);

  it('finds a territory from the home page without accents', async () => {
    const page = await browser.context.newPage();
    await page.goto(portal.url);
    await page.fill('#recherche-territoire', 'ile saint denis');
    const link = page.locator('.results a', { hasText: "L'Île-Saint-Denis" }).first();
    await link.waitFor({ timeout: 10_000 });
    await link.click();
    await page.waitForURL(/\/portrait\/commune\/93039-l-ile-saint-denis$/);
    await page.close();
  });
});
