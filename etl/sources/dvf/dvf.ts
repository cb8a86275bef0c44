/**
 * DVF — « Demandes de valeurs foncières » of the DGFiP: one line per
 * (disposition × parcel × lot/local × nature de culture) of every sale registered by
 * the land registry. The file we read is an R re-export of 2022 for four communes of
 * the 93 (SOURCES.md §4.5), with its own quirks on top of the producer's:
 * - an unnamed first column (R's row index, i.e. the line of the producer's file) and
 *   a `cog` column written `'93063` (leading apostrophe, a spreadsheet trick);
 * - R-mangled headers (`Date.mutation`, `X1er.lot`, `B.T.Q`), which we map back to
 *   the producer's names so the raw `valeursfoncieres-AAAA.txt` reads the same way;
 * - `NA` for missing cells, decimal commas, dates `jj/mm/aaaa`, `Code.commune` without
 *   its leading zeros (63 for 93063);
 * - round values in R's scientific notation (`9e+05`, `1,7e+07`: 270 prices in the
 *   2022 extract), which `write.csv2` uses whenever it is shorter; exact, so accepted.
 * Nothing personal is in DVF (no names); the DGFiP conditions forbid re-identifying
 * people, so we keep neither the street address nor anything not published.
 */
import { readFile } from 'node:fs/promises';
import { columnLabel, parseDelimited } from '../../core/csv.ts';
import { InputError } from '../../core/errors.ts';
import { numberParser } from '../../core/numbers.ts';
import { decodeText } from '../../core/text.ts';
import type { LoadWarning, SourceDescription } from '../../core/types.ts';
import { parcelIdFromRaw } from '../cadastre/parcel-id.ts';

export interface DvfSource extends SourceDescription {
  /** Field separator: `;` for the R extract, `|` for the producer's raw file. */
  separator: string;
  /** Communes the file covers entirely (all their sales of the year). Aggregates need all members covered. */
  communes: string[];
}

export const DVF_2022_EXTRACT: DvfSource = {
  id: 'dgfip-dvf-2022-extrait-93',
  label: 'Demandes de valeurs foncières 2022, extrait de 4 communes de la Seine-Saint-Denis (DGFiP)',
  producer: 'DGFiP, Demandes de valeurs foncières (DVF) ; extrait retraité sous R',
  licence: 'Licence Ouverte 2.0, avec les conditions DVF de la DGFiP (pas de réidentification des personnes, pas d’indexation par les moteurs de recherche)',
  vintage: '2022',
  // The producer's page; the extract itself has no URL of its own (SOURCES.md §4.5).
  url: 'https://www.data.gouv.fr/fr/datasets/demandes-de-valeurs-foncieres/',
  cacheName: 'dvf-2022-extrait-93-4communes.csv',
  format: 'CSV « ; », UTF-8, en-têtes R (Date.mutation…), index R en 1re colonne, cog préfixé d’une apostrophe, virgule décimale, NA, dates jj/mm/aaaa',
  mirrorPath: 'dvf/dvf-2022-extrait-93-4communes.csv',
  geoVintage: 2022,
  coverage: [],
  separator: ';',
  communes: ['93010', '93031', '93063', '93070']
};

/** Columns we read, by the producer's names; the R export writes them through `make.names`. */
const COLUMNS = {
  disposition: 'No disposition',
  date: 'Date mutation',
  nature: 'Nature mutation',
  valeur: 'Valeur fonciere',
  codePostal: 'Code postal',
  departement: 'Code departement',
  commune: 'Code commune',
  prefixe: 'Prefixe de section',
  section: 'Section',
  plan: 'No plan',
  lot1: '1er lot',
  lots: 'Nombre de lots',
  codeTypeLocal: 'Code type local',
  typeLocal: 'Type local',
  surfaceBati: 'Surface reelle bati',
  pieces: 'Nombre pieces principales',
  natureCulture: 'Nature culture',
  natureCultureSpeciale: 'Nature culture speciale',
  surfaceTerrain: 'Surface terrain'
} as const;
type Column = keyof typeof COLUMNS;

/** R's `make.names`: invalid characters become dots, a leading digit gets an `X`. */
export function rName(name: string): string {
  const dotted = name.replace(/[^A-Za-z0-9._]/g, '.');
  return /^[0-9_]/.test(dotted) || /^\.[0-9]/.test(dotted) ? `X${dotted}` : dotted;
}

/** Local types of DVF (`Code type local`). */
export const LOCAL_TYPES = {
  1: 'Maison',
  2: 'Appartement',
  3: 'Dépendance',
  4: 'Local industriel. commercial ou assimilé'
} as const;
export type LocalCode = keyof typeof LOCAL_TYPES;

/** Natures of mutation the DGFiP publishes; another one is kept but reported. */
export const NATURES = [
  'Vente',
  'Vente en l\'état futur d\'achèvement',
  'Vente terrain à bâtir',
  'Adjudication',
  'Echange',
  'Expropriation'
] as const;

