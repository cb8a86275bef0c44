/**
 * The statistician's column mapping checked against the header, and each value column
 * compiled into a cell reader (its decimal mark, what a blank cell means).
 */
import { type CellReader, cellReader } from './cells.ts';
import type { IssueList } from './issues.ts';
import type { Decimal } from './layout.ts';
import type { PartnerTable } from './read-table.ts';
import type { Mapping, ValidationContext } from './types.ts';

export interface ValueColumn {
  column: string;
  variable: string;
  at: number;
  read: CellReader;
}

/** Checks the mapping against the header; returns the value columns with their readers, or null when validation cannot start. */
export function checkMapping(table: PartnerTable, mapping: Mapping, context: ValidationContext, issues: IssueList): ValueColumn[] | null {
  const named = [mapping.codeColumn, mapping.labelColumn, mapping.yearColumn, ...mapping.values.map((v) => v.column)];
  for (const name of named) {
    if (name !== undefined && !table.header.includes(name)) {
      issues.add({
        kind: 'colonne_inconnue',
        column: name,
        message: `Colonne « ${name} » absente de l’en-tête (ligne ${table.options.headerRow}) : choisissez parmi ${table.header.map((h) => `« ${h} »`).join(', ')}.`
      });
    }
  }
  const variables = new Map<string, string>();
  for (const v of mapping.values) {
    const other = variables.get(v.variable);
    if (other !== undefined) {
      issues.add({ kind: 'correspondance_invalide', column: v.column, message: `La variable « ${v.variable} » est donnée à deux colonnes (« ${other} » et « ${v.column} ») : renommez l’une d’elles.` });
    }
    variables.set(v.variable, v.column);
    if (v.column === mapping.codeColumn || v.column === mapping.yearColumn) {
      issues.add({ kind: 'correspondance_invalide', column: v.column, message: `La colonne « ${v.column} » est à la fois une colonne de valeurs et la colonne du code ou de l’année.` });
    }
  }
  if (mapping.values.length === 0) issues.add({ kind: 'correspondance_invalide', message: 'Aucune colonne de valeurs : choisissez au moins une colonne à publier.' });
  if (context.thresholdVariable !== undefined && !variables.has(context.thresholdVariable)) {
    issues.add({
      kind: 'correspondance_invalide',
      message: `Le seuil de secret porte sur la variable « ${context.thresholdVariable} », absente de la correspondance (${[...variables.keys()].join(', ')}).`
    });
  }
  if (mapping.yearColumn === undefined) {
    if (mapping.year === undefined) {
      issues.add({ kind: 'annee_absente', message: 'Indiquez l’année des données, ou la colonne qui la donne (fichier à plusieurs années).' });
    } else if (!Number.isInteger(mapping.year) || mapping.year < 1900 || mapping.year > 2100) {
      issues.add({ kind: 'annee_invalide', found: String(mapping.year), message: `Année « ${mapping.year} » invalide : donnez une année à 4 chiffres.` });
    }
  }
  if (issues.errors > 0) return null;
  const blank = mapping.blank ?? 'secret';
  return mapping.values.map((v) => {
    const at = table.header.indexOf(v.column);
    const decimal = columnDecimal(table, at, table.options.decimal);
    if (decimal !== table.options.decimal) {
      issues.add({
        kind: 'decimale_colonne',
        column: v.column,
        message: `La colonne « ${v.column} » écrit ses décimales avec « ${decimal} » alors que le reste du fichier utilise « ${table.options.decimal} » : elle est lue avec « ${decimal} ».`
      });
    }
    return { column: v.column, variable: v.variable, at, read: cellReader(decimal, blank) };
  });
}

const DECIMAL_CELL = /^-?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)([.,])(\d+)$/;

/**
 * A column whose text cells all write decimals with the other mark (INSEE's comparateur
 * writes `69,0` in PIMP21 and `105.4` in SUPERF) is read with that mark, provided one
 * of its cells cannot be a thousands separator (a fraction of other than 3 digits).
 */
function columnDecimal(table: PartnerTable, at: number, fileDecimal: Decimal): Decimal {
  let same = 0;
  let other = 0;
  let otherUnambiguous = false;
  for (const r of table.rows) {
    if (table.nativeNumbers?.get(r.line)?.has(at)) continue;
    const m = DECIMAL_CELL.exec(r.cells[at] ?? '');
    if (!m) continue;
    if (m[1] === fileDecimal) same++;
    else {
      other++;
      if (m[2]!.length !== 3) otherUnambiguous = true;
    }
  }
  return same === 0 && other > 0 && otherUnambiguous ? (fileDecimal === ',' ? '.' : ',') : fileDecimal;
}

