// Nuisance-parameter ranking (impacts on the POI) with cabinetry's definition (fit.ranking): for every
// floating parameter but the POI, refit with it fixed at its best fit +- its pre-fit uncertainty and
// +- its post-fit uncertainty, each fit from the suggested init with that parameter set and held,
// and record the POI shift from its nominal best fit. A parameter without a constraint (pre-fit
// uncertainty 0) has zero pre-fit impacts, found without a fit. Values are kept inside the
// parameter's bounds. All fits are independent of each other: `impactPlan` lists them and
// `impactShift` runs one (the ranking node spreads them over the worker pool).
import { fit } from '../fit.ts';
import type { FitResult } from '../fit.ts';
import type { Dataset, Model } from '../model.ts';

export interface Impact {
  name: string;
  index: number;
  bestfit: number;
  uncertainty: number;
  /** pre-fit uncertainty (constraint width; 0 for unconstrained parameters) */
  prefit: number;
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

/** What the ranking needs of the nominal fit. */
export type NominalFit = Pick<FitResult, 'bestfit' | 'uncertainty'>;

/** One parameter's four fixed values: best fit + pre, - pre, + post, - post (cabinetry's order). */
export interface ImpactTarget { index: number; values: [number, number, number, number] }

export function impactPlan(model: Model, nominal: NominalFit): ImpactTarget[] {
  const prefit = prefitUncertainties(model);
  const out: ImpactTarget[] = [];
  for (let i = 0; i < model.nPars; i++) {
    if (i === model.poiIndex || model.fixed[i]) continue;
    const b = nominal.bestfit[i]!, pre = prefit[i]!, post = nominal.uncertainty[i]!;
    const clamp = (v: number) => Math.min(model.upper[i]!, Math.max(model.lower[i]!, v));
    out.push({ index: i, values: [clamp(b + pre), clamp(b - pre), clamp(b + post), clamp(b - post)] });
  }
  return out;
}

/** POI best fit with parameter `index` held at `value`, minus the nominal POI best fit. */
export function impactShift(model: Model, index: number, value: number, nominalPoi: number, data: Dataset = model.observed): number {
  return fit(model, { data, fix: new Map([[index, value]]), hesse: false }).bestfit[model.poiIndex]! - nominalPoi;
}

/** Impacts from the POI shifts of a plan (four per target, in plan order; NaN where no fit was needed). */
export function impactsFromShifts(model: Model, nominal: NominalFit, plan: ImpactTarget[], shifts: number[]): Impact[] {
  const prefit = prefitUncertainties(model);
  const out = plan.map((t, k): Impact => {
    const i = t.index, b = nominal.bestfit[i]!;
    const s = (j: number) => (t.values[j] === b ? 0 : shifts[4 * k + j]!);
    return {
      name: model.parNames[i]!, index: i, bestfit: b, uncertainty: nominal.uncertainty[i]!, prefit: prefit[i]!,
      prefitUp: s(0), prefitDown: s(1), postfitUp: s(2), postfitDown: s(3),
    };
  });
  // largest post-fit impact first (cabinetry's and Combine's plots order them so)
  const size = (x: Impact) => Math.max(Math.abs(x.postfitUp), Math.abs(x.postfitDown));
  return out.sort((a, b) => size(b) - size(a));
}

/** The values of a plan that need a fit (a value equal to the best fit has impact 0 by definition). */
export function planFits(nominal: NominalFit, plan: ImpactTarget[]): Array<{ slot: number; index: number; value: number }> {
  return plan.flatMap((t, k) => t.values.map((value, j) => ({ slot: 4 * k + j, index: t.index, value })))
    .filter((f) => f.value !== nominal.bestfit[f.index]);
}

export function rank(model: Model, opts: { data?: Dataset; nominal?: FitResult } = {}): Impact[] {
  const data = opts.data ?? model.observed;
  const nominal = opts.nominal ?? fit(model, { data });
  const plan = impactPlan(model, nominal);
  const poi = nominal.bestfit[model.poiIndex]!;
  const shifts = new Array<number>(4 * plan.length).fill(NaN);
  for (const f of planFits(nominal, plan)) shifts[f.slot] = impactShift(model, f.index, f.value, poi, data);
  return impactsFromShifts(model, nominal, plan, shifts);
}

/** `flow ranking --json` and ranking.json: the POI's nominal fit and one entry per parameter, ranked. */
export interface RankingJson {
  poi: string;
  poi_bestfit: number;
  poi_uncertainty: number;
  parameters: Array<{
    name: string; bestfit: number; uncertainty: number; prefit_uncertainty: number;
    /** (best fit - constraint centre) / pre-fit uncertainty; null without a constraint */
    pull: number | null;
    prefit_up: number; prefit_down: number; postfit_up: number; postfit_down: number;
  }>;
}

export function rankingJson(model: Model, nominal: NominalFit, impacts: Impact[]): RankingJson {
  return {
    poi: model.poiName, poi_bestfit: nominal.bestfit[model.poiIndex]!, poi_uncertainty: nominal.uncertainty[model.poiIndex]!,
    parameters: impacts.map((x) => ({
      name: x.name, bestfit: x.bestfit, uncertainty: x.uncertainty, prefit_uncertainty: x.prefit,
      pull: x.prefit > 0 ? (x.bestfit - model.auxCenter(x.index)) / x.prefit : null,
      prefit_up: x.prefitUp, prefit_down: x.prefitDown, postfit_up: x.postfitUp, postfit_down: x.postfitDown,
    })),
  };
}
