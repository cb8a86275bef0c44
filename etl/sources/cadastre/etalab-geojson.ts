/**
 * Etalab's cadastre in GeoJSON (« cadastre Etalab »), layer `parcelles`, one file
 * per commune and millésime. WGS84, one Polygon/MultiPolygon per parcel; the files
 * are gzip even when a mirror names them `.geojson` (we trust the bytes, see
 * core/text.ts). Properties: `id` (14 characters), `commune`, `prefixe`, `section`
 * (one or two letters, `A` for `0A`), `numero` (unpadded), `contenance` (m², absent
 * for a few parcels), `arpente`, `created`, `updated`.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../../core/errors.ts';
import { decodeText } from '../../core/text.ts';
import { parseGeoJson } from '../../geo/read-geojson.ts';
import { cleanGeometry, issue } from './geometry.ts';
import { parcelIdFromRaw } from './parcel-id.ts';
import type { CadastreIssue, CadastreSource, Parcel } from './types.ts';

const PRODUCER = 'DGFiP (plan cadastral informatisé), diffusé par Etalab (cadastre.data.gouv.fr)';
const LICENCE = 'Licence Ouverte 2.0';
const FORMAT = 'GeoJSON WGS84 compressé gzip (même nommé .geojson), couche parcelles, une entité par parcelle';

/** Official per-commune URL (SOURCES.md §8); `millesime` is a dated folder (`2022-01-01`) or `latest`. */
export function etalabCommuneUrl(millesime: string, commune: string, layer = 'parcelles'): string {
  const dep = commune.startsWith('97') ? commune.slice(0, 3) : commune.slice(0, 2);
  return `https://cadastre.data.gouv.fr/data/etalab-cadastre/${millesime}/geojson/communes/${dep}/${commune}/cadastre-${commune}-${layer}.json.gz`;
}

/** Per-département URL of a layer (the whole 93 at once), for a later extension beyond single communes. */
export function etalabDepartementUrl(millesime: string, departement: string, layer = 'parcelles'): string {
  return `https://cadastre.data.gouv.fr/data/etalab-cadastre/${millesime}/geojson/departements/${departement}/cadastre-${departement}-${layer}.json.gz`;
}

/**
 * Bondy's millésimes were inferred from the newest `updated` date of each file
 * (Etalab publishes quarterly; SOURCES.md §4.1): the folder of the file whose last
 * update is 2021-12-24 is `2022-01-01`.
 */
const BONDY_VINTAGES = ['2022-01', '2023-01', '2024-01', '2024-07', '2025-01'] as const;

function bondySource(month: (typeof BONDY_VINTAGES)[number]): CadastreSource {
  const vintage = `${month}-01`;
  return {
    id: `etalab-cadastre-93010-parcelles-${vintage}`,
    label: `Parcelles cadastrales de Bondy, millésime ${vintage} (cadastre Etalab)`,
    producer: PRODUCER,
    licence: LICENCE,
    vintage,
    url: etalabCommuneUrl(vintage, '93010'),
    // Every millésime has the same file name: the cache keeps them apart by source id.
    cacheName: `cadastre-93010-parcelles.${month}.json.gz`,
    format: FORMAT,
    mirrorPath: `cadastre/etalab-geojson/93010-bondy/cadastre-93010-parcelles.${month}.json.gz`,
    coverage: [],
    commune: '93010'
  };
}

export const BONDY_PARCEL_SOURCES: CadastreSource[] = BONDY_VINTAGES.map(bondySource);

