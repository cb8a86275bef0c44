import { adminGet } from '$lib/admin/load.server';
import type { AuditPage } from '$lib/admin/types';
import type { PageServerLoad } from './$types';

const PAGE_SIZE = 50;

export const load: PageServerLoad = async (event) => {
  const { url } = event;
  const page = Math.max(1, Math.floor(Number(url.searchParams.get('page')) || 1));
  const username = url.searchParams.get('utilisateur')?.trim() ?? '';
  const action = url.searchParams.get('action')?.trim() ?? '';
  const query = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String((page - 1) * PAGE_SIZE) });
  if (username) query.set('username', username);
  if (action) query.set('action', action);
  const log = await adminGet<AuditPage>(event, `/api/admin/audit?${query}`);
  return { log, page, pageSize: PAGE_SIZE, filters: { username, action } };
};
