// Saturated-model goodness of fit as cabinetry's fit.fit(..., goodness_of_fit=True) computes it: the
// saturated model predicts every main bin exactly (Poisson(n | n)) and keeps the constraint terms at
// the suggested init; chi2 = twice_nll(best) - twice_nll(saturated) with dof = bins minus the
// unconstrained, floating parameters (a shapefactor counts once per bin), p = chi2 survival.
import type { Dataset, Model } from '../model.ts';
import { chi2Sf, lgamma, xlogy } from '../special.ts';

export interface GoodnessOfFit {
  chi2: number;
  dof: number;
  /** NaN when dof <= 0 (cabinetry's convention) */
  pValue: number;
  saturatedTwiceNll: number;
}

/** Main-bin part of twice_nll for expected counts lam (Poisson, constants included). */
function mainTwiceNll(lam: ArrayLike<number>, n: ArrayLike<number>): number {
  let t = 0;
  for (let b = 0; b < n.length; b++) t += 2 * (lam[b]! - xlogy(n[b]!, lam[b]!) + lgamma(n[b]! + 1));
  return t;
}

/** twice_nll of the saturated model: exact main bins, constraint terms at the suggested init. */
export function saturatedTwiceNll(model: Model, data: Dataset = model.observed): number {
  const constraintAtInit = model.twiceNll(model.init, data) - mainTwiceNll(model.expectedMain(model.init), data.main);
  return mainTwiceNll(data.main, data.main) + constraintAtInit;
}

/** Parameters without a constraint term that float (cabinetry's unconstrained_parameter_count). */
export function unconstrainedParameterCount(model: Model): number {
  let n = 0;
  for (const set of model.paramSets) {
    if (set.constraint !== null) continue;
    let fixed = true;
    for (let k = 0; k < set.n; k++) if (!model.fixed[set.offset + k]) fixed = false;
    if (!fixed) n += set.n;
  }
  return n;
}

export function goodnessOfFit(model: Model, bestTwiceNll: number, data: Dataset = model.observed): GoodnessOfFit {
  const saturated = saturatedTwiceNll(model, data);
  const chi2 = bestTwiceNll - saturated;
  const dof = model.nMain - unconstrainedParameterCount(model);
  return { chi2, dof, pValue: dof > 0 ? chi2Sf(chi2, dof) : NaN, saturatedTwiceNll: saturated };
}