export const PARIS_18_PARCEL_SOURCE: CadastreSource = {
  id: 'etalab-cadastre-75118-parcelles-2022-01-01',
  label: 'Parcelles cadastrales de Paris 18e arrondissement, millésime 2022-01-01 (cadastre Etalab)',
  producer: PRODUCER,
  licence: LICENCE,
  vintage: '2022-01-01',
  url: etalabCommuneUrl('2022-01-01', '75118'),
  cacheName: 'cadastre-75118-parcelles.2022-01-01.json.gz',
  format: FORMAT,
  mirrorPath: 'cadastre/etalab-geojson/75118-paris-18e/cadastre-75118-parcelles.2022-01-01.json.gz',
  coverage: [],
  // Etalab files Paris by arrondissement municipal: parcel ids start with 75118, not 75056.
  commune: '75118'
};

export const ETALAB_PARCEL_SOURCES: CadastreSource[] = [...BONDY_PARCEL_SOURCES, PARIS_18_PARCEL_SOURCE];

export interface ParcelBatch {
  parcels: Parcel[];
  /** Features read. */
  rows: number;
  issues: CadastreIssue[];
}

/**
 * Reads one Etalab parcel file. Structure errors (JSON, geometry type, coordinates
 * outside WGS84, an id that does not match its parts, a parcel of another commune)
 * are InputErrors; geometry defects are repaired or reported as issues and the
 * parcel is always kept.
 */
export async function readEtalabParcels(file: string, source: CadastreSource, label = file): Promise<ParcelBatch> {
  // core/text gunzips and, for a download cut short, says where the readable text stops.
  const text = decodeText(await readFile(file), { file, encoding: 'utf-8' });
  const read = parseGeoJson(text, file);
  const issues: CadastreIssue[] = [];
  const seen = new Map<string, number>();
  const parcels: Parcel[] = [];
  for (const f of read.features) {
    const p = f.properties;
    const fail = (member: string, expected: string, found: unknown, hint?: string): never => {
      throw new InputError({
        file,
        line: f.number,
        column: `${f.path}.properties.${member}`,
        expected,
        found: JSON.stringify(found) ?? 'undefined',
        hint: hint ?? '« ligne » = numéro de l’entité dans le fichier (1 = la première)'
      });
    };
    const str = (member: string): string => {
      const v = p[member];
      return typeof v === 'string' ? v : fail(member, `une chaîne « ${member} »`, v);
    };
    const commune = str('commune');
    if (commune !== source.commune) fail('commune', `la commune ${source.commune} déclarée pour cette source`, commune);
    const built = parcelIdFromRaw(commune, str('prefixe'), str('section'), str('numero'));
    if ('invalid' in built) fail(built.invalid, `un ${built.invalid} de parcelle valide`, p[built.invalid]);
    const { id, parts } = built as Exclude<typeof built, { invalid: string }>;
    const declared = p.id ?? f.id;
    if (declared !== id) {
      fail('id', `l’identifiant ${id} (commune + préfixe + section + numéro)`, declared, 'L’identifiant ne correspond pas aux autres attributs de la parcelle');
    }
    const previous = seen.get(id);
    if (previous !== undefined) fail('id', 'un identifiant de parcelle unique dans le fichier', id, `Déjà vu à l’entité ${previous}`);
    seen.set(id, f.number);
    const origin = { source: source.id, file: label, line: f.number, column: f.path, featureId: id, what: 'parcelle' };
    const contenance = readContenance(p.contenance, origin, issues, fail);
    parcels.push({
      id,
      ...parts,
      contenance,
      vintage: source.vintage,
      source: source.id,
      ...cleanGeometry(f.geometry, origin, issues)
    });
  }
  return { parcels, rows: read.features.length, issues };
}

function readContenance(
  value: unknown,
  origin: Parameters<typeof issue>[0],
  issues: CadastreIssue[],
  fail: (member: string, expected: string, found: unknown) => never
): number | null {
  if (value === undefined || value === null) {
    // Happens (1 parcel of Bondy in 2022-01): the DGFiP had not recorded it yet.
    issues.push(issue(origin, 'contenance-absente', 'info', `parcelle ${origin.featureId} : contenance non publiée`));
    return null;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    return fail('contenance', 'une contenance en m² (entier positif)', value);
  }
  return value;
}
