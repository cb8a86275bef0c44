/**
 * Codes of an older COG met in a commune file: 93059 (Pierrefitte-sur-Seine, merged
 * into Saint-Denis 93066 on 2025-01-01) is converted by the build, which adds it to
 * 93066. Both rows in one file is what a file predating the merge looks like, not a
 * duplicate; arrondissements municipaux next to their whole commune would be counted
 * twice.
 */
import type { IssueList } from './issues.ts';
import type { Resolution } from './territories.ts';
import type { Mapping } from './types.ts';

export interface FormerOccurrence {
  lines: number[];
  res: Extract<Resolution, { kind: 'former' }>;
  label: string | undefined;
}

export function reportFormerCodes(
  former: ReadonlyMap<string, FormerOccurrence>,
  ownRows: ReadonlySet<string>,
  geographyYear: number | null,
  mapping: Mapping,
  issues: IssueList
): void {
  for (const [code, { lines, res, label }] of former) {
    const where = `ligne${lines.length > 1 ? 's' : ''} ${lines.slice(0, 5).join(', ')}${lines.length > 5 ? '…' : ''}`;
    const named = label ? ` (« ${label} » dans le fichier)` : '';
    const withCurrent = ownRows.has(res.current);
    const currentRow = withCurrent ? ` Le fichier a aussi une ligne ${res.current}` : '';
    const base = { line: lines[0], column: mapping.codeColumn, code, found: code };
    if (res.arrondissement) {
      if (withCurrent) {
        issues.add(
          {
            ...base,
            kind: 'double_compte',
            message: `${code}${named} est un arrondissement de ${res.label} (${res.current}), que le fichier donne aussi en entier : la construction additionnerait les deux. Gardez soit les arrondissements, soit la commune entière.`
          },
          lines.length
        );
      } else {
        issues.add(
          { ...base, kind: 'ancien_code', severity: 'info', message: `${code}${named} (${where}) est un arrondissement municipal : ses valeurs sont additionnées dans ${res.label} (${res.current}).` },
          lines.length
        );
      }
      continue;
    }
    const predates = geographyYear !== null && geographyYear < res.since;
    let message = `${code}${named} (${where}) est un code d’un COG antérieur : converti en ${res.current} (${res.label}), qui l’a absorbé (COG ${res.since}).`;
    if (withCurrent) {
      message += predates
        ? `${currentRow} : c’est attendu pour un fichier au COG ${geographyYear}, antérieur à la fusion ; la construction additionne les deux lignes.`
        : `${currentRow} : c’est attendu pour un fichier d’un COG antérieur à la fusion (la construction additionne les deux lignes), mais ${geographyYear !== null ? `le fichier annonce le COG ${geographyYear}` : 'le fichier n’annonce pas son COG'} : vérifiez qu’il ne compte pas deux fois le même territoire.`;
    } else {
      message += predates
        ? ` Le fichier annonce le COG ${geographyYear}, antérieur à la fusion : conversion attendue.`
        : geographyYear !== null
          ? ` Le fichier annonce pourtant le COG ${geographyYear} : vérifiez le code.`
          : ' Vérifiez que c’est bien le territoire voulu.';
    }
    issues.add({ ...base, kind: 'ancien_code', severity: predates ? 'info' : 'avertissement', message }, lines.length);
  }
}

