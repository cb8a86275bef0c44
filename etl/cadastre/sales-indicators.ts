/**
 * Indicators computed from DVF sales themselves, at every level and every zoning:
 * the number of sales and the median price per m² of flats and of houses, by year.
 * A median is never aggregated: a group's median is the median of all the sales of
 * its communes pooled (a median of medians is wrong), so it is computed here rather
 * than by the engine, which cannot recompute medians (etl/engine/README.md).
 *
 * Secrecy: a figure resting on fewer than 5 sales is `secret` (value null, parts 0):
 * a median of 1–4 sales would disclose the price of identifiable properties, which
 * the DGFiP's DVF conditions forbid to facilitate. The same threshold masks counts,
 * so that no number of sales below 5 is published either.
 *
 * Coverage: a territory is computed only when the DVF file covers all its communes
 * (the 2022 extract covers 4 communes); others are `missing` with the reason in
 * the provenance — an EPT total from 2 of its 14 communes would look like a figure
 * for the EPT.
 */
import type { SourceDescription } from '../core/types.ts';
import type { TerritoryIndex } from '../build/territory-index.ts';
import type { ValueRow } from '../build/values.ts';
import type { IndicatorDefinition } from '../engine/types.ts';
import { DVF_2022_EXTRACT, type DvfSource } from '../sources/dvf/dvf.ts';
import { SALE_NATURES, type Sale } from '../sources/dvf/sales.ts';

export const SALES_SECRECY_THRESHOLD = 5;

const SECRECY_REASON = `Moins de ${SALES_SECRECY_THRESHOLD} ventes : non diffusé (conditions de réutilisation DVF)`;

interface SalesMeasure {
  id: string;
  /** Column name recorded in indicator_series (a field of dvf_sales). */
  variable: string;
  /** The sales a territory's figure is computed from, and the figure. */
  select: (s: Sale) => boolean;
  compute: (sales: Sale[]) => number;
  what: string;
}

const isSale = (s: Sale) => SALE_NATURES.includes(s.nature);

const MEASURES: SalesMeasure[] = [
  { id: 'dvf-ventes', variable: 'id', select: isSale, compute: (s) => s.length, what: 'ventes' },
  {
    id: 'dvf-prix-m2-appartements',
    variable: 'price_m2',
    select: (s) => s.typeLocal === 'Appartement' && s.priceM2 !== null,
    compute: (s) => median(s.map((x) => x.priceM2 as number)),
    what: 'ventes d’un seul appartement'
  },
  {
    id: 'dvf-prix-m2-maisons',
    variable: 'price_m2',
    select: (s) => s.typeLocal === 'Maison' && s.priceM2 !== null,
    compute: (s) => median(s.map((x) => x.priceM2 as number)),
    what: 'ventes d’une seule maison'
  }
];

const PRICE_RULE =
  'prix au m² = valeur foncière / surface réelle bâtie, pour les ventes, VEFA et adjudications portant sur un seul bien ' +
  '(une maison ou un appartement, dépendances admises), hors prix supérieurs à 100 000 €/m²';

/** Definitions for the catalogue tables (`indicators`, `indicator_series`), one series per year of sales. */
export function salesIndicatorDefinitions(source: SourceDescription, years: readonly number[]): IndicatorDefinition[] {
  const secrecy = { threshold: SALES_SECRECY_THRESHOLD, on: 'value' as const, reason: SECRECY_REASON };
  const series = (variable: string) => [...years].sort().map((year) => ({ year, source: source.id, value: variable }));
  return [
    {
      id: 'dvf-ventes',
      label: 'Ventes immobilières (DVF)',
      shortLabel: 'Ventes immobilières',
      description:
        'Nombre de mutations de l’année de nature « Vente », « Vente en l’état futur d’achèvement » ou « Adjudication » ' +
        '(une mutation regroupe tous les biens d’un même acte), d’après les demandes de valeurs foncières de la DGFiP.',
      theme: 'logement',
      unit: 'ventes',
      kind: 'count',
      scale: 1,
      decimals: 0,
      secrecy,
      series: series('id')
    },
    {
      id: 'dvf-prix-m2-appartements',
      label: 'Prix médian au m² des appartements vendus (DVF)',
      shortLabel: 'Prix au m² (appartements)',
      description: `Médiane des prix au m² des ventes d’un seul appartement de l’année ; ${PRICE_RULE}.`,
      theme: 'logement',
      unit: '€/m²',
      kind: 'median',
      scale: 1,
      decimals: 0,
      // The threshold applies to the number of sales, not to the price: the engine's
      // `on: value` would compare a price with 5, hence threshold 0 and the rule in words.
      secrecy: { threshold: 0, on: 'value', reason: SECRECY_REASON },
      series: series('price_m2')
    },
    {
      id: 'dvf-prix-m2-maisons',
      label: 'Prix médian au m² des maisons vendues (DVF)',
      shortLabel: 'Prix au m² (maisons)',
      description: `Médiane des prix au m² des ventes d’une seule maison de l’année ; ${PRICE_RULE}.`,
      theme: 'logement',
      unit: '€/m²',
      kind: 'median',
      scale: 1,
      decimals: 0,
      secrecy: { threshold: 0, on: 'value', reason: SECRECY_REASON },
      series: series('price_m2')
    }
  ];
}

