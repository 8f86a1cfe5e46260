// Minuit2's Migrad with a numerical gradient: the seed (initial gradient from the user's steps,
// diagonal error matrix, a line search along directions of negative curvature), then variable-metric
// iterations (Newton step from the error matrix, line search, new gradient, Davidon update) until the
// EDM is below 0.002 x tolerance x up, verified by Hesse when the matrix is not yet accurate.
import { initialGradient, numericalGradient, type Gradient } from './gradient.ts';
import { hesse } from './hesse.ts';
import { lineSearch } from './line-search.ts';
import { dot, makePosDef, matVec, similarity, sumOfElements } from './matrix.ts';
import { EPS, EPS2, type Strategy } from './precision.ts';
import { diagonalFromG2, errorIsValid, estimateEdm, type MinError, type MinState } from './state.ts';
import type { Fcn, Transform } from './transform.ts';

export interface MigradResult {
  state: MinState;
  valid: boolean;
  aboveMaxEdm: boolean;
  reachedCallLimit: boolean;
}

export function migrad(fcn: Fcn, tr: Transform, st: Strategy, xInit: Float64Array, tolerance: number, maxfcn = 0): MigradResult {
  const n = tr.n;
  if (maxfcn === 0) maxfcn = 200 + 100 * n + 5 * n * n;
  let effTol = tolerance * fcn.up;
  if (effTol < EPS2) effTol = EPS2;
  const edmval = effTol * 0.002;
  const seed = seedState(fcn, tr, st, xInit);
  if (seed.edm < 0) return { state: seed, valid: false, aboveMaxEdm: false, reachedCallLimit: false };

  let last = seed;
  let maxfcnEff = maxfcn;
  let ipass = 0;
  let iterate: boolean;
  let run: IterationsResult;
  let edm: number;
  let hessianState: MinState | null = null;
  do {
    iterate = false;
    hessianState = null;
    run = iterations(fcn, tr, st, last, maxfcnEff, edmval);
    last = run.state;
    if (run.reachedCallLimit) return { state: last, valid: false, aboveMaxEdm: false, reachedCallLimit: true };
    const runValid = !run.invalid && !run.aboveMaxEdm && errorIsValid(last.error);
    if (ipass > 0 && !runValid) return { state: last, valid: false, aboveMaxEdm: run.aboveMaxEdm, reachedCallLimit: false };
    edm = last.edm;
    if (st.level === 2 || (st.level === 1 && last.error.dcovar > 0.05)) {
      const h = hesse(fcn, tr, st, last, maxfcn);
      hessianState = h;
      last = h;
      if (!errorIsValid(h.error)) break;
      edm = h.edm;
      if (edm > edmval && edm >= Math.abs(EPS2 * h.fval)) iterate = true;
    }
    if (ipass === 0) maxfcnEff = Math.trunc(maxfcn * 1.3);
    ipass++;
  } while (iterate);

  let aboveMaxEdm = run.aboveMaxEdm;
  if (edm > 10 * edmval) aboveMaxEdm = true;
  else if (hessianState) aboveMaxEdm = false;
  const valid = !run.invalid && !aboveMaxEdm && errorIsValid(last.error);
  return { state: last, valid, aboveMaxEdm, reachedCallLimit: false };
}

function seedState(fcn: Fcn, tr: Transform, st: Strategy, xInit: Float64Array): MinState {
  const x = Float64Array.from(xInit);
  const fval = fcn.eval(x);
  const g = numericalGradient(fcn, tr, st, x, fval, initialGradient(fcn, tr, x));
  const error: MinError = { inv: diagonalFromG2(g.g2, EPS2, false), dcovar: 1, status: 'posDef' };
  let state: MinState = { x, fval, error, gradient: g, edm: estimateEdm(g, error), nfcn: fcn.calls };
  if (hasNegativeG2(g)) state = negativeG2LineSearch(fcn, tr, st, state);
  if (st.level === 2) state = hesse(fcn, tr, st, state);
  return state;
}

function hasNegativeG2(g: Gradient): boolean {
  for (let i = 0; i < g.g2.length; i++) if (g.g2[i]! <= 0) return true;
  return false;
}

/** Line searches along each parameter with negative second derivative, until none is left. */
function negativeG2LineSearch(fcn: Fcn, tr: Transform, st: Strategy, state: MinState): MinState {
  const n = state.x.length;
  let g = state.gradient;
  let x = state.x, fval = state.fval;
  let iter = 0;
  let iterate: boolean;
  do {
    iterate = false;
    for (let i = 0; i < n; i++) {
      if (g.g2[i]! > 0) continue;
      if (Math.abs(g.grad[i]!) < EPS && Math.abs(g.g2[i]!) < EPS) continue;
      const step = new Float64Array(n);
      step[i] = g.grad[i]! < 0 ? g.gstep[i]! : -g.gstep[i]!;
      const gdel = step[i]! * g.grad[i]!;
      const pp = lineSearch(fcn, x, fval, step, gdel);
      const nx = Float64Array.from(x);
      nx[i]! += pp.x * step[i]!;
      x = nx; fval = pp.y;
      g = numericalGradient(fcn, tr, st, x, fval, g);
      iterate = true;
      break;
    }
  } while (iter++ < 2 * n && iterate);
  const error: MinError = { inv: diagonalFromG2(g.g2, EPS2, false), dcovar: 1, status: 'posDef' };
  return { x, fval, error, gradient: g, edm: estimateEdm(g, error), nfcn: fcn.calls };
}

