/**
 * Validates a partner's table, once its columns are mapped, against the territories of
 * the current build: codes (unknown, former, wrong level, out of scope), years,
 * duplicates, cells (numbers, secrecy markers, threshold), totals against their
 * children, and outliers against the previous vintage. Pure: the report (JSON) lists
 * issues with French messages and every value the draft will publish. The checks, their
 * severities and thresholds are documented in README.md.
 */
import { searchName } from '../../build/search-name.ts';
import type { CellReading } from './cells.ts';
import { type FormerOccurrence, reportFormerCodes } from './former-codes.ts';
import { IssueList, LISTED_PER_KIND } from './issues.ts';
import { formatCount } from './limits.ts';
import { checkMapping } from './mapping.ts';
import { findOutliers, reportOutliers } from './outliers.ts';
import type { PartnerTable } from './read-table.ts';
import { suggestCodes } from './suggest.ts';
import { type Level, TerritoryIndex } from './territories.ts';
import { type ChildRow, type TotalRow, checkTotals } from './totals.ts';
import type { Mapping, UploadReport, UploadSummary, UploadValue, ValidationContext, ValueStatus } from './types.ts';

export type { Issue, IssueKind, Severity, Suggestion } from './issues.ts';
export { ISSUE_KINDS } from './issues.ts';
export type { ContextTerritory, Mapping, UploadReport, UploadSummary, UploadValue, ValidationContext } from './types.ts';

interface AcceptedRow {
  line: number;
  year: number;
  code: string;
  publishedCode: string;
  commune: string;
  cells: string[];
}

const TOTAL_LABEL = /^(?:total|ensemble)(?: |$)/;
const YEAR = /^\d{4}$/;

function isTotalLabel(s: string | undefined): boolean {
  return s !== undefined && TOTAL_LABEL.test(searchName(s));
}

