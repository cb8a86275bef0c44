import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { mirrorFile } from '../../testing/mirror.ts';
import { detectDecimal, geographyYearOf } from './layout.ts';
import { type PartnerTable, readPartnerTable } from './read-table.ts';

const ANCT = 'anct-observatoire-territoires/logements-vacants-2022-communes-idf.csv';
const BONDY_2013 = 'insee/filosofi/FILO2013_DISP_MED_IRIS_bondy.csv';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Reading again with the options a read reports gives the same table (the server relies on it). */
async function rereadIsStable(bytes: Uint8Array, name: string, table: PartnerTable): Promise<void> {
  const again = await readPartnerTable(bytes, name, table.options);
  expect(again.header).toEqual(table.header);
  expect(again.rows).toEqual(table.rows);
  expect(again.options).toEqual(table.options);
}

describe('readPartnerTable on the ANCT export (BOM, 3 metadata lines, no final newline)', async () => {
  const bytes = readFileSync(mirrorFile(ANCT));
  const table = await readPartnerTable(bytes, 'logements-vacants.csv');

  it('detects UTF-8 with a BOM, « ; » and the header on line 4', () => {
    expect(table.format).toBe('csv');
    expect(table.detected).toMatchObject({ encoding: 'utf-8', bom: true, separator: ';', headerRow: 4, gzip: false });
    expect(table.options).toMatchObject({ encoding: 'utf-8', separator: ';', headerRow: 4 });
    expect(table.header).toEqual(['Code', 'Libellé', 'Nombre de logements vacants 2022']);
  });

  it('keeps the 3 metadata lines verbatim and reads the COG year 2025 from them', () => {
    expect(table.metadataLines).toEqual(['Observatoire des territoires - ANCT; ; ', 'Référentiel géographique : Communes (2025); ; ', 'Sélection : Île-de-France; ; ']);
    expect(table.geographyYear).toBe(2025);
  });

  it('reads 1 266 rows numbered as in a spreadsheet, the last one without a final newline', () => {
    expect(table.rows).toHaveLength(1266);
    expect(table.rows[0]).toEqual({ line: 5, cells: ['75056', 'Paris', '136957'] });
    expect(table.rows.at(-1)).toEqual({ line: 1270, cells: ['95690', 'Wy-dit-Joli-Village', '10'] });
    expect(table.warnings).toEqual([]);
  });

  it('gives the same table when read again with the options it reports', async () => {
    await rereadIsStable(bytes, 'logements-vacants.csv', table);
  });

  it('reads the same table from a gzip of the file', async () => {
    const gz = await readPartnerTable(gzipSync(bytes), 'logements-vacants.csv.gz');
    expect(gz.detected.gzip).toBe(true);
    expect(gz.rows).toEqual(table.rows);
  });

  it('lets an explicit header row win over detection and keeps the lines above as metadata', async () => {
    const t = await readPartnerTable(bytes, 'f.csv', { headerRow: 3 });
    expect(t.detected.headerRow).toBe(4);
    expect(t.options.headerRow).toBe(3);
    // Blank header cells are not usable names: they get one, and the warning says so.
    expect(t.header).toEqual(['Sélection : Île-de-France', 'Colonne 2', 'Colonne 3']);
    expect(t.metadataLines).toHaveLength(2);
  });

  it('refuses Latin-1 when forced on this UTF-8 file, saying which encoding to choose', async () => {
    await expect(readPartnerTable(bytes, 'f.csv', { encoding: 'latin1' })).rejects.toThrow(/choisissez l’encodage « utf-8 »/);
  });
});

