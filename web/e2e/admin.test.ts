import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mirrorDir, mirrorFile } from '../../etl/testing/mirror.ts';
import { testDbPath } from '../../etl/testing/test-db.ts';
import { createAccount, partnerFile, seriousViolations, writableDataDir } from './admin-setup.ts';
import { type Browser, CHROMIUM, type Portal, closePortal, launchBrowser, openPortal } from './harness.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`Tests navigateur ignorés : ${CHROMIUM} est absent (apt-get install chromium).`);

const STAT = { username: 'stat', password: 'Seine-Saint-Denis-93-bondy!', name: 'Camille Statisticienne' };
const STAT2 = { username: 'stat.deux', password: 'autre-mot-de-passe-93', name: 'Dominique Second' };
const ADMIN = { username: 'admin', password: 'gestion-des-comptes-93', name: 'Alex Admin' };
const LABEL = 'Logements vacants <b>HTML</b> (partenaire)';
const INDICATOR = 'logements-vacants-html-partenaire';
const BUILD_TIMEOUT = 6 * 60_000;

let portal: Portal;
let browser: Browser;
let dataDir: string;

async function login(page: Page, who: { username: string; password: string }): Promise<void> {
  await page.fill('#identifiant', who.username);
  await page.fill('#mot-de-passe', who.password);
  await page.click('button[type="submit"]:has-text("Se connecter")');
}

/** The value of a commune in the map page's values table, as shown (« 2 166 logements »). */
async function tableValue(page: Page, commune: string): Promise<string | null> {
  return page.$$eval(
    '.table-section table tbody tr',
    (rows, name) => rows.find((r) => r.querySelector('td')?.textContent?.trim() === name)?.querySelectorAll('td')[2]?.textContent?.trim() ?? null,
    commune
  );
}

