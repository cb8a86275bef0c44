/**
 * DGFiP « PCI Vecteur » in EDIGéO (NF Z 52000): one `.tar.bz2` per feuille, files
 * in ISO-8859-1 with CRLF, coordinates in Lambert-93 metres (`RELSA06:LAMB93` in the
 * `.GEO`). The `.GEN` extent (`CM1CC/CM2CC`) is not in metres and is never used.
 * Parcels carry `IDU` (12 characters: commune without its département + préfixe +
 * section + numéro), `SUPF` (contenance, m²) and `TEX` (numéro); buildings carry
 * `DUR` (`01` bâti dur, `02` bâti léger); sections `IDU` (8 characters) and `TEX`;
 * lieux-dits `TEX` (their name).
 */
import { readFile } from 'node:fs/promises';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { InputError } from '../../core/errors.ts';
import { decodeText } from '../../core/text.ts';
import type { AreaGeometry } from '../../core/types.ts';
import { lambert93ToLonLat } from '../../geo/crs.ts';
import { readLotArchive, type ArchiveMember } from './edigeo-archive.ts';
import { LOADED_TYPES, PARSED_MEMBERS, parseLot, type EdigeoObject, type MemberKey } from './edigeo-parser.ts';
import { cleanGeometry, issue, type FeatureOrigin } from './geometry.ts';
import type { Building, BuildingType, CadastreIssue, CadastreSource, LieuDit, Parcel, Section } from './types.ts';

export interface EdigeoSource extends CadastreSource {
  /** Feuille code of the lot (`130290000A01`: commune, préfixe, section, feuille). */
  feuille: string;
}

/**
 * Path pattern of cadastre.data.gouv.fr for one feuille (SOURCES.md §8, pattern
 * not verified from here). Millésimes are dated folders; the ones below are the
 * quarter of each lot's export date (THF `TDA`), the lots themselves being copies of
 * test fixtures of public projects (SOURCES.md §4.4).
 */
export function edigeoFeuilleUrl(millesime: string, feuille: string): string {
  const dep = feuille.startsWith('97') ? feuille.slice(0, 3) : feuille.slice(0, 2);
  const commune = feuille.slice(0, 5);
  return `https://cadastre.data.gouv.fr/data/dgfip-pci-vecteur/${millesime}/edigeo/feuilles/${dep}/${commune}/edigeo-${feuille}.tar.bz2`;
}

function edigeoSource(feuille: string, name: string, exportDate: string, millesime: string): EdigeoSource {
  const file = `edigeo-${feuille}.tar.bz2`;
  return {
    id: `dgfip-edigeo-${feuille}`,
    label: `Plan cadastral informatisé (EDIGéO), ${name}, feuille ${feuille.slice(8)} de la section ${feuille.slice(8, 10)}, export du ${exportDate}`,
    producer: 'DGFiP, plan cadastral informatisé (PCI Vecteur)',
    licence: 'Licence Ouverte 2.0',
    vintage: exportDate,
    url: edigeoFeuilleUrl(millesime, feuille),
    cacheName: file,
    format: 'Archive .tar.bz2 d’un lot EDIGéO (THF, GEO, QAL, DIC, SCD, GEN, VEC), ISO-8859-1, CRLF, Lambert-93',
    mirrorPath: `cadastre/dgfip-edigeo/${file}`,
    coverage: [],
    commune: feuille.slice(0, 5),
    feuille
  };
}

export const EDIGEO_SOURCES: EdigeoSource[] = [
  edigeoSource('130290000A01', 'Cornillon-Confoux (13029)', '2021-04-13', '2021-04-01'),
  edigeoSource('54084000AB01', 'Mont-Bonvillers (54084)', '2016-10-22', '2016-10-01'),
  edigeoSource('25354000AB01', 'Luxiol (25354)', '2014-03-17', '2014-01-01')
];

export interface EdigeoBatch {
  parcels: Parcel[];
  buildings: Building[];
  sections: Section[];
  lieuxDits: LieuDit[];
  /** Objects per EDIGEO feature type, every layer of the lot (what GDAL's EDIGEO driver lists). */
  layerCounts: Record<string, number>;
  /** Objects read in the loaded layers. */
  rows: number;
  issues: CadastreIssue[];
}