export function validateUpload(table: PartnerTable, mapping: Mapping, context: ValidationContext): UploadReport {
  const issues = new IssueList();
  const columns = checkMapping(table, mapping, context, issues);
  if (!columns) return report(issues, [], 0, 0, new Map());

  const level: Level = mapping.level;
  const at = (name: string | undefined) => (name === undefined ? -1 : table.header.indexOf(name));
  const codeAt = at(mapping.codeColumn);
  const labelAt = at(mapping.labelColumn);
  const yearAt = at(mapping.yearColumn);
  const valueAts = new Set(columns.map((c) => c.at));
  const index = new TerritoryIndex(context);
  const geographyYear = context.geographyYear ?? table.geographyYear ?? null;

  const resolved = table.rows.map((r) => {
    const code = r.cells[codeAt] ?? '';
    return code.trim() === '' ? null : index.resolve(code, level);
  });
  // Codes the file has under their current form, and (for suggestions) through a former code too.
  const ownRows = new Set<string>();
  for (const res of resolved) if (res?.kind === 'territory') ownRows.add(res.territory.code);
  const present = new Set(ownRows);
  for (const res of resolved) if (res?.kind === 'former') present.add(res.current);

  const accepted: AcceptedRow[] = [];
  const totals: Omit<TotalRow, 'cells'>[] = [];
  const totalCells = new Map<number, string[]>();
  const former = new Map<string, FormerOccurrence>();
  const emptyLines: number[] = [];
  /** Commune → lines of its IRIS, for communes the build has no IRIS of (Paris in a build focused on the 93). */
  const irisWithoutContours = new Map<string, number[]>();
  const outOfScope: string[] = [];
  let finer = 0;
  let dropped = false;

  table.rows.forEach((row, i) => {
    const { line, cells } = row;
    const code = cells[codeAt] ?? '';
    const label = labelAt >= 0 ? cells[labelAt] : undefined;
    const hasValues = columns.some((c) => (cells[c.at] ?? '') !== '');
    const res = resolved[i]!;
    const totalLabelled = () =>
      isTotalLabel(code) || isTotalLabel(label) || (labelAt < 0 && cells.some((c, k) => k !== codeAt && !valueAts.has(k) && k !== yearAt && isTotalLabel(c)));

    if (res === null && !hasValues && !totalLabelled()) {
      emptyLines.push(line);
      return;
    }
    const year = rowYear(cells, yearAt, mapping, line, issues);
    if (year === null) {
      dropped = true;
      return;
    }
    if (res === null) {
      if (totalLabelled()) {
        totals.push({ line, publishedCode: code, parent: null, label: label || code || 'Total', year });
        totalCells.set(line, cells);
        return;
      }
      dropped = true;
      issues.add({
        kind: 'code_absent',
        line,
        column: mapping.codeColumn,
        found: code,
        message: 'Ligne avec des valeurs mais sans code de territoire : complétez le code ou supprimez la ligne.'
      });
      return;
    }
    switch (res.kind) {
      case 'territory':
        accepted.push({ line, year, code: res.territory.code, publishedCode: code, commune: res.commune, cells });
        return;
      case 'former': {
        accepted.push({ line, year, code: res.current, publishedCode: code, commune: res.current, cells });
        const f = former.get(code) ?? { lines: [], res, label };
        f.lines.push(line);
        former.set(code, f);
        return;
      }
      case 'iris-outside':
        accepted.push({ line, year, code, publishedCode: code, commune: res.commune, cells });
        if (!res.communeHasIris) {
          const lines = irisWithoutContours.get(res.commune) ?? [];
          lines.push(line);
          irisWithoutContours.set(res.commune, lines);
          return;
        }
        issues.add({
          kind: 'iris_hors_contours',
          line,
          column: mapping.codeColumn,
          code,
          found: code,
          message: `L’IRIS ${code} n’est pas dans les contours IRIS de la base (autre millésime d’IRIS, ou faute de frappe ?) : sa valeur comptera dans sa commune (${res.commune}) mais n’aura pas de carte à l’IRIS. Vérifiez le code.`,
          suggestions: suggestCodes(index, { raw: code, level, label, present }).suggestions
        });
        return;
      case 'parent':
        totals.push({ line, publishedCode: code, parent: res.territory, label: label ?? res.territory.name, year });
        totalCells.set(line, cells);
        return;
      case 'finer':
        finer++;
        dropped = true;
        issues.add({
          kind: 'mauvais_niveau',
          line,
          column: mapping.codeColumn,
          code,
          found: code,
          message: res.territory
            ? `${code} est un code IRIS (${res.territory.name}${res.territory.commune ? `, commune ${res.territory.commune}` : ''}) alors que le fichier est déclaré au niveau commune : choisissez le niveau IRIS si tout le fichier est à l’IRIS, sinon supprimez la ligne.`
            : `${code} a la forme d’un code IRIS (9 caractères) alors que le fichier est déclaré au niveau commune : choisissez le niveau IRIS si tout le fichier est à l’IRIS, sinon corrigez le code.`
        });
        return;
      case 'out-of-scope':
        outOfScope.push(code);
        dropped = true;
        return;
      case 'unknown': {
        if (totalLabelled()) {
          totals.push({ line, publishedCode: code, parent: null, label: label || code, year });
          totalCells.set(line, cells);
          return;
        }
        dropped = true;
        const listed = issues.count('code_inconnu') < LISTED_PER_KIND;
        const s = listed ? suggestCodes(index, { raw: code, level, label, present }) : { suggestions: [], reason: null };
        issues.add({
          kind: 'code_inconnu',
          line,
          column: mapping.codeColumn,
          code,
          found: code,
          message:
            `Code ${level === 'iris' ? 'IRIS' : 'commune'} « ${code} » inconnu de la base` +
            (s.suggestions.length ? ` (${s.reason} ?) : corrigez-le, par exemple avec une suggestion, ou supprimez la ligne.` : ' : corrigez-le ou supprimez la ligne.'),
          suggestions: s.suggestions
        });
      }
    }
  });

  if (emptyLines.length > 0) {
    issues.add(
      {
        kind: 'ligne_vide',
        line: emptyLines[0],
        message: `${formatCount(emptyLines.length)} ligne(s) sans code ni valeur ignorée(s) (ligne${emptyLines.length > 1 ? 's' : ''} ${emptyLines.slice(0, 10).join(', ')}${emptyLines.length > 10 ? '…' : ''}).`
      },
      emptyLines.length
    );
  }
  if (outOfScope.length > 0) {
    const deps = [...new Set(outOfScope.map((c) => (c.startsWith('97') ? c.slice(0, 3) : c.slice(0, 2))))].sort();
    issues.add(
      {
        kind: 'hors_perimetre',
        message: `${formatCount(outOfScope.length)} ligne(s) de territoires hors du périmètre de l’observatoire (département${deps.length > 1 ? 's' : ''} ${deps.slice(0, 12).join(', ')}${deps.length > 12 ? '…' : ''}) : ignorées.`
      },
      outOfScope.length
    );
  }
  for (const [commune, lines] of irisWithoutContours) {
    const name = index.get('commune', commune)?.name ?? commune;
    issues.add(
      {
        kind: 'iris_hors_contours',
        severity: 'info',
        line: lines[0],
        code: commune,
        message: `La base n’a pas les IRIS de la commune ${name} (${commune}) : les valeurs de ses ${formatCount(lines.length)} IRIS compteront dans la commune seulement.`
      },
      lines.length
    );
  }
  reportFormerCodes(former, ownRows, geographyYear, mapping, issues);
  if (accepted.length === 0) reportLevelMismatch(level, totals, finer, issues);

  // Duplicates: the first row of a code and year is kept, later ones are errors.
  const firstLine = new Map<string, number>();
  const unique: AcceptedRow[] = [];
  for (const r of accepted) {
    const key = `${r.publishedCode}|${r.year}`;
    const first = firstLine.get(key);
    if (first !== undefined) {
      issues.add({
        kind: 'doublon',
        line: r.line,
        column: mapping.codeColumn,
        code: r.publishedCode,
        found: r.publishedCode,
        message: `Le code ${r.publishedCode} figure déjà ligne ${first} pour ${r.year} : supprimez l’une des deux lignes (${first} ou ${r.line}) ou corrigez son code.`
      });
      continue;
    }
    firstLine.set(key, r.line);
    unique.push(r);
  }

  const native = table.nativeNumbers;
  const values: UploadValue[] = [];
  const markers = new Map<string, { status: 'secret' | 'missing'; count: number }>();
  const children: ChildRow[] = [];
  let cellErrors = 0;
  const thresholdApplies = (variable: string) => context.threshold > 0 && (context.thresholdVariable === undefined || context.thresholdVariable === variable);
  for (const r of unique) {
    const readings = new Map<string, CellReading>();
    const nativeCols = native?.get(r.line);
    for (const c of columns) {
      const raw = r.cells[c.at] ?? '';
      const reading = c.read(raw, nativeCols?.has(c.at) ?? false);
      readings.set(c.variable, reading);
      if (reading.status === 'error') {
        cellErrors++;
        issues.add({
          kind: 'valeur_non_numerique',
          line: r.line,
          column: c.column,
          code: r.publishedCode,
          found: raw,
          message: `« ${raw} » n’est pas un nombre : ${reading.reason}.`
        });
        continue;
      }
      const base = { line: r.line, year: r.year, code: r.code, publishedCode: r.publishedCode, variable: c.variable };
      if (reading.status === 'ok') {
        values.push({ ...base, value: reading.value, status: 'ok' });
        if (thresholdApplies(c.variable) && reading.value < context.threshold) {
          issues.add({
            kind: 'sous_seuil',
            line: r.line,
            column: c.column,
            code: r.publishedCode,
            found: raw,
            message:
              `${raw} est sous le seuil de secret (${context.threshold}) : la valeur sera masquée à la publication (secret primaire). ` +
              'Le nombre reste dans ce rapport et dans le jeu déposé pour le secret secondaire, il n’est jamais affiché publiquement.'
          });
        }
      } else {
        values.push({ ...base, value: null, status: reading.status, marker: reading.marker });
        const m = markers.get(reading.marker) ?? { status: reading.status, count: 0 };
        m.count++;
        markers.set(reading.marker, m);
      }
    }
    children.push({ year: r.year, code: r.code, commune: r.commune, readings });
  }
  for (const [marker, m] of markers) {
    issues.add(
      {
        kind: 'marqueur_secret',
        found: marker,
        message:
          marker === ''
            ? `Cellule vide : ${formatCount(m.count)} cellule(s) lues comme ${m.status === 'secret' ? 'secret statistique' : 'non disponible'} (choix « cellule vide = ${m.status === 'secret' ? 'secret' : 'absence'} » de la correspondance).`
            : `« ${marker} » : ${formatCount(m.count)} cellule(s) lues comme ${m.status === 'secret' ? 'secret statistique' : 'non disponible'}.`
      },
      m.count
    );
  }

  const totalRows: TotalRow[] = totals.map((t) => {
    const cells = totalCells.get(t.line)!;
    return {
      ...t,
      cells: columns.map((c) => {
        const raw = cells[c.at] ?? '';
        return { column: c.column, variable: c.variable, raw, reading: c.read(raw, native?.get(t.line)?.has(c.at) ?? false) };
      })
    };
  });
  checkTotals(totalRows, children, { index, level, incompleteForGrandTotal: dropped || cellErrors > 0 }, issues);

  if (context.previous && values.length > 0) {
    const columnOf = new Map(columns.map((c) => [c.variable, c.column]));
    reportOutliers(findOutliers(values, context.previous, context.threshold), (v) => columnOf.get(v) ?? v, issues);
  }
  if (values.length === 0) {
    issues.add({ kind: 'aucune_valeur', message: 'Aucune valeur de territoire n’a pu être lue : corrigez les erreurs ci-dessus (niveau, colonnes, codes).' });
  }
  return report(issues, values, table.rows.length, unique.length, markers);
}

