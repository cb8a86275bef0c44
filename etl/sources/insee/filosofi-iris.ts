import { readValueFile, type ValueColumn, type ValueTableSpec } from '../../core/csv.ts';
import type { NumberFormat } from '../../core/numbers.ts';
import type { SourceDescription, ValueAdapter } from '../../core/types.ts';

/**
 * Filosofi 2018, disposable income by IRIS, whole France (12 395 IRIS). Only IRIS
 * of communes large enough are published (585 of the 614 IRIS of the 93). IRIS
 * codes are 9 characters with their leading zero (`010040101`): they are kept as
 * text end to end.
 */
export const filosofiIrisSource: SourceDescription = {
  id: 'insee-filosofi-iris-2018',
  label: 'Revenus disponibles à l’IRIS — Filosofi 2018 (Insee)',
  producer: 'Insee-DGFiP-Cnaf-Cnav-CCMSA (Filosofi)',
  licence: 'Licence Ouverte 2.0',
  vintage: '2018',
  // SOURCES.md §8 documents the 2021 edition page (insee.fr/fr/statistiques/7233950); the
  // 2018 archive is the one reusers download from its own publication page.
  url: 'https://www.insee.fr/fr/statistiques/fichier/5055909/BASE_TD_FILO_DISP_IRIS_2018.zip',
  urlServes: 'archive',
  cacheName: 'BASE_TD_FILO_DISP_IRIS_2018.csv',
  format: 'CSV « ; », ASCII, CRLF, point décimal ; secret = cellule vide ; DISP_NOTE18 = indicateur de qualité',
  mirrorPath: 'insee/filosofi/BASE_TD_FILO_DISP_IRIS_2018.csv',
  geoVintage: 2018,
  coverage: 'france'
};

/** The 28 value columns in file order (no D5: the median is DISP_MED18). */
export const FILOSOFI_IRIS_COLUMNS = [
  'DISP_TP6018', 'DISP_Q118', 'DISP_MED18', 'DISP_Q318', 'DISP_EQ18', 'DISP_D118', 'DISP_D218',
  'DISP_D318', 'DISP_D418', 'DISP_D618', 'DISP_D718', 'DISP_D818', 'DISP_D918', 'DISP_RD18',
  'DISP_S80S2018', 'DISP_GI18', 'DISP_PACT18', 'DISP_PTSA18', 'DISP_PCHO18', 'DISP_PBEN18',
  'DISP_PPEN18', 'DISP_PPAT18', 'DISP_PPSOC18', 'DISP_PPFAM18', 'DISP_PPMINI18', 'DISP_PPLOGT18',
  'DISP_PIMPOT18',
  // Quality flag published by INSEE next to the indicators, kept as a variable so
  // indicators can use it. We found no producer documentation for its codes in
  // our references; what the file shows: 0 on 12 262 IRIS, 1 on 132 IRIS (values
  // published, some cells secret), 5 on a single IRIS (920350102) whose every
  // indicator is blank. Read its meaning in INSEE's dictionary before relying on it.
  'DISP_NOTE18'
] as const;

// Filosofi blanks what statistical secrecy forbids publishing: a blank is secret.
const FORMAT: NumberFormat = { decimal: '.', markers: { '': 'secret' } };

const spec: ValueTableSpec = {
  source: filosofiIrisSource.id,
  level: 'iris',
  encoding: 'utf-8',
  key: { column: 'IRIS' },
  values: FILOSOFI_IRIS_COLUMNS.map((column): ValueColumn => ({ column, format: FORMAT }))
};

export const filosofiIrisAdapter: ValueAdapter = {
  kind: 'values',
  source: filosofiIrisSource,
  read: (file, ctx) => readValueFile(file, spec, ctx)
};
