/**
 * Cadastre and DVF load of a build: parcels of every millésime (Etalab GeoJSON),
 * EDIGEO feuilles (parcels, buildings, sections, lieux-dits), parcel history between
 * consecutive millésimes, DVF sales joined to their parcels, and the sales
 * indicators. Called by the pipeline once the main tables are written; the pipeline
 * appends `salesIndicators` to the catalogue and indicator tables.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from '../core/logger.ts';
import type { LoadWarning, SourceDescription } from '../core/types.ts';
import type { TerritoryIndex } from '../build/territory-index.ts';
import { readEdigeo, EDIGEO_SOURCES } from '../sources/cadastre/edigeo.ts';
import { ETALAB_PARCEL_SOURCES, readEtalabParcels } from '../sources/cadastre/etalab-geojson.ts';
import type { CadastreIssue, CadastreSource } from '../sources/cadastre/types.ts';
import { DVF_2022_EXTRACT, readDvf, type DvfSource } from '../sources/dvf/dvf.ts';
import { groupSales } from '../sources/dvf/sales.ts';
import { computeHistory, type HistoryParcel, type Vintage } from './history.ts';
import { computeSalesIndicators, type SalesIndicators } from './sales-indicators.ts';
import {
  geometryJson,
  writeBuildings,
  writeHistory,
  writeLieuxDits,
  writeLoadReport,
  writeParcels,
  writeSales,
  writeSections,
  type SaleRow
} from './write.ts';

export { computeSalesIndicators, salesIndicatorDefinitions, SALES_SECRECY_THRESHOLD } from './sales-indicators.ts';
export type { SalesIndicators, SalesSeries } from './sales-indicators.ts';

/** Every file the cadastre load reads, with its mirror path and the producer's URL. */
export const CADASTRE_SOURCES: SourceDescription[] = [...ETALAB_PARCEL_SOURCES, ...EDIGEO_SOURCES, DVF_2022_EXTRACT];

export interface CadastreContext {
  logger: Logger;
  index: TerritoryIndex;
}

export interface CadastreSourceStats {
  id: string;
  /** Features or lines read. */
  rowsRead: number;
  /** Rows written (parcels + buildings + sections + lieux-dits, or sales). */
  itemsLoaded: number;
}

export interface CadastreLoadResult {
  counts: Record<string, number>;
  /** Issues of severity `warning`, for the main load report. */
  warnings: LoadWarning[];
  salesIndicators: SalesIndicators;
  /** For the `sources` table (rows_read, items_loaded). */
  sources: CadastreSourceStats[];
  timingsMs: Record<string, number>;
}

const schemaPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'db', 'schema-cadastre.sql');

export async function createCadastreSchema(conn: DuckDBConnection): Promise<void> {
  await conn.run(readFileSync(schemaPath, 'utf8'));
}

/**
 * Loads the files given (`sourceId → local path`; sources absent from the map are
 * skipped and logged). Structural problems throw InputError; geometry defects and
 * other recoverable issues are written to `cadastre_load_report`.
 */
