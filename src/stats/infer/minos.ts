// MINOS-style asymmetric errors: the profile-likelihood interval where twice_nll rises by 1 above
// its minimum (errordef 1 on twice_nll, as pyhf and cabinetry run Minuit). Each side's crossing is
// bracketed by doubling steps of the Hesse error from the best fit and refined by Brent; every
// profile point is the scan's (scan.ts: the parameter fixed, all others re-fitted from the init), so
// an interval equals the crossing of a likelihood scan. A side that reaches the parameter's bound
// first stops there (flagged, as iminuit's at_lower_limit / at_upper_limit).
import type { FitResult } from '../fit.ts';
import type { Dataset, Model } from '../model.ts';
import { scanPoint } from './scan.ts';
import { brent } from './upper-limit.ts';

export interface MinosInterval {
  /** lower end minus the best fit (negative), upper end minus the best fit */
  down: number;
  up: number;
  atLower: boolean;
  atUpper: boolean;
}

const MAX_DOUBLINGS = 40;

export function minosInterval(model: Model, index: number, nominal: FitResult, opts: { data?: Dataset; rtol?: number } = {}): MinosInterval {
  const best = nominal.bestfit[index]!, min = nominal.twiceNll;
  const f = (v: number) => scanPoint(model, [index], [v], opts.data) - min - 1;
  const step0 = nominal.uncertainty[index]! > 0 ? nominal.uncertainty[index]! : 0.1 * Math.max(1, Math.abs(best));
  const side = (dir: 1 | -1): { end: number; atBound: boolean } => {
    const bound = dir > 0 ? model.upper[index]! : model.lower[index]!;
    let a = best, fa = -1, step = step0;
    for (let k = 0; k < MAX_DOUBLINGS; k++) {
      const b = dir > 0 ? Math.min(bound, best + step) : Math.max(bound, best - step);
      const fb = f(b);
      if (fb >= 0) return { end: brent(f, a, b, fa, fb, opts.rtol ?? 1e-7), atBound: false };
      if (b === bound) return { end: bound, atBound: true };
      a = b; fa = fb; step *= 2;
    }
    return { end: dir > 0 ? Infinity : -Infinity, atBound: false };
  };
  const lo = best <= model.lower[index]! ? { end: best, atBound: true } : side(-1);
  const hi = best >= model.upper[index]! ? { end: best, atBound: true } : side(1);
  return { down: lo.end - best, up: hi.end - best, atLower: lo.atBound, atUpper: hi.atBound };
}
