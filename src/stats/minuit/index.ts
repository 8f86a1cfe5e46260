// An emulation of pyhf's minuit optimizer (iminuit / Minuit2 Migrad with a numerical gradient, then
// Hesse), for the uncertainties pyhf reports where they depend on Minuit's own numerics: a parameter at
// or near its limit, where Minuit's sine transformation makes the internal function far from quadratic.
// Settings follow pyhf: step sizes (upper - lower) / 1000, errordef 1 on twice_nll, strategy 1
// without a user gradient, the given tolerance; Hesse starts from the state Migrad ended in.
import { hesse } from './hesse.ts';
import { migrad } from './migrad.ts';
import { strategy } from './precision.ts';
import { errorIsValid, type MinState } from './state.ts';
import { Fcn, Transform } from './transform.ts';

export interface MinuitOptions {
  /** iminuit's tol (pyhf's default 0.1; EDM goal 0.002 x tol x errordef) */
  tolerance?: number;
  strategy?: 0 | 1 | 2;
  errordef?: number;
  /** step size = (upper - lower) / steps, pyhf's convention (default 1000) */
  steps?: number;
}

export interface MinuitResult {
  /** external parameter values (fixed ones at their values) */
  x: Float64Array;
  fval: number;
  /** external errors, 0 for fixed parameters */
  errors: Float64Array;
  /** external covariance, n x n, zero rows and columns for fixed parameters */
  covariance: Float64Array;
  valid: boolean;
  /** the covariance is Hesse's, and positive definite without correction */
  accurate: boolean;
  calls: number;
}

export function minuitFit(
  f: (external: Float64Array) => number, init: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>,
  fixed: ArrayLike<number | boolean>, opts: MinuitOptions = {},
): MinuitResult {
  const nAll = init.length;
  const up = opts.errordef ?? 1;
  const st = strategy(opts.strategy ?? 1);
  const steps = opts.steps ?? 1000;
  // without both limits a step of 1% of the value (as iminuit's default) instead
  const step = Float64Array.from({ length: nAll }, (_, i) => {
    const s = (upper[i]! - lower[i]!) / steps;
    return Number.isFinite(s) ? s : Math.max(0.01 * Math.abs(init[i]!), 0.01);
  });
  const free = Int32Array.from({ length: nAll }, (_, i) => i).filter((i) => !fixed[i]);
  const tr = new Transform(init, free, lower, upper, step);
  const xInit = Float64Array.from(free, (e, i) => {
    // iminuit sets limits after the values: a start on (or beyond) a limit moves 0.1 step inside
    const v = init[e]!, lo = lower[e]!, hi = upper[e]!;
    if (!tr.hasLimits(i) || (lo < v && v < hi)) return tr.ext2int(i, v);
    return tr.ext2int(i, lo >= v ? lo + 0.1 * step[e]! : hi - 0.1 * step[e]!);
  });
  const fcn = new Fcn(f, tr, up);
  const m = migrad(fcn, tr, st, xInit, opts.tolerance ?? 0.1);
  let state = m.state;
  if (m.valid) state = hesse(new Fcn(f, tr, up, state.nfcn), tr, st, state);
  return userState(tr, state, up, nAll, m.valid && errorIsValid(state.error), fcn.calls);
}

/** External values, errors and covariance of a state (Minuit2's MnUserParameterState). */
function userState(tr: Transform, s: MinState, up: number, nAll: number, valid: boolean, calls: number): MinuitResult {
  const n = tr.n;
  const x = tr.toExternal(s.x);
  const errors = new Float64Array(nAll), covariance = new Float64Array(nAll * nAll);
  const ok = errorIsValid(s.error);
  for (let i = 0; i < n; i++) {
    const err = ok ? Math.sqrt(2 * up * s.error.inv[i * n + i]!) : 0;
    errors[tr.free[i]!] = tr.int2extError(i, s.x[i]!, err);
    if (!ok) continue;
    const di = tr.dint2ext(i, s.x[i]!);
    for (let j = 0; j < n; j++) {
      covariance[tr.free[i]! * nAll + tr.free[j]!] = 2 * up * di * s.error.inv[i * n + j]! * tr.dint2ext(j, s.x[j]!);
    }
  }
  return { x, fval: s.fval, errors, covariance, valid, accurate: s.error.status === 'posDef' && s.error.dcovar < 0.1, calls };
}
