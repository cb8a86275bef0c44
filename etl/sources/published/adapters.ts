import type { SourceDescription, ValueAdapter, ValueBatch } from '../../core/types.ts';
import type { IndicatorDefinition } from '../../engine/types.ts';
import { type DatasetFile, datasetSourceId } from './dataset-file.ts';

/** The source a published dataset stands for in a build (`sources` table, provenance). */
export function datasetSource(f: DatasetFile): SourceDescription {
  const d = f.dataset;
  return {
    id: datasetSourceId(d),
    label: d.source.label,
    producer: d.source.producer,
    licence: d.source.licence,
    vintage: d.source.vintage,
    url: d.source.url,
    format: `jeu publié depuis le portail (${d.upload.filename}, déposé par ${d.upload.by}, publié le ${d.publishedAt.slice(0, 10)})`,
    mirrorPath: f.file,
    geoVintage: d.geoVintage,
    coverage: d.source.coverage
  };
}

/** A value adapter over an already-checked dataset file: the values are the ones validated at upload. */
export function datasetAdapter(f: DatasetFile): ValueAdapter {
  const source = datasetSource(f);
  const d = f.dataset;
  return {
    kind: 'values',
    source,
    read(): Promise<ValueBatch> {
      return Promise.resolve({
        rows: new Set(d.values.map((v) => v.line)).size,
        warnings: [],
        values: d.values.map((v) => ({
          source: source.id,
          variable: v.variable,
          level: d.level,
          code: v.code,
          value: v.status === 'ok' ? v.value : null,
          status: v.status,
          ...(v.marker !== undefined ? { marker: v.marker } : {}),
          line: v.line
        }))
      });
    }
  };
}

/**
 * The catalogue entries of published datasets: one indicator per id, its series one per
 * published year, described by its most recent vintage.
 */
export function datasetDefinitions(files: readonly DatasetFile[]): IndicatorDefinition[] {
  const byId = new Map<string, DatasetFile[]>();
  for (const f of files) byId.set(f.dataset.indicator.id, [...(byId.get(f.dataset.indicator.id) ?? []), f]);
  const defs: IndicatorDefinition[] = [];
  for (const [id, list] of [...byId].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sorted = [...list].sort((a, b) => a.dataset.year - b.dataset.year);
    const meta = sorted[sorted.length - 1]!.dataset.indicator;
    const ratio = meta.kind === 'ratio';
    defs.push({
      id,
      label: meta.label,
      ...(meta.shortLabel ? { shortLabel: meta.shortLabel } : {}),
      ...(meta.description ? { description: meta.description } : {}),
      theme: meta.theme,
      unit: meta.unit,
      kind: meta.kind,
      scale: ratio ? (meta.scale ?? (meta.unit === '%' ? 100 : meta.unit === '‰' ? 1000 : 1)) : 1,
      decimals: meta.decimals ?? (meta.kind === 'count' || meta.kind === 'median' ? 0 : 1),
      secrecy: {
        threshold: meta.secrecy.threshold,
        on: meta.secrecy.on ?? (ratio ? 'numerator' : 'value'),
        ...(meta.secrecy.reason ? { reason: meta.secrecy.reason } : {})
      },
      series: sorted.map((f) => {
        const i = f.dataset.indicator;
        return {
          year: f.dataset.year,
          source: datasetSourceId(f.dataset),
          ...(i.kind === 'ratio' ? { numerator: i.numerator!, denominator: i.denominator! } : { value: i.value! })
        };
      })
    });
  }
  return defs;
}
