// Maximum-likelihood fits of a Model (minimising twice_nll) with Hesse uncertainties and correlations.
// Hesse as pyhf's minuit backend reports it (errordef 1 on twice_nll): minuit works in internal
// coordinates theta with x = a + (b - a)/2 (sin(theta) + 1) for a bounded parameter, inverts the
// internal Hessian (which, at a bound, is dominated by gradient * d2x/dtheta2), and reports the error
// of x as the mean distance x(theta +- sigma_theta) - x(theta). Fixed parameters get uncertainty 0.
import { UserError } from '../errors.ts';
import { arrowInverse, arrowPlan, arrowPlanFromBins, type ArrowPlan } from './arrow.ts';
import { invert } from './linalg.ts';
import { lowRankDiag, lowRankInverse, lowRankScaled, type LowRank } from './lowrank.ts';
import { minuitFit } from './minuit/index.ts';
import { EPS2 as MINUIT_EPS2 } from './minuit/precision.ts';
import { kinkedParameters, searchAcrossKinks } from './kinks.ts';
import { hessianByGradient, minimize } from './minimize.ts';
import type { Dataset, Model } from './model.ts';

export interface FitOptions {
  /** data to fit (default: the observed data) */
  data?: Dataset;
  /** starting values (default: the model's suggested init) */
  init?: ArrayLike<number>;
  /** parameters held constant: index -> value (added to the model's suggested fixed ones) */
  fix?: ReadonlyMap<number, number>;
  /** fix the POI at this value (pyhf's fixed_poi_fit) */
  poiValue?: number;
  /** compute Hesse uncertainties and correlations (default true) */
  hesse?: boolean;
  /** convergence tolerance on the estimated distance to minimum (default 1e-10) */
  edmTolerance?: number;
  /** 'newton' (default): our projected Newton with the exact Hessian. 'minuit': pyhf's minuit
   *  optimizer step by step (Migrad with numerical derivatives, then Hesse), for parity with pyhf and
   *  cabinetry down to Minuit's numerical behaviour; slower. */
  optimizer?: 'newton' | 'minuit';
  /** the minuit optimizer's tolerance (iminuit's tol; default 1e-4 as in pyhf's validation
   *  references; pyhf's own default is 0.1) */
  minuitTolerance?: number;
  /** with the default optimizer, take the errors of parameters at a limit from the Minuit emulation
   *  (default true; models up to 500 free parameters) */
  minuitAtLimits?: boolean;
  /** kinked interpolation (histosys code0, normsys code1): 'lowest' (default) restarts each kinked
   *  parameter across its kink and keeps the lowest minimum, listing all in `minima` and the message;
   *  'ignore' fits from the start only */
  kinks?: 'lowest' | 'ignore';
}

const MINUIT_TOLERANCE = 1e-4;
const MINUIT_AT_LIMIT_MAX_PARS = 500;
/** the low-rank Hessian pays when its columns are at most a third of the working set's size */
const LOW_RANK_MIN_PARS = 150, LOW_RANK_RATIO = 3;

export interface FitResult {
  bestfit: Float64Array;
  uncertainty: Float64Array;
  twiceNll: number;
  /** row-major nPars x nPars; zero rows/columns for fixed parameters (null without Hesse) */
  covariance: Float64Array | null;
  correlation: Float64Array | null;
  converged: boolean;
  message: string;
  iterations: number;
  evaluations: number;
  /** twice_nll of each distinct minimum found across interpolation kinks, lowest (the result) first;
   *  absent when there was one */
  minima?: number[];
}

/** Free parameters above which the dense Hessian (n x n doubles, 800 MB at the limit) is refused. */
export const MAX_FIT_PARAMETERS = 10_000;

function checkDenseSize(free: number): void {
  if (free <= MAX_FIT_PARAMETERS) return;
  const gb = (free * free * 8) / 2 ** 30;
  throw new UserError(`the model has ${free} free parameters: the fit's dense Hessian would need ${gb.toFixed(0)} GB (limit ${MAX_FIT_PARAMETERS} parameters); merge bins or prune per-bin modifiers (staterror, shapesys, shapefactor)`);
}

