import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { mirrorFile } from '../../testing/mirror.ts';
import { readPartnerTable } from './read-table.ts';
import { cogContext } from './test-support.ts';
import type { IssueKind, Mapping, UploadReport } from './validate.ts';
import { validateUpload } from './validate.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const of = (r: UploadReport, kind: IssueKind) => r.issues.filter((i) => i.kind === kind);

const context = cogContext({ since: { '93059': 2025 } });
const communes93 = context.territories.filter((t) => t.level === 'commune' && t.departement === '93');

const mapping = (over: Partial<Mapping> = {}): Mapping => ({
  codeColumn: 'code',
  labelColumn: 'nom',
  level: 'commune',
  year: 2022,
  values: [{ column: 'n', variable: 'N' }],
  ...over
});

/** A `code;nom;n` file of the 39 communes of the 93 (value = rank × 100), with the given edits. */
function communesCsv(edit: (rows: string[][]) => string[][] = (r) => r, header = 'code;nom;n'): Uint8Array {
  const rows = communes93.map((c, i) => [c.code, c.name, String((i + 1) * 100)]);
  return utf8([header, ...edit(rows).map((r) => r.join(';'))].join('\n') + '\n');
}

async function validate(bytes: Uint8Array, m: Mapping = mapping(), ctx = context): Promise<UploadReport> {
  const table = await readPartnerTable(bytes, 'partenaire.csv');
  return validateUpload(table, m, { ...ctx, geographyYear: table.geographyYear });
}

