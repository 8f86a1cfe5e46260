// The numbers behind the data points and the data/prediction panel: Poisson (Garwood) error bars,
// which give an empty bin its upper error of 1.84, the ratio per bin, a ratio range that adapts to
// what is drawn, and the points outside it (drawn as arrows at the edge).
import { gammaQ } from '../stats/special.ts';

/** Central 68.27% interval (one Gaussian sigma) of a Poisson mean given n observed (Garwood 1936,
 *  ROOT's TH1::kPoisson, the error bars of ATLAS and CMS data points): [n - lower, n + upper]. */
export function poissonErrors(n: number): [lower: number, upper: number] {
  const tail = (1 - 0.6826894921370859) / 2;
  // lower end: P(n, x) = tail, i.e. Q(n, x) = 1 - tail; upper end: Q(n + 1, x) = tail
  const lo = n > 0 ? solveQ(n, 1 - tail) : 0;
  const hi = solveQ(n + 1, tail);
  return [n - lo, hi - n];
}

/** x with Q(a, x) = q by bisection (Q falls from 1 to 0 as x grows). */
function solveQ(a: number, q: number): number {
  let lo = 0, hi = a + 20 * Math.sqrt(a) + 20;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (gammaQ(a, mid) > q) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}

export interface RatioPoint {
  bin: number;
  value: number;
  lower: number;
  upper: number;
}

/** data / prediction per bin with the data's Poisson errors scaled alike; no point where the
 *  prediction is 0. An empty data bin is a point at 0. */
export function ratioPoints(data: ArrayLike<number>, total: ArrayLike<number>): RatioPoint[] {
  const out: RatioPoint[] = [];
  for (let i = 0; i < data.length; i++) {
    const t = total[i]!;
    if (!(t > 0)) continue;
    const [lo, hi] = poissonErrors(Math.max(0, data[i]!));
    out.push({ bin: i, value: data[i]! / t, lower: lo / t, upper: hi / t });
  }
  return out;
}

/** Ranges of the ratio axis, narrowest first: the first that holds every central value and the
 *  band is taken; points beyond the widest get arrows. */
export const RATIO_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0.9, 1.1], [0.8, 1.2], [0.7, 1.3], [0.6, 1.4], [0.5, 1.5], [0.25, 1.75], [0, 2],
];

/** The ratio axis range: holds every ratio's central value and the band 1 +- relative uncertainty
 *  with a margin of 10% of the range. An empty data bin (ratio 0) widens it to 0 only if the range
 *  reaches 0 anyway: else it is an arrow, not a reason to squash every other point. */
export function ratioRange(points: RatioPoint[], relUncertainty: ArrayLike<number> = []): [number, number] {
  const need = [...points.filter((p) => p.value > 0).map((p) => p.value), ...Array.from(relUncertainty, (u) => 1 + u), ...Array.from(relUncertainty, (u) => 1 - u)];
  for (const r of RATIO_RANGES) {
    const margin = 0.1 * (r[1] - r[0]);
    if (need.every((v) => v >= r[0] + (r[0] > 0 ? margin : 0) && v <= r[1] - margin)) return [r[0], r[1]];
  }
  return [...RATIO_RANGES[RATIO_RANGES.length - 1]!] as [number, number];
}

/** Points whose central value is outside [lo, hi]: 'up' above, 'down' below. */
export function offScale(points: RatioPoint[], range: [number, number]): Array<{ bin: number; direction: 'up' | 'down' }> {
  const out: Array<{ bin: number; direction: 'up' | 'down' }> = [];
  for (const p of points) {
    if (p.value > range[1]) out.push({ bin: p.bin, direction: 'up' });
    else if (p.value < range[0]) out.push({ bin: p.bin, direction: 'down' });
  }
  return out;
}
