// 95% CL upper limits on the POI from asymptotic CLs (observed and the -2..+2 sigma expected band), by
// Brent root finding on CLs(mu) - level inside the POI bounds, like pyhf's upper_limit (toms748). Every
// evaluated point is reported through `onPoint` and points do not depend on each other. When a band
// has no crossing inside the bounds, all limits come from a 201-point linear scan over the bounds.
import { EXPECTED_SIGMAS, clsFromTeststat, expectedCls, hypotestContext, qmuAsimov, qmuTilde, qtildeTeststat } from './hypotest.ts';
import { normalCdf, normalQuantile } from '../special.ts';
import type { HypotestContext } from './hypotest.ts';
import type { Dataset, Model } from '../model.ts';

export interface UpperLimitOptions {
  level?: number;
  data?: Dataset;
  /** relative tolerance on the limit (default 1e-5; pyhf's toms748 uses 1e-4) */
  rtol?: number;
  /** called after every evaluated POI value (progress) */
  onPoint?: (point: LimitPoint) => void;
  /** reuse POI-independent fits */
  context?: HypotestContext;
  /** where per-POI test statistics are kept (default: in memory); a persistent one lets an
   *  interrupted scan resume */
  cache?: PointCache;
}

/** Per-POI test statistics (qmu on the data, qmu_A on the Asimov data) of one hypotest context. */
export interface PointCache {
  get(kind: 'qmu' | 'qmuA', poi: number): number | undefined;
  set(kind: 'qmu' | 'qmuA', poi: number, value: number): void;
}

export function memoryPointCache(): PointCache {
  const m = new Map<string, number>();
  return { get: (k, poi) => m.get(`${k}:${poi}`), set: (k, poi, v) => { m.set(`${k}:${poi}`, v); } };
}

/** qmu and qmu_A at a POI value, computed once per cache. */
function pointStats(model: Model, ctx: HypotestContext, cache: PointCache) {
  const memo = (kind: 'qmu' | 'qmuA', mu: number, compute: () => number) => {
    let v = cache.get(kind, mu);
    if (v === undefined) { v = compute(); cache.set(kind, mu, v); }
    return v;
  };
  return {
    qmuA: (mu: number) => memo('qmuA', mu, () => qmuAsimov(ctx, mu)),
    qmu: (mu: number) => memo('qmu', mu, () => qmuTilde(model, mu, ctx.data, ctx.free)),
  };
}

export interface LimitPoint { poi: number; clsObs?: number; clsExp: number[] }

export interface UpperLimitResult {
  obs: number;
  /** -2..+2 sigma */
  exp: number[];
  method: 'root' | 'scan';
  points: LimitPoint[];
}

/** Brent's method for f(a) >= 0 > f(b) (or the reverse). */
export function brent(f: (x: number) => number, a: number, b: number, fa: number, fb: number, rtol: number, maxIter = 100): number {
  if (fa === 0) return a;
  if (fb === 0) return b;
  let c = a, fc = fa, d = b - a, e = d;
  for (let i = 0; i < maxIter; i++) {
    if (Math.sign(fb) === Math.sign(fc)) { c = a; fc = fa; d = b - a; e = d; }
    if (Math.abs(fc) < Math.abs(fb)) { a = b; b = c; c = a; fa = fb; fb = fc; fc = fa; }
    const tol = 2e-16 * Math.abs(b) + 0.5 * rtol * Math.abs(b) + 1e-12;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) return b;
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number, q: number;
      if (a === c) { p = 2 * m * s; q = 1 - s; }
      else {
        const qq = fa / fc, r = fb / fc;
        p = s * (2 * m * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q; else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) { e = d; d = p / q; }
      else { d = m; e = d; }
    } else { d = m; e = d; }
    a = b; fa = fb;
    b += Math.abs(d) > tol ? d : (m > 0 ? tol : -tol);
    fb = f(b);
  }
  return b;
}