describe('validateUpload on real producer files', () => {
  it('accepts the ANCT export of the 1 266 communes of Île-de-France (COG 2025) with no unknown code', async () => {
    const table = await readPartnerTable(readFileSync(mirrorFile('anct-observatoire-territoires/logements-vacants-2022-communes-idf.csv')), 'anct.csv');
    const r = validateUpload(table, mapping({ codeColumn: 'Code', labelColumn: 'Libellé', values: [{ column: 'Nombre de logements vacants 2022', variable: 'LOGVAC22' }] }), {
      ...cogContext(),
      geographyYear: table.geographyYear
    });
    expect(r.ok).toBe(true);
    expect(r.summary).toMatchObject({ rows: 1266, territoryRows: 1266, values: 1266, territories: 1266, years: [2022], errors: 0 });
    expect(r.summary.checks.code_inconnu).toBe(0);
    expect(r.values[0]).toEqual({ line: 5, year: 2022, code: '75056', publishedCode: '75056', variable: 'LOGVAC22', value: 136957, status: 'ok' });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  describe('the CAF IRIS file restricted to its 93 lines', async () => {
    const lines = readFileSync(mirrorFile('caf/inseecaf2021.csv'), 'utf8').split('\r\n');
    const bytes = utf8([lines[0], ...lines.filter((l) => l.startsWith('"93'))].join('\r\n') + '\r\n');
    const table = await readPartnerTable(bytes, 'inseecaf2021-93.csv');
    const variables = table.header.filter((h) => h !== 'iris_code' && h !== 'note');
    const irisContext = cogContext({ iris: true, threshold: 11, thresholdVariable: 'aaah' });
    const r = validateUpload(table, { codeColumn: 'iris_code', level: 'iris', year: 2021, values: variables.map((v) => ({ column: v, variable: v })) }, irisContext);

    it('reads the 613 IRIS with their quoted codes, all known, and the 93 total of foyers allocataires', () => {
      expect(r.ok).toBe(true);
      expect(r.summary).toMatchObject({ rows: 613, territoryRows: 613, territories: 613, values: 613 * 21 });
      const a = r.values.filter((v) => v.variable === 'a' && v.status === 'ok').reduce((s, v) => s + v.value!, 0);
      expect(a).toBe(379_654);
    });

    it('reads blank cells as secret (the default) and counts them by marker', () => {
      expect(r.summary.markers).toEqual([{ marker: '', status: 'secret', count: r.summary.statuses.secret }]);
      expect(r.summary.statuses.secret).toBeGreaterThan(12 * 21);
      expect(of(r, 'marqueur_secret')[0]!.message).toMatch(/^Cellule vide : .* lues comme secret statistique/);
      const missing = validateUpload(table, { codeColumn: 'iris_code', level: 'iris', year: 2021, blank: 'missing', values: [{ column: 'a', variable: 'a' }] }, cogContext({ iris: true }));
      // 15 IRIS of the 93 have a blank `a`: the 12 whose `note` blanks the whole row, and 3 more.
      expect(missing.summary.statuses).toEqual({ ok: 598, secret: 0, missing: 15 });
    });

    it('flags AAH counts under the stricter threshold of 11, keeping their number in the values', () => {
      const under = of(r, 'sous_seuil');
      expect(r.summary.underThreshold).toBeGreaterThan(0);
      expect(under.every((i) => i.column === 'aaah' && Number(i.found) >= 5 && Number(i.found) < 11)).toBe(true);
      const first = under[0]!;
      expect(r.values.find((v) => v.line === first.line && v.variable === 'aaah')).toMatchObject({ status: 'ok', value: Number(first.found) });
      expect(first.message).toMatch(/masquée à la publication/);
    });
  });

  it('reads the decimal commas of the Latin-1 Filosofi extract for Bondy', async () => {
    const r = await validate(
      readFileSync(mirrorFile('insee/filosofi/FILO2013_DISP_MED_IRIS_bondy.csv')),
      { codeColumn: 'IRIS', labelColumn: 'LIBIRIS', level: 'iris', year: 2013, values: [{ column: 'DISP_MED13', variable: 'DISP_MED13' }] },
      cogContext({ iris: true })
    );
    expect(r.ok).toBe(true);
    expect(r.values).toHaveLength(20);
    expect(r.values.find((v) => v.publishedCode === '930100103')?.value).toBe(12005.4);
  });
});

describe('validateUpload of an XLSX with native numbers, text numbers and total rows', async () => {
  const estEnsemble = context.territories.filter((t) => t.level === 'commune' && t.ept === '200057875');
  async function workbook(totalOffset: number): Promise<Uint8Array> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Est Ensemble');
    ws.addRow(['Code', 'Nom', 'Allocataires', 'Taux']);
    estEnsemble.forEach((c, i) => ws.addRow([c.code, c.name, i === 0 ? '12,5' : 1000 + i, 10.25]));
    const sum = 12.5 + estEnsemble.slice(1).reduce((s, _, i) => s + 1000 + i + 1, 0);
    ws.addRow(['200057875', 'Est Ensemble', sum + totalOffset, 10.25]);
    ws.addRow(['', 'Total', sum, '']);
    return new Uint8Array(await wb.xlsx.writeBuffer());
  }
  const xlsxMapping = mapping({ codeColumn: 'Code', labelColumn: 'Nom', values: [{ column: 'Allocataires', variable: 'ALLOC' }, { column: 'Taux', variable: 'TAUX' }] });

  it('reads native numbers with « . » and the text cell 12,5 with the detected decimal comma', async () => {
    const table = await readPartnerTable(await workbook(0), 'est-ensemble.xlsx');
    expect(table.options.decimal).toBe(',');
    const r = validateUpload(table, xlsxMapping, context);
    expect(r.ok).toBe(true);
    expect(r.values.filter((v) => v.variable === 'ALLOC').map((v) => v.value)).toEqual([12.5, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008]);
    expect(r.values.find((v) => v.variable === 'TAUX')?.value).toBe(10.25);
  });

  it('excludes the EPT and « Total » rows from the values and finds them consistent with their 9 communes', async () => {
    const r = validateUpload(await readPartnerTable(await workbook(0), 'est-ensemble.xlsx'), xlsxMapping, context);
    expect(r.values.map((v) => v.code)).not.toContain('200057875');
    expect(r.summary.territoryRows).toBe(9);
    const totals = of(r, 'ligne_total');
    expect(totals.map((i) => i.line)).toEqual([11, 12]);
    expect(totals[0]!.message).toMatch(/EPT Est Ensemble \(200057875\).*cohérente avec la somme de ses 9 communes pour 1 variable/);
    // The rate is not a count: summing it disagrees, and the message says to ignore it for rates.
    expect(of(r, 'total_incoherent').map((i) => i.column)).toEqual(['Taux']);
    expect(of(r, 'total_incoherent')[0]!.message).toMatch(/ignorez-le pour un taux/);
  });

  it('reports a total that disagrees with its communes, with the difference', async () => {
    const r = validateUpload(await readPartnerTable(await workbook(-100), 'est-ensemble.xlsx'), xlsxMapping, context);
    const alloc = of(r, 'total_incoherent').find((i) => i.column === 'Allocataires');
    expect(alloc).toMatchObject({ severity: 'avertissement', line: 11, code: '200057875' });
    expect(alloc!.message).toMatch(/écart -100/);
    expect(r.ok).toBe(true);
  });
});

describe('codes', () => {
  it('converts 93059 of a COG 2024 file to 93066 Saint-Denis, and says both rows are expected before the merge', async () => {
    const bytes = communesCsv((rows) => [...rows, ['93059', 'Pierrefitte-sur-Seine', '777']], 'Géographie au 01/01/2024\ncode;nom;n');
    const r = await validate(bytes);
    expect(r.ok).toBe(true);
    const [former] = of(r, 'ancien_code');
    expect(former).toMatchObject({ severity: 'info', code: '93059', line: 42 });
    expect(former!.message).toMatch(/converti en 93066 \(Saint-Denis\).*attendu pour un fichier au COG 2024, antérieur à la fusion/);
    expect(r.values.find((v) => v.publishedCode === '93059')).toMatchObject({ code: '93066', value: 777 });
    expect(r.summary.checks.doublon).toBe(0);
  });

  it('warns when a file announcing the 2025 COG or none still has 93059', async () => {
    const r = await validate(communesCsv((rows) => [...rows, ['93059', 'Pierrefitte-sur-Seine', '777']]));
    expect(of(r, 'ancien_code')[0]).toMatchObject({ severity: 'avertissement' });
    expect(of(r, 'ancien_code')[0]!.message).toMatch(/n’annonce pas son COG/);
  });

  it('refuses Paris both whole and by arrondissement, which the build would add up', async () => {
    const r = await validate(utf8('code;nom;n\n75056;Paris;1000\n75101;Paris 1er;10\n'));
    expect(r.ok).toBe(false);
    expect(of(r, 'double_compte')[0]!.message).toMatch(/arrondissement de Paris \(75056\)/);
  });

  it('suggests Bondy for 93O10 and for 9301, the one commune missing from the file', async () => {
    for (const typo of ['93O10', '9301']) {
      const r = await validate(communesCsv((rows) => rows.map((row) => (row[0] === '93010' ? [typo, '', row[2]!] : row))));
      expect(r.ok).toBe(false);
      const [unknown] = of(r, 'code_inconnu');
      expect(unknown).toMatchObject({ severity: 'erreur', code: typo, column: 'code' });
      expect(unknown!.suggestions![0]).toEqual({ code: '93010', name: 'Bondy' });
    }
  });

  it('suggests from the label, from Excel’s 93010.0, an apostrophe or a lost leading zero', async () => {
    const r = await validate(utf8('code;nom;n\n93999;Bondy;1\n93010.0;;2\n\'93063;;3\n'));
    const byCode = new Map(of(r, 'code_inconnu').map((i) => [i.code, i]));
    expect(byCode.get('93999')!.suggestions![0]!.code).toBe('93010');
    expect(byCode.get('93999')!.message).toMatch(/le libellé « Bondy » est celui de ce territoire/);
    expect(byCode.get('93010.0')!.suggestions![0]!.code).toBe('93010');
    expect(byCode.get('93010.0')!.message).toMatch(/nombre décimal par le tableur/);
    expect(byCode.get("'93063")!.suggestions![0]!.code).toBe('93063');
    const iris = await validate(utf8('code;n\n30100101;1\n'), mapping({ level: 'iris', labelColumn: undefined }), cogContext({ iris: true }));
    // An IRIS code with a digit missing is one edit away from the right one.
    expect(of(iris, 'code_inconnu')[0]!.suggestions!.map((s) => s.code)).toContain('930100101');
  });

  it('explains an IRIS code in a commune file, and a file of communes declared at the IRIS level', async () => {
    const r = await validate(utf8('code;nom;n\n93010;Bondy;1\n930100101;La Flamiche;2\n'), mapping(), cogContext({ iris: true }));
    expect(of(r, 'mauvais_niveau')[0]!.message).toMatch(/930100101 est un code IRIS \(La Flamiche, commune 93010\).*niveau commune/);
    const wrong = await validate(communesCsv(), mapping({ level: 'iris' }), cogContext({ iris: true }));
    expect(wrong.ok).toBe(false);
    expect(of(wrong, 'niveau_incoherent')[0]!.message).toMatch(/39 ligne\(s\) sont des communes.*choisissez ce niveau/);
    expect(of(wrong, 'aucune_valeur')).toHaveLength(1);
  });

  it('counts IRIS of a commune the build has no IRIS of in one info, and warns for an unknown IRIS of a 93 commune', async () => {
    const r = await validate(
      utf8('code;n\n751010101;1\n751010102;2\n930100101;3\n930100501;4\n'),
      mapping({ level: 'iris', labelColumn: undefined }),
      cogContext({ iris: true })
    );
    expect(r.ok).toBe(true);
    const [bondy, paris] = of(r, 'iris_hors_contours');
    expect(bondy).toMatchObject({ severity: 'avertissement', line: 5, code: '930100501' });
    // One keystroke from several IRIS: those of Bondy, whose code the first five characters give, come first.
    expect(bondy!.suggestions!.map((s) => s.code)).toEqual(['930100201', '930100301', '930100401']);
    expect(paris).toMatchObject({ severity: 'info', code: '75056', message: 'La base n’a pas les IRIS de la commune Paris (75056) : les valeurs de ses 2 IRIS compteront dans la commune seulement.' });
    expect(r.summary.checks.iris_hors_contours).toBe(3);
    expect(r.values.map((v) => v.code)).toEqual(['751010101', '751010102', '930100101', '930100501']);
  });

  it('ignores, with an info, communes outside the observatory’s régions', async () => {
    const r = await validate(communesCsv((rows) => [...rows, ['01001', 'L’Abergement-Clémenciat', '5'], ['2A004', 'Ajaccio', '6']]));
    expect(r.ok).toBe(true);
    expect(of(r, 'hors_perimetre')[0]!.message).toMatch(/^2 ligne\(s\) .* \(départements 01, 2A\)/);
    expect(r.values.map((v) => v.code)).not.toContain('01001');
  });

  it('names both lines of a duplicated code and keeps only the first', async () => {
    const r = await validate(communesCsv((rows) => [...rows, ['93001', 'Aubervilliers', '5']]));
    expect(r.ok).toBe(false);
    expect(of(r, 'doublon')[0]!.message).toMatch(/Le code 93001 figure déjà ligne 2 pour 2022 : supprimez l’une des deux lignes \(2 ou 41\)/);
    expect(r.values.filter((v) => v.publishedCode === '93001').map((v) => v.value)).toEqual([100]);
  });

  it('lists at most 200 issues of a kind while the summary keeps the true count', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `${94990 - i};;1`).join('\n');
    const r = await validate(utf8(`code;nom;n\n${rows}\n`));
    expect(r.summary.checks.code_inconnu).toBe(300);
    // …plus « aucune valeur », every row being unknown.
    expect(r.summary.errors).toBe(301);
    expect(of(r, 'code_inconnu')).toHaveLength(200);
  });
});

