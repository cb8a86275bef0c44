import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { SourceRef, ValueFields } from '../schemas.ts';
import type { Metadata, Table } from './table.ts';

/** What `/api/indicators/{id}/values` answers in JSON; the downloads are made from it. */
export interface ValuesResult {
  indicator: string;
  label: string;
  description: string;
  unit: string;
  kind: string;
  decimals: number;
  level: string;
  levelLabel: string;
  year: number;
  within: { level: string; code: string; name: string } | null;
  source: SourceRef | null;
  provenance: string[];
  values: (ValueFields & { code: string; name: string })[];
}

export interface BuildStamp {
  id: string;
  createdAt: string | null;
}

export function downloadName(result: ValuesResult, extension: string): string {
  const within = result.within ? `_${result.within.level}-${result.within.code}` : '';
  const base = `${result.indicator}_${result.level}_${result.year}${within}`.replace(/[^A-Za-z0-9._-]+/g, '-');
  return `${base}.${extension}`;
}

export function valuesTable(result: ValuesResult): Table {
  const source = result.source;
  return {
    columns: [
      { key: 'code', header: 'code', kind: 'text' },
      { key: 'nom', header: 'nom', kind: 'text' },
      { key: 'annee', header: 'annee', kind: 'number', decimals: 0 },
      { key: 'valeur', header: 'valeur', kind: 'number', decimals: result.decimals },
      { key: 'numerateur', header: 'numerateur', kind: 'number' },
      { key: 'denominateur', header: 'denominateur', kind: 'number' },
      { key: 'statut', header: 'statut', kind: 'text' },
      { key: 'contributions_secretes', header: 'contributions_secretes', kind: 'number', decimals: 0 },
      { key: 'contributions_manquantes', header: 'contributions_manquantes', kind: 'number', decimals: 0 },
      { key: 'source', header: 'source', kind: 'text' },
      { key: 'millesime', header: 'millesime', kind: 'text' },
      { key: 'licence', header: 'licence', kind: 'text' }
    ],
    rows: result.values.map((v) => ({
      code: v.code,
      nom: v.name,
      annee: result.year,
      valeur: v.value,
      numerateur: v.numerator,
      denominateur: v.denominator,
      statut: v.status,
      contributions_secretes: v.secretParts,
      contributions_manquantes: v.missingParts,
      source: source ? `${source.producer}, ${source.label}` : null,
      millesime: source?.vintage ?? null,
      licence: source?.licence ?? null
    }))
  };
}

export function valuesMetadata(result: ValuesResult, build: BuildStamp, now: Date): Metadata {
  const source = result.source;
  const rows: Metadata = [
    ['Indicateur', `${result.label} (${result.indicator})`],
    ['Définition', result.description],
    ['Unité', result.unit],
    ['Niveau', result.levelLabel],
    ['Année', String(result.year)],
    ['Périmètre', result.within ? `${result.within.name} (${result.within.level} ${result.within.code})` : 'Tous les territoires du niveau']
  ];
  if (source) {
    rows.push(
      ['Source', `${source.producer}, ${source.label}`],
      ['Millésime', source.vintage],
      ['Licence', source.licence],
      ['Adresse de la source', source.url]
    );
  }
  for (const p of result.provenance) rows.push(['Provenance', p]);
  rows.push(
    [
      'Statuts',
      'ok : valeur publiée ; secret : masquée par le secret statistique (aucun chiffre diffusé) ; partial : calculée sans les ' +
        'contributions secrètes, dont le nombre est indiqué ; missing : absente de la source ; not-aggregable : ' +
        "mesure non agrégeable à ce niveau (médiane…)."
    ],
    ['Base', `${build.id}${build.createdAt ? ` (construite le ${build.createdAt})` : ''}`],
    ['Extraction', now.toISOString()]
  );
  return rows;
}

/** RFC 7946 FeatureCollection with the full-resolution geometry; metadata as a foreign member. */
export function valuesGeoJson(
  result: ValuesResult,
  geometries: Map<string, string>,
  build: BuildStamp,
  now: Date
): FeatureCollection & { metadata: Record<string, unknown> } {
  const features: Feature[] = result.values.map((v) => {
    const text = geometries.get(v.code);
    return {
      type: 'Feature',
      id: v.code,
      // RFC 7946 §3.2: a feature without a known location has a null geometry
      geometry: text ? (JSON.parse(text) as Geometry) : (null as unknown as Geometry),
      properties: {
        code: v.code,
        name: v.name,
        year: result.year,
        value: v.value,
        numerator: v.numerator,
        denominator: v.denominator,
        status: v.status,
        secretParts: v.secretParts,
        missingParts: v.missingParts
      }
    };
  });
  const { values: _values, ...description } = result;
  return {
    type: 'FeatureCollection',
    metadata: { ...description, build: build.id, buildCreatedAt: build.createdAt, extractedAt: now.toISOString() },
    features
  };
}
