import { redirect } from '@sveltejs/kit';
import { formatDate } from '$lib/format';
import { chromiumAvailable, internalOrigin, renderPdf } from '$lib/server/pdf';
import { canonical, loadPortrait } from '$lib/server/portrait';
import type { RequestHandler } from './$types';

/**
 * The portrait as an A4 PDF, printed by headless Chromium from the page itself (maps
 * and charts included). Without Chromium, the page opens in print mode: the print
 * stylesheet lays it out and the browser's dialog saves it as PDF.
 */
export const GET: RequestHandler = async ({ fetch, params, url, platform }) => {
  const portrait = await loadPortrait(fetch, params.level, params.slug, '/pdf');
  const path = canonical(portrait);
  if (!chromiumAvailable()) redirect(303, `${path}?impression=1`);
  const t = portrait.territory;
  try {
    const pdf = await renderPdf(`${internalOrigin(url, platform?.req)}${path}?pdf=1`, {
      footer: `Observatoire de la Seine-Saint-Denis — portrait de ${t.name} (${t.levelLabel.toLowerCase()}), ${formatDate(new Date())}`
    });
    return new Response(pdf as Uint8Array<ArrayBuffer>, {
      headers: {
        'Content-Type': 'application/pdf',
        'Content-Disposition': `attachment; filename="portrait-${t.level}-${t.code}.pdf"`,
        'Cache-Control': 'no-store'
      }
    });
  } catch (e) {
    console.error(`PDF du portrait ${path} : ${(e as Error).stack ?? (e as Error).message}`);
    redirect(303, `${path}?impression=1`);
  }
};
