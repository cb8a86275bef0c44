import { readValueFile, type ValueTableSpec } from '../../core/csv.ts';
import type { NumberFormat } from '../../core/numbers.ts';
import type { SourceDescription, ValueAdapter } from '../../core/types.ts';

/**
 * Median disposable income by IRIS for Bondy (93010), Filosofi 2013 and 2019: a
 * user extract (IRIS;LIBIRIS;COM;LIBCOM;DISP_MEDxx) of INSEE's IRIS files, kept
 * for the time series. Both files are ISO-8859-1 (« Le Moulin à Vent »). The
 * official archives hold every IRIS of France with more columns, so a fresh
 * download needs its own reader; the URLs say where the figures come from.
 *
 * Coverage is empty on purpose: the files cover only Bondy's IRIS, not a whole
 * département, and the pipeline treats an empty coverage as « no aggregate above
 * IRIS » (a commune or EPT total built from them would silently be partial).
 */
export const filosofiBondy2013Source: SourceDescription = {
  id: 'insee-filosofi-iris-2013-bondy',
  label: 'Revenu disponible médian à l’IRIS, Bondy — Filosofi 2013 (Insee)',
  producer: 'Insee-DGFiP-Cnaf-Cnav-CCMSA (Filosofi), extrait utilisateur',
  licence: 'Licence Ouverte 2.0',
  vintage: '2013',
  // SOURCES.md §8 documents only the current Filosofi IRIS page, not the 2013 edition's own.
  url: 'https://www.insee.fr/fr/statistiques/7233950',
  cacheName: 'FILO2013_DISP_MED_IRIS_bondy.csv',
  format: 'CSV « ; », ISO-8859-1, LF, virgule décimale (15300,0) ; 20 IRIS de Bondy',
  mirrorPath: 'insee/filosofi/FILO2013_DISP_MED_IRIS_bondy.csv',
  // INSEE publishes IRIS data of year N on the geography of N+2 (unverified for this edition).
  geoVintage: 2015,
  coverage: []
};

export const filosofiBondy2019Source: SourceDescription = {
  id: 'insee-filosofi-iris-2019-bondy',
  label: 'Revenu disponible médian à l’IRIS, Bondy — Filosofi 2019 (Insee)',
  producer: 'Insee-DGFiP-Cnaf-Cnav-CCMSA (Filosofi), extrait utilisateur',
  licence: 'Licence Ouverte 2.0',
  vintage: '2019',
  url: 'https://www.insee.fr/fr/statistiques/fichier/6049648/BASE_TD_FILO_DISP_IRIS_2019.zip',
  urlServes: 'archive',
  cacheName: 'BASE_TD_FILO_DISP_IRIS_2019.csv',
  format: 'CSV « ; », ISO-8859-1, LF, nombres entiers ; 21 IRIS de Bondy',
  mirrorPath: 'insee/filosofi/FILO2019_DISP_MED_IRIS_bondy.csv',
  // Filosofi 2019 IRIS is published on the geography of 1 January 2021.
  geoVintage: 2021,
  coverage: []
};

// A blank would be Filosofi's secrecy; the extract simply leaves secret IRIS out.
const SECRET_BLANK = { '': 'secret' } as const;

function bondySpec(source: SourceDescription, variable: string, format: NumberFormat): ValueTableSpec {
  return {
    source: source.id,
    level: 'iris',
    encoding: 'latin1',
    key: { column: 'IRIS' },
    otherColumns: ['LIBIRIS', 'COM', 'LIBCOM'],
    values: [{ column: variable, format }]
  };
}

// 2013 went through R's write.csv2 (decimal comma); 2019 holds integers only.
const spec2013 = bondySpec(filosofiBondy2013Source, 'DISP_MED13', { decimal: ',', markers: SECRET_BLANK });
const spec2019 = bondySpec(filosofiBondy2019Source, 'DISP_MED19', { decimal: '.', markers: SECRET_BLANK });

export const filosofiBondy2013Adapter: ValueAdapter = {
  kind: 'values',
  source: filosofiBondy2013Source,
  read: (file, ctx) => readValueFile(file, spec2013, ctx)
};

export const filosofiBondy2019Adapter: ValueAdapter = {
  kind: 'values',
  source: filosofiBondy2019Source,
  read: (file, ctx) => readValueFile(file, spec2019, ctx)
};
