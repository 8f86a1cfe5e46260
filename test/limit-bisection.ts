// Independent reference for upper limits: CLs(mu) = level by plain bisection in log(mu), every
// point a fresh hypotest (no bracketing, no Brent, no point cache).
import { hypotestAt, hypotestContext } from '../src/stats/infer/hypotest.ts';
import type { Model } from '../src/stats/model.ts';

/** band -1: observed; 0..4: expected -2..+2 sigma. Searches [lo, hi] (both > 0). */
export function bisectLimit(m: Model, band: number, lo: number, hi: number, level = 0.05): number {
  const ctx = hypotestContext(m);
  const cls = (mu: number) => { const h = hypotestAt(ctx, mu); return band < 0 ? h.clsObs : h.clsExp[band]!; };
  let a = Math.log(lo), b = Math.log(hi);
  for (let i = 0; i < 80 && b - a > 1e-7; i++) {
    const c = 0.5 * (a + b);
    if (cls(Math.exp(c)) > level) a = c; else b = c;
  }
  return Math.exp(0.5 * (a + b));
}
