import ExcelJS from 'exceljs';
import type { Metadata, Table } from './table.ts';

function numberFormat(decimals: number | undefined): string {
  if (decimals === undefined) return '#,##0.######';
  return decimals > 0 ? `#,##0.${'0'.repeat(decimals)}` : '#,##0';
}

/** A workbook with the data sheet and a « Sources » sheet carrying the metadata. */
export async function toXlsx(table: Table, metadata: Metadata, options: { sheet: string; created: Date }): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Observatoire';
  workbook.created = options.created;

  const data = workbook.addWorksheet(options.sheet.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  data.columns = table.columns.map((c) => ({
    header: c.header,
    key: c.key,
    width: Math.max(10, c.header.length + 2),
    style: c.kind === 'number' ? { numFmt: numberFormat(c.decimals) } : {}
  }));
  data.getRow(1).font = { bold: true };
  for (const row of table.rows) data.addRow(row);
  for (const column of table.columns) {
    const longest = Math.max(column.header.length, ...table.rows.map((r) => String(r[column.key] ?? '').length));
    data.getColumn(column.key).width = Math.min(60, Math.max(10, longest + 2));
  }

  const sources = workbook.addWorksheet('Sources');
  sources.columns = [
    { header: 'Champ', key: 'label', width: 24 },
    { header: 'Valeur', key: 'value', width: 100 }
  ];
  sources.getRow(1).font = { bold: true };
  for (const [label, value] of metadata) sources.addRow({ label, value });
  sources.getColumn('value').alignment = { wrapText: true, vertical: 'top' };

  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
