import { readValueFile, type ValueTableSpec } from '../../core/csv.ts';
import { InputError } from '../../core/errors.ts';
import type { SourceDescription, ValueAdapter } from '../../core/types.ts';

/**
 * ANCT Observatoire des territoires, vacant dwellings 2022 (INSEE RP 2022) for the
 * 1 266 communes of Île-de-France in COG 2025 (no 93059 nor 95282, merged on
 * 2025-01-01). The export starts with a UTF-8 BOM and three metadata lines; the
 * second names the geography, which we check rather than trust the file name.
 */
export const logementsVacantsSource: SourceDescription = {
  id: 'anct-logements-vacants-2022',
  label: 'Logements vacants 2022 par commune (ANCT, Observatoire des territoires)',
  producer: 'ANCT — Observatoire des territoires, d’après Insee RP 2022',
  licence: 'Licence Ouverte 2.0',
  vintage: '2022',
  // Exports are built interactively on the portal: there is no stable file URL.
  url: 'https://www.observatoire-des-territoires.gouv.fr',
  cacheName: 'logements-vacants-2022-communes-idf.csv',
  format: 'CSV « ; », UTF-8 avec BOM, 3 lignes de métadonnées avant l’en-tête, sans saut de ligne final',
  mirrorPath: 'anct-observatoire-territoires/logements-vacants-2022-communes-idf.csv',
  geoVintage: 2025,
  coverage: ['75', '77', '78', '91', '92', '93', '94', '95']
};

const METADATA_LINES = 3;
const REFERENTIEL = /Référentiel géographique\s*:\s*Communes\s*\((\d{4})\)/;

/** The COG year announced by the metadata lines (« Référentiel géographique : Communes (2025) »). */
export function cogYearOf(lines: readonly string[], file: string): number {
  for (const line of lines) {
    const year = REFERENTIEL.exec(line)?.[1];
    if (year !== undefined) return Number(year);
  }
  throw new InputError({
    file,
    line: 2,
    column: 1,
    expected: `« Référentiel géographique : Communes (AAAA) » dans les ${METADATA_LINES} lignes de métadonnées de l’export ANCT`,
    found: lines.join(' ⏎ '),
    hint: 'Les lignes de métadonnées manquent ou l’export porte sur un autre niveau géographique'
  });
}

function checkMetadata(lines: readonly string[], file: string): void {
  const year = cogYearOf(lines, file);
  if (year !== logementsVacantsSource.geoVintage) {
    // Codes are read as COG `geoVintage`; another year means other merges.
    throw new InputError({
      file,
      line: lines.findIndex((l) => REFERENTIEL.test(l)) + 1,
      column: 1,
      expected: `le référentiel Communes (${logementsVacantsSource.geoVintage})`,
      found: `Communes (${year})`,
      hint: 'Mettez à jour geoVintage de l’adaptateur si le nouveau millésime est voulu'
    });
  }
}

const spec: ValueTableSpec = {
  source: logementsVacantsSource.id,
  level: 'commune',
  encoding: 'utf-8',
  skipLines: METADATA_LINES,
  checkMetadata,
  key: { column: 'Code' },
  otherColumns: ['Libellé'],
  values: [{ column: 'Nombre de logements vacants 2022', variable: 'LOGVAC22', format: { decimal: '.', markers: {} } }]
};

export const logementsVacantsAdapter: ValueAdapter = {
  kind: 'values',
  source: logementsVacantsSource,
  read: (file, ctx) => readValueFile(file, spec, ctx)
};