export interface DvfLine {
  /** 1-based line of the file. */
  line: number;
  /** Line of the producer's file when the extract kept it (R index), else null. */
  producerLine: number | null;
  /** INSEE code as published (5 characters). */
  commune: string;
  /** ISO date `AAAA-MM-JJ`. */
  date: string;
  nature: string;
  /** Price of the whole mutation, repeated on each of its lines; null when not published. */
  valeur: number | null;
  disposition: number;
  codePostal: string | null;
  /** 14-character parcel id, null when the line has no usable parcel reference (reported). */
  parcelId: string | null;
  /** Number of the first lot (co-ownership), which tells two identical flats of one building apart. */
  lot1: string | null;
  lots: number | null;
  codeTypeLocal: LocalCode | null;
  surfaceBati: number | null;
  pieces: number | null;
  natureCulture: string | null;
  natureCultureSpeciale: string | null;
  surfaceTerrain: number | null;
}

export interface DvfBatch {
  lines: DvfLine[];
  /** Data lines read (header excluded). */
  rows: number;
  warnings: LoadWarning[];
}

/** Which column holds each part of the cadastral reference, and what it must look like. */
const REFERENCE_COLUMNS = { commune: 'commune', prefixe: 'prefixe', section: 'section', numero: 'plan' } as const satisfies Record<string, Column>;
const REFERENCE_RULES = {
  commune: 'code commune à 5 caractères',
  prefixe: 'préfixe de 3 chiffres au plus',
  section: 'section de 1 ou 2 caractères A-Z/0-9',
  numero: 'numéro de plan de 1 à 4 chiffres'
} as const;

const NUMBER = numberParser({ decimal: ',', markers: { NA: 'missing', '': 'missing' } });
const R_INDEX = '';
const R_SCIENTIFIC = /^\d+(?:,\d+)?e[+-]\d{2}$/;

/** Reads a DVF file (R extract or the producer's raw layout) into checked lines. */
export async function readDvf(file: string, source: DvfSource = DVF_2022_EXTRACT, label = file): Promise<DvfBatch> {
  const text = decodeText(await readFile(file), { file, encoding: 'utf-8' });
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  checkSeparator(firstLine, source.separator, file);
  // The R export and the producer's file name columns differently; the header says
  // which one we have (the flavour with more known names, so a missing column is named).
  const known = (names: string[]) => names.filter((n) => firstLine.includes(n)).length;
  const rFlavour = known(Object.values(COLUMNS).map(rName)) > known(Object.values(COLUMNS));
  const names = Object.fromEntries((Object.keys(COLUMNS) as Column[]).map((c) => [c, rFlavour ? rName(COLUMNS[c]) : COLUMNS[c]])) as Record<Column, string>;
  const nameOf = (c: Column) => names[c];
  const required = Object.values(names);
  const table = parseDelimited(text, { file, separator: source.separator, columns: rFlavour ? [R_INDEX, 'cog', ...required] : required });
  const at = new Map(table.header.map((name, i) => [name, i]));
  const idx = Object.fromEntries((Object.keys(COLUMNS) as Column[]).map((c) => [c, at.get(nameOf(c)) as number])) as Record<Column, number>;
  const cogAt = at.get('cog');
  const indexAt = rFlavour ? at.get(R_INDEX) : undefined;
  const warnings: LoadWarning[] = [];
  const unknownNatures = new Set<string>();
  const lines: DvfLine[] = [];

  for (const row of table.rows) {
    const cell = (c: Column) => row.cells[idx[c]] ?? '';
    const fail = (column: string, index: number | undefined, expected: string, found: string, hint?: string): never => {
      throw new InputError({ file, line: row.line, column: columnLabel(index ?? -1, column), expected, found, hint });
    };
    const num = (c: Column): number | null => {
      const raw = cell(c);
      if (rFlavour && R_SCIENTIFIC.test(raw)) return Number(raw.replace(',', '.'));
      const parsed = NUMBER(raw, { file, line: row.line, column: idx[c] + 1, columnName: nameOf(c) });
      return parsed.value;
    };
    const int = (c: Column): number | null => {
      const v = num(c);
      if (v !== null && !Number.isInteger(v)) fail(nameOf(c), idx[c], 'un nombre entier', cell(c));
      return v;
    };

    const commune = communeOf(row.cells, cogAt, {
      departement: { raw: cell('departement'), name: nameOf('departement'), index: idx.departement },
      commune: { raw: cell('commune'), name: nameOf('commune'), index: idx.commune },
      fail
    });
    const date = isoDate(cell('date'));
    if (date === null) fail(nameOf('date'), idx.date, 'une date au format jj/mm/aaaa (ex. 03/01/2022)', cell('date'));
    const nature = cell('nature').trim();
    if (nature === '') fail(nameOf('nature'), idx.nature, 'une nature de mutation (Vente, Echange…)', '');
    if (!(NATURES as readonly string[]).includes(nature) && !unknownNatures.has(nature)) {
      unknownNatures.add(nature);
      warnings.push({ source: source.id, file: label, line: row.line, column: nameOf('nature'), message: `nature de mutation inconnue « ${nature} », conservée` });
    }
    const disposition = int('disposition');
    if (disposition === null) fail(nameOf('disposition'), idx.disposition, 'un numéro de disposition', cell('disposition'));
    const code = int('codeTypeLocal');
    if (code !== null && !(code in LOCAL_TYPES)) fail(nameOf('codeTypeLocal'), idx.codeTypeLocal, 'un code type local de 1 à 4', cell('codeTypeLocal'));

    let parcelId: string | null = null;
    const built = parcelIdFromRaw(commune, cell('prefixe'), cell('section'), cell('plan'));
    if ('id' in built) parcelId = built.id;
    else {
      const c = REFERENCE_COLUMNS[built.invalid];
      if (isBlank(cell(c))) {
        warnings.push({ source: source.id, file: label, line: row.line, column: nameOf(c), message: 'ligne sans référence cadastrale, non rattachable à une parcelle' });
      } else {
        fail(nameOf(c), idx[c], `une référence cadastrale valide (${REFERENCE_RULES[built.invalid]})`, cell(c));
      }
    }

    const producerLine = indexAt === undefined ? null : Number(row.cells[indexAt]);
    const postal = int('codePostal');
    lines.push({
      line: row.line,
      producerLine: producerLine !== null && Number.isInteger(producerLine) ? producerLine : null,
      commune,
      date: date as string,
      nature,
      valeur: num('valeur'),
      disposition: disposition as number,
      codePostal: postal === null ? null : String(postal).padStart(5, '0'),
      parcelId,
      lot1: blankToNull(cell('lot1')),
      lots: int('lots'),
      codeTypeLocal: code as LocalCode | null,
      surfaceBati: num('surfaceBati'),
      pieces: int('pieces'),
      natureCulture: blankToNull(cell('natureCulture')),
      natureCultureSpeciale: blankToNull(cell('natureCultureSpeciale')),
      surfaceTerrain: num('surfaceTerrain')
    });
  }
  return { lines, rows: table.rows.length, warnings };
}

