// Discovery test with q0 (pyhf's hypotest(0, ..., test_stat='q0')): observed and expected p0 and Z.
// The expected values use the Asimov dataset of the conditional fit at POI = 1.
import { fit } from '../fit.ts';
import type { FitResult } from '../fit.ts';
import type { Dataset, Model } from '../model.ts';
import { normalCdf, normalQuantile } from '../special.ts';

export interface SignificanceResult { p0Obs: number; p0Exp: number; zObs: number; zExp: number; q0: number; q0A: number }

function q0(model: Model, data: Dataset, reuse?: { free: FitResult; backgroundOnly: FitResult }): number {
  const free = reuse?.free ?? fit(model, { data, hesse: false });
  if (free.bestfit[model.poiIndex]! < 0) return 0;
  const cond = reuse?.backgroundOnly ?? fit(model, { data, poiValue: 0, hesse: false });
  return Math.max(cond.twiceNll - free.twiceNll, 0);
}

/** q0 test; `reuse` takes the free and POI = 0 fits to the same data (e.g. from a hypotest context). */
export function significance(
  model: Model, data: Dataset = model.observed, asimovPoi = 1, reuse?: { free: FitResult; backgroundOnly: FitResult },
): SignificanceResult {
  const q0Obs = q0(model, data, reuse);
  const sig = fit(model, { data, poiValue: asimovPoi, hesse: false });
  const q0A = q0(model, model.expectedDataset(sig.bestfit));
  const p0Obs = normalCdf(-Math.sqrt(q0Obs));
  const p0Exp = normalCdf(-Math.sqrt(q0A));
  return { p0Obs, p0Exp, zObs: normalQuantile(1 - p0Obs), zExp: normalQuantile(1 - p0Exp), q0: q0Obs, q0A };
}
