// 95% CL upper limits on the POI from asymptotic CLs (observed and the -2..+2 sigma expected band), by
// Brent root finding on CLs(mu) - level, like pyhf's upper_limit (toms748). Each band's root is
// bracketed by walking geometrically from an asymptotic guess, down to (a tiny fraction of) the POI's
// upper bound and, when CLs is still above the level at the bound, past it: a limit outside the bounds
// is reported as such (`outside`), never clamped silently. Every evaluated point is reported through
// `onPoint` and points do not depend on each other. `method: 'scan'` is pyhf's 201-point scan with
// linear interpolation instead (its resolution is the grid step).
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
  /** 'root' (default): bracketing and Brent; 'scan': pyhf's 201-point scan over the POI bounds */
  method?: 'root' | 'scan';
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

/** Where a limit lies relative to the POI bounds: 'above' the upper bound (root found past it, or
 *  clamped to the last grid point by a scan), 'below' the smallest value searched. */
export type LimitOutside = 'above' | 'below' | null;

export interface UpperLimitResult {
  obs: number;
  /** -2..+2 sigma */
  exp: number[];
  method: 'root' | 'scan';
  /** observed, then the 5 expected bands */
  outside: LimitOutside[];
  /** absolute resolution of each limit (observed, then expected): the root tolerance or the grid step */
  resolution: number[];
  points: LimitPoint[];
}

/** How far past the POI's upper bound a root is searched (in units of the bound). */
const BEYOND_UPPER = 1e6;
/** The smallest POI value searched, relative to the upper bound, when the lower bound is 0. */
const BELOW_RELATIVE = 1e-10;

/** One line per limit outside the bounds or taken from a scan (empty when all are plain roots). */
export function limitNotes(r: UpperLimitResult, poi: string, lo: number, hi: number): string[] {
  const label = (k: number) => (k === 0 ? 'observed' : `expected ${['-2', '-1', 'median', '+1', '+2'][k - 1]}${k === 3 ? '' : ' sigma'}`);
  const values = [r.obs, ...r.exp];
  const notes: string[] = [];
  r.outside.forEach((o, k) => {
    const res = r.resolution[k]!.toPrecision(2);
    if (o === 'above') {
      notes.push(r.method === 'scan'
        ? `${label(k)} limit is above the upper bound ${hi} of ${poi}: the scan clamps it to ${values[k]} (a lower bound on the limit)`
        : `${label(k)} limit ${values[k]!.toPrecision(5)} is above the upper bound ${hi} of ${poi} (fits with ${poi} fixed past its bound; resolution ${res})`);
    } else if (o === 'below') {
      notes.push(`${label(k)} limit is below ${values[k]} (the lower end of the search for ${poi}, bounds [${lo}, ${hi}]): an upper bound on the limit`);
    }
  });
  if (r.method === 'scan') notes.push(`limits from pyhf's 201-point scan over [${lo}, ${hi}] with linear interpolation: resolution ${r.resolution[0]!.toPrecision(3)} (the grid step)`);
  return notes;
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
  const report = (p: LimitPoint) => { points.push(p); opts.onPoint?.(p); };
  if (opts.method === 'scan') {
    const n = 201;
    const scan = scanLimits(ctx, lo, hi, level, report, n, opts.cache);
    const step = (hi - lo) / (n - 1);
    return { obs: scan.obs, exp: scan.exp, method: 'scan', outside: scan.outside, resolution: Array(6).fill(step), points };
  }
  const asimovAt = stats.qmuA;
  const expAt = (mu: number) => expectedCls(Math.sqrt(asimovAt(mu)));
  const obsAt = (mu: number) => {
    const q = stats.qmu(mu);
    const qa = asimovAt(mu);
    const cls = clsFromTeststat(qtildeTeststat(q, qa), Math.sqrt(qa)).cls;
    report({ poi: mu, clsObs: cls, clsExp: expectedCls(Math.sqrt(qa)) });
    return cls;
  };
  const bands: Array<(mu: number) => number> = [
    (mu) => obsAt(mu) - level,
    ...[0, 1, 2, 3, 4].map((k) => (mu: number) => { const e = expAt(mu); report({ poi: mu, clsExp: e }); return e[k]! - level; }),
  ];
  // the search range: from the lower bound (or a tiny fraction of the upper one when the lower is 0,
  // where qtilde's CLs is 1 by construction) to far past the upper bound
  const searchLo = lo > 0 ? lo : Math.max(lo, hi * BELOW_RELATIVE);
  const searchHi = hi * BEYOND_UPPER;
  const guesses = asymptoticGuesses(asimovAt, searchLo, hi, level);
  const outside: LimitOutside[] = [];
  const results = bands.map((f, k) => {
    const br = bracket(f, guesses[k]!, searchLo, searchHi);
    if (br === 'below') { outside.push('below'); return searchLo; }
    if (br === 'above') { outside.push('above'); return searchHi; }
    const root = brent(f, br[0], br[1], br[2], br[3], rtol);
    outside.push(root > hi ? 'above' : null);
    return root;
  });
  const resolution = results.map((v) => rtol * Math.abs(v) + 1e-12);
  return { obs: results[0]!, exp: results.slice(1), method: 'root', outside, resolution, points };
}

/** Each band's starting point: with qmu_A ~ (mu / sigma)^2, expected CLs(n) = Phi(-(n + mu/sigma)) /
 *  Phi(-n), so one Asimov fit gives sigma and every band's guess (the bracketing corrects a poor one). */
function asymptoticGuesses(asimovAt: (mu: number) => number, searchLo: number, hi: number, level: number): number[] {
  const mu1 = Math.min(hi, Math.max(searchLo, 1));
  const q1 = asimovAt(mu1);
  const sigma = q1 > 0 ? mu1 / Math.sqrt(q1) : hi;
  const guessFor = (nsig: number) => sigma * Math.max(-normalQuantile(level * normalCdf(-nsig)) - nsig, 1e-3);
  return [guessFor(0), ...EXPECTED_SIGMAS.map(guessFor)].map((g) => Math.min(hi, Math.max(searchLo, g)));
}

/** Walk outwards from `guess` by growing factors until f changes sign: [a, b, f(a), f(b)] with
 *  f(a) > 0 >= f(b), or where the root lies when there is no crossing inside [lo, hi]. */
function bracket(f: (x: number) => number, guess: number, lo: number, hi: number): [number, number, number, number] | 'above' | 'below' {
  let a = guess, fa = f(a);
  let factor = 1.1;
  if (fa > 0) {
    for (;;) {
      if (a >= hi) return 'above';
      const b = Math.min(hi, a * factor), fb = f(b);
      if (fb <= 0) return [a, b, fa, fb];
      a = b; fa = fb; factor *= factor;
    }
  }
  let b = a, fb = fa;
  for (;;) {
    if (b <= lo) return 'below';
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
  // numpy.interp clamps: a band above the level at the last point (below it at the first) is outside
  const outside = [obs, ...exp].map((c): LimitOutside => (c.at(-1)! > level ? 'above' : c[0]! <= level ? 'below' : null));
  return { obs: interpLevel(grid, obs, level), exp: exp.map((c) => interpLevel(grid, c, level)), outside };
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
