/** Ad-hoc groups of communes: the portrait's URL and data (server/routes/group-portraits.ts). */
import type { Portrait } from '../types';

export interface GroupCommune {
  code: string;
  name: string;
  ept: string | null;
  departement: string | null;
}

/** GET /api/portraits/groupe: a portrait whose territory is the group, plus its communes. */
export interface GroupPortrait extends Portrait {
  communes: GroupCommune[];
  /** Former codes converted (93059 → 93066), in French. */
  notes: string[];
}

/** An INSEE commune code (Corsica included), as the API accepts it. */
export const COMMUNE_CODE = /^(\d{5}|2[AB]\d{3})$/;

/** Sorted, duplicates collapsed: the group's identity, whatever order its communes were picked in. */
export function canonicalCodes(codes: Iterable<string>): string[] {
  return [...new Set(codes)].sort();
}

/** `/portrait/groupe/93010-93048-93064?nom=Mon%20secteur` */
export function groupPortraitPath(codes: Iterable<string>, name?: string | null, suffix = ''): `/portrait/groupe/${string}` {
  const path = `/portrait/groupe/${canonicalCodes(codes).join('-')}${suffix}` as const;
  const nom = name?.trim();
  return nom ? `${path}?${new URLSearchParams({ nom })}` : path;
}

/** The codes of a `/portrait/groupe/{codes}` segment, in the order written. */
export function codesFromSegment(segment: string): string[] {
  return segment.split('-').filter((c) => c !== '');
}

/** The map maker composing this group: `/carte?groupe=93010,93048&nomgroupe=…`. */
export function groupMapPath(codes: Iterable<string>, name?: string | null): `/carte?${string}` {
  const nom = name?.trim();
  const list = canonicalCodes(codes).join(',');
  return `/carte?niveau=commune&groupe=${list}${nom ? `&${new URLSearchParams({ nomgroupe: nom })}` : ''}`;
}

/** A download's file name: the codes while they stay short, else the number of communes. */
export function groupFileStem(codes: readonly string[]): string {
  const joined = codes.join('-');
  return joined.length <= 60 ? `groupe-${joined}` : `groupe-${codes.length}-communes`;
}
