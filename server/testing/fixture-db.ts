/**
 * A small but realistic build for server tests, made from `etl/db/schema.sql`:
 * region 11, départements 93 and 75, EPT Est Ensemble and Plaine Commune, five
 * communes (Paris has no EPT; Saint-Denis absorbed Pierrefitte, 93059), two IRIS
 * of Bondy, one published zoning (`bassin-exemple`), one QPV, and three indicators:
 * a count over two years, a ratio with a secret IRIS and a secret commune, a
 * median published at communes and départements only.
 *
 * Geometries are axis-aligned rectangles near the real places. Band 0 (zoom 0–10)
 * is the plain rectangle; band 1 (zoom 11–22) adds a notch in the top edge, so a
 * test can tell which band a tile was cut from.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
  DuckDBInstance,
  INTEGER,
  LIST,
  VARCHAR,
  listValue
} from '@duckdb/node-api';

const SCHEMA = fileURLToPath(new URL('../../etl/db/schema.sql', import.meta.url));

export interface FixtureDb {
  /** The DuckDB file. */
  path: string;
  dir: string;
  buildId: string;
  cleanup(): Promise<void>;
}

export interface FixtureOptions {
  /** Folder to write into; a fresh temp folder by default. */
  dir?: string;
  buildId?: string;
  fileName?: string;
}

type Box = readonly [minx: number, miny: number, maxx: number, maxy: number];

interface Place {
  level: string;
  code: string;
  name: string;
  postcodes?: string[];
  formerCodes?: string[];
  boxes: Box[];
  parents: Record<string, string>;
  inFocus?: boolean;
}

export const FIXTURE = {
  region: '11',
  departement: '93',
  paris: '75056',
  estEnsemble: '200057875',
  plaineCommune: '200057972',
  bondy: '93010',
  montreuil: '93048',
  pantin: '93055',
  saintDenis: '93066',
  irisFlamiche: '930100101',
  irisCentre: '930100202',
  zoning: 'bassin-exemple',
  qpv: 'QP093014'
} as const;

const BOX = {
  paris: [2.25, 48.815, 2.39, 48.885],
  saintDenis: [2.33, 48.9, 2.39, 48.95],
  pantin: [2.39, 48.885, 2.42, 48.905],
  montreuil: [2.42, 48.85, 2.47, 48.88],
  bondy: [2.47, 48.89, 2.5, 48.91],
  flamiche: [2.47, 48.89, 2.485, 48.91],
  centre: [2.485, 48.89, 2.5, 48.91],
  qpv: [2.48, 48.9, 2.49, 48.905]
} as const satisfies Record<string, Box>;

const R = { region: '11' };
const D93 = { ...R, departement: '93' };
const EE = { ...D93, ept: FIXTURE.estEnsemble };
const PC = { ...D93, ept: FIXTURE.plaineCommune };

