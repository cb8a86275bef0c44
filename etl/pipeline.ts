import { mkdirSync, renameSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { InputError } from './core/errors.ts';
import { datasetAdapter, datasetDefinitions } from './sources/published/adapters.ts';
import { type DatasetFile, listDatasets } from './sources/published/dataset-file.ts';
import type { Cog } from './sources/cog/decoupage-administratif.ts';
import { ValidationError } from './core/errors.ts';
import type { Logger } from './core/logger.ts';
import type { GeoBatch, LoadWarning, SourceDescription, ValueBatch } from './core/types.ts';
import { appendRows, createSchema, openDb, type OpenDb } from './db/duckdb.ts';
import { loadCatalogue, checkCatalogueAgainstSources } from './engine/catalogue.ts';
import type { IndicatorDefinition } from './engine/types.ts';
import { locateSources, type LocatedFile } from './fetch/locate.ts';
import { silentProgress, type ProgressReporter } from './fetch/progress.ts';
import { convertValues } from './build/convert.ts';
import { appendDefinitions, appendSeries, appendValueRows, clusterValuesByTerritory, writeIndicators } from './build/write-indicators.ts';
import { CADASTRE_SOURCES, loadCadastre } from './cadastre/index.ts';
import { DVF_2022_EXTRACT } from './sources/dvf/dvf.ts';
import { buildTerritories, type Territories, writeTerritories } from './build/territories.ts';
import { buildTerritoryIndex, DEFAULT_SCOPE, type Scope } from './build/territory-index.ts';
import { type ProfileId, profileScope } from './build/profiles.ts';
import { loadZonings } from './build/zonings.ts';
import { validateBuild } from './build/validate.ts';
import { copyValuesBySeries } from './build/values-by-series.ts';
import {
  acquireBuildLock,
  buildStore,
  currentBuildPath,
  discardPartial,
  newBuildId,
  partialPath,
  prepareStore,
  pruneBuilds,
  publishBuild,
  removePartials
} from './build/store.ts';
import { cogSource, loadCog } from './sources/cog/decoupage-administratif.ts';
import { GEO_ADAPTERS, VALUE_ADAPTERS, type GeoAdapters } from './sources/registry.ts';
import type { ValueAdapter } from './core/types.ts';
import { repoRoot } from './core/paths.ts';

export interface BuildOptions {
  /** Folder holding `observatoire.duckdb`, `builds/`, `cache/` (default: the repo's data/). */
  dataDir?: string;
  /** Directory laid out like shared/data; when absent, sources are downloaded into the cache. */
  mirror?: string;
  cacheDir?: string;
  offline?: boolean;
  /** Territories of the build; wins over `profile`. */
  scope?: Scope;
  /** `departement` (default: the 93 portal) or `national` (every level from the IRIS to France). */
  profile?: ProfileId;
  /** Declarative inputs; default to the repo's data/indicators and data/zonings. */
  indicatorsDir?: string;
  zoningsDir?: string;
  logger: Logger;
  progress?: ProgressReporter;
  now?: () => Date;
  fetchImpl?: typeof fetch;
  /** Finished builds kept on disk besides the current one. */
  keepBuilds?: number;
  /** Replaces the adapters (tests of malformed inputs). */
  valueAdapters?: ValueAdapter[];
  geoAdapters?: GeoAdapters;
  /** Replaces the cadastre and DVF files (tests); `[]` builds without cadastre. */
  cadastreSources?: SourceDescription[];
  /**
   * Folders of datasets and zonings published from the portal (`indicators/<id>/<year>.json`,
   * `zonings/<id>.yaml|csv`); later ones override earlier ones. Default: `<data-dir>/published`.
   */
  publishedDirs?: string[];
  /** `indicator/year` keys left out (an unpublication being built). */
  excludePublished?: string[];
  /** Zoning ids left out (an unpublication being built). */
  excludeZonings?: string[];
  /**
   * Writes the validated build to this file instead of putting it in service (a draft's
   * preview): the current build and the store are left alone.
   */
  previewOutput?: string;
  /** Called as each step starts; a throwing hook simulates an interruption. */
  onStep?: (step: string) => void;
}

export interface BuildResult {
  id: string;
  path: string;
  durationMs: number;
  counts: Record<string, number>;
  warnings: LoadWarning[];
}

export const ETL_VERSION = '1';

/**
 * One build: locate every source, read and check it, compute every indicator at
 * every level, write a new DuckDB file, validate it, then swap it in atomically.
 * Any failure leaves the previous build untouched and serving.
 */
export async function runBuild(opts: BuildOptions): Promise<BuildResult> {
  const store = buildStore(resolve(opts.dataDir ?? join(repoRoot, 'data')));
  prepareStore(store);
  const release = acquireBuildLock(store, (opts.now ?? (() => new Date()))());
  try {
    return await buildLocked(opts);
  } finally {
    release();
  }
}

async function buildLocked(opts: BuildOptions): Promise<BuildResult> {
  const started = Date.now();
  const now = opts.now ?? (() => new Date());
  const log = opts.logger;
  const dataDir = resolve(opts.dataDir ?? join(repoRoot, 'data'));
  const store = buildStore(dataDir);
  const scope = opts.scope ?? (opts.profile ? profileScope(opts.profile) : DEFAULT_SCOPE);
  const step = (name: string) => {
    opts.onStep?.(name);
    log.info(`— ${name}`);
  };
  prepareStore(store);
  const leftovers = removePartials(store);
  if (leftovers.length) log.warn(`restes d'une construction interrompue supprimés : ${leftovers.join(', ')}`);

  const publishedDirs = opts.publishedDirs ?? [join(dataDir, 'published')];
  const publishedFiles = listDatasets(publishedDirs, new Set(opts.excludePublished ?? []));
  const publishedAdapters = publishedFiles.map(datasetAdapter);
  const valueAdapters = [...(opts.valueAdapters ?? VALUE_ADAPTERS), ...publishedAdapters];
  const geoAdapters = opts.geoAdapters ?? GEO_ADAPTERS;
  const cadastreSources = opts.cadastreSources ?? CADASTRE_SOURCES;
  const allSources: SourceDescription[] = [
    ...(opts.valueAdapters ?? VALUE_ADAPTERS).map((a) => a.source),
    ...Object.values(geoAdapters).map((a) => a.source),
    ...cadastreSources
  ];

  step('localisation des sources');
  const located = await locateSources(allSources, {
    mirror: opts.mirror,
    cacheDir: opts.cacheDir ?? join(dataDir, 'cache'),
    offline: opts.offline,
    fetchImpl: opts.fetchImpl,
    progress: opts.progress ?? silentProgress,
    logger: log,
    now
  });
  for (const [i, f] of publishedFiles.entries()) {
    located.set(publishedAdapters[i]!.source.id, {
      path: f.file,
      origin: 'published',
      relative: relative(dataDir, f.file),
      sha256: f.sha256,
      bytes: f.bytes
    });
  }
  const fileOf = (s: SourceDescription): LocatedFile => located.get(s.id)!;

  step('lecture des tableaux des producteurs');
  const ctx = { logger: log };
  const batches = new Map<string, ValueBatch>();
  for (const a of valueAdapters) batches.set(a.source.id, await a.read(fileOf(a.source).path, ctx));

  step('lecture des géométries');
  const geo = new Map<string, GeoBatch>();
  for (const [key, a] of Object.entries(geoAdapters)) geo.set(key, await a.read(fileOf(a.source).path, ctx));

  step('catalogue des indicateurs et zonages');
  const cog = loadCog();
  const defs = withPublished(await loadCatalogue(opts.indicatorsDir ?? join(repoRoot, 'data', 'indicators')), publishedFiles);
  const available = new Map<string, Set<string>>();
  for (const [id, b] of batches) available.set(id, new Set(b.values.map((v) => v.variable)));
  const problems = checkCatalogueAgainstSources(defs, available);
  if (problems.length) throw new ValidationError(problems);
  const zoningDirs = [opts.zoningsDir ?? join(repoRoot, 'data', 'zonings'), ...publishedDirs.map((d) => join(d, 'zonings'))];
  const { zonings, notes: zoningNotes } = loadZoningDirs(zoningDirs, cog, new Set(opts.excludeZonings ?? []));
  for (const n of zoningNotes) log.info(n);

  const index = buildTerritoryIndex(cog, scope, irisTerritoryCodes(scope, geo.get('iris')!, valueAdapters, batches), zonings);
  step('conversion des codes au COG courant');
  const scopeDeps = new Set(
    [...cog.departements.values()].filter((d) => scope.regions.includes(d.region)).map((d) => d.code)
  );
  const warnings: LoadWarning[] = [];
  const converted = new Map<string, ReturnType<typeof convertValues>>();
  for (const a of valueAdapters) {
    const b = batches.get(a.source.id)!;
    warnings.push(...b.warnings);
    const c = convertValues(a.source, fileOf(a.source).relative, b.values, index, scopeDeps);
    warnings.push(...c.warnings);
    if (c.outOfScope) {
      warnings.push({ source: a.source.id, file: fileOf(a.source).relative, message: `${c.outOfScope} valeurs hors du périmètre de la base (non chargées)` });
    }
    converted.set(a.source.id, c);
  }
  for (const [key, b] of geo) warnings.push(...b.warnings.map((w) => ({ ...w, message: `[${key}] ${w.message}` })));

  step('territoires et géométries');
  let territories: Territories | null = buildTerritories({ cog, scope, index, geo, zonings, logger: log });
  const territoryCount = territories.rows.length;

  const id = newBuildId(now());
  const partial = partialPath(store, id);
  let db: OpenDb | null = null;
  try {
    step(`écriture de la base ${id}`);
    db = await openDb(partial, { memoryLimit: process.env.OBS_DUCKDB_MEMORY ?? '1GB' });
    await createSchema(db.conn);
    const created = now();
    await appendRows(db.conn, 'build_info', [['key', 'varchar'], ['value', 'varchar']], [
      ['build_id', id],
      ['created_at', created.toISOString()],
      ['cog_vintage', String(cog.vintage)],
      ['scope_regions', scope.regions.join(',')],
      ['focus_departements', scope.focus.join(',')],
      ['profile', scope.profile ?? 'personnalise'],
      ['values_by_series', 'true'],
      ['etl_version', ETL_VERSION]
    ]);
    await writeSources(db, [
      ...valueAdapters.map((a) => ({ s: a.source, f: fileOf(a.source), rows: batches.get(a.source.id)!.rows, items: converted.get(a.source.id)!.values.length })),
      ...[...geo.entries()].map(([key, b]) => ({ s: geoAdapters[key as keyof GeoAdapters].source, f: fileOf(geoAdapters[key as keyof GeoAdapters].source), rows: b.features.length, items: b.features.length }))
    ], created);
    await appendRows(db.conn, 'sources', SOURCE_COLUMNS, [[
      cogSource.id, cogSource.label, cogSource.producer, cogSource.licence, cogSource.vintage, cogSource.url,
      cogSource.format, 'package', '@etalab/decoupage-administratif', '', 0, cog.communes.size, index.communes.length,
      cog.vintage, null, created
    ]]);
    await writeTerritories(db.conn, territories);
    // Geometries and producers' cells are written: let a national build's heap go.
    territories = null;
    geo.clear();
    batches.clear();

    step('calcul des indicateurs à tous les niveaux');
    const counts = await writeIndicators(db.conn, {
      defs,
      sources: new Map(valueAdapters.map((a) => [a.source.id, a.source])),
      converted,
      index
    });
    converted.clear();

    step('cadastre, historique des parcelles et ventes DVF');
    const cadastre = await loadCadastre(db.conn, new Map(cadastreSources.map((c) => [c.id, fileOf(c).path])), { logger: log, index });
    const sales = cadastre.salesIndicators;
    // Sales indicators only exist when DVF is loaded (a preview build skips the cadastre).
    if (cadastreSources.some((c) => c.id === DVF_2022_EXTRACT.id)) {
      await appendDefinitions(db.conn, sales.defs);
      await appendSeries(db.conn, sales.series.map((x) => ({ ...x, numeratorVar: null, denominatorVar: null })));
      counts.indicatorValues = (counts.indicatorValues ?? 0) + (await appendValueRows(db.conn, sales.rows));
      counts.indicators = (counts.indicators ?? 0) + sales.defs.length;
      counts.series = (counts.series ?? 0) + sales.series.length;
    }
    const cadastreRows = new Map(cadastre.sources.map((x) => [x.id, x]));
    await writeSources(
      db,
      cadastreSources.map((c) => ({ s: c, f: fileOf(c), rows: cadastreRows.get(c.id)?.rowsRead ?? 0, items: cadastreRows.get(c.id)?.itemsLoaded ?? 0 })),
      created
    );
    warnings.push(...cadastre.warnings);
    Object.assign(counts, Object.fromEntries(Object.entries(cadastre.counts).map(([k, v]) => [`cadastre.${k}`, v])));
    step('rangement des valeurs par territoire et par série');
    await clusterValuesByTerritory(db.conn);
    await copyValuesBySeries(db.conn);

    await appendRows(
      db.conn,
      'load_report',
      [['source_id', 'varchar'], ['severity', 'varchar'], ['file', 'varchar'], ['line', 'integer'], ['col', 'varchar'], ['message', 'varchar']],
      warnings.map((w) => [w.source, 'warning', w.file, w.line ?? null, w.column === undefined ? null : String(w.column), w.message])
    );

    step('validation');
    const problems = await validateBuild(db.conn, { scope, index });
    if (problems.length) throw new ValidationError(problems);
    await db.conn.run('CHECKPOINT');
    db.close();
    db = null;

    let path: string;
    if (opts.previewOutput) {
      step('aperçu');
      mkdirSync(dirname(opts.previewOutput), { recursive: true });
      renameSync(partial, opts.previewOutput);
      path = opts.previewOutput;
    } else {
      step('mise en service');
      path = publishBuild(store, id);
      const pruned = pruneBuilds(store, opts.keepBuilds ?? 3);
      if (pruned.length) log.info(`anciennes constructions supprimées : ${pruned.join(', ')}`);
    }
    const result: BuildResult = {
      id,
      path,
      durationMs: Date.now() - started,
      counts: { ...counts, territories: territoryCount, warnings: warnings.length },
      warnings
    };
    log.info(
      opts.previewOutput
        ? `aperçu ${id} écrit (${(result.durationMs / 1000).toFixed(1)} s) : ${path}`
        : `base ${id} en service (${(result.durationMs / 1000).toFixed(1)} s) : ${currentBuildPath(store)}`
    );
    return result;
  } catch (e) {
    db?.close();
    discardPartial(partial);
    throw e;
  }
}

const SOURCE_COLUMNS = [
  ['id', 'varchar'], ['label', 'varchar'], ['producer', 'varchar'], ['licence', 'varchar'], ['vintage', 'varchar'],
  ['url', 'varchar'], ['format', 'varchar'], ['origin', 'varchar'], ['file', 'varchar'], ['sha256', 'varchar'],
  ['bytes', 'double'], ['rows_read', 'integer'], ['items_loaded', 'integer'], ['geo_vintage', 'integer'],
  ['coverage', 'varchar[]'], ['loaded_at', 'timestamp']
] as const;

async function writeSources(
  db: OpenDb,
  list: { s: SourceDescription; f: LocatedFile; rows: number; items: number }[],
  loadedAt: Date
): Promise<void> {
  await appendRows(
    db.conn,
    'sources',
    SOURCE_COLUMNS,
    list.map(({ s, f, rows, items }) => [
      s.id, s.label, s.producer, s.licence, s.vintage, s.url, s.format, f.origin, f.relative, f.sha256, f.bytes,
      rows, items, s.geoVintage ?? null, s.coverage === undefined || s.coverage === 'france' ? null : s.coverage, loadedAt
    ])
  );
}

/**
 * IRIS that are territories of the build: those with a contour and, when the scope asks
 * for it, every IRIS published by a source covering all of France (CAF, Filosofi). IRIS
 * only found in extracts (a few communes) are not: their values count in their commune.
 */
function irisTerritoryCodes(
  scope: Scope,
  contours: GeoBatch,
  adapters: readonly ValueAdapter[],
  batches: ReadonlyMap<string, ValueBatch>
): Set<string> {
  const codes = new Set(contours.features.map((f) => f.code));
  if (!scope.irisFromSources) return codes;
  for (const a of adapters) {
    if (a.source.coverage !== 'france') continue;
    for (const v of batches.get(a.source.id)!.values) if (v.level === 'iris') codes.add(v.code);
  }
  return codes;
}

/** The catalogue plus the indicators published from the portal; an id may not be taken twice. */
function withPublished(defs: IndicatorDefinition[], files: readonly DatasetFile[]): IndicatorDefinition[] {
  const taken = new Set(defs.map((d) => d.id));
  const published = datasetDefinitions(files);
  for (const d of published) {
    if (taken.has(d.id)) {
      const f = files.find((x) => x.dataset.indicator.id === d.id)!;
      throw new InputError({ file: f.file, column: 'indicator.id', expected: 'un identifiant absent du catalogue data/indicators', found: d.id });
    }
  }
  return [...defs, ...published];
}

/** Zonings of several folders (the repository's, then those published from the portal); ids are unique. */
function loadZoningDirs(dirs: readonly string[], cog: Cog, exclude: ReadonlySet<string>): ReturnType<typeof loadZonings> {
  const out: ReturnType<typeof loadZonings> = { zonings: [], notes: [] };
  for (const dir of dirs) {
    const r = loadZonings(dir, cog);
    for (const z of r.zonings) {
      if (exclude.has(z.id)) continue;
      if (out.zonings.some((x) => x.id === z.id)) {
        throw new InputError({ file: z.file, column: 'id', expected: 'un identifiant de zonage unique', found: z.id });
      }
      out.zonings.push(z);
    }
    out.notes.push(...r.notes);
  }
  return out;
}
