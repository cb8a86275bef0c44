import { describe, expect, it } from 'vitest';
import { correctionFor, groupIssues, kindLabel, summaryLines, withCorrection, withoutCorrection } from './report.ts';
import type { ReportIssue } from './types.ts';

const issue = (severity: string, kind: string, extra: Partial<ReportIssue> = {}): ReportIssue => ({ severity, kind, message: `${kind} ${extra.line ?? ''}`, ...extra });

describe('validation report grouping', () => {
  it('groups by severity, errors first, then by kind in the validator’s order', () => {
    const groups = groupIssues({
      summary: {},
      issues: [
        issue('info', 'marqueur_secret', { line: 9 }),
        issue('erreur', 'code_inconnu', { line: 1007 }),
        issue('avertissement', 'sous_seuil', { line: 12 }),
        issue('erreur', 'doublon', { line: 20 }),
        issue('erreur', 'code_inconnu', { line: 1010 })
      ]
    });
    expect(groups.map((g) => [g.severity, g.kinds.map((k) => [k.kind, k.issues.map((i) => i.line)])])).toEqual([
      ['erreur', [['code_inconnu', [1007, 1010]], ['doublon', [20]]]],
      ['avertissement', [['sous_seuil', [12]]]],
      ['info', [['marqueur_secret', [9]]]]
    ]);
  });

  it('shows kinds it has never heard of, with a readable name, after known severities', () => {
    const groups = groupIssues({ summary: {}, issues: [issue('remarque', 'nouvelle_regle_2027'), issue('erreur', 'x')] });
    expect(groups.map((g) => g.severity)).toEqual(['erreur', 'remarque']);
    expect(groups[1]!.kinds[0]!.label).toBe('Nouvelle regle 2027');
    expect(kindLabel('')).toBe('Autres');
    expect(kindLabel('code_inconnu')).toBe('Codes de territoire inconnus');
  });

  it('takes the true count from the summary when the list is capped', () => {
    const issues = Array.from({ length: 3 }, (_, i) => issue('avertissement', 'sous_seuil', { line: i + 2 }));
    expect(groupIssues({ summary: { checks: { sous_seuil: 1234 } }, issues })[0]!.kinds[0]!.total).toBe(1234);
    expect(groupIssues({ summary: { checks: { sous_seuil: 1 } }, issues })[0]!.kinds[0]!.total).toBe(3);
  });

  it('lists the summary’s numbers with French words, leaving per-check counts to the issue list', () => {
    const summary = {
      rows: 40,
      errors: 1,
      years: [2022],
      statuses: { ok: 38, secret: 2, missing: 0 },
      markers: [{ marker: 's', status: 'secret', count: 2 }],
      checks: { code_inconnu: 1 },
      listedPerKind: 200,
      newCount: 2
    };
    expect(summaryLines(summary).map((l) => [l.value, l.text])).toEqual([
      [40, 'lignes lues'],
      [1, 'erreur'],
      [1, 'année (2022)'],
      [38, 'valeurs publiables'],
      [2, 'valeurs secrètes'],
      [0, 'valeurs manquantes'],
      [2, 'new count']
    ]);
  });
});

describe('corrections', () => {
  it('replaces the issue’s cell, or the code column when the issue names none', () => {
    const unknown = issue('erreur', 'code_inconnu', { line: 1007, found: '93O10' });
    expect(correctionFor(unknown, { code: '93010' }, { codeColumn: 'Code' })).toEqual({ line: 1007, column: 'Code', value: '93010' });
    expect(correctionFor({ ...unknown, column: 'CODGEO' }, { code: '93010' }, { codeColumn: 'Code' })?.column).toBe('CODGEO');
    expect(correctionFor({ ...unknown, line: undefined }, { code: '93010' }, { codeColumn: 'Code' })).toBeNull();
  });

  it('keeps one correction per cell and removes it on demand', () => {
    let list = withCorrection([], { line: 4, column: 'Code', value: '93010' });
    list = withCorrection(list, { line: 5, column: 'Code', value: '93048' });
    list = withCorrection(list, { line: 4, column: 'Code', value: '93001' });
    expect(list).toEqual([
      { line: 5, column: 'Code', value: '93048' },
      { line: 4, column: 'Code', value: '93001' }
    ]);
    expect(withoutCorrection(list, { line: 5, column: 'Code' })).toEqual([{ line: 4, column: 'Code', value: '93001' }]);
  });
});
