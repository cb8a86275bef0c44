import { describe, expect, it } from 'vitest';
import type { UploadView } from './types.ts';
import { currentStep, defaultStep, initialMappingForm, mappingRequest, slugify, valueLike, variableName, yearInHeaders } from './wizard.ts';

/** The first rows of the ANCT export (anct-observatoire-territoires/logements-vacants-2022-communes-idf.csv) as the server shows them. */
const anct: Pick<UploadView, 'header' | 'sample' | 'mapping'> = {
  header: ['Code', 'Libellé', 'Nombre de logements vacants 2022'],
  sample: [
    { line: 5, cells: ['75056', 'Paris', '136957'] },
    { line: 6, cells: ['77001', 'Achères-la-Forêt', '38'] },
    { line: 7, cells: ['77002', 'Acy-en-Multien', 's'] }
  ],
  mapping: null
};

describe('first guesses of the column mapping', () => {
  it('finds the code, label and value columns of the ANCT export and the year in its header', () => {
    const form = initialMappingForm(anct);
    expect(form.codeColumn).toBe('Code');
    expect(form.labelColumn).toBe('Libellé');
    expect(form.level).toBe('commune');
    expect(form.yearMode).toBe('fixe');
    expect(form.year).toBe(2022);
    expect(form.values.filter((v) => v.selected).map((v) => [v.column, v.variable])).toEqual([
      ['Nombre de logements vacants 2022', 'NOMBRE_DE_LOGEMENTS_VACANTS_2022']
    ]);
  });

  it('recognises IRIS codes and a year column', () => {
    const form = initialMappingForm({
      header: ['IRIS', 'annee', 'a', 'arsas'],
      sample: [
        { line: 2, cells: ['930100101', '2021', '812', ''] },
        { line: 3, cells: ['930100102', '2021', '1 204', '12,5'] }
      ],
      mapping: null
    });
    expect(form.level).toBe('iris');
    expect(form.yearMode).toBe('colonne');
    expect(form.yearColumn).toBe('annee');
    expect(form.values.filter((v) => v.selected).map((v) => v.variable)).toEqual(['A', 'ARSAS']);
  });

  it('restores what was stored rather than guessing again', () => {
    const form = initialMappingForm({
      ...anct,
      mapping: {
        mapping: { codeColumn: 'Code', level: 'commune', year: 2021, values: [{ column: 'Nombre de logements vacants 2022', variable: 'LOGVAC' }] },
        threshold: 11,
        thresholdVariable: 'LOGVAC',
        corrections: []
      }
    });
    expect(form.year).toBe(2021);
    expect(form.labelColumn).toBe('');
    expect(form.threshold).toBe(11);
    expect(form.values.find((v) => v.selected)?.variable).toBe('LOGVAC');
  });
});

describe('mapping request', () => {
  it('builds the body the server validates, with a fixed year', () => {
    const r = mappingRequest({ ...initialMappingForm(anct), threshold: 5 });
    expect(r).toEqual({
      ok: true,
      mapping: {
        codeColumn: 'Code',
        labelColumn: 'Libellé',
        level: 'commune',
        year: 2022,
        values: [{ column: 'Nombre de logements vacants 2022', variable: 'NOMBRE_DE_LOGEMENTS_VACANTS_2022' }],
        blank: 'secret'
      },
      threshold: 5
    });
  });

  it('lists in French what is missing or wrong', () => {
    const form = initialMappingForm(anct);
    const r = mappingRequest({ ...form, year: null, values: form.values.map((v) => ({ ...v, variable: '2e' })), indicatorId: 'Pas Bon' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      'Nom de variable invalide pour « Nombre de logements vacants 2022 » : une lettre, puis lettres, chiffres ou _.',
      'Indiquez l’année des données (quatre chiffres).',
      'L’indicateur de comparaison est un identifiant en minuscules, chiffres et tirets.'
    ]);
    const none = mappingRequest({ ...form, values: form.values.map((v) => ({ ...v, selected: false })) });
    expect(!none.ok && none.errors).toContain('Cochez au moins une colonne de valeurs.');
  });

  it('never sends the code, label or year column as a value, even if it was ticked', () => {
    const form = initialMappingForm(anct);
    const r = mappingRequest({ ...form, values: form.values.map((v) => ({ ...v, selected: true })) });
    expect(r.ok && r.mapping.values.map((v) => v.column)).toEqual(['Nombre de logements vacants 2022']);
  });

  it('refuses two columns with the same variable name', () => {
    const form = initialMappingForm({ ...anct, header: ['Code', 'Valeur', 'valeur'], sample: [{ line: 2, cells: ['93010', '1', '2'] }] });
    const r = mappingRequest({ ...form, year: 2022 });
    expect(!r.ok && r.errors).toEqual(['Deux colonnes portent le même nom de variable : VALEUR.']);
  });
});

describe('names', () => {
  it('turns headers into variable names the server accepts', () => {
    expect(variableName('Nombre de logements vacants 2022')).toBe('NOMBRE_DE_LOGEMENTS_VACANTS_2022');
    expect(variableName('2022 – effectif')).toBe('V_2022_EFFECTIF');
    expect(variableName('   ')).toBe('V');
    expect(variableName('Été (%)')).toBe('ETE');
    expect(variableName('x'.repeat(80))).toHaveLength(40);
  });

  it('turns labels into indicator ids, dropping markup', () => {
    expect(slugify('Logements vacants <b>HTML</b> (partenaire)')).toBe('logements-vacants-html-partenaire');
    expect(slugify('Taux d’allocataires — 2024')).toBe('taux-d-allocataires-2024');
  });

  it('accepts numbers and secrecy markers as value cells, not words', () => {
    for (const ok of ['12', '12,5', '1 204', '1\u202f204,3', '-3.2', 's', 'NA', '']) expect(valueLike(ok), ok).toBe(true);
    for (const no of ['Paris', '12 ans', '93O10']) expect(valueLike(no), no).toBe(false);
  });

  it('finds the most frequent year in headers', () => {
    expect(yearInHeaders(['P22_POP', 'Population 2021', 'Ménages 2021', 'Logements 2019'])).toBe(2021);
    expect(yearInHeaders(['Code', 'Valeur'])).toBeNull();
  });
});

describe('steps', () => {
  const clean = { report: { ok: true }, mapping: {} } as unknown as Pick<UploadView, 'report' | 'mapping'>;
  const fresh = { report: null, mapping: null };

  it('opens an upload at the first thing left to do', () => {
    expect(defaultStep(fresh, null)).toBe('lecture');
    expect(defaultStep(clean, null)).toBe('description');
    expect(defaultStep(clean, { state: 'brouillon', preview: false })).toBe('apercu');
    expect(defaultStep(clean, { state: 'brouillon', preview: true })).toBe('publication');
  });

  it('never shows a step the upload does not allow yet', () => {
    expect(currentStep('publication', fresh, null)).toBe('lecture');
    expect(currentStep('colonnes', fresh, null)).toBe('colonnes');
    expect(currentStep('description', clean, null)).toBe('description');
    expect(currentStep('apercu', clean, null)).toBe('description');
    expect(currentStep('n-importe-quoi', clean, { state: 'brouillon', preview: false })).toBe('apercu');
    expect(currentStep('lecture', clean, { state: 'brouillon', preview: false })).toBe('lecture');
  });
});