describe.skipIf(!hasChromium)('espace statisticiens dans Chromium', () => {
  beforeAll(async () => {
    const dir = writableDataDir(testDbPath());
    dataDir = dir.dataDir;
    // accounts exist before the server opens (and locks) the administration store
    for (const [who, role] of [
      [STAT, 'statisticien'],
      [STAT2, 'statisticien'],
      [ADMIN, 'admin']
    ] as const) {
      await createAccount(dataDir, who.username, role, who.password, who.name);
    }
    ({ portal, browser } = await openPortal({ dbPath: dir.dbPath, dataDir, env: { OBS_MIRROR: mirrorDir() } }));
  }, 400_000);
  afterAll(async () => {
    await closePortal({ portal, browser });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends an anonymous visitor to the login page, and refuses the accounts page to a statisticien', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${portal.url}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/connexion');
    expect(await page.textContent('h1')).toBe('Espace statisticiens');
    expect(await seriousViolations(page)).toEqual([]);

    // keyboard only: the fields are labelled and in order
    await page.focus('#identifiant');
    await page.keyboard.type(STAT2.username);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('mot-de-passe');
    await page.keyboard.type(STAT2.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${portal.url}/admin`);
    expect(await page.textContent('.admin-bar')).toContain(STAT2.name);
    expect(await page.locator('.admin-bar a', { hasText: 'Comptes' }).count()).toBe(0);

    const refused = await page.goto(`${portal.url}/admin/comptes`);
    expect(refused?.status()).toBe(403);
    expect(await page.textContent('h1')).toBe('Accès refusé');
    expect(await page.textContent('main')).toContain('réservée aux administrateurs');
    const api = await page.evaluate(async () => (await fetch('/api/admin/users')).status);
    expect(api).toBe(403);

    // an admin does see the accounts, with no password hash anywhere in the page
    await browser.context.clearCookies();
    await page.goto(`${portal.url}/admin/comptes`);
    await page.waitForURL(/\/admin\/connexion\?suite=%2Fadmin%2Fcomptes/);
    await login(page, ADMIN);
    await page.waitForURL(`${portal.url}/admin/comptes`);
    const accounts = await page.textContent('main table');
    for (const who of [STAT, STAT2, ADMIN]) expect(accounts).toContain(who.username);
    expect(await page.content()).not.toMatch(/scrypt\$/);
    expect(await seriousViolations(page)).toEqual([]);
    await browser.context.clearCookies();
    await page.close();
  });

  it('takes a partner file from upload to publication: report, correction, escaped label, private preview, public map, audit log', async () => {
    const source = mirrorFile('anct-observatoire-territoires/logements-vacants-2022-communes-idf.csv');
    const file = partnerFile(source, dataDir);
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // 1. login, a wrong password first
    await page.goto(`${portal.url}/admin/depot`);
    await page.waitForURL(/\/admin\/connexion\?suite=%2Fadmin%2Fdepot$/);
    await login(page, { username: STAT.username, password: 'pas-le-bon-mot-de-passe' });
    const refusal = page.locator('[role="alert"]', { hasText: 'Identifiant ou mot de passe incorrect' });
    await refusal.waitFor({ timeout: 10_000 });
    expect(await page.inputValue('#mot-de-passe')).toBe('');
    await login(page, STAT);
    await page.waitForURL(`${portal.url}/admin/depot`);
    expect(await page.textContent('main')).toContain('20 Mo au plus');

    // 2. upload: detected options, then mapping and the validation report
    await page.setInputFiles('#fichier', file.path);
    await page.waitForURL(/\/admin\/depot\/depot-[a-z0-9-]+$/, { timeout: 30_000 });
    const uploadUrl = page.url();
    const detected = await page.textContent('.detected');
    expect(detected).toMatch(/Encodage : UTF-8 \(avec marque d’ordre des octets, BOM\)/);
    expect(detected).toContain('Séparateur : point-virgule « ; »');
    expect(detected).toMatch(/Ligne d’en-tête : 4 \(3 lignes de métadonnées au-dessus\)/);
    expect(detected).toContain('communes 2025');
    expect(await page.inputValue('#separateur')).toBe(';');
    expect(await page.inputValue('#entete')).toBe('4');
    expect(await page.textContent('table caption')).toContain(`sur ${file.rows}`);
    expect(await page.textContent('table tbody')).toContain('93O10');
    expect(await seriousViolations(page)).toEqual([]);

    await page.click('button:has-text("Continuer : colonnes et validation")');
    await page.waitForURL(/etape=colonnes/);
    expect(await page.inputValue('#col-code')).toBe('Code');
    expect(await page.inputValue('#col-libelle')).toBe('Libellé');
    expect(await page.inputValue('#annee-fixe')).toBe('2022');
    await page.fill('input[aria-label="Nom de variable pour « Nombre de logements vacants 2022 »"]', 'LOGVAC');
    await page.click('button:has-text("Valider le fichier")');
    await page.waitForSelector('.report');
    const report = await page.textContent('.report');
    expect(report).toContain('Le fichier contient des erreurs');
    expect(report).toContain('93O10');
    expect(await page.isDisabled('button:has-text("Continuer : description")')).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);

    // the suggestion fixes the cell, and the report comes back clean
    await page.click('button:has-text("Remplacer par 93010 (Bondy)")');
    await page.waitForSelector('.verdict.ok', { timeout: 30_000 });
    const corrections = await page.textContent('section[aria-labelledby="corrections-titre"]');
    expect(corrections).toMatch(/Corrections appliquées \(1\)/);
    expect(corrections).toContain('93010');

    // 3. description, with a label containing markup: shown as text, never as HTML
    await page.click('button:has-text("Continuer : description")');
    await page.waitForURL(/etape=description/);
    await page.fill('#libelle', LABEL);
    expect(await page.inputValue('#identifiant')).toBe(INDICATOR);
    await page.selectOption('#theme', 'logement');
    await page.fill('#unite', 'logements');
    expect(await page.inputValue('#nature')).toBe('count');
    await page.fill('#source-titre', 'Logements vacants (export de test)');
    await page.fill('#producteur', 'ANCT, Observatoire des territoires');
    await page.fill('#millesime', '2022');
    await page.fill('#licence', 'Licence Ouverte 2.0');
    expect(await seriousViolations(page)).toEqual([]);
    await page.click('button:has-text("Créer le brouillon")');
    await page.waitForURL(/etape=apercu/);
    const summary = page.locator('dl.summary');
    expect(await summary.textContent()).toContain(LABEL);
    expect(await summary.locator('b').count()).toBe(0);

    // 4. preview: the statistician sees the draft on the map, nobody else does
    await page.click('button:has-text("Construire l’aperçu")');
    await page.locator('a', { hasText: 'Voir sur la carte' }).waitFor({ timeout: BUILD_TIMEOUT });
    expect(await page.locator('a', { hasText: 'Voir dans un portrait' }).count()).toBe(1);
    await page.click('a:has-text("Voir sur la carte")');
    await page.waitForURL(new RegExp(`/carte\\?indicateur=${INDICATOR}`));
    const banner = page.locator('.preview-banner');
    expect(await banner.textContent()).toContain(`Aperçu du brouillon « ${LABEL} » (2022)`);
    expect(await banner.locator('b').count()).toBe(0);
    await page.waitForSelector('.map[data-etat="pret"]', { timeout: 60_000 });
    expect(await page.textContent('.map-title')).toBe(LABEL);
    expect(await page.inputValue('#indicateur')).toBe(INDICATOR);
    expect(await tableValue(page, 'Bondy')).toBe(`${file.bondy.replace(/\B(?=(\d{3})+$)/g, '\u202f')}\u202flogements`);

    const draftId = (await browser.context.cookies()).find((c) => c.name === 'obs_apercu')?.value;
    expect(draftId).toMatch(/^brouillon-/);
    expect((await fetch(`${portal.url}/api/indicators/${INDICATOR}`)).status).toBe(404);
    // the cookie alone opens nothing: the preview needs a statistician's session
    const withCookie = await fetch(`${portal.url}/api/indicators/${INDICATOR}`, { headers: { cookie: `obs_apercu=${draftId}` } });
    expect(withCookie.status).toBe(404);
    expect((await fetch(`${portal.url}/api/indicators/${INDICATOR}?apercu=${draftId}`)).status).toBe(404);
    expect(await seriousViolations(page)).toEqual([]);

    await page.click('.preview-banner a:has-text("Quitter l’aperçu")');
    await page.waitForURL(new RegExp(`/carte\\?indicateur=${INDICATOR}`));
    expect(await page.locator('.preview-banner').count()).toBe(0);

    // 5. publication, then a visitor finds it on the public map
    await page.goto(`${uploadUrl}?etape=publication`);
    await page.check('#confirmer');
    await page.click('button:has-text("Publier")');
    await page.locator('.published', { hasText: 'est publié' }).waitFor({ timeout: BUILD_TIMEOUT });
    expect(await page.textContent('.published')).toContain(LABEL);

    const visitor = await launchBrowser();
    try {
      const v = await visitor.context.newPage();
      await v.goto(`${portal.url}/carte`);
      await v.waitForSelector('.map[data-etat="pret"]', { timeout: 60_000 });
      await v.fill('#filtre-indicateur', 'logements vacants html');
      expect(await v.locator('#indicateur option', { hasText: LABEL }).count()).toBe(1);
      await v.selectOption('#indicateur', INDICATOR);
      await v.waitForFunction((id) => document.querySelector('.map')?.getAttribute('data-cle')?.startsWith(`/api/indicators/${id}/`), INDICATOR);
      await v.waitForSelector('.map[data-etat="pret"]', { timeout: 60_000 });
      expect(await v.textContent('.map-title')).toBe(LABEL);
      expect(await tableValue(v, 'Bondy')).toMatch(/logements$/);
      const numbers = await v.$$eval('.table-section table tbody tr td:nth-child(3)', (cells) => cells.filter((c) => /\d/.test(c.textContent ?? '')).length);
      expect(numbers).toBeGreaterThan(30);
      expect(await v.locator('.preview-banner').count()).toBe(0);
      expect((await fetch(`${portal.url}/api/indicators/${INDICATOR}`)).status).toBe(200);
    } finally {
      await visitor.close();
    }

    // the audit log tells the story, in French
    await page.goto(`${portal.url}/admin/journal?utilisateur=${STAT.username}`);
    const actions = await page.$$eval('[data-action]', (els) => els.map((e) => e.getAttribute('data-action')));
    for (const action of ['connexion', 'depot', 'validation', 'brouillon', 'apercu', 'publication']) expect(actions, action).toContain(action);
    const log = await page.textContent('main table');
    for (const text of ['Dépôt d’un fichier', 'Validation d’un dépôt', 'Brouillon créé', 'Aperçu construit', 'Publication']) expect(log).toContain(text);
    expect(await seriousViolations(page)).toEqual([]);

    // the dashboard lists the vintage as published, by whom
    await page.goto(`${portal.url}/admin`);
    const row = page.locator('tbody tr', { hasText: INDICATOR });
    expect(await row.textContent()).toMatch(/publié.*publié par stat/s);
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 15 * 60_000);

  it('defines a zoning on the map, from the list and from a file, shows its checks, then publishes and unpublishes it', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${portal.url}/admin/zonages/nouveau`);
    await login(page, STAT);
    await page.waitForURL(`${portal.url}/admin/zonages/nouveau`);

    await page.fill('#libelle', 'Secteur <i>test</i>');
    expect(await page.inputValue('#identifiant')).toBe('secteur-i-test-i');
    await page.fill('#identifiant', 'secteur-test');
    await page.check('#exemple');
    for (const [code, name] of [
      ['N', 'Nord'],
      ['S', 'Sud']
    ] as const) {
      await page.fill('#groupe-code', code);
      await page.fill('#groupe-nom', name);
      await page.keyboard.press('Enter');
    }
    expect(await page.isChecked('#courant-S')).toBe(true);
    const inGroup = (group: string) => page.$$eval('tbody select', (els, g) => els.filter((e) => (e as HTMLSelectElement).value === g).length, group);

    // a click on the map puts the commune in the current group, a second click takes it out
    await page.waitForSelector('.map[data-etat="pret"]', { timeout: 60_000 });
    const box = (await page.locator('.map').boundingBox())!;
    const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    await page.mouse.click(centre.x, centre.y);
    await page.waitForFunction(() => [...document.querySelectorAll('tbody select')].some((e) => (e as HTMLSelectElement).value === 'S'));
    expect(await inGroup('S')).toBe(1);
    await page.mouse.click(centre.x, centre.y);
    await page.waitForFunction(() => ![...document.querySelectorAll('tbody select')].some((e) => (e as HTMLSelectElement).value === 'S'));
    await page.mouse.click(centre.x, centre.y);
    await page.waitForFunction(() => [...document.querySelectorAll('tbody select')].some((e) => (e as HTMLSelectElement).value === 'S'));

    // the list does the same without a mouse
    await page.selectOption('#commune-93010', 'N');
    await page.selectOption('#commune-93048', 'N');
    expect(await inGroup('N')).toBe(2);
    const checks = await page.textContent('.checks');
    expect(checks).toMatch(/3 communes dans un groupe/);
    expect(checks).toMatch(/3\d communes de la Seine-Saint-Denis sans groupe/);
    expect(await seriousViolations(page)).toEqual([]);

    await page.click('button:has-text("Enregistrer le brouillon")');
    await page.waitForURL(`${portal.url}/admin/zonages/secteur-test`);
    await page.locator('[role="status"]', { hasText: 'enregistré (brouillon)' }).waitFor();
    expect(await page.textContent('h1')).toBe('Zonage « Secteur <i>test</i> »');
    expect(await page.locator('h1 i').count()).toBe(0);
    expect(await page.textContent('main')).toContain('exemple');

    // a file replaces the groups; a former code is converted, and said so once saved
    const csv = join(dataDir, 'secteurs.csv');
    writeFileSync(csv, 'commune;bassin;nom du bassin\n93010;N;Nord\n93048;N;Nord\n93059;S;Sud\n');
    await page.setInputFiles('#csv', csv);
    await page.locator('[role="status"]', { hasText: 'lu : 3 communes en 2 groupes' }).waitFor();
    expect(await page.inputValue('#commune-93066')).toBe('S');
    expect(await inGroup('S')).toBe(1);
    expect(await page.textContent('.checks')).toMatch(/93059 converti en 93066 \(Saint-Denis, COG \d{4}\)/);
    await page.click('button:has-text("Enregistrer le brouillon")');
    await page.locator('[role="status"]', { hasText: 'enregistré (brouillon)' }).waitFor();

    // publication: a build, followed on the page; the zoning becomes a level of the portal
    await page.click('button:has-text("Publier")');
    await page.locator('.job.termine').waitFor({ timeout: BUILD_TIMEOUT });
    await page.locator('.badge.publie').waitFor();
    const levels = (await (await fetch(`${portal.url}/api/levels`)).json()) as { levels: { id: string; kind: string }[] };
    expect(levels.levels.find((l) => l.id === 'secteur-test')?.kind).toBe('zoning');
    expect(await page.isDisabled('#libelle')).toBe(true);

    await page.click('button:has-text("Dépublier")');
    await page.locator('.job.termine', { hasText: 'Dépublication' }).waitFor({ timeout: BUILD_TIMEOUT });
    await page.locator('.badge.depublie').waitFor();
    const after = (await (await fetch(`${portal.url}/api/levels`)).json()) as { levels: { id: string }[] };
    expect(after.levels.map((l) => l.id)).not.toContain('secteur-test');
    expect(errors).toEqual([]);
    await page.close();
  }, 15 * 60_000);
});
