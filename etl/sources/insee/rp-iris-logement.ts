import { readValueFile, type ValueTableSpec } from '../../core/csv.ts';
import type { NumberFormat } from '../../core/numbers.ts';
import type { SourceDescription, ValueAdapter } from '../../core/types.ts';

/**
 * INSEE census 2019, IRIS base « Logement », extract of 70 IRIS of four communes
 * (93010 Bondy, 93031 Épinay-sur-Seine, 93063 Romainville, 93070 Saint-Ouen). The
 * extract went through R (`write.csv2`): strings quoted, decimal comma, `NA` for
 * values R did not have — « not available », not statistical secrecy.
 *
 * Coverage is empty on purpose: four communes are not a département, and the
 * pipeline treats an empty coverage as « no aggregate above IRIS ».
 */
export const rpIrisLogementSource: SourceDescription = {
  id: 'insee-rp-2019-iris-logement',
  label: 'Recensement 2019 — logement à l’IRIS (Insee, extrait de 4 communes)',
  producer: 'Insee, recensement de la population',
  licence: 'Licence Ouverte 2.0',
  vintage: '2019',
  url: 'https://www.insee.fr/fr/statistiques/fichier/6543302/base-ic-logement-2019_csv.zip',
  urlServes: 'archive',
  cacheName: 'base-ic-logement-2019.CSV',
  format: 'CSV « ; », UTF-8, LF, chaînes entre guillemets, virgule décimale, NA = non disponible',
  mirrorPath: 'insee/recensement-iris/base-ic-logement-2019.extrait-93-4communes.csv',
  // RP 2019 bases infracommunales are published on the geography of 1 January 2021.
  geoVintage: 2021,
  coverage: []
};

const FORMAT: NumberFormat = { decimal: ',', markers: { NA: 'missing' } };

const spec: ValueTableSpec = {
  source: rpIrisLogementSource.id,
  level: 'iris',
  encoding: 'utf-8',
  key: { column: 'IRIS' },
  otherColumns: ['COM', 'TYP_IRIS', 'MODIF_IRIS', 'LAB_IRIS'],
  // Named so that another vintage (P20_…) fails on the header, not on the figures.
  values: [
    { column: 'P19_LOG', format: FORMAT },
    { column: 'P19_RP', format: FORMAT }
  ],
  // The other 90 P19_/C19_ columns keep INSEE's names as variables.
  remainingColumns: FORMAT
};

export const rpIrisLogementAdapter: ValueAdapter = {
  kind: 'values',
  source: rpIrisLogementSource,
  read: (file, ctx) => readValueFile(file, spec, ctx)
};
