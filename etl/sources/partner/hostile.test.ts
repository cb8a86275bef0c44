import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.ts';
import { LIMITS } from './limits.ts';
import { readPartnerTable } from './read-table.ts';
import { minimalXlsxParts, zipArchive } from './test-support.ts';
import { countCellElements } from './zip-guard.ts';

async function refusal(bytes: Uint8Array, name: string): Promise<InputError> {
  const error = await readPartnerTable(bytes, name).then(
    () => null,
    (e: unknown) => e
  );
  if (!(error instanceof InputError)) throw new Error(`InputError attendue, obtenu ${String(error)}`);
  return error;
}

const MB = 1024 * 1024;

const SHEET =
  '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
  '<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="B1" t="inlineStr"><is><t>n</t></is></c></row>' +
  '<row r="2"><c r="A2" t="inlineStr"><is><t>93001</t></is></c><c r="B2"><v>12.5</v></c></row></sheetData></worksheet>';

describe('zip bombs disguised as XLSX are refused before exceljs inflates them', () => {
  it('reads the same bare workbook when it carries no bomb (control for the cases below)', async () => {
    const t = await readPartnerTable(zipArchive(minimalXlsxParts(SHEET)), 'rapport.xlsx');
    expect(t.rows).toEqual([{ line: 2, cells: ['93001', '12.5'] }]);
  });

  it('refuses an entry whose declared expansion ratio is a bomb (64 Mo of zeros in 64 Ko)', async () => {
    const zeros = new Uint8Array(64 * MB);
    const bytes = zipArchive([...minimalXlsxParts(SHEET), { name: 'xl/media/image1.png', data: zeros }]);
    expect(bytes.length).toBeLessThan(200 * 1024);
    const e = await refusal(bytes, 'rapport.xlsx');
    expect(e.message).toMatch(/bombe de décompression.*« xl\/media\/image1\.png » passe de/);
    expect(e.message).toMatch(/au plus 100/);
  });

  it('refuses an archive whose entries declare more than the total cap, without inflating anything', async () => {
    // 3 × 60 Mo declared for 1 Mo each: a ratio of 60, under the per-entry cap; the total is over.
    const entries = [0, 1, 2].map((i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: new Uint8Array(MB), stored: true, declaredSize: 60 * MB }));
    const bytes = zipArchive([...minimalXlsxParts('<worksheet/>').slice(0, 4), ...entries]);
    const e = await refusal(bytes, 'rapport.xlsx');
    expect(e.message).toMatch(/se décompresse en plus de 128 Mo/);
  });

  it('refuses an entry that inflates beyond the small size its headers declare', async () => {
    const bytes = zipArchive([...minimalXlsxParts(SHEET), { name: 'xl/sharedStrings.xml', data: new Uint8Array(32 * MB), declaredSize: 1000 }]);
    const e = await refusal(bytes, 'rapport.xlsx');
    expect(e.message).toMatch(/bombe de décompression.*se décompresse au-delà des 1\s?000 octets déclarés/);
  });

  it('refuses a zip that is not a workbook, naming what it holds', async () => {
    const csvInZip = zipArchive([{ name: 'donnees.csv', data: new TextEncoder().encode('code;n\n93001;1\n') }]);
    expect((await refusal(csvInZip, 'donnees.zip')).message).toMatch(/archive zip \(« donnees\.csv »\).*Décompressez/);
    const ods = zipArchive([
      { name: 'mimetype', data: new TextEncoder().encode('application/vnd.oasis.opendocument.spreadsheet'), stored: true },
      { name: 'content.xml', data: new TextEncoder().encode('<x/>') },
      { name: 'META-INF/manifest.xml', data: new TextEncoder().encode('<x/>') }
    ]);
    expect((await refusal(ods, 'tableau.xlsx')).message).toMatch(/OpenDocument \(ODS\)/);
  });

  it('counts the cells a worksheet declares, namespaced or not, empty or not', () => {
    const xml = new TextEncoder().encode('<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"/><x:c r="C1"><x:v>1</x:v></x:c></row><col/><cols/></sheetData>');
    expect(countCellElements(xml)).toBe(3);
  });

  it('refuses a workbook declaring more cells than the XLSX cap', async () => {
    const cells = '<c r="A1"/>'.repeat(LIMITS.xlsxCells + 1);
    // Spread over entries so that each stays under the per-entry compression ratio.
    const sheet = `<worksheet><sheetData><row r="1">${cells}</row></sheetData></worksheet>`;
    const parts = minimalXlsxParts(sheet).map((p) => (p.name.startsWith('xl/worksheets/') ? { ...p, stored: true } : p));
    const e = await refusal(zipArchive(parts), 'grand.xlsx');
    expect(e.message).toMatch(/cellules \(au plus 1\s000\s000 en XLSX\)/);
  });
});

