import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { checkCatalogueAgainstSources, loadCatalogue, parseCatalogueFile } from './catalogue.ts';
import { THEMES } from './types.ts';

const VALID = `theme: emploi
indicators:
  - id: chomeurs
    label: Chômeurs de 15 à 64 ans
    unit: personnes
    kind: count
    series:
      - { year: 2022, source: insee-comparateur-2025, value: P22_CHOM1564 }
  - id: taux-chomage
    label: Taux de chômage
    unit: '%'
    kind: ratio
    series:
      - { year: 2022, source: insee-comparateur-2025, numerator: P22_CHOM1564, denominator: P22_ACT1564 }
`;

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('aucune InputError levée');
}

async function rejected(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(
    () => new Error('aucune InputError levée'),
    (err: unknown) => err
  );
  if (e instanceof InputError) return e;
  throw e;
}

describe('the real catalogue', () => {
  it('loads at least 35 indicators covering every theme', async () => {
    const defs = await loadCatalogue();
    expect(defs.length).toBeGreaterThanOrEqual(35);
    expect(new Set(defs.map((d) => d.theme))).toEqual(new Set(THEMES));
    expect(new Set(defs.map((d) => d.id)).size).toBe(defs.length);
  });

  it('declares each ratio with a numerator and a denominator in every series', async () => {
    for (const d of await loadCatalogue()) {
      for (const s of d.series) {
        if (d.kind === 'ratio') expect([d.id, s.numerator && s.denominator && !s.value]).toEqual([d.id, true]);
        else expect([d.id, s.value && !s.numerator && !s.denominator]).toEqual([d.id, true]);
      }
    }
  });

  it('keeps the IRIS median income as one indicator across its years and sources', async () => {
    const median = (await loadCatalogue()).find((d) => d.id === 'revenu-disponible-median-uc');
    expect(median?.kind).toBe('median');
    expect(median?.series.map((s) => [s.year, s.value])).toEqual(
      expect.arrayContaining([
        [2013, 'DISP_MED13'],
        [2018, 'DISP_MED18'],
        [2019, 'DISP_MED19']
      ])
    );
  });

  it('applies the CAF threshold of 5 to CAF counts and ratios', async () => {
    const caf = (await loadCatalogue()).filter((d) => d.series.some((s) => s.source === 'caf-allocataires-iris-2021'));
    expect(caf.length).toBeGreaterThan(0);
    for (const d of caf) {
      expect(d.secrecy.threshold).toBe(5);
      expect(d.secrecy.on).toBe(d.kind === 'ratio' ? 'numerator' : 'value');
      expect(d.secrecy.reason).toMatch(/inférieurs à 5/);
    }
  });
});