export async function loadCadastre(
  conn: DuckDBConnection,
  files: Map<string, string>,
  ctx: CadastreContext
): Promise<CadastreLoadResult> {
  const log = ctx.logger;
  const timingsMs: Record<string, number> = {};
  const time = async <T>(step: string, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await f();
    } finally {
      timingsMs[step] = Math.round((timingsMs[step] ?? 0) + performance.now() - t);
    }
  };
  const started = performance.now();
  const issues: CadastreIssue[] = [];
  const stats: CadastreSourceStats[] = [];
  const counts: Record<string, number> & Record<'parcels' | 'buildings' | 'sections' | 'lieuxDits' | 'historyRows', number> = { parcels: 0, buildings: 0, sections: 0, lieuxDits: 0, historyRows: 0 };
  /** Parcel ids of every millésime, per commune: what DVF sales are joined to. */
  const parcelIds = new Map<string, Set<string>>();
  const remember = (commune: string, ids: Iterable<string>) => {
    let set = parcelIds.get(commune);
    if (!set) parcelIds.set(commune, (set = new Set()));
    for (const id of ids) set.add(id);
  };
  const located = (s: SourceDescription) => {
    const path = files.get(s.id);
    if (path === undefined) log.info(`${s.id} : fichier non fourni, source ignorée`);
    return path;
  };

  await createCadastreSchema(conn);

  // Etalab parcels, millésime after millésime per commune: only the previous one is
  // kept in memory, for the history.
  const byCommune = new Map<string, CadastreSource[]>();
  for (const s of ETALAB_PARCEL_SOURCES) byCommune.set(s.commune, [...(byCommune.get(s.commune) ?? []), s]);
  for (const [commune, sources] of byCommune) {
    let previous: Vintage | null = null;
    for (const source of [...sources].sort((a, b) => a.vintage.localeCompare(b.vintage))) {
      const path = located(source);
      if (path === undefined) continue;
      const label = fileLabel(source, path);
      const batch = await time('etalab-lecture', () => readEtalabParcels(path, source, label));
      issues.push(...batch.issues);
      const json = new Map(batch.parcels.map((p) => [p.id, geometryJson(p)]));
      const written = await time('ecriture', () => writeParcels(conn, batch.parcels, (p) => json.get(p.id) ?? null));
      counts.parcels += written;
      stats.push({ id: source.id, rowsRead: batch.rows, itemsLoaded: written });
      issues.push(summary(source, label, `${batch.rows} parcelles lues, ${written} chargées`, batch.issues));
      remember(commune, json.keys());
      const current: Vintage = {
        vintage: source.vintage,
        parcels: new Map(
          batch.parcels.map((p): [string, HistoryParcel] => [p.id, { id: p.id, section: p.section, geometry: p.geometry, bbox: p.bbox, geojson: json.get(p.id) ?? null }])
        )
      };
      if (previous) {
        const from: Vintage = previous;
        const h = await time('historique', async () => computeHistory(commune, from, current));
        counts.historyRows += await time('ecriture', () => writeHistory(conn, h.rows));
        const c = h.counts;
        log.info(
          `cadastre ${commune} ${from.vintage} → ${current.vintage} : ${h.countFrom} → ${h.countTo} parcelles, ` +
            `${c.created} créées, ${c.deleted} supprimées, ${c.geometry} modifiées, ${c.merged} fusions, ${c.split} divisions`
        );
        for (const id of h.unmeasured) {
          issues.push({ source: source.id, file: label, severity: 'warning', kind: 'historique-recouvrement-incalculable', featureId: id, message: `parcelle ${id} : recouvrement avec le millésime précédent incalculable (géométrie invalide), traitée comme sans lien` });
        }
      }
      previous = current;
    }
  }

  for (const source of EDIGEO_SOURCES) {
    const path = located(source);
    if (path === undefined) continue;
    const label = fileLabel(source, path);
    const lot = await time('edigeo-lecture', () => readEdigeo(path, source, label));
    issues.push(...lot.issues);
    const written = await time('ecriture', async () => {
      const p = await writeParcels(conn, lot.parcels, geometryJson);
      const b = await writeBuildings(conn, lot.buildings);
      const s = await writeSections(conn, lot.sections);
      const l = await writeLieuxDits(conn, lot.lieuxDits);
      counts.parcels += p;
      counts.buildings += b;
      counts.sections += s;
      counts.lieuxDits += l;
      return p + b + s + l;
    });
    remember(source.commune, lot.parcels.map((p) => p.id));
    stats.push({ id: source.id, rowsRead: lot.rows, itemsLoaded: written });
    const layers = Object.entries(lot.layerCounts).map(([k, n]) => `${k.replace(/_id$/, '')} ${n}`).join(', ');
    issues.push(
      summary(
        source,
        label,
        `${lot.parcels.length} parcelles, ${lot.buildings.length} bâtiments, ${lot.sections.length} sections, ${lot.lieuxDits.length} lieux-dits chargés ; objets du lot : ${layers}`,
        lot.issues
      )
    );
  }

  const dvf = await loadSales(conn, files, ctx, parcelIds, { time, issues, stats, counts });

  await time('ecriture', () => writeLoadReport(conn, issues));
  const repairedKinds = new Set(['anneau-ferme', 'trou-degenere-supprime', 'polygone-degenere-supprime', 'auto-intersection-corrigee']);
  counts.geometriesRepaired = issues.filter((i) => repairedKinds.has(i.kind)).length;
  counts.geometriesReported = issues.filter((i) => i.kind === 'auto-intersection-signalee').length;
  counts.geometriesUnusable = issues.filter((i) => i.kind === 'geometrie-inutilisable' || i.kind === 'geometrie-rejetee').length;
  counts.salesIndicatorRows = dvf.rows.length;
  timingsMs.total = Math.round(performance.now() - started);
  log.info(`cadastre et DVF chargés en ${(timingsMs.total / 1000).toFixed(1)} s : ${JSON.stringify(counts)}`);

  const warnings: LoadWarning[] = issues
    .filter((i) => i.severity === 'warning')
    .map(({ source, file, line, column, message }) => ({ source, file, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}), message }));
  return { counts, warnings, salesIndicators: dvf, sources: stats, timingsMs };
}