export function upperLimit(model: Model, opts: UpperLimitOptions = {}): UpperLimitResult {
  const level = opts.level ?? 0.05;
  const rtol = opts.rtol ?? 1e-5;
  const ctx = opts.context ?? hypotestContext(model, opts.data);
  const lo = model.lower[model.poiIndex]!, hi = model.upper[model.poiIndex]!;
  const points: LimitPoint[] = [];
  const stats = pointStats(model, ctx, opts.cache ?? memoryPointCache());
  const asimovAt = stats.qmuA;
  const report = (p: LimitPoint) => { points.push(p); opts.onPoint?.(p); };
  const expAt = (mu: number) => expectedCls(Math.sqrt(asimovAt(mu)));
  const obsAt = (mu: number) => {
    const q = stats.qmu(mu);
    const qa = asimovAt(mu);
    const cls = clsFromTeststat(qtildeTeststat(q, qa), Math.sqrt(qa)).cls;
    report({ poi: mu, clsObs: cls, clsExp: expectedCls(Math.sqrt(qa)) });
    return cls;
  };
  // Each band's root is bracketed around an asymptotic guess: with qmu_A ~ (mu / sigma)^2, expected
  // CLs(n) = Phi(-(n + mu/sigma)) / Phi(-n), so one Asimov fit gives sigma and every band's guess.
  const bands: Array<(mu: number) => number> = [
    (mu) => obsAt(mu) - level,
    ...[0, 1, 2, 3, 4].map((k) => (mu: number) => { const e = expAt(mu); report({ poi: mu, clsExp: e }); return e[k]! - level; }),
  ];
  const lowStart = lo > 0 ? lo : Math.min(hi, Math.max(1e-4 * hi, 1e-6));
  const mu1 = Math.min(hi, Math.max(lowStart, 1));
  const q1 = asimovAt(mu1);
  const sigma = q1 > 0 ? mu1 / Math.sqrt(q1) : hi;
  const guessFor = (nsig: number) => sigma * Math.max(-normalQuantile(level * normalCdf(-nsig)) - nsig, 1e-3);
  const guesses = [guessFor(0), ...EXPECTED_SIGMAS.map(guessFor)];
  const results: number[] = [];
  let method: 'root' | 'scan' = 'root';
  bands.forEach((f, k) => {
    const g = Math.min(hi, Math.max(lowStart, guesses[k]!));
    const br = bracket(f, g, lowStart, hi);
    results.push(br ? brent(f, br[0], br[1], br[2], br[3], rtol) : NaN);
  });
  if (results.some((v) => Number.isNaN(v))) {
    method = 'scan';
    // like pyhf's reference procedure: once root finding would leave the POI bounds for any band,
    // every band comes from the scan
    const scan = scanLimits(ctx, lo, hi, level, report, 201, opts.cache);
    results.splice(0, results.length, scan.obs, ...scan.exp);
  }
  return { obs: results[0]!, exp: results.slice(1), method, points };
}

/** Walk outwards from `guess` by growing factors until f changes sign: [a, b, f(a), f(b)] with
 *  f(a) > 0 >= f(b), or null when there is no crossing inside [lo, hi]. */
function bracket(f: (x: number) => number, guess: number, lo: number, hi: number): [number, number, number, number] | null {
  let a = guess, fa = f(a);
  let factor = 1.1;
  if (fa > 0) {
    for (;;) {
      if (a >= hi) return null;
      const b = Math.min(hi, a * factor), fb = f(b);
      if (fb <= 0) return [a, b, fa, fb];
      a = b; fa = fb; factor *= factor;
    }
  }
  let b = a, fb = fa;
  for (;;) {
    if (b <= lo) return null;
    const c = Math.max(lo, b / factor), fc = f(c);
    if (fc > 0) return [c, b, fc, fb];
    b = c; fb = fc; factor *= factor;
  }
}

/** Limits by linear interpolation of CLs on a 201-point grid over [lo, hi] (numpy.interp semantics). */
export function scanLimits(
  ctx: HypotestContext, lo: number, hi: number, level: number, report: (p: LimitPoint) => void, n = 201, cache?: PointCache,
) {
  const stats = pointStats(ctx.model, ctx, cache ?? memoryPointCache());
  const grid = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
  const obs: number[] = [], exp: number[][] = [[], [], [], [], []];
  for (const mu of grid) {
    const qa = stats.qmuA(mu), sqA = Math.sqrt(qa);
    const clsObs = clsFromTeststat(qtildeTeststat(stats.qmu(mu), qa), sqA).cls;
    const clsExp = expectedCls(sqA);
    report({ poi: mu, clsObs, clsExp });
    obs.push(clsObs);
    clsExp.forEach((v, k) => exp[k]!.push(v));
  }
  return { obs: interpLevel(grid, obs, level), exp: exp.map((c) => interpLevel(grid, c, level)) };
}

function interpLevel(mu: number[], cls: number[], level: number): number {
  // numpy.interp(level, cls[::-1], mu[::-1]): clamps outside the range
  const xs = [...cls].reverse(), ys = [...mu].reverse();
  if (!(level > xs[0]!)) return ys[0]!;
  if (level >= xs[xs.length - 1]!) return ys[ys.length - 1]!;
  for (let i = 1; i < xs.length; i++) {
    if (level <= xs[i]!) return ys[i - 1]! + ((ys[i]! - ys[i - 1]!) * (level - xs[i - 1]!)) / (xs[i]! - xs[i - 1]!);
  }
  return ys[ys.length - 1]!;
}
