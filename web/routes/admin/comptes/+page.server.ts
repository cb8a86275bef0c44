import { error } from '@sveltejs/kit';
import { adminGet } from '$lib/admin/load.server';
import type { Account } from '$lib/admin/types';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { user } = await event.parent();
  if (user?.role !== 'admin') error(403, { message: 'La gestion des comptes est réservée aux administrateurs.', code: 'acces_refuse' });
  const { users } = await adminGet<{ users: Account[] }>(event, '/api/admin/users');
  return { users };
};
