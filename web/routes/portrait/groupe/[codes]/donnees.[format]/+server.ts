import { error } from '@sveltejs/kit';
import { toCsv } from '$server/downloads/csv.ts';
import type { Metadata } from '$server/downloads/table.ts';
import { toXlsx } from '$server/downloads/xlsx.ts';
import { getJson } from '$lib/api';
import { groupFileStem } from '$lib/portrait/group';
import { loadGroupPortrait } from '$lib/server/group-portrait';
import { portraitMetadata, portraitTable } from '$lib/server/portrait-table';
import type { Health } from '$lib/types';
import type { RequestHandler } from './$types';

/** The group portrait's figures, as the standard portrait's (one row per indicator and territory), as CSV or XLSX. */
export const GET: RequestHandler = async ({ fetch, params, url }) => {
  const format = params.format;
  if (format !== 'csv' && format !== 'xlsx') error(404, { message: `Format inconnu : « ${format} » (csv ou xlsx).` });
  const [portrait, health] = await Promise.all([
    loadGroupPortrait(fetch, params.codes, url, `/donnees.${format}`),
    getJson<Health>(fetch, '/api/health')
  ]);
  const now = new Date();
  const table = portraitTable(portrait);
  const name = `portrait_${groupFileStem(portrait.communes.map((c) => c.code))}.${format}`;
  const headers = { 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'no-store' };
  if (format === 'csv') return new Response(toCsv(table), { headers: { ...headers, 'Content-Type': 'text/csv; charset=utf-8' } });
  const metadata: Metadata = [
    ...portraitMetadata(portrait, { id: health.build.id, createdAt: health.build.createdAt }, now),
    ['Communes du groupe', portrait.communes.map((c) => `${c.name} (${c.code})`).join(', ')],
    ...portrait.notes.map((n): [string, string] => ['Note', n]),
    ['Méthode', 'Valeurs du groupe calculées à partir des valeurs communales par le moteur des zonages publiés, secret statistique compris.']
  ];
  // Excel refuses sheet names over 31 characters
  const xlsx = await toXlsx(table, metadata, { sheet: 'Portrait du groupe', created: now });
  return new Response(xlsx as Uint8Array<ArrayBuffer>, {
    headers: { ...headers, 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }
  });
};