export function fit(model: Model, opts: FitOptions = {}): FitResult {
  const data = opts.data ?? model.observed;
  const n = model.nPars;
  const x0 = Float64Array.from(opts.init ?? model.init);
  const fixedMask = Uint8Array.from(model.fixed);
  const lower = Float64Array.from(model.lower), upper = Float64Array.from(model.upper);
  const pin = (i: number, v: number) => {
    fixedMask[i] = 1; x0[i] = v;
    // a fixed value may lie outside the suggested bounds (e.g. a POI scan point)
    lower[i] = Math.min(lower[i]!, v); upper[i] = Math.max(upper[i]!, v);
  };
  for (let i = 0; i < n; i++) if (model.fixed[i]) pin(i, (opts.init ?? model.init)[i]!);
  if (opts.fix) for (const [i, v] of opts.fix) pin(i, v);
  if (opts.poiValue !== undefined) pin(model.poiIndex, opts.poiValue);
  checkDenseSize(fixedMask.reduce((k, f) => k + (f ? 0 : 1), 0));
  if (opts.optimizer === 'minuit') return fitMinuit(model, data, x0, lower, upper, fixedMask, opts);
  const free = Int32Array.from({ length: n }, (_, i) => i).filter((i) => !fixedMask[i]);
  const fg = (x: Float64Array, g: Float64Array) => model.twiceNllGrad(x, data, g);
  let hbuf = new Float64Array(0);
  const hess = (x: Float64Array, work: ArrayLike<number>) => {
    if (hbuf.length !== work.length * work.length) hbuf = new Float64Array(work.length * work.length);
    return model.twiceNllHessian(x, data, work, hbuf);
  };
  // the sparsity pattern is the model's (which parameters act on a common bin); one plan per working set
  let planKey = '', planValue: ArrowPlan | null = null;
  const plan = (work: ArrayLike<number>) => {
    const key = Array.prototype.join.call(work, ',');
    if (key !== planKey) { planKey = key; planValue = arrowPlanFromBins(model.paramsPerBin(), work, n); }
    return planValue;
  };
  // many parameters on few bins: the Hessian as diagonal plus low rank (lowrank.ts), no m x m matrix
  const lowRankPays = (m: number) => m >= LOW_RANK_MIN_PARS && LOW_RANK_RATIO * model.lowRankColumns() <= m;
  const lowRank = (x: Float64Array, work: ArrayLike<number>) => lowRankPays(work.length) ? model.twiceNllHessianLowRank(x, data, work) : null;
  const mopts = { edmTolerance: opts.edmTolerance, hessian: hess, plan, lowRank };
  let res = minimize(fg, x0, lower, upper, free, mopts);
  // kinked interpolation (code0 / code1): minima on both sides of a kink; restart across each kink
  // and keep the lowest (kinks.ts)
  const kinked = opts.kinks === 'ignore' ? [] : kinkedParameters(model, free);
  let minima: number[] | undefined;
  if (kinked.length > 0 && res.converged) {
    const search = searchAcrossKinks({ x: res.x, f: res.f }, kinked, lower, upper, (start) => {
      const r = minimize(fg, start, lower, upper, free, mopts);
      return r.converged ? { x: r.x, f: r.f } : null;
    });
    if (search.best.x !== res.x) res = { ...res, x: search.best.x, f: search.best.f };
    if (search.minima.length > 1) minima = search.minima.map((m) => model.twiceNll(m.x, data));
  }
  const twiceNll = model.twiceNll(res.x, data);
  let covariance: Float64Array | null = null, correlation: Float64Array | null = null;
  const uncertainty = new Float64Array(n);
  let message = res.message;
  if (minima) message += `; ${minima.length} minima across interpolation kinks (twice_nll ${minima.map((f) => f.toFixed(4)).join(', ')}): the lowest kept`;
  let converged = res.converged;
  if (opts.hesse !== false && free.length > 0) {
    const h = hesse(fg, res.x, free, lower, upper, hess, lowRankPays(free.length) ? null : plan(free), lowRank);
    // at a limit pyhf's errors are Minuit's numerical artefacts: reproduce them by running its algorithm
    const atLimit = h ? h.atLimit : Array.from(free);
    const m = atLimit.length > 0 && opts.minuitAtLimits !== false && free.length <= MINUIT_AT_LIMIT_MAX_PARS
      ? fitMinuit(model, data, x0, lower, upper, fixedMask, opts) : null;
    if (m?.converged) {
      covariance = m.covariance;
      correlation = m.correlation;
      uncertainty.set(m.uncertainty);
      const names = atLimit.map((i) => model.parNames[i]).join(', ');
      message += `; ${names} at a limit: uncertainties and correlations from the Minuit emulation, as pyhf reports them`;
    } else if (!h) {
      converged = false;
      message += '; Hesse failed: the Hessian is singular';
    } else {
      covariance = h.covariance;
      correlation = h.correlation;
      uncertainty.set(h.uncertainty);
      if (h.notPositive) message += '; Hesse: covariance not positive definite';
    }
    if (h && h.onBound.length > 0 && !m?.converged) message += `; ${h.onBound.map((i) => model.parNames[i]).join(', ')} on a bound: the other uncertainties with it held there`;
  }
  return { bestfit: res.x, uncertainty, twiceNll, covariance, correlation, converged, message, iterations: res.iterations, evaluations: res.evaluations, ...(minima ? { minima } : {}) };
}

