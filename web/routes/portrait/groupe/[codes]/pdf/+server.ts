import { redirect } from '@sveltejs/kit';
import { formatDate } from '$lib/format';
import { groupFileStem, groupPortraitPath } from '$lib/portrait/group';
import { askedName, loadGroupPortrait } from '$lib/server/group-portrait';
import { chromiumAvailable, internalOrigin, renderPdf } from '$lib/server/pdf';
import type { RequestHandler } from './$types';

/** The group's portrait as an A4 PDF, printed as the standard portrait's is (routes/portrait/[level]/[slug]/pdf). */
export const GET: RequestHandler = async ({ fetch, params, url, platform }) => {
  const portrait = await loadGroupPortrait(fetch, params.codes, url, '/pdf');
  const codes = portrait.communes.map((c) => c.code);
  const page = groupPortraitPath(codes, askedName(url));
  const separator = page.includes('?') ? '&' : '?';
  if (!chromiumAvailable()) redirect(303, `${page}${separator}impression=1`);
  const t = portrait.territory;
  try {
    const pdf = await renderPdf(`${internalOrigin(url, platform?.req)}${page}${separator}pdf=1`, {
      footer: `Observatoire de la Seine-Saint-Denis — portrait de ${t.name} (groupe de ${codes.length} commune${codes.length > 1 ? 's' : ''}), ${formatDate(new Date())}`
    });
    return new Response(pdf as Uint8Array<ArrayBuffer>, {
      headers: {
        'Content-Type': 'application/pdf',
        'Content-Disposition': `attachment; filename="portrait-${groupFileStem(codes)}.pdf"`,
        'Cache-Control': 'no-store'
      }
    });
  } catch (e) {
    console.error(`PDF du portrait ${page} : ${(e as Error).stack ?? (e as Error).message}`);
    redirect(303, `${page}${separator}impression=1`);
  }
};
