// Asymptotic CLs with the qtilde test statistic (arXiv:1007.1727), as pyhf's
// hypotest(poi, data, model, test_stat='qtilde', calctype='asymptotics', return_expected_set=True).
// The fits that do not depend on the tested POI value (the free fit to the data, the background-only
// Asimov dataset and the free fit to it) are done once per context, so a limit scan only needs two
// fixed-POI fits per point, and points are independent of each other (cacheable, parallelisable).
import { fit } from '../fit.ts';
import type { FitResult } from '../fit.ts';
import type { Dataset, Model } from '../model.ts';
import { normalCdf } from '../special.ts';

export const EXPECTED_SIGMAS = [2, 1, 0, -1, -2] as const;

export interface HypotestContext {
  model: Model;
  data: Dataset;
  /** unconditional fit to the data */
  free: FitResult;
  /** fit to the data with the POI fixed at 0 (gives the Asimov dataset) */
  backgroundOnly: FitResult;
  /** background-only (POI = 0) Asimov dataset and the unconditional fit to it */
  asimov: Dataset;
  asimovFree: FitResult;
}

export interface HypotestResult {
  poi: number;
  clsObs: number;
  /** expected CLs for -2, -1, 0, +1, +2 sigma (pyhf's order) */
  clsExp: number[];
  clsbObs: number;
  clbObs: number;
  qmu: number;
  qmuA: number;
}

/** Do the POI-independent fits of a qtilde hypothesis test. */
export function hypotestContext(model: Model, data: Dataset = model.observed): HypotestContext {
  // every fit starts from the suggested init, as pyhf's do: with non-convex likelihoods (histosys
  // shifts) a warm start can land in another local minimum than pyhf's
  const free = fit(model, { data, hesse: false });
  const bkg = fit(model, { data, poiValue: 0, hesse: false });
  const asimov = model.expectedDataset(bkg.bestfit);
  const asimovFree = fit(model, { data: asimov, hesse: false });
  return { model, data, free, backgroundOnly: bkg, asimov, asimovFree };
}

/** qtilde-like statistic: 2 (nll(mu) - nll(free)), clipped at 0, and 0 when the fitted POI exceeds mu. */
export function qmuTilde(model: Model, mu: number, data: Dataset, free: FitResult): number {
  if (free.bestfit[model.poiIndex]! > mu) return 0;
  const cond = fit(model, { data, poiValue: mu, hesse: false });
  return Math.max(cond.twiceNll - free.twiceNll, 0);
}

/** CLs+b, CLb and CLs of a test statistic in pyhf's -muhat/sigma space. */
export function clsFromTeststat(t: number, sqrtqmuA: number): { clsb: number; clb: number; cls: number } {
  const clsb = normalCdf(-(t + sqrtqmuA));
  const clb = normalCdf(-t);
  return { clsb, clb, cls: clsb / clb };
}

/** Expected CLs band (-2..+2 sigma) for a given sqrt(qmu_A). */
export function expectedCls(sqrtqmuA: number): number[] {
  return EXPECTED_SIGMAS.map((n) => clsFromTeststat(n, sqrtqmuA).cls);
}

/** Test statistic value for qtilde given qmu and qmu_A. */
export function qtildeTeststat(qmu: number, qmuA: number): number {
  const sq = Math.sqrt(qmu), sqA = Math.sqrt(qmuA);
  return sq <= sqA ? sq - sqA : (qmu - qmuA) / (2 * sqA);
}

/** Expected-only part of a test at mu (needs only the Asimov fit). */
export function qmuAsimov(ctx: HypotestContext, mu: number): number {
  return qmuTilde(ctx.model, mu, ctx.asimov, ctx.asimovFree);
}

export function hypotestAt(ctx: HypotestContext, mu: number): HypotestResult {
  const qmu = qmuTilde(ctx.model, mu, ctx.data, ctx.free);
  const qmuA = qmuAsimov(ctx, mu);
  const sqA = Math.sqrt(qmuA);
  const obs = clsFromTeststat(qtildeTeststat(qmu, qmuA), sqA);
  return { poi: mu, clsObs: obs.cls, clsExp: expectedCls(sqA), clsbObs: obs.clsb, clbObs: obs.clb, qmu, qmuA };
}

/** pyhf's hypotest at one POI value. */
export function hypotest(model: Model, mu: number, data: Dataset = model.observed): HypotestResult {
  return hypotestAt(hypotestContext(model, data), mu);
}
