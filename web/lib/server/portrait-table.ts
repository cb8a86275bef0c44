import type { Metadata, Table } from '$server/downloads/table.ts';
import { STATUS_LABELS } from '$lib/format';
import { type Portrait, themeLabel } from '$lib/types';

/** One row per indicator and territory (the portrait's own, then each comparison): the long format spreadsheets pivot. */
export function portraitTable(portrait: Portrait): Table {
  const t = portrait.territory;
  const rows: Table['rows'] = [];
  for (const i of portrait.indicators) {
    const territories = [{ level: t.level, levelLabel: t.levelLabel, code: t.code, name: t.name, ...i.value }, ...i.comparisons];
    for (const c of territories) {
      rows.push({
        theme: themeLabel(i.theme),
        indicateur: i.id,
        libelle: i.label,
        annee: i.year,
        unite: i.unit,
        niveau: c.levelLabel,
        code: c.code,
        territoire: c.name,
        valeur: c.value,
        numerateur: c.numerator,
        denominateur: c.denominator,
        statut: c.status,
        contributions_secretes: c.secretParts,
        source: i.source ? `${i.source.producer}, ${i.source.label}` : null,
        millesime: i.source?.vintage ?? null,
        licence: i.source?.licence ?? null
      });
    }
  }
  return {
    columns: [
      { key: 'theme', header: 'theme', kind: 'text' },
      { key: 'indicateur', header: 'indicateur', kind: 'text' },
      { key: 'libelle', header: 'libelle', kind: 'text' },
      { key: 'annee', header: 'annee', kind: 'number', decimals: 0 },
      { key: 'unite', header: 'unite', kind: 'text' },
      { key: 'niveau', header: 'niveau', kind: 'text' },
      { key: 'code', header: 'code', kind: 'text' },
      { key: 'territoire', header: 'territoire', kind: 'text' },
      { key: 'valeur', header: 'valeur', kind: 'number' },
      { key: 'numerateur', header: 'numerateur', kind: 'number' },
      { key: 'denominateur', header: 'denominateur', kind: 'number' },
      { key: 'statut', header: 'statut', kind: 'text' },
      { key: 'contributions_secretes', header: 'contributions_secretes', kind: 'number', decimals: 0 },
      { key: 'source', header: 'source', kind: 'text' },
      { key: 'millesime', header: 'millesime', kind: 'text' },
      { key: 'licence', header: 'licence', kind: 'text' }
    ],
    rows
  };
}

export function portraitMetadata(portrait: Portrait, build: { id: string; createdAt: string | null }, now: Date): Metadata {
  const t = portrait.territory;
  return [
    ['Territoire', `${t.name} (${t.levelLabel}, code ${t.code})`],
    ['Comparaisons', portrait.comparisons.map((c) => `${c.name} (${c.levelLabel})`).join(', ') || 'aucune'],
    ['Indicateurs', String(portrait.indicators.length)],
    ['Statuts', Object.entries(STATUS_LABELS).map(([k, v]) => `${k} : ${v}`).join(' ; ')],
    ['Secret statistique', 'Une valeur « secret » n’est jamais diffusée, ni remplacée par zéro.'],
    ['Base', `${build.id}${build.createdAt ? ` (construite le ${build.createdAt})` : ''}`],
    ['Extraction', now.toISOString()]
  ];
}
