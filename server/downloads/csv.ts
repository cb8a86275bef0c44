import { type Cell, type Column, type Table, formatDecimal } from './table.ts';

const BOM = '\uFEFF';
const SEPARATOR = ';';
const EOL = '\r\n';

/**
 * CSV as Excel in French opens it: UTF-8 with a BOM, `;` between fields, decimal
 * comma, CRLF line ends.
 */
export function toCsv(table: Table): string {
  const lines = [table.columns.map((c) => quote(defuse(c.header))).join(SEPARATOR)];
  for (const row of table.rows) {
    lines.push(table.columns.map((c) => cell(c, row[c.key] ?? null)).join(SEPARATOR));
  }
  return BOM + lines.join(EOL) + EOL;
}

function cell(column: Column, value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return formatDecimal(value, column.decimals);
  return quote(defuse(value));
}

/**
 * A text starting like a formula would be evaluated by a spreadsheet (labels and sources
 * of published indicators are typed by people): prefixed with an apostrophe.
 */
function defuse(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function quote(text: string): string {
  return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
