/** CSV as French spreadsheets open it (same conventions as the API's downloads): BOM, « ; », decimal comma, CRLF. */
export type CsvCell = string | number | null;

export function toCsv(header: string[], rows: CsvCell[][], decimals: (number | undefined)[] = []): string {
  const cell = (v: CsvCell, i: number) => {
    if (v === null) return '';
    if (typeof v === 'number') {
      const d = decimals[i];
      const text = d === undefined ? String(Number(v.toFixed(6))) : v.toFixed(d);
      return text.replace('.', ',');
    }
    const safe = /^[=+@\t\r-]/.test(v) && !/^-?\d/.test(v) ? `'${v}` : v;
    return /[";\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [header.map((h, i) => cell(h, i)), ...rows.map((r) => r.map(cell))].map((r) => r.join(';'));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

/** Starts a download of `data` in the browser. */
export function download(filename: string, data: Blob): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