describe('other hostile or mistaken uploads are refused with a clear message', () => {
  it('refuses a gzip bomb past 64 Mo of text', async () => {
    const bomb = gzipSync(new Uint8Array(LIMITS.textBytes + MB));
    expect(bomb.length).toBeLessThan(200 * 1024);
    const e = await refusal(bomb, 'donnees.csv.gz');
    expect(e.message).toMatch(/bombe de décompression/);
  });

  it('refuses a truncated gzip, saying the download was cut', async () => {
    const gz = gzipSync(new TextEncoder().encode('code;n\n'.repeat(10_000)));
    expect((await refusal(gz.subarray(0, gz.length - 40), 'f.csv.gz')).message).toMatch(/gzip tronquée/);
  });

  it('refuses PNG bytes named .csv as an image', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...randomBytes(200)]);
    const e = await refusal(png, 'donnees.csv');
    expect(e.message).toBe('donnees.csv : attendu un tableau CSV ou XLSX, trouvé "une image PNG (fichier binaire)". Enregistrez le tableau en CSV (UTF-8, séparateur « ; ») ou en XLSX');
  });

  it('refuses random bytes as binary', async () => {
    const bytes = new Uint8Array(randomBytes(4096));
    bytes[0] = 0x41; // not a known signature
    bytes[10] = 0;
    expect((await refusal(bytes, 'donnees.csv')).message).toMatch(/fichier binaire/);
  });

  it('refuses a binary made only of control characters, without NUL bytes', async () => {
    const bytes = new Uint8Array(2048).map((_, i) => 1 + (i % 8));
    expect((await refusal(bytes, 'f.csv')).message).toMatch(/caractères de contrôle/);
  });

  it('refuses UTF-16 text (« Texte Unicode » of Excel), old .xls, HTML error pages and empty files', async () => {
    const utf16 = new Uint8Array(Buffer.from('\ufeffcode\tn\r\n93001\t1\r\n', 'utf16le'));
    expect((await refusal(utf16, 'f.txt')).message).toMatch(/UTF-16/);
    const xls = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]);
    expect((await refusal(xls, 'f.xls')).message).toMatch(/Excel 97-2003/);
    const html = new TextEncoder().encode('<!DOCTYPE html><html><body>Session expirée</body></html>');
    expect((await refusal(html, 'f.csv')).message).toMatch(/page web \(HTML\)/);
    expect((await refusal(new Uint8Array(0), 'f.csv')).message).toMatch(/fichier vide/);
  });

  it('refuses a CSV with 100 000 columns before parsing it, saying the cap', async () => {
    const header = Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(';');
    const row = Array.from({ length: 100_000 }, () => '1').join(';');
    const e = await refusal(new TextEncoder().encode(`${header}\n${row}\n`), 'large.csv');
    expect(e.detail).toMatchObject({ line: 1, column: 1001, expected: 'au plus 1 000 colonnes' });
    expect(e.message).toMatch(/100 000 champs/);
  });

  it('refuses a CSV of more lines than the row cap', async () => {
    const e = await refusal(new TextEncoder().encode('code;n\n' + '93001;1\n'.repeat(LIMITS.rows + 1)), 'long.csv');
    expect(e.message).toMatch(/au plus 500 000 lignes de données/);
  });

  it('refuses a zip with a lying local header offset as corrupt, not with a crash', async () => {
    const good = zipArchive(minimalXlsxParts('<worksheet/>'));
    const broken = new Uint8Array(good);
    // Point the first central entry's local header offset past the end of the file.
    const first = Buffer.from(broken).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect(first).toBeGreaterThan(0);
    new DataView(broken.buffer).setUint32(first + 42, broken.length + 10, true);
    expect((await refusal(broken, 'f.xlsx')).message).toMatch(/corrompue/);
  });

  it('refuses a deflate stream that is not one', async () => {
    const bytes = zipArchive(minimalXlsxParts('<worksheet/>'));
    const copy = new Uint8Array(bytes);
    const data = Buffer.from(copy).indexOf(Buffer.from('[Content_Types].xml')) + '[Content_Types].xml'.length;
    // A deflate block header of 0b11 is a reserved block type: no inflater accepts it.
    copy[data] = 0xff;
    expect((await refusal(copy, 'f.xlsx')).message).toMatch(/corrompue|incohérente/);
  });
});
