import { describe, expect, it } from 'vitest';
import { classCounts, classIndex, classify, parseBreaks } from './classify';

const values = [1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 31, 32, 100];

describe('classify', () => {
  it('puts about as many territories in each class with quantiles', () => {
    const { bounds } = classify(values, 'quantiles', 5);
    expect(bounds[0]).toBe(1);
    expect(bounds.at(-1)).toBe(100);
    const counts = classCounts(values, bounds);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(values.length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(2);
  });

  it('cuts the range into equal intervals', () => {
    expect(classify([0, 10, 20, 40], 'intervalles', 4).bounds).toEqual([0, 10, 20, 30, 40]);
  });

  it('finds the natural breaks (ckmeans) between clusters', () => {
    const { bounds } = classify([1, 2, 3, 20, 21, 22, 50, 51, 52], 'jenks', 3);
    expect(bounds).toEqual([1, 20, 50, 52]);
  });

  it('centres standard deviation classes on the mean', () => {
    const data = [10, 20, 30, 40, 50];
    const { bounds } = classify(data, 'ecart-type', 3);
    const sd = Math.sqrt(200);
    expect(bounds[1]).toBeCloseTo(30 - sd / 2);
    expect(bounds[2]).toBeCloseTo(30 + sd / 2);
  });

  it('uses manual breaks within the range and reports the others', () => {
    const result = classify(values, 'manuel', 5, [5, 50, 500]);
    expect(result.bounds).toEqual([1, 5, 50, 100]);
    expect(result.note).toMatch(/1 seuil hors de l’étendue/);
  });

  it('merges equal bounds and says why there are fewer classes', () => {
    const result = classify([1, 1, 1, 1, 1, 1, 2, 3], 'quantiles', 5);
    expect(new Set(result.bounds).size).toBe(result.bounds.length);
    expect(result.note).toMatch(/classes au lieu de 5/);
  });

  it('clamps the number of classes to 3–9', () => {
    expect(classify(values, 'intervalles', 20).bounds).toHaveLength(10);
    expect(classify(values, 'intervalles', 1).bounds).toHaveLength(4);
  });

  it('ignores missing values (they are never classified as zero)', () => {
    expect(classify([Number.NaN, 5, 10], 'intervalles', 3).bounds[0]).toBe(5);
    expect(classify([], 'quantiles', 5).bounds).toEqual([]);
  });
});

describe('classIndex', () => {
  it('closes the last class on its upper bound', () => {
    const bounds = [0, 10, 20];
    expect(classIndex(0, bounds)).toBe(0);
    expect(classIndex(10, bounds)).toBe(1);
    expect(classIndex(20, bounds)).toBe(1);
    expect(classIndex(21, bounds)).toBe(-1);
  });
});

describe('parseBreaks', () => {
  it('reads French decimals and several separators', () => {
    expect(parseBreaks('10 ; 12,5;15 ; 20')).toEqual([10, 12.5, 15, 20]);
    expect(parseBreaks('10 12.5  15')).toEqual([10, 12.5, 15]);
    expect(parseBreaks('1\u202f000 ; 2 500 ; x')).toEqual([1000, 2500]);
  });
});