/**
 * A header without the declared separator but with another one: quoted fields would
 * make csv-parse fail on quotes before the header could be checked, so say it first.
 */
function checkSeparator(header: string, separator: string, file: string): void {
  if (header.includes(separator)) return;
  const likely = [';', ',', '\t', '|'].find((s) => s !== separator && header.includes(s));
  if (likely === undefined) return;
  const shown = (s: string) => (s === '\t' ? 'tabulation' : s);
  throw new InputError({
    file,
    line: 1,
    column: 1,
    expected: `des colonnes séparées par « ${shown(separator)} »`,
    found: header,
    hint: `Le séparateur semble être « ${shown(likely)} » alors que ce fichier DVF utilise « ${shown(separator)} »`
  });
}

/**
 * The commune: `cog` when the extract has it (after its apostrophe), checked against
 * `Code departement` + `Code commune` padded to three digits, which is all the
 * producer's raw file has.
 */
function communeOf(
  cells: string[],
  cogAt: number | undefined,
  parts: {
    departement: { raw: string; name: string; index: number };
    commune: { raw: string; name: string; index: number };
    fail: (column: string, index: number | undefined, expected: string, found: string, hint?: string) => never;
  }
): string {
  const { departement, commune, fail } = parts;
  const dep = departement.raw.trim();
  const num = commune.raw.trim();
  if (!/^(?:\d{2}|2[AB]|97\d)$/.test(dep)) fail(departement.name, departement.index, 'un code département (93, 2A, 974)', departement.raw);
  if (!/^\d{1,3}$/.test(num)) fail(commune.name, commune.index, 'un numéro de commune de 1 à 3 chiffres (sans le département)', commune.raw);
  const fromParts = dep.length === 3 ? `${dep}${num.padStart(2, '0')}` : `${dep}${num.padStart(3, '0')}`;
  if (cogAt === undefined) return fromParts;
  const raw = cells[cogAt] ?? '';
  const cog = raw.startsWith("'") ? raw.slice(1) : raw;
  if (!/^(?:\d{5}|2[AB]\d{3})$/.test(cog)) {
    fail('cog', cogAt, "un code commune INSEE à 5 caractères, éventuellement précédé d’une apostrophe ('93063)", raw);
  }
  if (cog !== fromParts) {
    fail('cog', cogAt, `le code ${fromParts} (${departement.name} + ${commune.name})`, raw, 'Les colonnes cog et code département/commune se contredisent');
  }
  return cog;
}

/** `03/01/2022` → `2022-01-03`; null for anything else, including 31/02. */
export function isoDate(raw: string): string | null {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(raw.trim());
  if (!m) return null;
  const [, d = '', mo = '', y = ''] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return null;
  return `${y}-${mo}-${d}`;
}

function isBlank(s: string): boolean {
  return s.trim() === '' || s === 'NA';
}

function blankToNull(s: string): string | null {
  return isBlank(s) ? null : s.trim();
}
