import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../etl/core/logger.ts';
import { runBuild } from '../../etl/pipeline.ts';
import { mirrorDir } from '../../etl/testing/mirror.ts';
import { Browser } from '../admin/auth/test-harness.ts';
import { createPublishing } from '../admin/publishing/context.ts';
import type { PublishingContext } from '../admin/publishing/drafts.ts';
import { type AdminStore, openAdminStore } from '../admin/store.ts';
import { createUser } from '../admin/users.ts';
import { type ObservatoireApp, createApp } from '../app.ts';
import { type Db, openDb } from '../db.ts';
import { inProcessRunner } from '../testing/build-runner.ts';

// The whole publishing flow on a real build of ../shared/data: a statistician uploads the
// ANCT vacant-dwellings export (BOM, 3 metadata lines) with one mistyped code, fixes it with
// the report's suggestion, previews, publishes two vintages, unpublishes one; a zoning is
// published as a level. Visitors never see a draft, whatever they send.

const PASSWORD = 'un mot de passe assez long';
const INDICATOR = 'logements-vacants-partenaire';
const ANCT = 'anct-observatoire-territoires/logements-vacants-2022-communes-idf.csv';

let root: string;
let dataDir: string;
let db: Db;
let store: AdminStore;
let publishing: PublishingContext;
let built: ObservatoireApp;
const logger = memoryLogger();
const clock = () => new Date();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'obs-publishing-'));
  dataDir = join(root, 'data');
  await runBuild({ dataDir, mirror: mirrorDir(), offline: true, logger, cadastreSources: [], keepBuilds: 2 });
  db = await openDb(join(dataDir, 'observatoire.duckdb'), { logger });
  store = await openAdminStore(join(dataDir, 'admin', 'observatoire-admin.duckdb'));
  publishing = createPublishing({ dataDir, db, store, clock, logger, runner: inProcessRunner({ dataDir, mirror: mirrorDir(), logger }) });
  built = createApp({ db, clock, logger, admin: { auth: { store }, publishing } });
  await createUser(store, clock, { username: 'stat', role: 'statisticien', password: PASSWORD, displayName: 'Statisticienne' }, { username: null, context: { via: 'test' } });
}, 300_000);

