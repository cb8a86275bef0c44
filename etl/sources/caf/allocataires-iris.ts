import { readValueFile, type RowStatus, type RowView, type ValueColumn, type ValueTableSpec } from '../../core/csv.ts';
import type { NumberFormat } from '../../core/numbers.ts';
import type { SourceDescription, ValueAdapter } from '../../core/types.ts';

/**
 * Cnaf allocataires by IRIS at 31/12/2021, diffused by INSEE: 16 213 IRIS of
 * France (613 in the 93). Two layers of secrecy: a row-level `note` (0, 2, 3, 4;
 * any non-zero note blanks the whole IRIS) and cells below 5 left blank.
 */
export const cafAllocatairesIrisSource: SourceDescription = {
  id: 'caf-allocataires-iris-2021',
  label: 'Allocataires des CAF par IRIS au 31 décembre 2021 (Cnaf, diffusion Insee)',
  producer: 'Cnaf, diffusé par l’Insee',
  licence: 'Licence Ouverte 2.0',
  vintage: '2021-12-31',
  // Publication page (SOURCES.md §8); the direct file link is not documented.
  url: 'https://www.insee.fr/fr/statistiques/6679585',
  cacheName: 'inseecaf2021.csv',
  format: 'CSV « ; », UTF-8, CRLF ; iris_code et note entre guillemets ; cellule vide = secret (< 5)',
  mirrorPath: 'caf/inseecaf2021.csv',
  geoVintage: 2021,
  coverage: 'france'
};

/**
 * The 21 count columns and what they count. Meanings are inferred from the
 * column names (SOURCES.md §6.1): check them against the Cnaf dictionary before
 * publishing a label.
 */
export const CAF_COLUMNS = {
  a: 'Foyers allocataires',
  percou: 'Personnes couvertes',
  ai: 'Allocataires isolés sans enfant',
  am: 'Familles monoparentales',
  acssenf: 'Couples sans enfant',
  acavenf: 'Couples avec enfant(s)',
  ac3enf: 'Couples avec 3 enfants ou plus',
  enf: 'Enfants couverts',
  enf_2: 'Enfants de 0 à 2 ans',
  enf_3_5: 'Enfants de 3 à 5 ans',
  enf_6_10: 'Enfants de 6 à 10 ans',
  enf_11_14: 'Enfants de 11 à 14 ans',
  enf_15_17: 'Enfants de 15 à 17 ans',
  enf_18_24: 'Enfants de 18 à 24 ans',
  a_etud: 'Allocataires étudiants',
  a_netud_24: 'Allocataires non étudiants de moins de 25 ans',
  aal: 'Allocataires d’une aide au logement',
  aapl: 'Allocataires de l’aide personnalisée au logement (APL)',
  aaah: 'Allocataires de l’allocation aux adultes handicapés (AAH)',
  appa: 'Allocataires de la prime d’activité',
  arsas: 'Allocataires du revenu de solidarité active (RSA)'
} as const satisfies Record<string, string>;

export type CafColumn = keyof typeof CAF_COLUMNS;

// The Cnaf blanks counts below 5: a blank is secret, not zero.
const COUNT: NumberFormat = { decimal: '.', markers: { '': 'secret' } };

/** A non-zero `note` makes the whole IRIS secret, even if a cell were filled. */
export function cafRowStatus(row: RowView): RowStatus | undefined {
  const note = row.get('note');
  if (!/^\d+$/.test(note)) row.fail('note', 'une note de secret entière (0, 2, 3 ou 4)');
  return Number(note) === 0 ? undefined : { status: 'secret', marker: `note=${note}` };
}

const spec: ValueTableSpec = {
  source: cafAllocatairesIrisSource.id,
  level: 'iris',
  encoding: 'utf-8',
  key: { column: 'iris_code' },
  otherColumns: ['note'],
  values: Object.keys(CAF_COLUMNS).map((column): ValueColumn => ({ column, format: COUNT })),
  rowStatus: cafRowStatus
};

export const cafAllocatairesIrisAdapter: ValueAdapter = {
  kind: 'values',
  source: cafAllocatairesIrisSource,
  read: (file, ctx) => readValueFile(file, spec, ctx)
};
