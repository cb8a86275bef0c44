import { readValueFile, type RowView, type ValueTableSpec } from '../../core/csv.ts';
import type { NumberFormat } from '../../core/numbers.ts';
import type { SourceDescription, ValueAdapter } from '../../core/types.ts';

/**
 * INSEE populations légales, millésime 2019 (en vigueur au 1er janvier 2022),
 * `donnees_communes.csv` of the « ensemble » archive: all 34 990 communes, Paris
 * by arrondissement (75101…75120, kept as published; the pipeline maps them to
 * 75056).
 */
export const populationsLegalesSource: SourceDescription = {
  id: 'insee-populations-legales-2019',
  label: 'Populations légales 2019 des communes (Insee, en vigueur au 1er janvier 2022)',
  producer: 'Insee',
  licence: 'Licence Ouverte 2.0',
  vintage: '2019',
  url: 'https://www.insee.fr/fr/statistiques/fichier/6011070/ensemble.zip',
  urlServes: 'archive',
  cacheName: 'donnees_communes.csv',
  format: 'CSV « ; », UTF-8, LF ; code commune en deux colonnes CODDEP + CODCOM',
  mirrorPath: 'insee/populations-legales/donnees_communes.csv',
  geoVintage: 2022,
  coverage: 'france'
};

/**
 * The file splits the commune code: CODDEP (2 characters, or 3 overseas: 971…)
 * and CODCOM, the commune's 3-digit number inside the département. Overseas, the
 * INSEE code keeps only two characters of the département and CODCOM already
 * starts with its third digit: CODDEP 971 + CODCOM 101 → 97101, not 971101.
 */
export function communeCode(row: RowView): string {
  const dep = row.get('CODDEP');
  const com = row.get('CODCOM');
  if (!/^(?:\d{2}|2[AB]|97\d)$/.test(dep)) {
    row.fail('CODDEP', 'un code département (01…95, 2A, 2B, 971…976)');
  }
  if (!/^\d{3}$/.test(com)) row.fail('CODCOM', 'le numéro de la commune dans son département, sur 3 chiffres');
  if (dep.length === 3) {
    if (com[0] !== dep[2]) {
      row.fail('CODCOM', `un numéro commençant par ${dep[2]}, troisième chiffre du département ${dep}`);
    }
    return dep.slice(0, 2) + com;
  }
  return dep + com;
}

const COUNT: NumberFormat = { decimal: '.', markers: {} };

const spec: ValueTableSpec = {
  source: populationsLegalesSource.id,
  level: 'commune',
  encoding: 'utf-8',
  key: { columns: ['CODDEP', 'CODCOM'], build: communeCode },
  otherColumns: ['CODREG', 'REG', 'CODARR', 'CODCAN', 'COM'],
  values: [
    { column: 'PMUN', format: COUNT }, // population municipale
    { column: 'PCAP', format: COUNT }, // population comptée à part
    { column: 'PTOT', format: COUNT } // population totale
  ]
};

export const populationsLegalesAdapter: ValueAdapter = {
  kind: 'values',
  source: populationsLegalesSource,
  read: (file, ctx) => readValueFile(file, spec, ctx)
};