afterAll(async () => {
  await publishing?.jobs.idle();
  await publishing?.previews.closeAll();
  store?.close();
  await db?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The ANCT export as a partner would send it, Bondy's code mistyped (a letter O for a zero). */
function partnerFile(): Uint8Array {
  const text = readFileSync(join(mirrorDir(), ANCT), 'utf8').replace('\n93010;Bondy;', '\n93O10;Bondy;');
  return new TextEncoder().encode(text);
}

interface Issue {
  severity: string;
  kind: string;
  line?: number;
  column?: string;
  suggestions?: { code: string; name: string }[];
}
interface UploadBody {
  upload: {
    id: string;
    detected: { encoding: string; separator: string; headerRow: number };
    geographyYear: number | null;
    header: string[];
    rowCount: number;
    report: { ok: boolean; issues: Issue[]; summary: { values: number } } | null;
  };
}
interface Job {
  id: string;
  state: string;
  error: string | null;
}

async function statisticien(): Promise<Browser> {
  const b = new Browser(built.app, 'http://localhost');
  const r = await b.login('stat', PASSWORD);
  expect(r.status).toBe(200);
  return b;
}

async function finished(b: Browser, job: Job): Promise<Job> {
  await publishing.jobs.idle();
  const r = await b.get<{ job: Job }>(`/api/admin/jobs/${job.id}`);
  expect(r.body.job.error).toBeNull();
  return r.body.job;
}

function mapping(year: number, corrections: { line: number; column: string; value: string }[] = []) {
  return {
    mapping: { codeColumn: 'Code', labelColumn: 'Libellé', level: 'commune', year, values: [{ column: 'Nombre de logements vacants 2022', variable: 'LOGVAC' }] },
    threshold: 5,
    corrections
  };
}

function description(year: number) {
  return {
    indicatorId: INDICATOR,
    label: 'Logements <b>vacants</b> (partenaire)',
    theme: 'logement',
    unit: 'logements',
    kind: 'count',
    value: 'LOGVAC',
    year,
    source: { label: 'Logements vacants par commune', producer: 'ANCT, Observatoire des territoires', url: '', vintage: String(year), licence: 'Licence Ouverte 2.0' },
    secrecy: { threshold: 5 }
  };
}

/** Upload → validate (error, fix, clean) → draft; returns the draft id. */
async function draftFor(b: Browser, year: number): Promise<string> {
  const up = await b.upload<UploadBody>(`/api/admin/uploads?filename=${encodeURIComponent('logements vacants.csv')}`, partnerFile());
  expect(up.status).toBe(201);
  const id = up.body.upload.id;
  const first = await b.post<UploadBody>(`/api/admin/uploads/${id}/validation`, mapping(year));
  const unknown = first.body.upload.report!.issues.find((i) => i.kind === 'code_inconnu')!;
  const fix = { line: unknown.line!, column: 'Code', value: unknown.suggestions![0]!.code };
  const second = await b.post<UploadBody>(`/api/admin/uploads/${id}/validation`, mapping(year, [fix]));
  expect(second.body.upload.report!.ok).toBe(true);
  const draft = await b.post<{ draft: { id: string } }>('/api/admin/drafts', { uploadId: id, description: description(year) });
  expect(draft.status).toBe(201);
  return draft.body.draft.id;
}

describe('publishing an indicator from a partner file', () => {
  let stat: Browser;
  let draft2022: string;

  beforeAll(async () => {
    stat = await statisticien();
  });

  it('reads the upload, detects its layout and reports the mistyped code with Bondy as suggestion', async () => {
    const up = await stat.upload<UploadBody>('/api/admin/uploads?filename=export.csv', partnerFile());
    expect(up.status).toBe(201);
    expect(up.body.upload.detected).toMatchObject({ encoding: 'utf-8', separator: ';', headerRow: 4 });
    expect(up.body.upload.geographyYear).toBe(2025);
    expect(up.body.upload.header).toEqual(['Code', 'Libellé', 'Nombre de logements vacants 2022']);
    const v = await stat.post<UploadBody>(`/api/admin/uploads/${up.body.upload.id}/validation`, mapping(2022));
    const report = v.body.upload.report!;
    expect(report.ok).toBe(false);
    const unknown = report.issues.filter((i) => i.kind === 'code_inconnu');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]!.suggestions![0]).toEqual({ code: '93010', name: 'Bondy' });
    // A draft cannot be made from a report with errors.
    const refused = await stat.post<{ error: { code: string } }>('/api/admin/drafts', { uploadId: up.body.upload.id, description: description(2022) });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('validation_en_echec');
  });

  it('refuses an oversized upload with 413 and a binary file with a clear 400', async () => {
    const big = await stat.upload<{ error: { code: string; message: string } }>('/api/admin/uploads?filename=gros.csv', new Uint8Array(21 * 1024 * 1024));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('fichier_trop_grand');
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(200).fill(0)]);
    const bin = await stat.upload<{ error: { code: string; message: string } }>('/api/admin/uploads?filename=donnees.csv', png);
    expect(bin.status).toBe(400);
    expect(bin.body.error.code).toBe('fichier_invalide');
    expect(bin.body.error.message).toContain('donnees.csv');
  });

  it('builds a preview that only statisticians see', async () => {
    draft2022 = await draftFor(stat, 2022);
    const job = await stat.post<{ job: Job }>(`/api/admin/drafts/${draft2022}/preview`, {});
    expect(job.status).toBe(202);
    expect((await finished(stat, job.body.job)).state).toBe('termine');

    stat.cookies.set('obs_apercu', draft2022);
    const withPreview = await stat.get<{ id: string }>(`/api/indicators/${INDICATOR}`);
    stat.cookies.delete('obs_apercu');
    expect(withPreview.status).toBe(200);
    expect(withPreview.headers.get('X-Observatoire-Apercu')).toBe(draft2022);
    const values = await stat.get<{ values: { code: string; value: number | null }[] }>(
      `/api/indicators/${INDICATOR}/values?level=commune&within=departement:93&apercu=${draft2022}`
    );
    expect(values.body.values.find((v) => v.code === '93010')?.value).toBe(2166);

    // Visitors: nothing, whether they name the draft in the query or in the cookie.
    const visitor = new Browser(built.app, 'http://localhost');
    visitor.cookies.set('obs_apercu', draft2022);
    for (const path of [`/api/indicators/${INDICATOR}?apercu=${draft2022}`, `/api/indicators/${INDICATOR}`]) {
      const r = await visitor.get(path);
      expect(r.status).toBe(404);
      expect(r.headers.get('X-Observatoire-Apercu')).toBeNull();
    }
  });

  it('serves every public route from the public build to a visitor asking for a preview', async () => {
    const publicBuild = db.current().id;
    const routes = built.docs.filter((d) => d.method === 'get' && !d.path.startsWith('/api/admin'));
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) {
      const path = samplePath(route.path, publicBuild);
      // Raw requests: tiles and downloads are not JSON.
      const r = await built.app.request(`http://localhost${path}${path.includes('?') ? '&' : '?'}apercu=${draft2022}`, {
        headers: { Cookie: `obs_apercu=${draft2022}` }
      });
      const text = await r.text();
      expect(r.status, `${route.path} → ${path}`).toBeLessThan(500);
      expect(r.headers.get('X-Observatoire-Apercu'), path).toBeNull();
      if (r.headers.get('X-Observatoire-Build')) expect(r.headers.get('X-Observatoire-Build'), path).toBe(publicBuild);
      expect(text, path).not.toContain(INDICATOR);
    }
  });

  it('answers every back-office route with 401 or 403 to a visitor, and never with data', async () => {
    const visitor = new Browser(built.app, 'http://localhost');
    await visitor.get('/api/admin/session');
    const routes = built.docs.filter((d) => d.path.startsWith('/api/admin') && !d.path.startsWith('/api/admin/session'));
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) {
      const path = samplePath(route.path, db.current().id).replace('{id}', draft2022);
      const r = route.method === 'get' ? await visitor.get(path) : await visitor.post(path, {});
      expect([401, 403], `${route.method} ${path}`).toContain(r.status);
      expect(r.text).not.toContain(draft2022.slice(-8));
    }
  });

  it('publishes the draft: the indicator joins the public catalogue, values and audit log', async () => {
    const job = await stat.post<{ job: Job }>(`/api/admin/drafts/${draft2022}/publish`, {});
    expect(job.status).toBe(202);
    expect((await finished(stat, job.body.job)).state).toBe('termine');
    const visitor = new Browser(built.app, 'http://localhost');
    const def = await visitor.get<{ label: string; series: { year: number }[] }>(`/api/indicators/${INDICATOR}`);
    expect(def.status).toBe(200);
    expect(def.body.label).toBe('Logements <b>vacants</b> (partenaire)');
    const values = await visitor.get<{ values: { code: string; value: number | null; status: string }[] }>(
      `/api/indicators/${INDICATOR}/values?level=commune&within=departement:93`
    );
    expect(values.body.values).toHaveLength(39);
    expect(values.body.values.find((v) => v.code === '93010')).toMatchObject({ value: 2166, status: 'ok' });
    // The ANCT file is on COG 2025: Saint-Denis already includes Pierrefitte.
    expect(values.body.values.find((v) => v.code === '93066')).toMatchObject({ value: 4236, status: 'ok' });
    const dep = await visitor.get<{ values: { value: number }[] }>(`/api/indicators/${INDICATOR}/values?level=departement&within=departement:93`);
    const sum = values.body.values.reduce((a, v) => a + (v.value ?? 0), 0);
    expect(dep.body.values[0]!.value).toBe(sum);
    expect((await stat.get<{ draft: { state: string } }>(`/api/admin/drafts/${draft2022}`)).body.draft.state).toBe('publie');
  });

  it('keeps the older vintage when a new one is published, and unpublishes one vintage on request', async () => {
    const draft2023 = await draftFor(stat, 2023);
    const job = await stat.post<{ job: Job }>(`/api/admin/drafts/${draft2023}/publish`, {});
    await finished(stat, job.body.job);
    const visitor = new Browser(built.app, 'http://localhost');
    const years = async () => (await visitor.get<{ series: { year: number }[] }>(`/api/indicators/${INDICATOR}`)).body.series.map((s) => s.year);
    expect(await years()).toEqual([2022, 2023]);

    const off = await stat.post<{ job: Job }>(`/api/admin/published/${INDICATOR}/2023/unpublish`, {});
    expect(off.status).toBe(202);
    await finished(stat, off.body.job);
    expect(await years()).toEqual([2022]);

    const audit = await stat.get<{ entries: { action: string; username: string; target: string | null }[] }>('/api/admin/audit?limit=200');
    const actions = audit.body.entries.filter((e) => e.username === 'stat').map((e) => e.action);
    for (const a of ['depot', 'validation', 'brouillon', 'apercu', 'publication', 'depublication']) expect(actions).toContain(a);
    expect(audit.body.entries.find((e) => e.action === 'depublication')?.target).toBe(`${INDICATOR}/2023`);
  });
});

