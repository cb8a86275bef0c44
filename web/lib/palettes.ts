import {
  schemeBlues,
  schemeBrBG,
  schemeBuPu,
  schemeGnBu,
  schemeGreens,
  schemeGreys,
  schemeOrRd,
  schemeOranges,
  schemePRGn,
  schemePiYG,
  schemePuBu,
  schemePuOr,
  schemePurples,
  schemeRdBu,
  schemeRdYlBu,
  schemeReds,
  schemeSpectral,
  schemeYlGnBu,
  schemeYlOrBr,
  schemeYlOrRd
} from 'd3-scale-chromatic';

export type PaletteKind = 'sequentielle' | 'divergente';

export interface Palette {
  id: string;
  label: string;
  kind: PaletteKind;
  /** ColorBrewer schemes indexed by class count (3 to 9 at least). */
  scheme: readonly (readonly string[])[];
}

/** ColorBrewer palettes (Cynthia Brewer, Penn State) as d3-scale-chromatic ships them. */
export const PALETTES: readonly Palette[] = [
  { id: 'Blues', label: 'Bleus', kind: 'sequentielle', scheme: schemeBlues },
  { id: 'Greens', label: 'Verts', kind: 'sequentielle', scheme: schemeGreens },
  { id: 'Oranges', label: 'Oranges', kind: 'sequentielle', scheme: schemeOranges },
  { id: 'Reds', label: 'Rouges', kind: 'sequentielle', scheme: schemeReds },
  { id: 'Purples', label: 'Violets', kind: 'sequentielle', scheme: schemePurples },
  { id: 'Greys', label: 'Gris', kind: 'sequentielle', scheme: schemeGreys },
  { id: 'YlOrRd', label: 'Jaune – orange – rouge', kind: 'sequentielle', scheme: schemeYlOrRd },
  { id: 'YlOrBr', label: 'Jaune – orange – brun', kind: 'sequentielle', scheme: schemeYlOrBr },
  { id: 'YlGnBu', label: 'Jaune – vert – bleu', kind: 'sequentielle', scheme: schemeYlGnBu },
  { id: 'OrRd', label: 'Orange – rouge', kind: 'sequentielle', scheme: schemeOrRd },
  { id: 'GnBu', label: 'Vert – bleu', kind: 'sequentielle', scheme: schemeGnBu },
  { id: 'PuBu', label: 'Violet – bleu', kind: 'sequentielle', scheme: schemePuBu },
  { id: 'BuPu', label: 'Bleu – violet', kind: 'sequentielle', scheme: schemeBuPu },
  { id: 'RdBu', label: 'Rouge – bleu', kind: 'divergente', scheme: schemeRdBu },
  { id: 'RdYlBu', label: 'Rouge – jaune – bleu', kind: 'divergente', scheme: schemeRdYlBu },
  { id: 'BrBG', label: 'Brun – vert d’eau', kind: 'divergente', scheme: schemeBrBG },
  { id: 'PiYG', label: 'Rose – vert', kind: 'divergente', scheme: schemePiYG },
  { id: 'PRGn', label: 'Violet – vert', kind: 'divergente', scheme: schemePRGn },
  { id: 'PuOr', label: 'Violet – orange', kind: 'divergente', scheme: schemePuOr },
  { id: 'Spectral', label: 'Spectral', kind: 'divergente', scheme: schemeSpectral }
];

export const DEFAULT_PALETTE = 'YlOrRd';

export function palette(id: string): Palette {
  return PALETTES.find((p) => p.id === id) ?? (PALETTES.find((p) => p.id === DEFAULT_PALETTE) as Palette);
}

/** `k` colours, light to dark (sequential) or one end to the other (diverging); reversed on demand. */
export function colours(id: string, k: number, reverse = false): string[] {
  const scheme = palette(id).scheme;
  let list: string[];
  if (k < 3) {
    // ColorBrewer starts at 3 classes: take the ends of the 3-class scheme
    const three = [...(scheme[3] ?? [])];
    list = k <= 1 ? [three[1] ?? '#888'] : [three[0] ?? '#ddd', three[2] ?? '#333'];
  } else {
    list = [...(scheme[Math.min(k, 9)] ?? scheme[9] ?? [])];
  }
  return reverse ? list.reverse() : list;
}

/** Text colour readable on `background` (WCAG relative luminance). */
export function textOn(background: string): string {
  const hex = background.replace('#', '');
  if (hex.length !== 6) return '#000';
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
  return l > 0.179 ? '#000' : '#fff';
}
