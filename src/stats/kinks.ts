// The global minimum of likelihoods with kinks. Piecewise interpolation (histosys code0, normsys code1)
// has a kink at alpha = 0, and the likelihood need not be convex: a fit from the init can stop in a
// local minimum on one side (validation_2bin_2channel_coupledhistosys with code0: twice_nll 30.2853
// at alpha = -0.19, while 29.2874 lies at alpha > 0). After the first fit, each kinked parameter is
// restarted on the other side of its kink (all else at the best fit), and the lowest minimum kept;
// passes repeat while one improves (a few at most).
import type { Model } from './model.ts';

/** Free parameters whose interpolation has a kink at 0 (empty with the smooth default codes). */
export function kinkedParameters(model: Model, free: ArrayLike<number>): number[] {
  const kinked = new Uint8Array(model.nPars);
  for (const p of model.paramSets) {
    const kinks = (p.type === 'histosys' && model.codes.histosys === 'code0') || (p.type === 'normsys' && model.codes.normsys === 'code1');
    if (kinks) for (let i = 0; i < p.n; i++) kinked[p.offset + i] = 1;
  }
  return Array.from(free).filter((i) => kinked[i]);
}

export interface Minimum { x: Float64Array; f: number }

export interface KinkSearch {
  best: Minimum;
  /** the distinct minima found (twice_nll apart by more than 1e-6), lowest first */
  minima: Minimum[];
}

const MAX_PASSES = 3;
/** how far across the kink a restart begins (in units of the constraint width) */
const ACROSS = 0.5;

/** Restart each kinked parameter across its kink from the best minimum so far; `refit` minimises from
 *  a start and returns its minimum (or null when it fails). */
export function searchAcrossKinks(first: Minimum, kinked: number[], lower: Float64Array, upper: Float64Array, refit: (start: Float64Array) => Minimum | null): KinkSearch {
  const minima: Minimum[] = [first];
  const note = (m: Minimum) => { if (!minima.some((o) => Math.abs(o.f - m.f) <= 1e-6 * Math.max(1, Math.abs(m.f)))) minima.push(m); };
  let best = first;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let improved = false;
    for (const i of kinked) {
      const v = best.x[i]!;
      const starts = Math.abs(v) < 1e-3 ? [ACROSS, -ACROSS] : [-Math.sign(v) * Math.max(Math.abs(v), ACROSS)];
      for (const s0 of starts) {
        const start = Float64Array.from(best.x);
        start[i] = Math.min(upper[i]!, Math.max(lower[i]!, s0));
        const m = refit(start);
        if (!m || !Number.isFinite(m.f)) continue;
        note(m);
        if (m.f < best.f - 1e-9 * Math.max(1, Math.abs(best.f))) { best = m; improved = true; }
      }
    }
    if (!improved) break;
  }
  minima.sort((a, b) => a.f - b.f);
  return { best, minima };
}