/** Reads one EDIGEO lot. `label` is the file name written in the load report (stable across machines). */
export async function readEdigeo(file: string, source: EdigeoSource, label = file): Promise<EdigeoBatch> {
  const members = requiredMembers(readLotArchive(await readFile(file), file), file);
  const issues: CadastreIssue[] = [];
  checkCrs(members.geo.member, file);
  checkExportDate(members.thf.member, file, source, label, issues);

  const data = Object.fromEntries(Object.entries(members).map(([k, m]) => [k, m.member.data])) as Record<MemberKey, Buffer>;
  const lot = await parseLot(data, source.feuille);
  for (const message of lot.rejectedBlocks) {
    issues.push({ source: source.id, file: label, severity: 'warning', kind: 'bloc-edigeo-rejete', message: `lot ${source.feuille}, ${message}` });
  }
  const vecFile = (o: EdigeoObject) => `${file} › ${o.member ? members[o.member].member.name : '?'}`;
  const objects = (type: keyof typeof LOADED_TYPES) => lot.objects.get(type) ?? [];

  const common = { vintage: source.vintage, source: source.id, commune: source.commune };
  const place = (o: EdigeoObject, what: string, featureId: string): FeatureOrigin => ({
    source: source.id,
    file: label,
    column: `${o.member ? members[o.member].member.name : '?'} ${o.objectId}`,
    featureId,
    what
  });
  const geometryOf = (o: EdigeoObject, origin: FeatureOrigin) => lambertGeometry(o, origin, issues);

  const parcels = objects('PARCELLE_id').map((o): Parcel => {
    const idu = text(o, 'IDU');
    const m = /^(\d{3})(\d{3})([0-9A-Z]{2})(\d{4})$/.exec(idu);
    if (!m || m[1] !== source.commune.slice(2)) {
      throw new InputError({
        file: vecFile(o),
        column: `${o.objectId}, attribut IDU`,
        expected: `un identifiant de parcelle à 12 caractères de la commune ${source.commune} (${source.commune.slice(2)} + préfixe + section + numéro)`,
        found: idu
      });
    }
    const [, , prefixe = '', section = '', numero = ''] = m;
    const id = `${source.commune}${prefixe}${section}${numero}`;
    const origin = place(o, 'parcelle', id);
    const supf = o.properties.SUPF;
    let contenance: number | null = null;
    if (typeof supf === 'number' && Number.isInteger(supf) && supf >= 0) contenance = supf;
    else issues.push(issue(origin, 'contenance-absente', 'info', `parcelle ${id} : contenance (SUPF) absente ou illisible (${JSON.stringify(supf) ?? 'absente'})`));
    return { id, prefixe, section, numero, contenance, ...common, ...geometryOf(o, origin) };
  });

  const buildings = objects('BATIMENT_id').map((o): Building => {
    // EDIGEO object ids are unique within a lot only: the feuille makes them global.
    const id = `${source.feuille}:${o.objectId}`;
    const origin = place(o, 'bâtiment', id);
    return { id, type: buildingType(o, origin, issues), ...common, ...geometryOf(o, origin) };
  });

  const sections = objects('SECTION_id').map((o): Section => {
    const idu = text(o, 'IDU');
    const m = /^(\d{3})(\d{3})([0-9A-Z]{2})$/.exec(idu);
    if (!m || m[1] !== source.commune.slice(2)) {
      throw new InputError({
        file: vecFile(o),
        column: `${o.objectId}, attribut IDU`,
        expected: `un identifiant de section à 8 caractères de la commune ${source.commune}`,
        found: idu
      });
    }
    const [, , prefixe = '', section = ''] = m;
    const id = `${source.commune}${prefixe}${section}`;
    return { id, prefixe, section, ...common, ...geometryOf(o, place(o, 'section', id)) };
  });

  const lieuxDits = objects('LIEUDIT_id').map((o): LieuDit => {
    const id = `${source.feuille}:${o.objectId}`;
    return { id, name: text(o, 'TEX'), ...common, ...geometryOf(o, place(o, 'lieu-dit', id)) };
  });

  const rows = parcels.length + buildings.length + sections.length + lieuxDits.length;
  return { parcels, buildings, sections, lieuxDits, layerCounts: lot.layerCounts, rows, issues };
}

type Located = { member: ArchiveMember };