interface Accumulators {
  time: <T>(step: string, f: () => Promise<T>) => Promise<T>;
  issues: CadastreIssue[];
  stats: CadastreSourceStats[];
  counts: Record<string, number>;
}

/** DVF: lines → sales, joined to the parcels of their commune, then the indicators. */
async function loadSales(
  conn: DuckDBConnection,
  files: Map<string, string>,
  ctx: CadastreContext,
  parcelIds: Map<string, Set<string>>,
  acc: Accumulators
): Promise<SalesIndicators> {
  const source: DvfSource = DVF_2022_EXTRACT;
  const path = files.get(source.id);
  if (path === undefined) {
    ctx.logger.info(`${source.id} : fichier non fourni, ventes DVF non chargées`);
    return computeSalesIndicators([], ctx.index, { source });
  }
  const label = fileLabel(source, path);
  const batch = await acc.time('dvf-lecture', () => readDvf(path, source, label));
  const sales = groupSales(batch.lines, source.id);
  for (const w of batch.warnings) acc.issues.push({ ...w, severity: 'warning', kind: 'dvf-ligne' });

  // Join: a sale is joined when all its parcels exist in some millésime of its commune.
  // Communes without a cadastre loaded (3 of the 4 communes of the extract) are not counted.
  const join = { sales: 0, joined: 0, refs: 0, found: 0 };
  const rows: SaleRow[] = sales.map((sale) => {
    const commune = ctx.index.cog.currentCommune(sale.commune) ?? sale.commune;
    const known = parcelIds.get(sale.commune);
    if (!known) return { sale, commune, parcelsFound: null };
    const found = sale.parcelIds.filter((id) => known.has(id)).length;
    join.sales++;
    join.refs += sale.parcelIds.length;
    join.found += found;
    if (sale.parcelIds.length > 0 && found === sale.parcelIds.length) join.joined++;
    return { sale, commune, parcelsFound: found };
  });
  const written = await acc.time('ecriture', () => writeSales(conn, rows));
  const result = await acc.time('indicateurs-dvf', async () => computeSalesIndicators(sales, ctx.index, { source }));

  const priced = sales.filter((s) => s.priceM2 !== null).length;
  Object.assign(acc.counts, {
    dvfLines: batch.rows,
    dvfSales: written,
    dvfSalesPriced: priced,
    dvfSalesJoinable: join.sales,
    dvfSalesJoined: join.joined,
    dvfParcelRefs: join.refs,
    dvfParcelRefsFound: join.found
  });
  acc.stats.push({ id: source.id, rowsRead: batch.rows, itemsLoaded: written });
  const rate = (a: number, b: number) => (b === 0 ? 'sans objet' : `${((100 * a) / b).toFixed(1)} %`);
  const joinMessage =
    `${batch.rows} lignes, ${written} mutations (${priced} avec un prix au m²) ; rattachement au cadastre ` +
    `(communes dont le cadastre est chargé : ${[...parcelIds.keys()].filter((c) => sales.some((s) => s.commune === c)).join(', ') || 'aucune'}) : ` +
    `${join.joined}/${join.sales} mutations entièrement rattachées (${rate(join.joined, join.sales)}), ` +
    `${join.found}/${join.refs} références de parcelles trouvées (${rate(join.found, join.refs)})`;
  acc.issues.push(summary(source, label, joinMessage, []));
  ctx.logger.info(`${source.id} : ${joinMessage}`);
  if (result.outOfScope > 0) {
    acc.issues.push({ source: source.id, file: label, severity: 'warning', kind: 'dvf-hors-perimetre', message: `${result.outOfScope} mutations d’une commune hors du périmètre de la base, non comptées dans les indicateurs` });
  }
  return result;
}

/** The file name written in reports: the mirror path, or `<source>/<file>` as laid out in the download cache. */
function fileLabel(source: SourceDescription, path: string): string {
  return path.replaceAll('\\', '/').endsWith(source.mirrorPath) ? source.mirrorPath : `${source.id}/${basename(path)}`;
}

function summary(source: SourceDescription, file: string, what: string, sourceIssues: readonly CadastreIssue[]): CadastreIssue {
  const byKind = new Map<string, number>();
  for (const i of sourceIssues) byKind.set(i.kind, (byKind.get(i.kind) ?? 0) + 1);
  const detail = byKind.size ? ` ; ${[...byKind].map(([k, n]) => `${k} : ${n}`).join(', ')}` : ' ; aucune anomalie';
  return { source: source.id, file, severity: 'info', kind: 'resume', message: `${what}${detail}` };
}
