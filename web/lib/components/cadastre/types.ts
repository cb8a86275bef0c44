/** Shapes of the cadastre API answers (server/routes/cadastre.ts) used by the pages. */

export type Change = 'created' | 'deleted' | 'geometry' | 'merged' | 'split';
export const CHANGES: Change[] = ['created', 'deleted', 'geometry', 'merged', 'split'];

export const CHANGE_LABELS: Record<Change, string> = {
  created: 'Créées',
  deleted: 'Supprimées',
  geometry: 'Géométrie modifiée',
  merged: 'Issues d’une fusion',
  split: 'Divisées'
};

/** Colour-blind–friendly (Okabe–Ito). */
export const CHANGE_COLORS: Record<Change, string> = {
  created: '#009e73',
  deleted: '#d55e00',
  geometry: '#0072b2',
  merged: '#cc79a7',
  split: '#e69f00'
};

export interface ParcelSale {
  date: string;
  year: number;
  nature: string | null;
  value: number | null;
  type: string | null;
  builtSurface: number | null;
  landSurface: number | null;
  rooms: number | null;
  priceM2: number | null;
  priceStatus: string | null;
  parcels: string[];
}

export interface Parcel {
  id: string;
  commune: string;
  prefixe: string;
  section: string;
  numero: string;
  contenance: number | null;
  vintage: string;
  current: boolean;
  versions: { vintage: string; contenance: number | null; sameGeometryAsPrevious: boolean | null }[];
  history: { from: string; to: string; id: string; change: Change; relatedIds: string[]; role: 'parcelle' | 'liee' }[];
  sales: ParcelSale[];
}

export type Counts = Record<Change, number>;

export interface History {
  commune: string;
  from: string;
  to: string;
  parcelCount: { from: number; to: number };
  counts: Counts;
  sections: ({ section: string } & Counts)[];
}

export interface CommuneList {
  layers: { id: string; label: string; minZoom: number; maxZoom: number }[];
  communes: { commune: string; name: string | null; layers: Record<string, string[]> }[];
}

export interface SearchResult {
  total: number;
  results: { id: string; commune: string; prefixe: string; section: string; numero: string; contenance: number | null; lastVintage: string; current: boolean }[];
}
