// The optional parts of a fit result as `flow fit --json` and fit.json write them: MINOS intervals
// ({par: [down, up]}, down negative, as iminuit reports merror) and the saturated-model goodness of fit.
import { UserError } from '../../errors.ts';
import type { FitResult } from '../fit.ts';
import type { Model } from '../model.ts';
import { goodnessOfFit } from './goodness-of-fit.ts';
import { minosInterval } from './minos.ts';
import { parameterIndices } from './scan.ts';

export type MinosJson = Record<string, [number, number]>;
export interface GoodnessOfFitJson { chi2: number; dof: number; p_value: number; saturated_twice_nll: number }

export function minosJson(model: Model, r: FitResult, names: string[], where: string): MinosJson {
  const out: MinosJson = {};
  parameterIndices(model, names, where).forEach((i, k) => {
    if (model.fixed[i]) throw new UserError(`${where}: parameter '${names[k]}' is fixed: it has no interval`);
    const m = minosInterval(model, i, r);
    out[names[k]!] = [m.down, m.up];
  });
  return out;
}

export function goodnessOfFitJson(model: Model, r: FitResult): GoodnessOfFitJson {
  const g = goodnessOfFit(model, r.twiceNll);
  return { chi2: g.chi2, dof: g.dof, p_value: g.pValue, saturated_twice_nll: g.saturatedTwiceNll };
}