function fitMinuit(model: Model, data: Dataset, x0: Float64Array, lower: Float64Array, upper: Float64Array, fixedMask: Uint8Array, opts: FitOptions): FitResult {
  const n = model.nPars;
  const m = minuitFit((x) => model.twiceNll(x, data), x0, lower, upper, fixedMask, { tolerance: opts.minuitTolerance ?? MINUIT_TOLERANCE });
  const hesse = opts.hesse !== false && m.valid;
  const correlation = hesse ? new Float64Array(n * n) : null;
  if (correlation) fillCorrelation(m.covariance, correlation, n);
  return {
    bestfit: m.x, uncertainty: hesse ? m.errors : new Float64Array(n), twiceNll: model.twiceNll(m.x, data),
    covariance: hesse ? m.covariance : null, correlation, converged: m.valid,
    message: m.valid ? `minuit: converged${m.accurate ? '' : ' (covariance not accurate)'}` : 'minuit: Migrad did not converge',
    iterations: 0, evaluations: m.calls,
  };
}

interface HesseResult {
  covariance: Float64Array; correlation: Float64Array; uncertainty: Float64Array; notPositive: boolean;
  /** free parameters so close to a limit that Minuit's Hesse steps reach past the fold of its sine
   *  transformation: there its errors depend on its own iterates, not on the local curvature */
  atLimit: number[];
  /** free parameters on a bound with a clear outward gradient (not in atLimit) */
  onBound: number[];
}

