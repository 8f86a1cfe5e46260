// Bound-constrained minimiser: projected Newton with an active set. The Hessian is the caller's exact
// one or comes from differences of the analytic gradient, and is reused while full steps
// keep shrinking the estimated distance to the minimum fast (recomputed otherwise); Levenberg damping
// keeps the step a descent direction, and a backtracking line search on the projected path keeps every
// iterate inside the bounds. It stops when the estimated distance to the minimum is ~1e-10 in f.
import { arrowFactor, arrowPlan, type ArrowPlan } from './arrow.ts';
import { cholesky, choleskySolve } from './linalg.ts';
import { lowRankDiag, lowRankFactor, type LowRank } from './lowrank.ts';

/** Objective returning f(x) and writing its gradient into g. */
export type ObjectiveWithGradient = (x: Float64Array, g: Float64Array) => number;

export interface MinimizeOptions {
  /** exact Hessian over the working set; default: finite differences of the gradient */
  hessian?: (x: Float64Array, work: number[]) => Float64Array;
  /** stop when the estimated distance to the minimum 0.5 g^T H^-1 g falls below this (default 1e-10) */
  edmTolerance?: number;
  maxIterations?: number;
  /** the Hessian's arrow structure over a working set (see arrow.ts); default: found by scanning it */
  plan?: (work: number[]) => ArrowPlan | null;
  /** the exact Hessian over the working set as diagonal plus low rank (lowrank.ts), used instead of
   *  `hessian` when it returns one: many parameters on few bins */
  lowRank?: (x: Float64Array, work: number[]) => LowRank | null;
}

export interface MinimizeResult {
  x: Float64Array;
  f: number;
  converged: boolean;
  message: string;
  iterations: number;
  evaluations: number;
}

/** Hessian (over the parameters `idx`) by central differences of the gradient, one-sided at a bound;
 *  with `gAtX` (the gradient at x) forward differences (half the evaluations, ~1e-5 relative: enough
 *  for Newton steps, not for Hesse). */
export function hessianByGradient(
  fg: ObjectiveWithGradient, x: Float64Array, idx: ArrayLike<number>, lower: Float64Array, upper: Float64Array,
  gAtX?: Float64Array,
): Float64Array {
  const m = idx.length, n = x.length;
  const h = new Float64Array(m * m);
  const gp = new Float64Array(n), gm = new Float64Array(n);
  const xp = Float64Array.from(x);
  for (let c = 0; c < m; c++) {
    const j = idx[c]!;
    const step = (gAtX ? 1e-7 : 1e-5) * Math.max(1, Math.abs(x[j]!));
    const up = Math.min(step, upper[j]! - x[j]!), dn = Math.min(step, x[j]! - lower[j]!);
    let a: number, b: number;
    if (gAtX && (up >= step || dn >= step)) {
      const s = up >= step ? step : -step;
      xp[j] = x[j]! + s; fg(xp, gp);
      xp[j] = x[j]!;
      for (let r = 0; r < m; r++) h[r * m + c] = (gp[idx[r]!]! - gAtX[idx[r]!]!) / s;
      continue;
    }
    if (up >= step && dn >= step) { a = step; b = step; }
    else if (up >= dn) { a = Math.max(up, 0); b = 0; }
    else { a = 0; b = Math.max(dn, 0); }
    if (a + b === 0) continue;
    xp[j] = x[j]! + a; fg(xp, gp);
    xp[j] = x[j]! - b; fg(xp, gm);
    xp[j] = x[j]!;
    for (let r = 0; r < m; r++) h[r * m + c] = (gp[idx[r]!]! - gm[idx[r]!]!) / (a + b);
  }
  for (let r = 0; r < m; r++) {
    for (let c = r + 1; c < m; c++) {
      const v = 0.5 * (h[r * m + c]! + h[c * m + r]!);
      h[r * m + c] = v; h[c * m + r] = v;
    }
  }
  return h;
}

