// Toy-based CLs as pyhf's ToyCalculator computes it (test_stat='qtilde'): toys of the full pdf (main
// bins Poisson, auxdata Gaussian or Poisson around their expectation) generated at the parameters of
// the fixed-POI fits to the data at mu (s+b) and at 0 (b-only); on each toy the qtilde statistic
// (free and fixed-POI fits from the suggested init, clipped at 0, 0 when the fitted POI exceeds mu);
// CLs+b and CLb are the fractions of s+b and b-only toys with a statistic >= the observed one, CLs
// their ratio; the expected band are the 2.3/15.9/50/84.1/97.7 percentiles over the b-only toys of
// CLs computed at each b-only toy's statistic. Toys come in fixed batches with seeds derived from
// (seed, hypothesis, batch), so results do not depend on how batches are spread over workers.
import { fit } from '../fit.ts';
import type { Dataset, Model } from '../model.ts';
import { rng, type Rng } from '../random.ts';

export const TOY_BATCH = 200;
/** numpy.percentile points of pyhf's expected band (-2 .. +2 sigma of the b-only statistic) */
export const BAND_PERCENTILES = [2.275013, 15.865525, 50.0, 84.134475, 97.724987] as const;

export type Hypothesis = 'sb' | 'b';

/** A toy of the full pdf at `pars`. */
export function toyDataset(model: Model, pars: Float64Array, r: Rng, aux = model.auxConstraints()): Dataset {
  const lam = model.expectedMain(pars), mean = model.expectedAux(pars);
  const main = Float64Array.from(lam, (l) => r.poisson(l));
  const a = Float64Array.from(mean, (m, k) => (aux.poisson[k] ? r.poisson(m) : m + aux.sigma[k]! * r.normal()));
  return model.dataset(main, a);
}

/** Convergence of the toys' fits (estimated distance to the minimum in twice_nll): qtilde to ~1e-7,
 *  far below any difference between toys, at about half the fitting time of the default 1e-10.
 *  The observed statistic uses the same, so a toy equal to the data ties exactly. */
export const TOY_EDM_TOLERANCE = 1e-7;

/** pyhf's qmu_tilde on a dataset: the free fit, and when its POI is not above mu the fixed-POI fit,
 *  clipped at 0 (hypotest.ts's qmuTilde, with the toys' tolerance). */
export function qtildeOf(model: Model, mu: number, data: Dataset): number {
  const free = fit(model, { data, hesse: false, edmTolerance: TOY_EDM_TOLERANCE });
  if (free.bestfit[model.poiIndex]! > mu) return 0;
  const cond = fit(model, { data, poiValue: mu, hesse: false, edmTolerance: TOY_EDM_TOLERANCE });
  return Math.max(cond.twiceNll - free.twiceNll, 0);
}

/** The generating parameters: the fixed-POI fit to the data at mu (s+b) or at 0 (b-only). */
export function toyParameters(model: Model, mu: number, hypothesis: Hypothesis, data: Dataset = model.observed): Float64Array {
  return fit(model, { data, poiValue: hypothesis === 'sb' ? mu : 0, hesse: false }).bestfit;
}

/** 32-bit seed of one batch */
export function batchSeed(seed: number, hypothesis: Hypothesis, batch: number): number {
  let h = (seed >>> 0) ^ 0x9e3779b9;
  for (const v of [hypothesis === 'sb' ? 1 : 2, batch]) h = Math.imul(h ^ v, 0x85ebca6b) ^ (h >>> 13);
  return h >>> 0;
}

/** The qtilde values of `count` toys of one batch. */
export function toyBatch(model: Model, mu: number, pars: Float64Array, seed: number, count: number): number[] {
  const r = rng(seed), aux = model.auxConstraints();
  return Array.from({ length: count }, () => qtildeOf(model, mu, toyDataset(model, pars, r, aux)));
}

/** Batches of `ntoys`: [batch index, toys in it]. */
export function batches(ntoys: number): Array<[number, number]> {
  return Array.from({ length: Math.ceil(ntoys / TOY_BATCH) }, (_, k) => [k, Math.min(TOY_BATCH, ntoys - k * TOY_BATCH)]);
}

/** Fraction of sorted samples >= value (pyhf's EmpiricalDistribution.pvalue). */
export function tailFraction(sorted: Float64Array, value: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (sorted[m]! < value) lo = m + 1; else hi = m; }
  return (sorted.length - lo) / sorted.length;
}

/** numpy.percentile (linear interpolation) of sorted values. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const pos = (q / 100) * (sorted.length - 1), i = Math.floor(pos), f = pos - i;
  return i + 1 < sorted.length ? sorted[i]! + f * (sorted[i + 1]! - sorted[i]!) : sorted[i]!;
}

export interface ToyResult {
  poi: number;
  ntoys: number;
  /** qtilde on the data */
  qObs: number;
  clsObs: number; clsbObs: number; clbObs: number;
  /** binomial error of clsObs from the finite toys */
  clsObsError: number;
  /** expected CLs band, pyhf's percentiles of the b-only toys (ascending) */
  clsExp: number[];
  /** the toys' test statistics */
  sb: Float64Array; b: Float64Array;
}

/** CLs from the two distributions of test statistics and the observed one. */
export function toyCls(mu: number, qObs: number, sbValues: ArrayLike<number>, bValues: ArrayLike<number>): ToyResult {
  const sb = Float64Array.from(sbValues).sort(), b = Float64Array.from(bValues).sort();
  const clsAt = (t: number) => { const psb = tailFraction(sb, t), pb = tailFraction(b, t); return { psb, pb, cls: psb / pb }; };
  const o = clsAt(qObs);
  const err = o.cls * Math.sqrt((1 - o.psb) / (o.psb * sb.length) + (1 - o.pb) / (o.pb * b.length));
  const perToy = Float64Array.from(b, (t) => clsAt(t).cls).sort();
  return {
    poi: mu, ntoys: sb.length, qObs, clsObs: o.cls, clsbObs: o.psb, clbObs: o.pb, clsObsError: err,
    clsExp: BAND_PERCENTILES.map((q) => percentile(perToy, q)), sb, b,
  };
}

/** Toy-based hypothesis test at mu in this thread (the limit node spreads the batches instead). */
export function toyHypotest(model: Model, mu: number, opts: { ntoys: number; seed: number; data?: Dataset }): ToyResult {
  const data = opts.data ?? model.observed;
  const run = (h: Hypothesis) => {
    const pars = toyParameters(model, mu, h, data);
    return batches(opts.ntoys).flatMap(([k, n]) => toyBatch(model, mu, pars, batchSeed(opts.seed, h, k), n));
  };
  return toyCls(mu, qtildeOf(model, mu, data), run('sb'), run('b'));
}