function rowYear(cells: readonly string[], yearAt: number, mapping: Mapping, line: number, issues: IssueList): number | null {
  if (yearAt < 0) return mapping.year!;
  const raw = cells[yearAt] ?? '';
  const year = Number(raw);
  if (YEAR.test(raw) && year >= 1900 && year <= 2100) return year;
  const hint = /^\d{4}[.,]0+$/.test(raw)
    ? ' (écrite comme un nombre décimal par le tableur)'
    : /^\d{4}-\d{2}-\d{2}/.test(raw)
      ? ' (cellule au format date dans le tableur : mettez la colonne au format Nombre)'
      : raw.trim() !== raw
        ? ' (espaces autour)'
        : '';
  issues.add({
    kind: 'annee_invalide',
    line,
    column: mapping.yearColumn,
    found: raw,
    message: `Année « ${raw} » invalide${hint} : la colonne d’année doit contenir une année à 4 chiffres (ex. 2021). Corrigez la cellule.`
  });
  return null;
}

function reportLevelMismatch(level: Level, totals: readonly Omit<TotalRow, 'cells'>[], finer: number, issues: IssueList): void {
  const communes = totals.filter((t) => t.parent?.level === 'commune').length;
  if (level === 'iris' && communes > 0) {
    issues.add({
      kind: 'niveau_incoherent',
      message: `Aucune ligne n’est un IRIS, mais ${formatCount(communes)} ligne(s) sont des communes : le fichier est probablement au niveau commune, choisissez ce niveau dans la correspondance.`
    });
  } else if (level === 'commune' && finer > 0) {
    issues.add({
      kind: 'niveau_incoherent',
      message: `Aucune ligne n’est une commune, mais ${formatCount(finer)} ligne(s) ont un code IRIS : choisissez le niveau IRIS dans la correspondance.`
    });
  }
}

function report(
  issues: IssueList,
  values: UploadValue[],
  rows: number,
  territoryRows: number,
  markers: Map<string, { status: 'secret' | 'missing'; count: number }>
): UploadReport {
  const t = issues.totals();
  const statuses: Record<ValueStatus, number> = { ok: 0, secret: 0, missing: 0 };
  for (const v of values) statuses[v.status]++;
  const summary: UploadSummary = {
    rows,
    territoryRows,
    values: values.length,
    territories: new Set(values.map((v) => v.code)).size,
    years: [...new Set(values.map((v) => v.year))].sort((a, b) => a - b),
    errors: t.errors,
    warnings: t.warnings,
    infos: t.infos,
    statuses,
    markers: [...markers].map(([marker, m]) => ({ marker, status: m.status, count: m.count })),
    underThreshold: t.checks.sous_seuil,
    checks: t.checks,
    listedPerKind: LISTED_PER_KIND
  };
  return { ok: t.errors === 0, summary, issues: t.issues, values };
}