const PLACES: Place[] = [
  { level: 'region', code: '11', name: 'Île-de-France', boxes: [BOX.paris, BOX.saintDenis, BOX.pantin, BOX.montreuil, BOX.bondy], parents: {} },
  { level: 'departement', code: '93', name: 'Seine-Saint-Denis', boxes: [BOX.saintDenis, BOX.pantin, BOX.montreuil, BOX.bondy], parents: R, inFocus: true },
  { level: 'departement', code: '75', name: 'Paris', boxes: [BOX.paris], parents: R, inFocus: true },
  { level: 'ept', code: FIXTURE.estEnsemble, name: 'Est Ensemble', boxes: [BOX.pantin, BOX.montreuil, BOX.bondy], parents: D93, inFocus: true },
  { level: 'ept', code: FIXTURE.plaineCommune, name: 'Plaine Commune', boxes: [BOX.saintDenis], parents: D93, inFocus: true },
  { level: 'commune', code: FIXTURE.paris, name: 'Paris', postcodes: ['75001', '75018', '75020'], boxes: [BOX.paris], parents: { ...R, departement: '75' }, inFocus: true },
  { level: 'commune', code: FIXTURE.saintDenis, name: 'Saint-Denis', postcodes: ['93200', '93210', '93380'], formerCodes: ['93059'], boxes: [BOX.saintDenis], parents: { ...PC, [FIXTURE.zoning]: 'nord' }, inFocus: true },
  { level: 'commune', code: FIXTURE.pantin, name: 'Pantin', postcodes: ['93500'], boxes: [BOX.pantin], parents: { ...EE, [FIXTURE.zoning]: 'nord' }, inFocus: true },
  { level: 'commune', code: FIXTURE.montreuil, name: 'Montreuil', postcodes: ['93100'], boxes: [BOX.montreuil], parents: { ...EE, [FIXTURE.zoning]: 'est' }, inFocus: true },
  { level: 'commune', code: FIXTURE.bondy, name: 'Bondy', postcodes: ['93140'], boxes: [BOX.bondy], parents: { ...EE, [FIXTURE.zoning]: 'est' }, inFocus: true },
  { level: 'iris', code: FIXTURE.irisFlamiche, name: 'La Flamiche', boxes: [BOX.flamiche], parents: { ...EE, commune: FIXTURE.bondy, [FIXTURE.zoning]: 'est' }, inFocus: true },
  { level: 'iris', code: FIXTURE.irisCentre, name: 'Le Centre Ville', boxes: [BOX.centre], parents: { ...EE, commune: FIXTURE.bondy, [FIXTURE.zoning]: 'est' }, inFocus: true },
  { level: FIXTURE.zoning, code: 'nord', name: 'Bassin nord', boxes: [BOX.saintDenis, BOX.pantin], parents: D93, inFocus: true },
  { level: FIXTURE.zoning, code: 'est', name: 'Bassin est', boxes: [BOX.montreuil, BOX.bondy], parents: D93, inFocus: true }
];

const LEVELS = [
  ['iris', 'IRIS', 'IRIS', 0, 'admin', 10, 16],
  ['commune', 'Commune', 'Communes', 1, 'admin', 6, 16],
  ['ept', 'Établissement public territorial', 'Établissements publics territoriaux', 2, 'admin', 6, 14],
  ['departement', 'Département', 'Départements', 3, 'admin', 0, 14],
  ['region', 'Région', 'Régions', 4, 'admin', 0, 12],
  [FIXTURE.zoning, 'Bassin (exemple)', 'Bassins (exemple)', 2, 'zoning', 6, 14]
] as const;

const BANDS = [
  { band: 0, minZoom: 0, maxZoom: 10, notch: false },
  { band: 1, minZoom: 11, maxZoom: 22, notch: true }
] as const;

/** RFC 7946 exterior ring (counter-clockwise); with a notch, one more vertex dips into the top edge. */
export function fixtureRing(box: Box, notch: boolean): [number, number][] {
  const [minx, miny, maxx, maxy] = box;
  const ring: [number, number][] = [
    [minx, miny],
    [maxx, miny],
    [maxx, maxy]
  ];
  if (notch) ring.push([round((minx + maxx) / 2), round(maxy - (maxy - miny) / 4)]);
  ring.push([minx, maxy], [minx, miny]);
  return ring;
}

function geometry(boxes: Box[], notch: boolean): string {
  if (boxes.length === 1) return JSON.stringify({ type: 'Polygon', coordinates: [fixtureRing(boxes[0] as Box, notch)] });
  return JSON.stringify({ type: 'MultiPolygon', coordinates: boxes.map((b) => [fixtureRing(b, notch)]) });
}

function bbox(boxes: Box[]): Box {
  return [
    Math.min(...boxes.map((b) => b[0])),
    Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])),
    Math.max(...boxes.map((b) => b[3]))
  ];
}