describe('publishing a zoning', () => {
  it('checks each commune is held once, then publishes it as a level and unpublishes it', async () => {
    const stat = await statisticien();
    const communes = (await stat.get<{ values: { code: string; name: string }[] }>('/api/indicators/superficie/values?level=commune&within=departement:93')).body.values;
    expect(communes).toHaveLength(39);
    const members = communes.map((c, i) => ({ commune: c.code, group: `S${i % 3}`, groupName: `Secteur ${i % 3}` }));
    const twice = await stat.post<{ error: { code: string } }>('/api/admin/zonings', {
      id: 'secteurs-test',
      label: 'Secteur test',
      example: true,
      members: [...members, { ...members[0]!, group: 'S1', groupName: 'Secteur 1' }]
    });
    expect(twice.status).toBe(400);

    const saved = await stat.post<{ zoning: { state: string; groups: unknown[]; uncovered: unknown[] } }>('/api/admin/zonings', {
      id: 'secteurs-test',
      label: 'Secteur test',
      labelPlural: 'Secteurs test',
      example: true,
      members
    });
    expect(saved.status).toBe(201);
    expect(saved.body.zoning).toMatchObject({ state: 'brouillon', uncovered: [] });
    expect(saved.body.zoning.groups).toHaveLength(3);

    const visitor = new Browser(built.app, 'http://localhost');
    const levels = async () => (await visitor.get<{ levels: { id: string }[] }>('/api/levels')).body.levels.map((l) => l.id);
    expect(await levels()).not.toContain('secteurs-test');

    const job = await stat.post<{ job: Job }>('/api/admin/zonings/secteurs-test/publish', {});
    await finished(stat, job.body.job);
    expect(await levels()).toContain('secteurs-test');
    // Demonstration data says so wherever the level is offered.
    const listed = (await visitor.get<{ levels: { id: string; example: boolean }[] }>('/api/levels')).body.levels;
    expect(listed.find((l) => l.id === 'secteurs-test')?.example).toBe(true);
    expect(listed.find((l) => l.id === 'commune')?.example).toBe(false);
    const values = await visitor.get<{ values: { code: string; value: number | null }[] }>('/api/indicators/population-municipale/values?level=secteurs-test');
    expect(values.body.values).toHaveLength(3);

    const off = await stat.post<{ job: Job }>('/api/admin/zonings/secteurs-test/unpublish', {});
    await finished(stat, off.body.job);
    expect(await levels()).not.toContain('secteurs-test');
  });
});

/** A concrete URL for a documented route: every path parameter gets a real value of the test build. */
function samplePath(template: string, build: string): string {
  const values: Record<string, string> = {
    level: 'commune',
    code: '93010',
    id: 'population-municipale',
    layer: 'commune',
    build,
    z: '10',
    x: '518',
    y: '352',
    commune: '93010',
    couche: 'parcelles',
    parcel: '930100000A0001',
    indicator: INDICATOR,
    year: '2022',
    vintage: '2025-01',
    route: 'indicators',
    username: 'stat'
  };
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`paramètre de chemin sans valeur d'exemple : ${name} (${template})`);
    return v;
  });
}
