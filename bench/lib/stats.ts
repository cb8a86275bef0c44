/** Small statistics and French formatting helpers shared by the benchmarks. */

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0–100) of a non-empty sample. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(Math.max(rank, 1), s.length) - 1] as number;
}

export function sum(xs: readonly number[]): number {
  let t = 0;
  for (const x of xs) t += x;
  return t;
}

const fr = (digits: number) => new Intl.NumberFormat('fr-FR', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** 1234.5 → « 1 234,5 » (narrow no-break spaces replaced by plain spaces for terminals). */
export function num(x: number, digits = 0): string {
  return fr(digits).format(x).replace(/\u202f|\u00a0/g, ' ');
}

export function ms(x: number, digits = 2): string {
  return `${num(x, digits)} ms`;
}

export function seconds(msValue: number, digits = 2): string {
  return `${num(msValue / 1000, digits)} s`;
}

export function ratio(x: number): string {
  return `${num(x, 2)}×`;
}

export function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${num(n / 1024 / 1024, 1)} Mio`;
  if (n >= 1024) return `${num(n / 1024, 1)} Kio`;
  return `${num(n)} o`;
}