describe('readPartnerTable on Latin-1 and CRLF producer files', () => {
  it('detects Latin-1 and the decimal comma of FILO2013 (Bondy)', async () => {
    const t = await readPartnerTable(readFileSync(mirrorFile(BONDY_2013)), 'filo.csv');
    expect(t.detected).toMatchObject({ encoding: 'latin1', bom: false, separator: ';', decimal: ',', headerRow: 1 });
    expect(t.rows.find((r) => r.cells[0] === '930100204')?.cells).toEqual(['930100204', 'Le Moulin à Vent', '93010', 'Bondy', '16805,6']);
  });

  it('refuses UTF-8 when forced on the Latin-1 file, with the line of the first bad byte', async () => {
    const error = await readPartnerTable(readFileSync(mirrorFile(BONDY_2013)), 'filo.csv', { encoding: 'utf-8' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InputError', detail: { line: 11, hint: expect.stringMatching(/latin1/) } });
  });

  it('reads the CAF file (CRLF, quoted codes) without keeping the quotes or the carriage returns', async () => {
    const lines = readFileSync(mirrorFile('caf/inseecaf2021.csv'), 'utf8').split('\r\n');
    const sample = [lines[0], ...lines.filter((l) => l.startsWith('"93')).slice(0, 3)].join('\r\n') + '\r\n';
    const t = await readPartnerTable(utf8(sample), 'caf.csv');
    expect(t.header[0]).toBe('iris_code');
    expect(t.rows[0]!.cells[0]).toMatch(/^93\d{7}$/);
    expect(t.rows[0]!.cells.at(-1)).not.toMatch(/\r/);
  });

  it('detects the decimal point of the comparateur although two columns use a comma', async () => {
    const t = await readPartnerTable(readFileSync(mirrorFile('insee/comparateur-territoires/base_cc_comparateur.extrait-75-93.csv')), 'cc.csv');
    expect(t.detected.decimal).toBe('.');
    expect(t.detected.decimalEvidence.comma).toBeGreaterThan(0);
  });
});

describe('readPartnerTable layout clean-up', () => {
  it('names empty and repeated header cells, drops empty trailing columns and reports blank lines', async () => {
    const csv = 'code;valeur;valeur;;;\n93001;1;2;x;;\n\n93005;3;4;;;\n;;;;;\n93006;5;6;;;\n';
    const t = await readPartnerTable(utf8(csv), 'f.csv');
    expect(t.header).toEqual(['code', 'valeur', 'valeur (2)', 'Colonne 4']);
    expect(t.rows).toEqual([
      { line: 2, cells: ['93001', '1', '2', 'x'] },
      { line: 4, cells: ['93005', '3', '4', ''] },
      { line: 6, cells: ['93006', '5', '6', ''] }
    ]);
    expect(t.warnings).toEqual(
      expect.arrayContaining([
        '2 colonnes vides en fin de ligne ignorées',
        expect.stringMatching(/en-tête vide en colonne 4/),
        expect.stringMatching(/« valeur » → « valeur \(2\) »/),
        '2 lignes vides ignorées'
      ])
    );
  });

  it('never trims cells: spaces around a value reach validation untouched', async () => {
    const t = await readPartnerTable(utf8('code;n\n93001; 12 \n93005;3\n'), 'f.csv');
    expect(t.rows[0]!.cells).toEqual(['93001', ' 12 ']);
  });

  it('detects tab, comma and pipe separators and lets an explicit one win', async () => {
    for (const sep of ['\t', ',', '|'] as const) {
      const t = await readPartnerTable(utf8(`code${sep}a${sep}b\n93001${sep}1${sep}2\n93005${sep}3${sep}4\n`), 'f.txt');
      expect(t.detected.separator).toBe(sep);
      expect(t.rows[1]!.cells).toEqual(['93005', '3', '4']);
    }
    const forced = await readPartnerTable(utf8('code;a,b\n93001;1,5\n93005;2,5\n'), 'f.csv', { separator: ',' });
    expect(forced.detected.separator).toBe(';');
    expect(forced.header).toEqual(['code;a', 'b']);
  });

  it('follows Excel’s « sep= » first line and keeps it as a metadata line', async () => {
    const t = await readPartnerTable(utf8('sep=,\ncode;nom,n\n93001;A,"1,5"\n'), 'f.csv');
    expect(t.detected.separator).toBe(',');
    expect(t.metadataLines).toEqual(['sep=,']);
    expect(t.header).toEqual(['code;nom', 'n']);
    expect(t.rows[0]!.cells).toEqual(['93001;A', '1,5']);
  });

  it('refuses a file with a single column, showing its first line', async () => {
    await expect(readPartnerTable(utf8('code\n93001\n93005\n'), 'f.csv')).rejects.toThrow(/au moins deux colonnes/);
  });

  it('refuses a header row past the end of the file', async () => {
    await expect(readPartnerTable(utf8('code;n\n93001;1\n'), 'f.csv', { headerRow: 9 })).rejects.toThrow(/ligne d’en-tête 9/);
  });

  it('warns when a text file is named like a workbook', async () => {
    const t = await readPartnerTable(utf8('code;n\n93001;1\n'), 'export.xlsx');
    expect(t.format).toBe('csv');
    expect(t.warnings[0]).toMatch(/fichier texte malgré son extension/);
  });
});

describe('layout detection helpers', () => {
  it('reads the COG year from ANCT, INSEE and explicit COG wordings, and nothing from other years', () => {
    expect(geographyYearOf(['Référentiel géographique : Communes (2024); ; '])).toBe(2024);
    expect(geographyYearOf(['Source : Insee', 'Géographie au 01/01/2023'])).toBe(2023);
    expect(geographyYearOf(['Codes communes du COG 2022'])).toBe(2022);
    expect(geographyYearOf(['Données 2021, publiées en 2023'])).toBeNull();
  });

  it('decides the decimal mark on unambiguous cells before 3-digit fractions that may be thousands', () => {
    expect(detectDecimal(['1.234', '2.345', '12,5'], '.').decimal).toBe(',');
    expect(detectDecimal(['1.234', '2.345'], ',').decimal).toBe('.');
    expect(detectDecimal(['12', '13'], ',')).toEqual({ decimal: ',', comma: 0, point: 0 });
  });
});

describe('readPartnerTable on XLSX', async () => {
  const wb = new ExcelJS.Workbook();
  const notes = wb.addWorksheet('Notes');
  notes.addRow(['Lisez-moi']);
  notes.state = 'hidden';
  const ws = wb.addWorksheet('Données');
  ws.addRow(['Source : CAF, géographie au 01/01/2024']);
  ws.getRow(3).values = ['Code', 'Allocataires', undefined, 'Date', 'Double'];
  ws.mergeCells('B3:C3');
  ws.addRow(['93001', 1234, 56.5, new Date(Date.UTC(2021, 11, 31)), { formula: 'B4*2', result: 2468 }]);
  ws.addRow(['93005', '12,5', 0.1 + 0.2, new Date(Date.UTC(2021, 11, 31)), { formula: 'B5*2', result: { error: '#VALUE!' } }]);
  ws.addRow([]);
  ws.addRow(['Total', 1246.5, 56.8]);
  ws.getCell('C4').numFmt = '0.0%';
  const bytes = new Uint8Array(await wb.xlsx.writeBuffer());

  it('picks the first visible sheet with data, finds the header under the metadata and names the merged header cells', async () => {
    const t = await readPartnerTable(bytes, 'caf.xlsx');
    expect(t.format).toBe('xlsx');
    expect(t.sheets).toEqual(['Notes', 'Données']);
    expect(t.options).toMatchObject({ sheet: 'Données', headerRow: 3 });
    expect(t.metadataLines).toEqual(['Source : CAF, géographie au 01/01/2024', '']);
    expect(t.geographyYear).toBe(2024);
    expect(t.header).toEqual(['Code', 'Allocataires', 'Allocataires (2)', 'Date', 'Double']);
  });

  it('writes native numbers with « . » and 15 significant digits, dates as AAAA-MM-JJ, formulas as their cached result', async () => {
    const t = await readPartnerTable(bytes, 'caf.xlsx');
    expect(t.rows).toEqual([
      { line: 4, cells: ['93001', '1234', '56.5', '2021-12-31', '2468'] },
      { line: 5, cells: ['93005', '12,5', '0.3', '2021-12-31', '#VALUE!'] },
      { line: 7, cells: ['Total', '1246.5', '56.8', '', ''] }
    ]);
    expect(t.nativeNumbers?.get(4)).toEqual(new Set([1, 2, 4]));
    expect(t.nativeNumbers?.get(5)).toEqual(new Set([2]));
    expect(t.detected.decimal).toBe(',');
  });

  it('says what it converted: dates, formulas, errors, percentages, the empty row', async () => {
    const t = await readPartnerTable(bytes, 'caf.xlsx');
    expect(t.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^2 cellule\(s\) au format date/),
        expect.stringMatching(/^1 formule\(s\) lues par leur dernier résultat/),
        expect.stringMatching(/^1 cellule\(s\) en erreur/),
        expect.stringMatching(/colonne\(s\) 3 au format pourcentage/),
        '1 ligne vide ignorée'
      ])
    );
  });

  it('reads another sheet on request and refuses an unknown one, listing the sheets', async () => {
    const t = await readPartnerTable(bytes, 'caf.xlsx', { sheet: 'Notes' });
    expect(t.rows).toEqual([]);
    expect(t.header).toEqual(['Lisez-moi']);
    await expect(readPartnerTable(bytes, 'caf.xlsx', { sheet: 'Feuil9' })).rejects.toThrow(/« Notes », « Données »/);
  });

  it('reads an XLSX named .csv as XLSX, with a warning', async () => {
    const t = await readPartnerTable(bytes, 'caf.csv');
    expect(t.format).toBe('xlsx');
    expect(t.warnings).toContain('« caf.csv » est un classeur XLSX malgré son extension : lu comme XLSX');
  });

  it('gives the same table when read again with the options it reports', async () => {
    await rereadIsStable(bytes, 'caf.xlsx', await readPartnerTable(bytes, 'caf.xlsx'));
  });
});