/** Minuit-style Hesse over the free parameters at the minimum x. */
export function hesse(
  fg: (x: Float64Array, g: Float64Array) => number, x: Float64Array, free: Int32Array, lower: Float64Array, upper: Float64Array,
  hessian?: (x: Float64Array, work: ArrayLike<number>) => Float64Array, plan?: ArrowPlan | null,
  lowRank?: (x: Float64Array, work: ArrayLike<number>) => LowRank | null,
): HesseResult | null {
  const n = x.length, m = free.length;
  const lr = lowRank ? lowRank(x, free) : null;
  const hExt = lr ? null : hessian ? hessian(x, free) : hessianByGradient(fg, x, free, lower, upper);
  const g = new Float64Array(n);
  const f = fg(x, g);
  // internal coordinates of each free parameter: x = mid + half * sin(theta)
  const theta = new Float64Array(m), jac = new Float64Array(m), curv = new Float64Array(m);
  const half = new Float64Array(m), mid = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    const i = free[r]!, a = lower[i]!, b = upper[i]!;
    if (Number.isFinite(a) && Number.isFinite(b)) {
      half[r] = 0.5 * (b - a); mid[r] = 0.5 * (a + b);
      theta[r] = Math.asin(Math.max(-1, Math.min(1, (x[i]! - mid[r]!) / half[r]!)));
      jac[r] = half[r]! * Math.cos(theta[r]!);
      curv[r] = -half[r]! * Math.sin(theta[r]!);
    } else {
      half[r] = NaN; jac[r] = 1; curv[r] = 0;
    }
  }
  const extra = Float64Array.from({ length: m }, (_, r) => g[free[r]!]! * curv[r]!);
  let hIntDiag: Float64Array, inverseInt: () => Float64Array | null, inverseExt: () => Float64Array | null;
  if (lr) {
    const lrInt = lowRankScaled(lr, jac, extra);
    hIntDiag = lowRankDiag(lrInt);
    inverseInt = () => lowRankInverse(lrInt);
    inverseExt = () => lowRankInverse(lr);
  } else {
    const h = hExt!;
    const hInt = new Float64Array(m * m);
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < m; c++) hInt[r * m + c] = jac[r]! * h[r * m + c]! * jac[c]!;
      hInt[r * m + r]! += extra[r]!;
    }
    hIntDiag = Float64Array.from({ length: m }, (_, r) => hInt[r * m + r]!);
    inverseInt = () => invertLarge(hInt, m, plan);
    inverseExt = () => invertLarge(h, m, plan);
  }
  // Minuit's Hesse step d solves sag = f''d²/2 = aimsag (its target change of f); past a tenth of the
  // internal distance to the fold (θ = ±π/2) the function is no longer quadratic over the step
  const aimsag = Math.sqrt(MINUIT_EPS2) * (Math.abs(f) + 1);
  const atLimit: number[] = [], onBound: number[] = [];
  for (let r = 0; r < m; r++) {
    if (Number.isNaN(half[r]!)) continue;
    const d = Math.sqrt(2 * aimsag / Math.abs(hIntDiag[r]!));
    // on its bound with the gradient pushing outwards: its internal curvature g x'' decouples it
    // (x' = 0 there), so the others' errors are those with it held at the bound (what minuit gives
    // there), at any model size; its own error is the local g x'' one
    const i = free[r]!;
    if ((x[i]! <= lower[i]! && g[i]! > 0) || (x[i]! >= upper[i]! && g[i]! < 0)) onBound.push(i);
    else if (!(d <= 0.1 * (0.5 * Math.PI - Math.abs(theta[r]!)))) atLimit.push(i);
  }
  const inv = inverseInt();
  if (!inv) return null;
  const covariance = new Float64Array(n * n), correlation = new Float64Array(n * n), uncertainty = new Float64Array(n);
  let notPositive = false;
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < m; c++) covariance[free[r]! * n + free[c]!] = jac[r]! * 2 * inv[r * m + c]! * jac[c]!;
    const vInt = 2 * inv[r * m + r]!;
    if (!(vInt > 0)) { notPositive = true; continue; }
    const s = Math.sqrt(vInt), i = free[r]!;
    if (Number.isNaN(half[r]!)) { uncertainty[i] = s; continue; }
    const xAt = (t: number) => mid[r]! + half[r]! * Math.sin(t);
    const du1 = s > 1 ? 2 * half[r]! : Math.abs(xAt(theta[r]! + s) - x[i]!);
    const du2 = Math.abs(xAt(theta[r]! - s) - x[i]!);
    uncertainty[i] = 0.5 * (du1 + du2);
  }
  if (notPositive) {
    // a minimum on a bound with vanishing gradient (internal curvature ~ 0): fall back to the
    // plain external-coordinate covariance, 2 * inverse(Hessian)
    const ext = inverseExt();
    if (ext) {
      notPositive = false;
      for (let r = 0; r < m; r++) {
        for (let c = 0; c < m; c++) covariance[free[r]! * n + free[c]!] = 2 * ext[r * m + c]!;
        const v = 2 * ext[r * m + r]!;
        if (v > 0) uncertainty[free[r]!] = Math.sqrt(v); else notPositive = true;
      }
    }
  }
  fillCorrelation(covariance, correlation, n);
  return { covariance, correlation, uncertainty, notPositive, atLimit, onBound };
}

/** Dense inverse, by blocks when per-bin parameters make the matrix arrow-shaped (see arrow.ts). */
function invertLarge(h: Float64Array, m: number, known?: ArrowPlan | null): Float64Array | null {
  const plan = known === undefined ? arrowPlan(h, m) : known;
  return plan ? arrowInverse(h, m, plan) : invert(h, m);
}

/** correlation from covariance; 1 on the diagonal (and 0 elsewhere) for parameters without variance */
function fillCorrelation(cov: Float64Array, corr: Float64Array, n: number): void {
  const sd = Float64Array.from({ length: n }, (_, i) => Math.sqrt(cov[i * n + i]!));
  for (let i = 0; i < n; i++) {
    const si = sd[i]!, row = i * n;
    for (let j = 0; j < n; j++) {
      const s = si * sd[j]!;
      corr[row + j] = s > 0 ? cov[row + j]! / s : (i === j ? 1 : 0);
    }
  }
}