/** One row of `indicator_series` for each indicator and year. */
export interface SalesSeries {
  indicatorId: string;
  year: number;
  sourceId: string;
  valueVar: string;
  baseLevel: 'commune';
  levels: string[];
}

export interface SalesIndicators {
  defs: IndicatorDefinition[];
  /** Rows for `indicator_values` (same shape as the engine's). */
  rows: ValueRow[];
  series: SalesSeries[];
  /** Sales ignored because their commune is not in the build's scope. */
  outOfScope: number;
}

export interface SalesIndicatorOptions {
  source?: DvfSource;
  /** Communes (any COG vintage) whose sales the file holds completely; defaults to `source.communes`. */
  coveredCommunes?: Iterable<string>;
}

export function computeSalesIndicators(sales: readonly Sale[], index: TerritoryIndex, opts: SalesIndicatorOptions = {}): SalesIndicators {
  const source = opts.source ?? DVF_2022_EXTRACT;
  const current = (code: string) => index.cog.currentCommune(code);
  const covered = new Set([...(opts.coveredCommunes ?? source.communes)].map(current).filter((c): c is string => c !== null));
  const coveredList = [...covered].sort().join(', ');

  // Sales per year and current commune.
  const byYear = new Map<number, Map<string, Sale[]>>();
  let outOfScope = 0;
  for (const s of sales) {
    const commune = current(s.commune);
    if (!commune || !index.inScope(commune)) {
      outOfScope++;
      continue;
    }
    let perCommune = byYear.get(s.year);
    if (!perCommune) byYear.set(s.year, (perCommune = new Map()));
    const list = perCommune.get(commune);
    if (list) list.push(s);
    else perCommune.set(commune, [s]);
  }
  const years = [...byYear.keys()].sort();
  const defs = salesIndicatorDefinitions(source, years);
  const head = `${source.producer}, ${source.label}`;
  const rows: ValueRow[] = [];
  const groupLevels = [...index.groups.keys()];
  const series: SalesSeries[] = [];

  for (const year of years) {
    const perCommune = byYear.get(year) as Map<string, Sale[]>;
    for (const m of MEASURES) {
      series.push({ indicatorId: m.id, year, sourceId: source.id, valueVar: m.variable, baseLevel: 'commune', levels: ['commune', ...groupLevels] });
      const row = (level: string, code: string, members: readonly string[]): ValueRow => {
        const base = { indicatorId: m.id, year, level, code, numerator: null, denominator: null, secretParts: 0 };
        const uncovered = members.filter((c) => !covered.has(c));
        if (uncovered.length > 0) {
          const why =
            level === 'commune'
              ? `commune hors du champ du fichier DVF (qui couvre ${coveredList})`
              : `le fichier DVF ne couvre que ${coveredList} : ${uncovered.length} des ${members.length} communes de ce territoire n’y figurent pas`;
          return { ...base, value: null, status: 'missing', missingParts: uncovered.length, parts: 0, provenance: `${head} ; ${why}` };
        }
        const used = members.flatMap((c) => perCommune.get(c) ?? []).filter(m.select);
        const pooled = members.length > 1 ? ` des ${members.length} communes réunies` : '';
        if (used.length < SALES_SECRECY_THRESHOLD) {
          return {
            ...base,
            value: null,
            status: 'secret',
            missingParts: 0,
            parts: 0,
            provenance: `${head} ; moins de ${SALES_SECRECY_THRESHOLD} ${m.what}${pooled} : non diffusé`
          };
        }
        const how = m.id === 'dvf-ventes' ? `${used.length} ${m.what}${pooled}` : `médiane de ${used.length} ${m.what}${pooled} (${PRICE_RULE})`;
        return { ...base, value: m.compute(used), status: 'ok', missingParts: 0, parts: used.length, provenance: `${head} ; ${how}` };
      };
      for (const commune of index.communes) rows.push(row('commune', commune, [commune]));
      for (const [level, groups] of index.groups) {
        for (const [code, members] of groups) rows.push(row(level, code, members));
      }
    }
  }
  return { defs, rows, series, outOfScope };
}

/** Median of a non-empty list: the middle value, or the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('médiane d’une liste vide');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