function areaKm2(boxes: Box[]): number {
  let total = 0;
  for (const [minx, miny, maxx, maxy] of boxes) {
    const lat = ((miny + maxy) / 2) * (Math.PI / 180);
    total += (maxx - minx) * 111.32 * Math.cos(lat) * (maxy - miny) * 110.57;
  }
  return round(total);
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

export function searchName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[-'’]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

// ---------------------------------------------------------------- values

type Status = 'ok' | 'secret' | 'partial' | 'missing' | 'not-aggregable';
interface Cell {
  value: number | null;
  numerator?: number | null;
  denominator?: number | null;
  status: Status;
  secret?: number;
  missing?: number;
  parts?: number;
}

/** Base cells of each series: IRIS for Bondy, communes elsewhere (their other IRIS are not in the fixture). */
const POPULATION: Record<number, Record<string, number>> = {
  2021: { [FIXTURE.irisFlamiche]: 27000, [FIXTURE.irisCentre]: 27500, [FIXTURE.montreuil]: 111000, [FIXTURE.pantin]: 59000, [FIXTURE.saintDenis]: 113000, [FIXTURE.paris]: 2133000 },
  2015: { [FIXTURE.irisFlamiche]: 26000, [FIXTURE.irisCentre]: 26400, [FIXTURE.montreuil]: 107000, [FIXTURE.pantin]: 55000, [FIXTURE.saintDenis]: 111000, [FIXTURE.paris]: 2206000 }
};

/** Unemployment: La Centre Ville IRIS is secret (producer marker), and so is Pantin. */
const CHOMAGE: Record<string, Cell> = {
  [FIXTURE.irisFlamiche]: { value: 23.076923, numerator: 3000, denominator: 13000, status: 'ok' },
  [FIXTURE.irisCentre]: { value: null, numerator: null, denominator: null, status: 'secret' },
  [FIXTURE.montreuil]: { value: 12.727273, numerator: 7000, denominator: 55000, status: 'ok' },
  // A secret row that still carries its numerator and denominator: the server must never let them out.
  [FIXTURE.pantin]: { value: null, numerator: 4000, denominator: 29000, status: 'secret' },
  [FIXTURE.saintDenis]: { value: 21.428571, numerator: 12000, denominator: 56000, status: 'ok' },
  [FIXTURE.paris]: { value: 9.090909, numerator: 100000, denominator: 1100000, status: 'ok' }
};

/** Median disposable income, published by the producer for communes, départements and the region. */
const REVENU: Record<string, Record<string, Cell>> = {
  commune: {
    [FIXTURE.bondy]: { value: 17500, status: 'ok' },
    [FIXTURE.montreuil]: { value: 21000, status: 'ok' },
    [FIXTURE.pantin]: { value: 19500, status: 'ok' },
    [FIXTURE.saintDenis]: { value: null, status: 'missing', missing: 1, parts: 0 },
    [FIXTURE.paris]: { value: 29000, status: 'ok' }
  },
  departement: { '93': { value: 17700, status: 'ok' }, '75': { value: 29000, status: 'ok' } },
  region: { '11': { value: 24000, status: 'ok' } }
};

function baseUnits(place: Place): string[] {
  // the base units (IRIS of Bondy, other communes) that fall inside `place`
  const bases = new Set<string>([FIXTURE.irisFlamiche, FIXTURE.irisCentre, FIXTURE.montreuil, FIXTURE.pantin, FIXTURE.saintDenis, FIXTURE.paris]);
  const byCode = new Map(PLACES.map((p) => [`${p.level}:${p.code}`, p]));
  const inside: string[] = [];
  for (const code of bases) {
    const base = [...byCode.values()].find((p) => p.code === code) as Place;
    if (base.level === place.level && base.code === place.code) inside.push(code);
    else if (base.parents[place.level] === place.code) inside.push(code);
  }
  return inside;
}

/** Sums counts and ratio terms over the non-secret base cells; enough for a fixture, not the engine. */
function aggregateCells(cells: Cell[], kind: 'count' | 'ratio', scale: number): Cell {
  const secret = cells.filter((c) => c.status === 'secret').length;
  const open = cells.filter((c) => c.status === 'ok');
  if (open.length === 0) return { value: null, numerator: null, denominator: null, status: 'secret', secret, parts: 0 };
  const status: Status = secret > 0 ? 'partial' : 'ok';
  if (kind === 'count') {
    const sum = open.reduce((s, c) => s + (c.value ?? 0), 0);
    return { value: sum, status, secret, parts: open.length };
  }
  const num = open.reduce((s, c) => s + (c.numerator ?? 0), 0);
  const den = open.reduce((s, c) => s + (c.denominator ?? 0), 0);
  return { value: round((num / den) * scale), numerator: num, denominator: den, status, secret, parts: open.length };
}

interface ValueRow {
  indicator_id: string;
  year: number;
  level: string;
  code: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  status: string;
  secret_parts: number;
  missing_parts: number;
  parts: number;
  provenance: string;
}

function valueRows(): ValueRow[] {
  const rows: ValueRow[] = [];
  const push = (indicator: string, year: number, place: Place, cell: Cell, provenance: string) =>
    rows.push({
      indicator_id: indicator,
      year,
      level: place.level,
      code: place.code,
      value: cell.value,
      numerator: cell.numerator ?? null,
      denominator: cell.denominator ?? null,
      status: cell.status,
      secret_parts: cell.secret ?? (cell.status === 'secret' ? 1 : 0),
      missing_parts: cell.missing ?? 0,
      parts: cell.parts ?? (cell.status === 'ok' ? 1 : 0),
      provenance
    });
  for (const place of PLACES) {
    for (const year of [2015, 2021]) {
      const table = POPULATION[year] as Record<string, number>;
      const cells = baseUnits(place).map((code): Cell => ({ value: table[code] ?? null, status: 'ok' }));
      push('population', year, place, aggregateCells(cells, 'count', 1), `INSEE, recensement de la population ${year}, exploitation principale (P${year % 100}_POP) ; somme des IRIS.`);
    }
    const chomage = baseUnits(place).map((code) => CHOMAGE[code] as Cell);
    const direct = CHOMAGE[place.code];
    const cell = direct ?? aggregateCells(chomage, 'ratio', 100);
    push('taux-chomage', 2021, place, cell, 'INSEE, recensement de la population 2021 (P21_CHOM1564 / P21_ACT1564) ; Σ chômeurs / Σ actifs des IRIS.');
    if (place.level !== 'iris') {
      const published = REVENU[place.level]?.[place.code];
      const revenu: Cell = published ?? { value: null, status: 'not-aggregable', parts: 0 };
      push('revenu-median', 2021, place, revenu, 'INSEE, Filosofi 2021 (MED21) ; médiane publiée par le producteur, non agrégeable.');
    }
  }
  return rows;
}

const SOURCES = [
  { id: 'insee-rp-2021', label: 'Recensement de la population 2021', vintage: '2021', url: 'https://www.insee.fr/fr/statistiques/8268806' },
  { id: 'insee-rp-2015', label: 'Recensement de la population 2015', vintage: '2015', url: 'https://www.insee.fr/fr/statistiques/3627376' },
  // covers Seine-Saint-Denis completely, Paris only in part: groups reaching into Paris are missing
  { id: 'insee-filosofi-2021', label: 'Filosofi 2021', vintage: '2021', url: 'https://www.insee.fr/fr/statistiques/7756729', coverage: ['93'] }
];

const INDICATORS = [
  {
    id: 'population',
    label: 'Population municipale',
    short_label: 'Population',
    description: 'Nombre de personnes ayant leur résidence habituelle sur le territoire.',
    theme: 'population',
    unit: 'habitants',
    kind: 'count',
    scale: 1,
    decimals: 0,
    secrecy: { threshold: 0, on: 'value' },
    series: [
      { year: 2015, source: 'insee-rp-2015', value: 'P15_POP' },
      { year: 2021, source: 'insee-rp-2021', value: 'P21_POP' }
    ],
    baseLevel: 'iris',
    levels: ['iris', 'commune', 'ept', 'departement', 'region', FIXTURE.zoning]
  },
  {
    id: 'taux-chomage',
    label: 'Taux de chômage des 15-64 ans',
    short_label: 'Chômage',
    description: 'Chômeurs de 15 à 64 ans parmi les actifs de 15 à 64 ans, au sens du recensement.',
    theme: 'emploi',
    unit: '%',
    kind: 'ratio',
    scale: 100,
    decimals: 1,
    secrecy: { threshold: 0, on: 'denominator', reason: 'Effectif trop faible, masqué par le producteur' },
    series: [{ year: 2021, source: 'insee-rp-2021', numerator: 'P21_CHOM1564', denominator: 'P21_ACT1564' }],
    baseLevel: 'iris',
    levels: ['iris', 'commune', 'ept', 'departement', 'region', FIXTURE.zoning]
  },
  {
    id: 'revenu-median',
    label: 'Revenu disponible médian par unité de consommation',
    short_label: 'Revenu médian',
    description: 'Médiane du revenu disponible par unité de consommation.',
    theme: 'revenus',
    unit: '€',
    kind: 'median',
    scale: 1,
    decimals: 0,
    secrecy: { threshold: 0, on: 'value' },
    series: [{ year: 2021, source: 'insee-filosofi-2021', value: 'MED21' }],
    baseLevel: 'commune',
    levels: ['commune', 'departement', 'region']
  }
];

// ---------------------------------------------------------------- writing

type Row = Record<string, DuckDBValue | string[] | number | string | boolean | null>;

async function insert(connection: DuckDBConnection, table: string, rows: Row[]): Promise<void> {
  for (const row of rows) {
    const columns = Object.keys(row);
    const values: DuckDBValue[] = [];
    const types: DuckDBType[] = [];
    for (const column of columns) {
      const v = row[column] ?? null;
      if (Array.isArray(v)) {
        values.push(listValue(v));
        types.push(LIST(VARCHAR));
      } else if (typeof v === 'number') {
        values.push(v);
        types.push(Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? INTEGER : DOUBLE);
      } else if (typeof v === 'boolean') {
        values.push(v);
        types.push(BOOLEAN);
      } else {
        values.push(v as DuckDBValue);
        types.push(VARCHAR);
      }
    }
    const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
    await connection.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders})`, values, types);
  }
}

export async function createFixtureDb(options: FixtureOptions = {}): Promise<FixtureDb> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'observatoire-fixture-')));
  const buildId = options.buildId ?? 'fixture-20261123T1200';
  const path = join(dir, options.fileName ?? `${buildId}.duckdb`);
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await connection.run(await readFile(SCHEMA, 'utf8'));
    await insert(connection, 'build_info', [
      { key: 'build_id', value: buildId },
      { key: 'created_at', value: '2026-11-23T12:00:00Z' },
      { key: 'cog_vintage', value: '2025' },
      { key: 'profile', value: 'fixture' },
      { key: 'etl_version', value: '0.1.0' }
    ]);
    await insert(
      connection,
      'sources',
      SOURCES.map((s) => ({
        id: s.id,
        label: s.label,
        vintage: s.vintage,
        url: s.url,
        producer: 'INSEE',
        licence: 'Licence Ouverte / Open Licence 2.0',
        format: 'CSV ; séparateur « ; », UTF-8',
        origin: 'mirror',
        file: `insee/${s.id}.csv`,
        sha256: '0'.repeat(64),
        bytes: 1000,
        rows_read: 10,
        items_loaded: 10,
        geo_vintage: 2025,
        coverage: s.coverage ?? ['75', '93'],
        loaded_at: '2026-11-23 12:00:00'
      }))
    );
    await insert(
      connection,
      'levels',
      LEVELS.map(([id, label, plural, rank, kind, minZoom, maxZoom]) => ({
        id,
        label,
        label_plural: plural,
        rank,
        kind,
        min_zoom: minZoom,
        max_zoom: maxZoom
      }))
    );
    await insert(connection, 'zonings', [
      { id: FIXTURE.zoning, label: 'Bassins (exemple)', description: 'Découpage de démonstration en deux bassins.', example: true, published: true, file: 'data/zonings/bassin-exemple.csv' },
      { id: 'brouillon', label: 'Brouillon', description: 'Découpage non publié.', example: true, published: false, file: 'data/zonings/brouillon.csv' }
    ]);
    await insert(
      connection,
      'zoning_members',
      PLACES.filter((p) => p.level === 'commune' && p.parents[FIXTURE.zoning]).map((p) => {
        const group = p.parents[FIXTURE.zoning] as string;
        return { zoning_id: FIXTURE.zoning, group_code: group, group_name: group === 'nord' ? 'Bassin nord' : 'Bassin est', commune_code: p.code };
      })
    );
    for (const place of PLACES) {
      const [minx, miny, maxx, maxy] = bbox(place.boxes);
      await insert(connection, 'territories', [
        {
          level: place.level,
          code: place.code,
          name: place.name,
          search_name: searchName(place.name),
          postcodes: place.postcodes ?? [],
          commune: place.parents.commune ?? null,
          ept: place.parents.ept ?? null,
          departement: place.parents.departement ?? null,
          region: place.parents.region ?? null,
          in_focus: place.inFocus ?? false,
          has_geometry: true,
          area_km2: areaKm2(place.boxes),
          minx,
          miny,
          maxx,
          maxy,
          lon: round((minx + maxx) / 2),
          lat: round((miny + maxy) / 2),
          former_codes: place.formerCodes ?? []
        }
      ]);
      await insert(
        connection,
        'territory_parents',
        Object.entries(place.parents).map(([parentLevel, parentCode]) => ({
          level: place.level,
          code: place.code,
          parent_level: parentLevel,
          parent_code: parentCode
        }))
      );
      await insert(
        connection,
        'territory_geoms',
        BANDS.map((b) => ({
          level: place.level,
          code: place.code,
          band: b.band,
          min_zoom: b.minZoom,
          max_zoom: b.maxZoom,
          geojson: geometry(place.boxes, b.notch),
          minx,
          miny,
          maxx,
          maxy
        }))
      );
    }
    await insert(
      connection,
      'overlay_features',
      BANDS.map((b) => ({
        layer: 'qpv',
        code: FIXTURE.qpv,
        name: 'Abreuvoir - Bondy Nord - Bondy Centre - Pont-De-Bondy',
        band: b.band,
        min_zoom: b.minZoom,
        max_zoom: b.maxZoom,
        geojson: geometry([BOX.qpv], b.notch),
        props: JSON.stringify({ commune: FIXTURE.bondy, npnru: true }),
        minx: BOX.qpv[0],
        miny: BOX.qpv[1],
        maxx: BOX.qpv[2],
        maxy: BOX.qpv[3]
      }))
    );
    await insert(
      connection,
      'indicators',
      INDICATORS.map((d) => ({
        id: d.id,
        label: d.label,
        short_label: d.short_label,
        description: d.description,
        theme: d.theme,
        unit: d.unit,
        kind: d.kind,
        scale: d.scale,
        decimals: d.decimals,
        secrecy_threshold: d.secrecy.threshold,
        secrecy_on: d.secrecy.on,
        secrecy_reason: d.secrecy.reason ?? '',
        definition: JSON.stringify({
          id: d.id,
          label: d.label,
          shortLabel: d.short_label,
          description: d.description,
          theme: d.theme,
          unit: d.unit,
          kind: d.kind,
          scale: d.scale,
          decimals: d.decimals,
          secrecy: d.secrecy,
          series: d.series
        })
      }))
    );
    await insert(
      connection,
      'indicator_series',
      INDICATORS.flatMap((d) =>
        d.series.map((s) => ({
          indicator_id: d.id,
          year: s.year,
          source_id: s.source,
          value_var: 'value' in s ? s.value : null,
          numerator_var: 'numerator' in s ? s.numerator : null,
          denominator_var: 'denominator' in s ? s.denominator : null,
          base_level: d.baseLevel,
          levels: d.levels
        }))
      )
    );
    await insert(connection, 'indicator_values', valueRows() as unknown as Row[]);
    await connection.run('CHECKPOINT');
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return {
    path,
    dir,
    buildId,
    cleanup: () => (options.dir ? rm(path, { force: true }) : rm(dir, { recursive: true, force: true }))
  };
}