/** Minimise fg over x in [lower, upper], varying only the indices in `free`. */
export function minimize(
  fg: ObjectiveWithGradient, x0: Float64Array, lower: Float64Array, upper: Float64Array, free: Int32Array,
  opts: MinimizeOptions = {},
): MinimizeResult {
  const tol = opts.edmTolerance ?? 1e-10;
  const maxIt = opts.maxIterations ?? 200;
  const n = x0.length;
  let evaluations = 0;
  const eval_ = (x: Float64Array, g: Float64Array) => { evaluations++; return fg(x, g); };
  const x = Float64Array.from(x0, (v, i) => Math.min(upper[i]!, Math.max(lower[i]!, v)));
  let g = new Float64Array(n);
  let f = eval_(x, g);
  if (!Number.isFinite(f)) {
    return { x, f, converged: false, message: `objective is not finite at the starting point (${f})`, iterations: 0, evaluations };
  }
  let gNew = new Float64Array(n);
  const xNew = new Float64Array(n);
  let damping = 0;
  let curv: Curvature = denseCurvature(new Float64Array(0), 0, null);
  let hessWork: number[] = [];
  let fresh = false;
  let prevEdm = Infinity;
  for (let it = 1; it <= maxIt; it++) {
    // working set: free parameters not held at a bound by a gradient pointing outwards
    const work: number[] = [];
    for (const i of free) {
      if ((x[i]! <= lower[i]! && g[i]! > 0) || (x[i]! >= upper[i]! && g[i]! < 0)) continue;
      work.push(i);
    }
    const m = work.length;
    if (m === 0) return { x, f, converged: true, message: 'all free parameters at their bounds', iterations: it, evaluations };
    if (m !== hessWork.length || work.some((v, k) => v !== hessWork[k])) {
      const lr = opts.lowRank ? opts.lowRank(x, work) : null;
      if (lr) curv = lowRankCurvature(lr);
      else {
        const hess = opts.hessian ? opts.hessian(x, work) : hessianByGradient(eval_, x, work, lower, upper, g);
        curv = denseCurvature(hess, m, opts.plan ? opts.plan(work) : arrowPlan(hess, m));
      }
      hessWork = work;
      fresh = true;
    } else {
      fresh = false;
    }
    const gw = Float64Array.from(work, (i) => g[i]!);
    let d: Float64Array | null = null;
    for (let attempt = 0; attempt < 30 && !d; attempt++) {
      const shift = damping > 0 ? Float64Array.from({ length: m }, (_, r) => damping * Math.max(Math.abs(curv.diag[r]!), 1e-8)) : undefined;
      const fac = curv.factor(shift);
      if (fac) { d = Float64Array.from(gw, (v) => -v); fac.solve(d); } else damping = damping === 0 ? 1e-6 : damping * 10;
    }
    if (!d) return { x, f, converged: false, message: 'Hessian could not be made positive definite', iterations: it, evaluations };
    let edm = 0;
    for (let r = 0; r < m; r++) edm -= 0.5 * gw[r]! * d[r]!;
    if (edm < tol && damping === 0) return { x, f, converged: true, message: `converged (edm ${edm.toExponential(2)})`, iterations: it, evaluations };
    // backtracking line search along the projected Newton path
    let t = 1, accepted = false, fNew = f;
    for (let ls = 0; ls < 60; ls++) {
      xNew.set(x);
      let slope = 0;
      for (let r = 0; r < m; r++) {
        const i = work[r]!;
        const v = Math.min(upper[i]!, Math.max(lower[i]!, x[i]! + t * d[r]!));
        xNew[i] = v;
        slope += g[i]! * (v - x[i]!);
      }
      fNew = eval_(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * slope + 1e-15 * Math.abs(f)) { accepted = true; break; }
      t *= 0.5;
    }
    if (!accepted) {
      if (!fresh) { hessWork = []; continue; }
      if (damping < 1e8) { damping = damping === 0 ? 1e-3 : damping * 100; continue; }
      const conv = edm < 100 * tol;
      return { x, f, converged: conv, message: conv ? 'converged (line search at machine precision)' : `line search failed (edm ${edm.toExponential(2)})`, iterations: it, evaluations };
    }
    // keep the Hessian while full steps shrink the edm fast (modified Newton); refresh it otherwise
    if (t < 1 || edm > 0.05 * prevEdm) hessWork = [];
    prevEdm = edm;
    const fPrev = f;
    x.set(xNew);
    f = fNew;
    [g, gNew] = [gNew, g];
    damping = t === 1 ? damping / 10 : damping;
    if (damping < 1e-9) damping = 0;
    if (Math.abs(fPrev - f) < 1e-14 * Math.max(1, Math.abs(f)) && edm < 1e3 * tol) {
      return { x, f, converged: true, message: `converged (edm ${edm.toExponential(2)})`, iterations: it, evaluations };
    }
  }
  return { x, f, converged: false, message: `did not converge in ${maxIt} iterations`, iterations: maxIt, evaluations };
}

/** The Hessian over the working set as the minimiser needs it: its diagonal (for damping) and a
 *  factorisation of H + diag(shift) that fails when that is not positive definite. */
interface Curvature {
  diag: Float64Array;
  factor(shift?: Float64Array): { solve(b: Float64Array): void } | null;
}

function denseCurvature(hess: Float64Array, m: number, plan: ArrowPlan | null): Curvature {
  return {
    diag: Float64Array.from({ length: m }, (_, r) => hess[r * m + r]!),
    factor(shift) {
      // many per-bin parameters: block elimination, no dense factorisation
      if (plan) return arrowFactor(hess, m, plan, shift);
      const a = Float64Array.from(hess);
      if (shift) for (let r = 0; r < m; r++) a[r * m + r]! += shift[r]!;
      if (!cholesky(a, m)) return null;
      return { solve: (b) => choleskySolve(a, m, b) };
    },
  };
}

function lowRankCurvature(h: LowRank): Curvature {
  return { diag: lowRankDiag(h), factor: (shift) => lowRankFactor(h, shift) };
}