describe('parseCatalogueFile', () => {
  it('fills in scale, decimals and secrecy defaults', () => {
    const [chomeurs, taux] = parseCatalogueFile(VALID, 'emploi.yaml');
    expect(chomeurs).toMatchObject({ theme: 'emploi', scale: 1, decimals: 0, secrecy: { threshold: 0, on: 'value' } });
    expect(taux).toMatchObject({ scale: 100, decimals: 1, secrecy: { threshold: 0, on: 'value' } });
    const density = parseCatalogueFile(VALID.replace("unit: '%'", 'unit: hab/km²'), 'f.yaml')[1];
    expect(density?.scale).toBe(1);
  });

  it('reports an unknown kind with file, line and column', () => {
    const e = inputError(() => parseCatalogueFile(VALID.replace('kind: count', 'kind: total'), 'emploi.yaml'));
    expect(e.detail).toMatchObject({ file: 'emploi.yaml', line: 6, column: 11, found: 'total' });
    expect(e.message).toContain('emploi.yaml, ligne 6, colonne 11');
    expect(e.detail.expected).toContain('count, ratio, median, mean, rate');
  });

  it('reports a ratio without denominator at its series', () => {
    const e = inputError(() => parseCatalogueFile(VALID.replace(', denominator: P22_ACT1564', ''), 'emploi.yaml'));
    expect(e.detail).toMatchObject({ file: 'emploi.yaml', line: 14, column: 9 });
    expect(e.detail.expected).toContain('denominator');
  });

  it('reports a duplicate id at its second occurrence', () => {
    const e = inputError(() => parseCatalogueFile(VALID.replace('id: taux-chomage', 'id: chomeurs'), 'emploi.yaml'));
    expect(e.detail).toMatchObject({ file: 'emploi.yaml', line: 9, column: 9, found: 'chomeurs' });
  });

  it('reports bad YAML syntax with its position', () => {
    const e = inputError(() => parseCatalogueFile(VALID.replace('label: Taux de chômage', 'label: [Taux de chômage'), 'emploi.yaml'));
    expect(e.detail.file).toBe('emploi.yaml');
    expect(e.detail.line).toBeGreaterThanOrEqual(10);
    expect(e.detail.column).toEqual(expect.any(Number));
    expect(e.detail.expected).toBe('un document YAML valide');
  });

  it('reports a misspelt field at the field name', () => {
    const e = inputError(() => parseCatalogueFile(VALID.replace('    unit: personnes', '    unite: personnes'), 'emploi.yaml'));
    expect(e.detail).toMatchObject({ line: 5, column: 5, found: 'unite' });
    expect(e.detail.expected).toContain('unit');
  });

  it('reports a missing required field at its indicator', () => {
    const e = inputError(() => parseCatalogueFile(VALID.replace('    label: Chômeurs de 15 à 64 ans\n', ''), 'emploi.yaml'));
    expect(e.detail).toMatchObject({ line: 3, column: 5 });
    expect(e.detail.expected).toContain('label');
  });

  it('rejects an id that is not kebab-case, an unknown theme and a repeated year', () => {
    expect(inputError(() => parseCatalogueFile(VALID.replace('id: chomeurs', 'id: Chomeurs_15'), 'f.yaml')).detail).toMatchObject({ line: 3, column: 9 });
    expect(inputError(() => parseCatalogueFile(VALID.replace('theme: emploi', 'theme: sante'), 'f.yaml')).detail).toMatchObject({ line: 1, column: 8 });
    const twice = VALID.replace(
      '      - { year: 2022, source: insee-comparateur-2025, value: P22_CHOM1564 }',
      '      - { year: 2022, source: insee-comparateur-2025, value: P22_CHOM1564 }\n      - { year: 2022, source: insee-comparateur-2025, value: P22_CHOM1564 }'
    );
    expect(inputError(() => parseCatalogueFile(twice, 'f.yaml')).detail).toMatchObject({ line: 9, column: 17 });
  });

  it('rejects a ratio threshold on its value and a count threshold on a numerator', () => {
    const ratioOnValue = VALID.replace("unit: '%'", "unit: '%'\n    secrecy: { threshold: 5, on: value }");
    expect(inputError(() => parseCatalogueFile(ratioOnValue, 'f.yaml')).detail).toMatchObject({ line: 12, column: 34 });
    const countOnNumerator = VALID.replace('unit: personnes', 'unit: personnes\n    secrecy: { threshold: 5, on: numerator }');
    expect(inputError(() => parseCatalogueFile(countOnNumerator, 'f.yaml')).detail.line).toBe(6);
  });

  it('resolves YAML anchors shared between indicators', () => {
    const shared = VALID.replace('unit: personnes', 'unit: personnes\n    secrecy: &caf { threshold: 5, reason: Secret }').replace(
      "unit: '%'",
      "unit: '%'\n    secrecy: *caf"
    );
    const [a, b] = parseCatalogueFile(shared, 'f.yaml');
    expect(a?.secrecy).toEqual({ threshold: 5, on: 'value', reason: 'Secret' });
    expect(b?.secrecy).toEqual({ threshold: 5, on: 'numerator', reason: 'Secret' });
  });
});

describe('loadCatalogue', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'catalogue-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports an id defined in two files at the second file, naming the first', async () => {
    await writeFile(join(dir, 'emploi.yaml'), VALID);
    await writeFile(join(dir, 'population.yaml'), VALID.replace('theme: emploi', 'theme: population').replace('id: taux-chomage', 'id: autre'));
    const e = await rejected(loadCatalogue(dir));
    expect(e.detail).toMatchObject({ file: join(dir, 'population.yaml'), line: 3, column: 9, found: 'chomeurs' });
    expect(e.message).toContain(join(dir, 'emploi.yaml'));
  });

  it('names the file holding a syntax error', async () => {
    await writeFile(join(dir, 'emploi.yaml'), VALID);
    await writeFile(join(dir, 'logement.yaml'), 'theme: logement\nindicators:\n  - id: a\n   label: b\n');
    const e = await rejected(loadCatalogue(dir));
    expect(e.detail.file).toBe(join(dir, 'logement.yaml'));
    expect(e.detail.line).toBe(4);
  });

  it('refuses an empty directory', async () => {
    await expect(loadCatalogue(dir)).rejects.toBeInstanceOf(InputError);
  });
});

describe('checkCatalogueAgainstSources', () => {
  it('lists unknown sources and variables', () => {
    const defs = parseCatalogueFile(VALID, 'emploi.yaml');
    expect(checkCatalogueAgainstSources(defs, new Map([['insee-comparateur-2025', new Set(['P22_CHOM1564', 'P22_ACT1564'])]]))).toEqual([]);
    const problems = checkCatalogueAgainstSources(defs, new Map([['insee-comparateur-2025', new Set(['P22_CHOM1564'])]]));
    expect(problems).toEqual(['Indicateur taux-chomage, série 2022 : variable « P22_ACT1564 » absente de la source insee-comparateur-2025']);
    expect(checkCatalogueAgainstSources(defs, new Map())).toHaveLength(2);
  });
});
