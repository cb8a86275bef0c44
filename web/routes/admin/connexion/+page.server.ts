import { redirect } from '@sveltejs/kit';
import { safeLocalPath } from '$lib/admin/paths';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent, url }) => {
  const { user } = await parent();
  const suite = safeLocalPath(url.searchParams.get('suite'), '/admin');
  if (user) redirect(303, suite);
  return { suite, motif: url.searchParams.get('motif') };
};
