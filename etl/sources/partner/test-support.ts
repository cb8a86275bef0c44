/**
 * Test helpers: a ValidationContext built like the server's (territories of the build,
 * former codes) but from the COG package and the real IRIS contours of the mirror, and a
 * minimal zip writer able to lie about sizes, for the zip-bomb tests.
 */
import { readFileSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';
import { searchName } from '../../build/search-name.ts';
import { mirrorFile } from '../../testing/mirror.ts';
import { loadCog } from '../cog/decoupage-administratif.ts';
import type { ContextTerritory, ValidationContext } from './types.ts';

export interface ContextOptions {
  /** Add the 614 IRIS of the 93 (CONTOURS-IRIS 2022 of the mirror). */
  iris?: boolean;
  /** Merge year of a former code; defaults to the COG's vintage, as the server does. */
  since?: Record<string, number>;
  threshold?: number;
  thresholdVariable?: string;
  geographyYear?: number | null;
  previous?: ValidationContext['previous'];
}

/** Communes, EPT, départements and the région of Île-de-France (COG 2026), as in a build. */
export function cogContext(options: ContextOptions = {}): ValidationContext {
  const cog = loadCog();
  const territories: ContextTerritory[] = [];
  const formerCodes: ValidationContext['formerCodes'] = new Map();
  const t = (level: string, code: string, name: string, extra: Partial<ContextTerritory> = {}) =>
    territories.push({ level, code, name, searchName: searchName(name), ...extra });
  const communes = [...cog.communes.values()].filter((c) => c.region === '11');
  for (const c of communes) {
    t('commune', c.code, c.name, { ...(c.ept ? { ept: c.ept } : {}), departement: c.departement });
    // The build keeps former codes of the same département only (see etl/build/territories.ts).
    for (const former of [...c.formerCodes, ...c.arrondissements].filter((x) => x.startsWith(c.departement))) {
      formerCodes.set(former, { current: c.code, label: c.name, since: options.since?.[former] ?? cog.vintage });
    }
  }
  const members = new Set(communes.map((c) => c.code));
  for (const e of cog.epts.values()) if (e.members.some((m) => members.has(m))) t('ept', e.code, e.name, { departement: e.members[0]!.slice(0, 2) });
  for (const d of cog.departements.values()) if (d.region === '11') t('departement', d.code, d.name);
  t('region', '11', cog.regions.get('11')!.name);
  if (options.iris) {
    const geo = JSON.parse(readFileSync(mirrorFile('iris/contours-iris-2022-93.lambert93.geojson'), 'utf8')) as {
      features: { properties: { CODE_IRIS: string; NOM_IRIS: string; INSEE_COM: string } }[];
    };
    for (const f of geo.features) {
      const commune = cog.currentCommune(f.properties.INSEE_COM)!;
      const c = cog.communes.get(commune)!;
      t('iris', f.properties.CODE_IRIS, f.properties.NOM_IRIS, { commune, ...(c.ept ? { ept: c.ept } : {}), departement: c.departement });
    }
  }
  return {
    territories,
    formerCodes,
    threshold: options.threshold ?? 0,
    ...(options.thresholdVariable ? { thresholdVariable: options.thresholdVariable } : {}),
    ...(options.geographyYear !== undefined ? { geographyYear: options.geographyYear } : {}),
    ...(options.previous ? { previous: options.previous } : {})
  };
}

export interface ZipInput {
  name: string;
  data: Uint8Array;
  /** Store instead of deflate. */
  stored?: boolean;
  /** Uncompressed size written in the headers (a lie when it differs from `data.length`). */
  declaredSize?: number;
}

/** A zip archive (APPNOTE 4.3) whose headers say what the test wants them to say. */
export function zipArchive(entries: readonly ZipInput[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.stored ? Buffer.from(e.data) : deflateRawSync(e.data);
    const size = e.declaredSize ?? e.data.length;
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.stored ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.stored ? 0 : 8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}

/** The parts exceljs needs to recognise a workbook, around one sheet's XML. */
export function minimalXlsxParts(sheetXml: string): ZipInput[] {
  const text = (s: string) => new TextEncoder().encode(s);
  return [
    {
      name: '[Content_Types].xml',
      data: text(
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
      )
    },
    {
      name: '_rels/.rels',
      data: text(
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
          '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
      )
    },
    {
      name: 'xl/workbook.xml',
      data: text(
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
          '<sheets><sheet name="Données" sheetId="1" r:id="rId1"/></sheets></workbook>'
      )
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: text(
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
          '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
      )
    },
    { name: 'xl/worksheets/sheet1.xml', data: text(sheetXml) }
  ];
}
