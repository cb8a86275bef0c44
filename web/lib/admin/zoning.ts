/**
 * The zoning editor's model: groups (bassins) and which group each commune belongs to.
 * One map from commune to group makes « each commune at most once » true by construction;
 * the server checks it again (server/admin/publishing/zonings.ts).
 */
import { schemeSet3, schemeTableau10 } from 'd3-scale-chromatic';
import type { ZoningMember, ZoningView } from './types.ts';

export interface Group {
  code: string;
  name: string;
}

export interface ZoningDraft {
  groups: Group[];
  /** commune code → group code */
  assignment: Record<string, string>;
}

export function emptyDraft(): ZoningDraft {
  return { groups: [], assignment: {} };
}

export function fromMembers(members: readonly ZoningMember[]): ZoningDraft {
  const groups: Group[] = [];
  const assignment: Record<string, string> = {};
  for (const m of members) {
    if (!groups.some((g) => g.code === m.group)) groups.push({ code: m.group, name: m.groupName });
    assignment[m.commune] = m.group;
  }
  return { groups, assignment };
}

export function fromView(view: Pick<ZoningView, 'groups'>): ZoningDraft {
  return fromMembers(view.groups.flatMap((g) => g.communes.map((commune) => ({ commune, group: g.code, groupName: g.name }))));
}

/** The members the server stores, by group then commune. */
export function toMembers(draft: ZoningDraft): ZoningMember[] {
  const order = new Map(draft.groups.map((g, i) => [g.code, i]));
  return Object.entries(draft.assignment)
    .filter(([, group]) => order.has(group))
    .sort(([a, ga], [b, gb]) => (order.get(ga) as number) - (order.get(gb) as number) || a.localeCompare(b))
    .map(([commune, group]) => ({ commune, group, groupName: draft.groups[order.get(group) as number]!.name }));
}

/** French reason a new group cannot be added, or null. */
export function groupProblem(draft: ZoningDraft, code: string, name: string): string | null {
  const c = code.trim();
  if (!c) return 'Le code du groupe est obligatoire (par exemple B1).';
  if (c.length > 40) return 'Le code du groupe a 40 caractères au plus.';
  if (/[;"\n\r]/.test(c)) return 'Le code du groupe ne peut contenir ni « ; », ni guillemet, ni retour à la ligne.';
  if (draft.groups.some((g) => g.code === c)) return `Le groupe ${c} existe déjà.`;
  const n = name.trim();
  if (!n) return 'Le nom du groupe est obligatoire.';
  if (n.length > 100) return 'Le nom du groupe a 100 caractères au plus.';
  return null;
}

export function addGroup(draft: ZoningDraft, code: string, name: string): ZoningDraft {
  return { ...draft, groups: [...draft.groups, { code: code.trim(), name: name.trim() }] };
}

export function renameGroup(draft: ZoningDraft, code: string, name: string): ZoningDraft {
  return { ...draft, groups: draft.groups.map((g) => (g.code === code ? { ...g, name } : g)) };
}

/** Removes a group; its communes become unassigned. */
export function removeGroup(draft: ZoningDraft, code: string): ZoningDraft {
  const assignment = Object.fromEntries(Object.entries(draft.assignment).filter(([, g]) => g !== code));
  return { groups: draft.groups.filter((g) => g.code !== code), assignment };
}

/** Puts a commune in a group (moving it out of any other), or out of every group with null. */
export function assign(draft: ZoningDraft, commune: string, group: string | null): ZoningDraft {
  const assignment = { ...draft.assignment };
  if (group === null || !draft.groups.some((g) => g.code === group)) delete assignment[commune];
  else assignment[commune] = group;
  return { ...draft, assignment };
}

/** A click on the map: into the current group, or out of it when it already is there. */
export function toggle(draft: ZoningDraft, commune: string, group: string | null): ZoningDraft {
  return assign(draft, commune, draft.assignment[commune] === group ? null : group);
}

export function communesOf(draft: ZoningDraft, group: string): string[] {
  return Object.entries(draft.assignment)
    .filter(([, g]) => g === group)
    .map(([c]) => c)
    .sort();
}

export interface ZoningChecks {
  /** Communes of the territory no group holds. */
  uncovered: string[];
  /** Groups without any commune: the server would drop them. */
  emptyGroups: string[];
  assigned: number;
}

export function checks(draft: ZoningDraft, communes: readonly string[]): ZoningChecks {
  const held = new Set(Object.keys(draft.assignment));
  return {
    uncovered: communes.filter((c) => !held.has(c)),
    emptyGroups: draft.groups.filter((g) => !Object.values(draft.assignment).includes(g.code)).map((g) => g.code),
    assigned: held.size
  };
}

/** Distinct colours for groups, in order (Tableau 10, then ColorBrewer Set3, then again). */
const GROUP_COLORS = [...schemeTableau10, ...schemeSet3];

export function groupColor(draft: ZoningDraft, group: string): string {
  const i = draft.groups.findIndex((g) => g.code === group);
  return GROUP_COLORS[(i < 0 ? 0 : i) % GROUP_COLORS.length] as string;
}

/** Fill colour by commune, for the map. */
export function colorsByCommune(draft: ZoningDraft): Map<string, string> {
  return new Map(Object.entries(draft.assignment).map(([commune, group]) => [commune, groupColor(draft, group)]));
}

/** A zoning id the server accepts (lower case, starts with a letter), from its label. */
export function zoningId(label: string): string {
  const s = label
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 41)
    .replace(/-+$/, '');
  if (!s) return '';
  return /^[a-z]/.test(s) ? s : `zonage-${s}`.slice(0, 41).replace(/-+$/, '');
}
