import { readValueFile, type ValueColumn, type ValueTableSpec } from '../../core/csv.ts';
import type { NumberFormat } from '../../core/numbers.ts';
import type { SourceDescription, ValueAdapter } from '../../core/types.ts';

/**
 * INSEE « Base du comparateur de territoires », édition 2025, extract of Paris
 * (75056) and the 93. Codes follow COG 2025, except that the Filosofi 2021
 * columns (NBMENFISC21, PIMP21, MED21, TP6021) are still published on the
 * pre-2025 geography: row 93059 (merged into 93066 on 2025-01-01) keeps them
 * while its census, état-civil and SIRENE cells are blank. We keep 93059 as
 * published; the pipeline converts codes between vintages.
 */
export const comparateurTerritoiresSource: SourceDescription = {
  id: 'insee-comparateur-2025',
  label: 'Base du comparateur de territoires (Insee, édition 2025)',
  producer: 'Insee',
  licence: 'Licence Ouverte 2.0',
  vintage: '2025',
  // The CSV zip offered on the page SOURCES.md §8 cites (insee.fr/fr/statistiques/2521169).
  url: 'https://www.insee.fr/fr/statistiques/fichier/2521169/base_cc_comparateur_csv.zip',
  urlServes: 'archive',
  cacheName: 'base_cc_comparateur.csv',
  format: 'CSV « ; », UTF-8, LF ; point décimal sauf PIMP21 et TP6021 (virgule) ; secret « s », cellule vide = sans objet',
  mirrorPath: 'insee/comparateur-territoires/base_cc_comparateur.extrait-75-93.csv',
  geoVintage: 2025,
  coverage: ['75', '93']
};

/** The 31 value columns, in file order (RP 2022/2016, état civil, Filosofi 2021, SIRENE 2024). */
export const COMPARATEUR_COLUMNS = [
  'P22_POP', 'P16_POP', 'SUPERF', 'NAIS1621', 'DECE1621', 'P22_MEN', 'NAISD24', 'DECESD24',
  'P22_LOG', 'P22_RP', 'P22_RSECOCC', 'P22_LOGVAC', 'P22_RP_PROP', 'NBMENFISC21', 'PIMP21', 'MED21',
  'TP6021', 'P22_EMPLT', 'P22_EMPLT_SAL', 'P16_EMPLT', 'P22_POP1564', 'P22_CHOM1564', 'P22_ACT1564',
  'ETTOT24', 'ETAZ24', 'ETBE24', 'ETFZ24', 'ETGU24', 'ETOQ24', 'ETTEF124', 'ETTEFP1024'
] as const;

// Only the two Filosofi rates are written with a decimal comma (`69,0`); every
// other column, including weighted census counts (`34990.0902194347`), uses a point.
const COMMA_COLUMNS: ReadonlySet<string> = new Set(['PIMP21', 'TP6021']);

// `s` is INSEE's secrecy marker; a blank cell means « not applicable » here
// (93059's census cells: the commune no longer exists in COG 2025), not secret.
const MARKERS = { s: 'secret', '': 'missing' } as const;
const POINT: NumberFormat = { decimal: '.', markers: MARKERS };
const COMMA: NumberFormat = { decimal: ',', markers: MARKERS };

const spec: ValueTableSpec = {
  source: comparateurTerritoiresSource.id,
  level: 'commune',
  encoding: 'utf-8',
  key: { column: 'CODGEO' },
  values: COMPARATEUR_COLUMNS.map((column): ValueColumn => ({
    column,
    format: COMMA_COLUMNS.has(column) ? COMMA : POINT
  }))
};

export const comparateurTerritoiresAdapter: ValueAdapter = {
  kind: 'values',
  source: comparateurTerritoiresSource,
  read: (file, ctx) => readValueFile(file, spec, ctx)
};