describe('cells, years and rows', () => {
  it('says why a cell is not a number', async () => {
    const cells = ['1,5', '2,5', '12.5', '1.234', 'abc', ' 12', '#DIV/0!', '12 %', '1,234.5'];
    const r = await validate(communesCsv((rows) => rows.map((row, i) => (i < cells.length ? [row[0]!, row[1]!, cells[i]!] : row))));
    expect(r.ok).toBe(false);
    const reasons = new Map(of(r, 'valeur_non_numerique').map((i) => [i.found, i.message]));
    expect(reasons.get('12.5')).toMatch(/séparateur décimal « \. » alors que le fichier utilise « , »/);
    expect(reasons.get('1.234')).toMatch(/séparateur de milliers ou décimal/);
    expect(reasons.get('abc')).toMatch(/texte : un secret s’écrit s/);
    expect(reasons.get(' 12')).toMatch(/espaces avant ou après/);
    expect(reasons.get('#DIV/0!')).toMatch(/erreur de formule/);
    expect(reasons.get('12 %')).toMatch(/symbole %/);
    expect(reasons.get('1,234.5')).toMatch(/séparateur de milliers « , »/);
    expect(r.values.find((v) => v.publishedCode === communes93[0]!.code)?.value).toBe(1.5);
  });

  it('accepts thousands grouped with spaces and no-break spaces', async () => {
    const r = await validate(communesCsv((rows) => rows.map((row, i) => (i === 0 ? [row[0]!, row[1]!, '1 234 567,5'] : i === 1 ? [row[0]!, row[1]!, '12\u00a0345'] : row))));
    expect(r.ok).toBe(true);
    expect(r.values.slice(0, 2).map((v) => v.value)).toEqual([1234567.5, 12345]);
  });

  it('reads a column that consistently uses the other decimal mark with it, saying so', async () => {
    const bytes = utf8('code;nom;a;b\n93001;Aubervilliers;1,5;105.4\n93005;Aulnay;2,5;12.25\n');
    const r = await validate(bytes, mapping({ values: [{ column: 'a', variable: 'A' }, { column: 'b', variable: 'B' }] }));
    expect(r.ok).toBe(true);
    expect(r.values.map((v) => v.value)).toEqual([1.5, 105.4, 2.5, 12.25]);
    expect(of(r, 'decimale_colonne')[0]!.message).toMatch(/« b » écrit ses décimales avec « \. »/);
  });

  it('recognises secrecy and absence markers and counts them by marker', async () => {
    const markers = ['s', 'secret', 'C', '*', 'nd', 'n.d.', 'NA', 'N/A', '-', '–', '<5', ''];
    const r = await validate(communesCsv((rows) => rows.map((row, i) => (i < markers.length ? [row[0]!, row[1]!, markers[i]!] : row))));
    expect(r.ok).toBe(true);
    const status = new Map(r.summary.markers.map((m) => [m.marker, m.status]));
    expect(Object.fromEntries(status)).toEqual({
      s: 'secret', secret: 'secret', C: 'secret', '*': 'secret', nd: 'secret', 'n.d.': 'secret', '<5': 'secret', '': 'secret',
      NA: 'missing', 'N/A': 'missing', '-': 'missing', '–': 'missing'
    });
    expect(r.summary.statuses).toEqual({ ok: 39 - markers.length, secret: 8, missing: 4 });
    expect(r.values[0]).toMatchObject({ value: null, status: 'secret', marker: 's' });
  });

  it('reads several years from a year column and refuses what is not a 4-digit year', async () => {
    const r = await validate(utf8('code;nom;annee;n\n93001;A;2020;1\n93001;A;2021;2\n93005;B;2021.0;3\n93006;C;2021-01-01;4\n'), mapping({ year: undefined, yearColumn: 'annee' }));
    expect(r.summary.years).toEqual([2020, 2021]);
    expect(r.summary.checks.doublon).toBe(0);
    const invalid = of(r, 'annee_invalide');
    expect(invalid.map((i) => i.line)).toEqual([4, 5]);
    expect(invalid[0]!.message).toMatch(/nombre décimal par le tableur/);
    expect(invalid[1]!.message).toMatch(/format date/);
  });

  it('ignores rows without code or values, refuses values without a code', async () => {
    const r = await validate(utf8('code;nom;n\n93001;A;1\n;Note de bas de tableau;\n;Sans code;12\n'));
    expect(of(r, 'ligne_vide')[0]).toMatchObject({ severity: 'info', line: 3 });
    expect(of(r, 'code_absent')[0]).toMatchObject({ severity: 'erreur', line: 4 });
    expect(r.ok).toBe(false);
  });

  it('reports unknown mapped columns and a missing year before reading any row', async () => {
    const r = await validate(communesCsv(), mapping({ year: undefined, values: [{ column: 'valeur', variable: 'V' }] }));
    expect(r.ok).toBe(false);
    expect(r.values).toEqual([]);
    expect(of(r, 'colonne_inconnue')[0]!.message).toMatch(/« valeur » absente de l’en-tête \(ligne 1\) : choisissez parmi « code », « nom », « n »/);
    expect(of(r, 'annee_absente')).toHaveLength(1);
  });

  it('checks the département total against its 39 communes', async () => {
    const total = communes93.reduce((s, _, i) => s + (i + 1) * 100, 0);
    const ok = await validate(communesCsv((rows) => [...rows, ['93', 'Seine-Saint-Denis', String(total)]]));
    expect(of(ok, 'ligne_total')[0]!.message).toMatch(/département Seine-Saint-Denis \(93\).*cohérente avec la somme de ses 39 communes/);
    const off = await validate(communesCsv((rows) => [...rows.slice(1), ['93', 'Seine-Saint-Denis', String(total)]]));
    expect(of(off, 'ligne_total')[0]!.message).toMatch(/non comparée.*1 communes absent\(e\)s du fichier \(93001\)/);
    const wrong = await validate(communesCsv((rows) => [...rows, ['93', 'Seine-Saint-Denis', String(total + 500)]]));
    expect(of(wrong, 'total_incoherent')[0]!.message).toMatch(/écart \+500/);
  });
});