interface IterationsResult { state: MinState; aboveMaxEdm: boolean; reachedCallLimit: boolean; invalid: boolean }

/** VariableMetricBuilder's inner loop from state s0 until edm < edmval or the call limit. */
function iterations(fcn: Fcn, tr: Transform, st: Strategy, start: MinState, maxfcn: number, edmval: number): IterationsResult {
  let s0 = start;
  let edm = s0.edm * (1 + 3 * s0.error.dcovar);
  const done = (extra: { invalid?: boolean } = {}) => ({ state: s0, aboveMaxEdm: false, reachedCallLimit: false, invalid: extra.invalid ?? false });
  do {
    let step = matVec(s0.error.inv, s0.gradient.grad).map((v) => -v);
    if (dot(s0.gradient.grad, s0.gradient.grad) <= 0) break;
    let gdel = dot(step, s0.gradient.grad);
    if (gdel > 0) {
      const pd = makePosDef(s0.error.inv, s0.x.length);
      s0 = { ...s0, error: { inv: pd.matrix, dcovar: s0.error.dcovar, status: pd.madePosDef ? 'madePosDef' : s0.error.status } };
      step = matVec(s0.error.inv, s0.gradient.grad).map((v) => -v);
      gdel = dot(step, s0.gradient.grad);
      if (gdel > 0) return done({ invalid: true });
    }
    const pp = lineSearch(fcn, s0.x, s0.fval, step, gdel);
    if (Math.abs(pp.y - s0.fval) <= Math.abs(s0.fval) * EPS) break;
    const x = Float64Array.from(s0.x, (v, i) => v + pp.x * step[i]!);
    const g = numericalGradient(fcn, tr, st, x, pp.y, s0.gradient);
    edm = estimateEdm(g, s0.error);
    if (Number.isNaN(edm)) return done({ invalid: true });
    if (edm < 0) {
      const pd = makePosDef(s0.error.inv, s0.x.length);
      s0 = { ...s0, error: { inv: pd.matrix, dcovar: s0.error.dcovar, status: pd.madePosDef ? 'madePosDef' : s0.error.status } };
      edm = estimateEdm(g, s0.error);
      if (edm < 0) return done({ invalid: true });
    }
    const error = davidon(s0, x, g);
    s0 = { x, fval: pp.y, error, gradient: g, edm, nfcn: fcn.calls };
    edm *= 1 + 3 * error.dcovar;
  } while (edm > edmval && fcn.calls < maxfcn);

  if (fcn.calls >= maxfcn) return { state: s0, aboveMaxEdm: false, reachedCallLimit: true, invalid: true };
  if (edm > edmval) {
    if (edm < Math.abs(EPS2 * s0.fval)) return done();
    if (edm < 10 * edmval) return done();
    return { state: s0, aboveMaxEdm: true, reachedCallLimit: false, invalid: false };
  }
  return done();
}

/** Davidon's rank-two update of the inverse Hessian (rank one when delgam > gvg). */
function davidon(s0: MinState, x1: Float64Array, g1: Gradient): MinError {
  const n = x1.length;
  const v0 = s0.error.inv;
  const dx = Float64Array.from(x1, (v, i) => v - s0.x[i]!);
  const dg = Float64Array.from(g1.grad, (v, i) => v - s0.gradient.grad[i]!);
  const delgam = dot(dx, dg);
  const gvg = similarity(dg, v0);
  if (delgam === 0 || gvg <= 0) return s0.error;
  const vg = matVec(v0, dg);
  const upd = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) upd[i * n + j] = dx[i]! * dx[j]! / delgam - vg[i]! * vg[j]! / gvg;
  if (delgam > gvg) {
    const flnu = Float64Array.from(dx, (v, i) => v / delgam - vg[i]! / gvg);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) upd[i * n + j]! += gvg * flnu[i]! * flnu[j]!;
  }
  const sumUpd = sumOfElements(upd, n);
  for (let k = 0; k < n * n; k++) upd[k]! += v0[k]!;
  const dcovar = 0.5 * (s0.error.dcovar + sumUpd / sumOfElements(upd, n));
  return { inv: upd, dcovar, status: s0.error.status };
}
