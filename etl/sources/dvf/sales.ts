/**
 * From DVF lines to sales. The producer publishes no mutation identifier: a
 * mutation is a run of consecutive lines (in the producer's order) sharing its date,
 * nature and value — Etalab's rule for `id_mutation` in its DVF files — to which we
 * add the commune, so that each sale counts in exactly one commune. The value is the
 * price of the whole mutation, repeated on each line: it is never summed.
 *
 * Price per m² (the rule of Etalab's « statistiques DVF », close to DVF+): only
 * « Vente », « Vente en l'état futur d'achèvement » and « Adjudication »; only
 * mutations of exactly one main good — one Maison or one Appartement, dépendances
 * (cellars, parking spaces) allowed — because the share of the price of each good
 * of a multi-good sale is unknown; price = Valeur foncière / Surface réelle bâti of
 * that good; not computed without value or surface, and discarded above
 * 100 000 €/m² (obvious errors). Lines repeat a good once per parcel and nature de
 * culture, so goods are counted once per (disposition, parcel, type, surface, rooms,
 * first lot).
 */
import type { DvfLine, LocalCode } from './dvf.ts';

/**
 * Natures that are sales, for counts and prices alike (as Etalab's statistics):
 * exchanges and expropriations are not market sales, and « Vente terrain à bâtir »
 * has no building to price.
 */
export const SALE_NATURES: readonly string[] = ['Vente', 'Vente en l\'état futur d\'achèvement', 'Adjudication'];
export const MAX_PRICE_M2 = 100_000;

/** Why a sale has (or has not) a price per m²; stored with each sale for transparency. */
export type PriceStatus =
  | 'calcule'
  | 'nature-exclue'
  | 'sans-valeur'
  | 'aucun-logement'
  | 'plusieurs-biens'
  | 'local-activite'
  | 'sans-surface'
  | 'prix-aberrant';

export interface Sale {
  /** `AAAA-<line>`: year and producer's line of the first line (not stable between DVF releases). */
  id: string;
  source: string;
  /** INSEE code as published. */
  commune: string;
  date: string;
  year: number;
  nature: string;
  valeur: number | null;
  codePostal: string | null;
  /** Distinct parcels of the mutation, in file order. */
  parcelIds: string[];
  lines: number;
  firstLine: number;
  appartements: number;
  maisons: number;
  dependances: number;
  locauxActivite: number;
  /** The one main good of the sale (Maison or Appartement), null otherwise. */
  typeLocal: 'Maison' | 'Appartement' | null;
  /** Surface réelle bâtie and main rooms of the one main good, null otherwise. */
  surfaceBati: number | null;
  pieces: number | null;
  /** Land area (m²), each parcel × nature de culture counted once; null when none. */
  surfaceTerrain: number | null;
  priceM2: number | null;
  priceStatus: PriceStatus;
}

/** Groups lines into sales (see the module comment for the rule). Lines must be in file order. */
export function groupSales(lines: readonly DvfLine[], source: string): Sale[] {
  const sales: Sale[] = [];
  let run: DvfLine[] = [];
  let key = '';
  for (const l of lines) {
    const k = `${l.date}|${l.nature}|${l.valeur ?? 'NA'}|${l.commune}`;
    if (k !== key && run.length > 0) {
      sales.push(toSale(run, source));
      run = [];
    }
    key = k;
    run.push(l);
  }
  if (run.length > 0) sales.push(toSale(run, source));
  return sales;
}

interface Good {
  code: LocalCode;
  surface: number | null;
  pieces: number | null;
}

function toSale(run: DvfLine[], source: string): Sale {
  const first = run[0] as DvfLine;
  const parcels = new Set<string>();
  const goods = new Map<string, Good>();
  const lands = new Map<string, number>();
  for (const l of run) {
    if (l.parcelId) parcels.add(l.parcelId);
    if (l.codeTypeLocal !== null) {
      const k = [l.disposition, l.parcelId, l.codeTypeLocal, l.surfaceBati, l.pieces, l.lot1].join('|');
      if (!goods.has(k)) goods.set(k, { code: l.codeTypeLocal, surface: l.surfaceBati, pieces: l.pieces });
    }
    if (l.surfaceTerrain !== null) lands.set([l.parcelId, l.natureCulture, l.natureCultureSpeciale].join('|'), l.surfaceTerrain);
  }
  const count = (code: LocalCode) => [...goods.values()].filter((g) => g.code === code).length;
  const main = [...goods.values()].filter((g) => g.code !== 3);
  const only = main.length === 1 ? (main[0] as Good) : null;
  const typeLocal = only?.code === 1 ? 'Maison' : only?.code === 2 ? 'Appartement' : null;
  const { priceM2, priceStatus } = price(first, main, only);
  return {
    id: `${first.date.slice(0, 4)}-${first.producerLine ?? first.line}`,
    source,
    commune: first.commune,
    date: first.date,
    year: Number(first.date.slice(0, 4)),
    nature: first.nature,
    valeur: first.valeur,
    codePostal: first.codePostal,
    parcelIds: [...parcels],
    lines: run.length,
    firstLine: first.line,
    maisons: count(1),
    appartements: count(2),
    dependances: count(3),
    locauxActivite: count(4),
    typeLocal,
    surfaceBati: typeLocal ? (only?.surface ?? null) : null,
    pieces: typeLocal ? (only?.pieces ?? null) : null,
    surfaceTerrain: lands.size ? [...lands.values()].reduce((a, b) => a + b, 0) : null,
    priceM2,
    priceStatus
  };
}

function price(first: DvfLine, main: Good[], only: Good | null): { priceM2: number | null; priceStatus: PriceStatus } {
  const no = (priceStatus: PriceStatus) => ({ priceM2: null, priceStatus });
  if (!SALE_NATURES.includes(first.nature)) return no('nature-exclue');
  if (first.valeur === null || first.valeur <= 0) return no('sans-valeur');
  if (main.length === 0) return no('aucun-logement');
  if (main.length > 1 || !only) return no('plusieurs-biens');
  if (only.code === 4) return no('local-activite');
  if (only.surface === null || only.surface <= 0) return no('sans-surface');
  const value = first.valeur / only.surface;
  if (value > MAX_PRICE_M2) return no('prix-aberrant');
  return { priceM2: value, priceStatus: 'calcule' };
}