describe('outliers against the previous vintage', () => {
  const previous = new Map([['N', new Map(communes93.map((c, i) => [c.code, ((i + 1) * 100) / 1.02]))]]);

  it('flags the commune that tripled while the others grew by 2 %, and not a small count that tripled', async () => {
    // Row 0: 3 → 9, a tripling under the threshold of 11; row 5: 588 → 1 800.
    const bytes = communesCsv((rows) => rows.map((row, i) => (i === 5 ? [row[0]!, row[1]!, String((i + 1) * 300)] : i === 0 ? [row[0]!, row[1]!, '9'] : row)));
    const withSmall = new Map([['N', new Map([...previous.get('N')!, [communes93[0]!.code, 3]])]]);
    const r = await validate(bytes, mapping(), { ...context, threshold: 11, previous: withSmall });
    const outliers = of(r, 'valeur_aberrante');
    expect(outliers.map((i) => i.code)).toEqual([communes93[5]!.code]);
    expect(outliers[0]!.message).toMatch(/1 800 contre 588,24 au millésime publié précédent \(× 3,06\).*× 1,02/);
    expect(r.ok).toBe(true);
  });

  it('flags nothing when every commune changed alike', async () => {
    const r = await validate(communesCsv(), mapping(), { ...context, previous });
    expect(r.summary.checks.valeur_aberrante).toBe(0);
  });
});
