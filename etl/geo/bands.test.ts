import { describe, expect, it } from 'vitest';
import { bandMinWeight, DEFAULT_ZOOM_BANDS, metresPerPixel } from './bands.ts';

describe('bandMinWeight', () => {
  it('shrinks 16-fold per two zoom levels and keeps everything in the full-resolution band', () => {
    const [b0, b1, b2, b3] = DEFAULT_ZOOM_BANDS.map((b) => bandMinWeight(b, 48.9, 1));
    expect(b3).toBe(0);
    expect(b0! / b1!).toBeCloseTo(64, 6); // maxZoom 7 vs 10: (2^3)²
    expect(b1! / b2!).toBeCloseTo(16, 6); // maxZoom 10 vs 12
  });

  it('uses MapLibre’s 512-pixel tiles: ~402 m per pixel at zoom 7 at the latitude of Paris', () => {
    expect(metresPerPixel(7, 48.9)).toBeGreaterThan(400);
    expect(metresPerPixel(7, 48.9)).toBeLessThan(404);
  });
});
