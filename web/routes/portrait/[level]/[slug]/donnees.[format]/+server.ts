import { error } from '@sveltejs/kit';
import { toCsv } from '$server/downloads/csv.ts';
import { toXlsx } from '$server/downloads/xlsx.ts';
import { portraitMetadata, portraitTable } from '$lib/server/portrait-table';
import { loadPortrait } from '$lib/server/portrait';
import type { Health } from '$lib/types';
import { getJson } from '$lib/api';
import type { RequestHandler } from './$types';

/** The portrait's figures, each territory and comparison on its own row, as CSV or XLSX. */
export const GET: RequestHandler = async ({ fetch, params }) => {
  const format = params.format;
  if (format !== 'csv' && format !== 'xlsx') error(404, { message: `Format inconnu : « ${format} » (csv ou xlsx).` });
  const [portrait, health] = await Promise.all([
    loadPortrait(fetch, params.level, params.slug, `/donnees.${format}`),
    getJson<Health>(fetch, '/api/health')
  ]);
  const t = portrait.territory;
  const now = new Date();
  const table = portraitTable(portrait);
  const name = `portrait_${t.level}_${t.code}.${format}`;
  const headers = { 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'no-store' };
  if (format === 'csv') return new Response(toCsv(table), { headers: { ...headers, 'Content-Type': 'text/csv; charset=utf-8' } });
  const metadata = portraitMetadata(portrait, { id: health.build.id, createdAt: health.build.createdAt }, now);
  const xlsx = await toXlsx(table, metadata, { sheet: `Portrait ${t.code}`, created: now });
  return new Response(xlsx as Uint8Array<ArrayBuffer>, {
    headers: { ...headers, 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }
  });
};
