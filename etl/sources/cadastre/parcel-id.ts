/**
 * The national parcel identifier of the DGFiP (14 characters): INSEE commune (5) +
 * préfixe de section (3, `000` unless the commune absorbed another one) + section
 * (2, a one-letter section is written `0A`) + numéro (4, zero-padded), e.g.
 * `930100000A0224`. Etalab's GeoJSON, EDIGEO (after adding the département) and
 * DVF (after padding) all reduce to it, which is what lets a sale find its parcel.
 */

export interface ParcelIdParts {
  commune: string;
  prefixe: string;
  section: string;
  numero: string;
}

export const PARCEL_ID = /^(?:\d{2}|2[AB])\d{3}\d{3}[0-9A-Z]{2}\d{4}$/;
const COMMUNE = /^(?:\d{5}|2[AB]\d{3})$/;
const SECTION = /^[0-9A-Z]{1,2}$/;

/** `A` → `0A`, `AB` → `AB`; null when it cannot be a section code. */
export function normaliseSection(raw: string): string | null {
  const s = raw.trim().toUpperCase();
  return SECTION.test(s) ? s.padStart(2, '0') : null;
}

/** `''`/`NA` → `000` (no préfixe), `302` → `302`; null when not 1–3 digits. */
export function normalisePrefixe(raw: string): string | null {
  const s = raw.trim();
  if (s === '' || s === 'NA') return '000';
  return /^\d{1,3}$/.test(s) ? s.padStart(3, '0') : null;
}

/** `224` → `0224`; null when not 1–4 digits (DVF and Etalab never publish more). */
export function normaliseNumero(raw: string): string | null {
  const s = raw.trim();
  return /^\d{1,4}$/.test(s) && Number(s) > 0 ? s.padStart(4, '0') : null;
}

/** Builds the 14-character id from already normalised parts. */
export function parcelId(p: ParcelIdParts): string {
  return `${p.commune}${p.prefixe}${p.section}${p.numero}`;
}

/** Builds the id from a producer's raw parts; null when a part is not valid (the caller says which). */
export function parcelIdFromRaw(commune: string, prefixe: string, section: string, numero: string): { id: string; parts: ParcelIdParts } | { invalid: 'commune' | 'prefixe' | 'section' | 'numero' } {
  if (!COMMUNE.test(commune)) return { invalid: 'commune' };
  const p = normalisePrefixe(prefixe);
  if (p === null) return { invalid: 'prefixe' };
  const s = normaliseSection(section);
  if (s === null) return { invalid: 'section' };
  const n = normaliseNumero(numero);
  if (n === null) return { invalid: 'numero' };
  const parts = { commune, prefixe: p, section: s, numero: n };
  return { id: parcelId(parts), parts };
}

/** Splits a valid 14-character id into its parts. */
export function splitParcelId(id: string): ParcelIdParts {
  return { commune: id.slice(0, 5), prefixe: id.slice(5, 8), section: id.slice(8, 10), numero: id.slice(10, 14) };
}
