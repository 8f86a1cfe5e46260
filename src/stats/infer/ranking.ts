// Nuisance-parameter ranking (impacts on the POI) like cabinetry's: for every constrained, non-fixed
// parameter, refit with it fixed at its best fit +- its post-fit uncertainty and at +- its pre-fit
// uncertainty, and record the POI shift. Each parameter's refits are independent (progress callback).
import { fit } from '../fit.ts';
import type { FitResult } from '../fit.ts';
import type { Dataset, Model } from '../model.ts';

export interface Impact {
  name: string;
  index: number;
  bestfit: number;
  uncertainty: number;
  prefitUp: number;
  prefitDown: number;
  postfitUp: number;
  postfitDown: number;
}

/** Pre-fit uncertainty of each parameter: sigma for Gaussian constraints, 1/sqrt(factor) for Poisson. */
export function prefitUncertainties(model: Model): Float64Array {
  const out = new Float64Array(model.nPars);
  for (let i = 0; i < model.nPars; i++) out[i] = model.constraintWidth(i);
  return out;
}

export function rank(model: Model, opts: { data?: Dataset; nominal?: FitResult; onParameter?: (done: number, total: number, name: string) => void } = {}): Impact[] {
  const data = opts.data ?? model.observed;
  const nominal = opts.nominal ?? fit(model, { data });
  const prefit = prefitUncertainties(model);
  const poi = model.poiIndex;
  const targets: number[] = [];
  for (let i = 0; i < model.nPars; i++) if (i !== poi && !model.fixed[i] && prefit[i]! > 0) targets.push(i);
  const mu0 = nominal.bestfit[poi]!;
  const shift = (i: number, v: number) => {
    const clamped = Math.min(model.upper[i]!, Math.max(model.lower[i]!, v));
    return fit(model, { data, fix: new Map([[i, clamped]]), hesse: false, init: nominal.bestfit }).bestfit[poi]! - mu0;
  };
  const out: Impact[] = [];
  targets.forEach((i, k) => {
    const b = nominal.bestfit[i]!, u = nominal.uncertainty[i]!, pre = prefit[i]!;
    const center = model.auxCenter(i);
    out.push({
      name: model.parNames[i]!, index: i, bestfit: b, uncertainty: u,
      prefitUp: shift(i, center + pre), prefitDown: shift(i, center - pre),
      postfitUp: shift(i, b + u), postfitDown: shift(i, b - u),
    });
    opts.onParameter?.(k + 1, targets.length, model.parNames[i]!);
  });
  return out.sort((a, b) => Math.max(Math.abs(b.postfitUp), Math.abs(b.postfitDown)) - Math.max(Math.abs(a.postfitUp), Math.abs(a.postfitDown)));
}
