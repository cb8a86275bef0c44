import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPartnerTable } from './read-table.ts';
import { cogContext } from './test-support.ts';
import { validateUpload } from './validate.ts';

const context = cogContext();
const codes93 = context.territories.filter((t) => t.level === 'commune' && t.departement === '93').map((t) => t.code);

const separator = fc.constantFrom(';', ',', '\t', '|');
const decimal = fc.constantFrom(',', '.');
const encoding = fc.constantFrom('utf-8', 'utf-8-bom', 'latin1');
/** Column names: letters (accented ones test the encoding), never a number nor a separator. */
const name = fc.stringMatching(/^[A-Za-zéèàçôÉ][A-Za-zéèàçô_ ]{0,11}$/);
const number = fc.record({ int: fc.integer({ min: -99_999, max: 999_999 }), frac: fc.option(fc.stringMatching(/^\d{1,4}$/), { nil: undefined }) });
const metadata = fc.array(fc.record({ text: fc.stringMatching(/^[A-Za-zéè][A-Za-zéè :()0-9-]{0,30}$/), anct: fc.boolean() }), { maxLength: 3 });

const table = fc
  .record({
    names: fc.uniqueArray(name, { minLength: 1, maxLength: 4 }).filter((n) => !n.includes('code')),
    codes: fc.shuffledSubarray(codes93, { minLength: 1, maxLength: 12 }),
    separator,
    decimal,
    encoding,
    metadata,
    crlf: fc.boolean(),
    finalNewline: fc.boolean(),
    gzip: fc.boolean()
  })
  .chain((t) =>
    fc.record({
      t: fc.constant(t),
      values: fc.array(fc.array(number, { minLength: t.names.length, maxLength: t.names.length }), { minLength: t.codes.length, maxLength: t.codes.length })
    })
  );

function cell(text: string, sep: string): string {
  return text.includes(sep) || text.includes('"') ? `"${text.replace(/"/g, '""')}"` : text;
}

describe('property: a table of numbers written in any French export style reads back to the same cells and values', () => {
  it('holds for every separator, decimal mark, encoding, BOM, metadata lines, line ending and gzip', async () => {
    await fc.assert(
      fc.asyncProperty(table, async ({ t, values }) => {
        const texts = values.map((row) => row.map((n) => `${n.int}${n.frac !== undefined ? t.decimal + n.frac : ''}`));
        const meta = t.metadata.map((m) => (m.anct ? `${m.text}${t.separator} ${t.separator} ` : m.text));
        const header = ['code', ...t.names];
        const lines = [...meta, header.join(t.separator), ...t.codes.map((c, i) => [c, ...texts[i]!].map((x) => cell(x, t.separator)).join(t.separator))];
        const eol = t.crlf ? '\r\n' : '\n';
        const text = lines.join(eol) + (t.finalNewline ? eol : '');
        let bytes: Uint8Array =
          t.encoding === 'latin1' ? new Uint8Array(Buffer.from(text, 'latin1')) : new TextEncoder().encode(t.encoding === 'utf-8-bom' ? `\ufeff${text}` : text);
        if (t.gzip) bytes = new Uint8Array(gzipSync(bytes));

        const read = await readPartnerTable(bytes, 'export.csv');
        expect(read.detected.separator).toBe(t.separator);
        expect(read.options.headerRow).toBe(meta.length + 1);
        expect(read.metadataLines).toEqual(meta);
        expect(read.header).toEqual(header);
        expect(read.rows).toEqual(t.codes.map((c, i) => ({ line: meta.length + 2 + i, cells: [c, ...texts[i]!] })));
        expect(read.detected.bom).toBe(t.encoding === 'utf-8-bom');
        if (t.encoding === 'latin1' && /[^\p{ASCII}]/u.test(text)) expect(read.detected.encoding).toBe('latin1');
        if (values.some((row) => row.some((n) => n.frac !== undefined))) expect(read.options.decimal).toBe(t.decimal);

        const report = validateUpload(
          read,
          { codeColumn: 'code', level: 'commune', year: 2024, values: t.names.map((n, i) => ({ column: n, variable: `V${i}` })) },
          context
        );
        expect(report.ok).toBe(true);
        expect(report.values.map((v) => v.value)).toEqual(values.flat().map((n) => Number(`${n.int}.${n.frac ?? '0'}`)));
        expect(report.values.map((v) => v.code)).toEqual(t.codes.flatMap((c) => t.names.map(() => c)));
      }),
      { numRuns: 300 }
    );
  });
});