function requiredMembers(all: ArchiveMember[], file: string): Record<MemberKey, Located> {
  const found: Partial<Record<MemberKey, Located>> = {};
  const missing: string[] = [];
  for (const [key, suffix] of Object.entries(PARSED_MEMBERS) as [MemberKey, string][]) {
    const member = all.find((m) => m.name.toUpperCase().endsWith(suffix));
    if (member) found[key] = { member };
    else missing.push(`*${suffix}`);
  }
  if (missing.length > 0) {
    throw new InputError({
      file,
      column: missing.join(', '),
      expected: `un lot EDIGéO complet (fichiers ${Object.values(PARSED_MEMBERS).map((s) => `*${s}`).join(', ')})`,
      found: all.length ? `les fichiers ${all.map((m) => m.name).join(', ')}` : 'une archive vide',
      hint: `Fichier(s) manquant(s) dans l’archive : ${missing.join(', ')}`
    });
  }
  return found as Record<MemberKey, Located>;
}

/** The `.GEO` names the CRS (`RELSA06:LAMB93`); we reproject Lambert-93 only. */
function checkCrs(geo: ArchiveMember, file: string): void {
  const text = decodeText(geo.data, { file: `${file} › ${geo.name}`, encoding: 'latin1' });
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('REL'));
  const crs = at < 0 ? undefined : lines[at]?.slice(8).trim();
  if (crs !== 'LAMB93') {
    throw new InputError({
      file: `${file} › ${geo.name}`,
      line: at < 0 ? undefined : at + 1,
      column: 'REL',
      expected: 'le système de référence LAMB93 (Lambert-93)',
      found: crs ?? 'aucune ligne REL',
      hint: 'Seuls les lots de métropole en Lambert-93 sont pris en charge'
    });
  }
}

/** The THF's `TDA` is the export date; a lot older or newer than declared is worth a line in the report. */
function checkExportDate(thf: ArchiveMember, file: string, source: EdigeoSource, label: string, issues: CadastreIssue[]): void {
  const text = decodeText(thf.data, { file: `${file} › ${thf.name}`, encoding: 'latin1' });
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('TDA'));
  const raw = at < 0 ? '' : (lines[at]?.slice(8).trim() ?? '');
  const date = /^\d{8}$/.test(raw) ? `${raw.slice(0, 4)}-${raw.slice(4, 6)}-${raw.slice(6, 8)}` : null;
  if (date !== source.vintage) {
    issues.push({
      source: source.id,
      file: label,
      line: at < 0 ? undefined : at + 1,
      column: `${thf.name} TDA`,
      severity: 'warning',
      kind: 'date-export-differente',
      message: `date d’export du lot ${date ?? 'illisible'} différente du millésime déclaré ${source.vintage}`
    });
  }
}

function text(o: EdigeoObject, attribute: string): string {
  const v = o.properties[attribute];
  return typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v);
}

const DUR: Record<string, BuildingType> = { '01': 'dur', '02': 'léger' };

function buildingType(o: EdigeoObject, origin: FeatureOrigin, issues: CadastreIssue[]): BuildingType | null {
  const code = text(o, 'DUR');
  const type = DUR[code];
  if (type) return type;
  issues.push(issue(origin, 'type-batiment-inconnu', 'warning', `bâtiment ${origin.featureId} : DUR « ${code} » inconnu (attendu 01 dur ou 02 léger)`));
  return null;
}

/** Lambert-93 → WGS84 (etl/geo/crs.ts), then the shared repair; rejected geometries are reported. */
function lambertGeometry(o: EdigeoObject, origin: FeatureOrigin, issues: CadastreIssue[]) {
  if (o.deintersected) {
    issues.push(issue(origin, 'auto-intersection-corrigee', 'warning', `${origin.what} ${origin.featureId} : anneaux auto-sécants séparés par le lecteur EDIGéO`));
  }
  const g = o.geometry;
  if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) {
    issues.push(
      issue(origin, 'geometrie-rejetee', 'warning', `${origin.what} ${origin.featureId} : géométrie non assemblable (${(o.rejected ?? [g?.type ?? 'absente']).join(', ')}), attributs conservés sans géométrie`)
    );
    return { geometry: null, bbox: null };
  }
  const project = (ring: Position[]) => ring.map((p) => lambert93ToLonLat(p[0] as number, p[1] as number));
  const wgs84: AreaGeometry =
    g.type === 'Polygon'
      ? ({ type: 'Polygon', coordinates: g.coordinates.map(project) } satisfies Polygon)
      : ({ type: 'MultiPolygon', coordinates: g.coordinates.map((poly) => poly.map(project)) } satisfies MultiPolygon);
  return cleanGeometry(wgs84, origin, issues);
}
