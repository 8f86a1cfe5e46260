// Upper limits from toys (pyhf's upper_limit with calctype 'toybased' over a scan, Combine's
// HybridNew --LHCmode LHC-limits on a grid): toy CLs at every POI value of a grid, and each limit
// (observed, -2..+2 sigma expected) where the CLs curve first falls below 1 - CL, interpolated
// linearly between the grid points around the crossing (pyhf's linear_grid_scan). Toy batches are
// plain jobs run by a caller-given runner (this thread, worker threads, the engine's pool), seeded
// by (seed, hypothesis, batch) only: every POI value uses the same random streams, which keeps the
// CLs curve smooth. The observed limit's statistical error comes from CLs's binomial error over
// the curve's slope at the crossing.
import type { Dataset, Model } from '../model.ts';
import { batches, batchSeed, qtildeOf, toyBatch, toyCls, toyParameters, type Hypothesis, type ToyResult } from './toys.ts';

/** One batch of toys to run: generated at `pars`, the statistic qtilde at `mu`. */
export interface ToyJob { mu: number; hypothesis: Hypothesis; pars: number[]; seed: number; count: number }

/** Runs jobs (in any order, anywhere) and gives each job's qtilde values, in job order. */
export type ToyRunner = (jobs: ToyJob[]) => Promise<number[][]>;

/** The batches of one hypothesis test at mu (s+b first, then b-only). */
export function toyJobs(model: Model, mu: number, opts: { ntoys: number; seed: number; data?: Dataset }): ToyJob[] {
  return (['sb', 'b'] as const).flatMap((hypothesis) => {
    const pars = Array.from(toyParameters(model, mu, hypothesis, opts.data));
    return batches(opts.ntoys).map(([k, count]): ToyJob => ({ mu, hypothesis, pars, seed: batchSeed(opts.seed, hypothesis, k), count }));
  });
}

/** Jobs in this thread. */
export function runHere(model: Model): ToyRunner {
  return async (jobs) => jobs.map((j) => toyBatch(model, j.mu, Float64Array.from(j.pars), j.seed, j.count));
}

/** Toy CLs at each mu of the grid, all batches handed to the runner at once. */
export async function toyScan(model: Model, grid: readonly number[], opts: { ntoys: number; seed: number; data?: Dataset }, run: ToyRunner): Promise<ToyResult[]> {
  const data = opts.data ?? model.observed;
  const perMu = grid.map((mu) => toyJobs(model, mu, { ...opts, data }));
  const done = await run(perMu.flat());
  let at = 0;
  return grid.map((mu, i) => {
    const jobs = perMu[i]!, values = done.slice(at, at + jobs.length);
    at += jobs.length;
    const sb = values.filter((_, k) => jobs[k]!.hypothesis === 'sb').flat(), b = values.filter((_, k) => jobs[k]!.hypothesis === 'b').flat();
    return toyCls(mu, qtildeOf(model, mu, data), sb, b);
  });
}

/** The default grid: `points` values from half the smallest to 1.5 x the largest asymptotic limit. */
export function toyGrid(asymptotic: number[], points: number, lower: number): number[] {
  const finite = asymptotic.filter((x) => Number.isFinite(x) && x > 0);
  return linearGrid(Math.max(lower, 0.5 * Math.min(...finite)), 1.5 * Math.max(...finite), points);
}

/** `points` values from lo to hi, ends included (rounded: memo keys of a resumed run repeat). */
export function linearGrid(lo: number, hi: number, points: number): number[] {
  if (points <= 1) return points === 1 ? [lo] : [];
  return Array.from({ length: points }, (_, i) => Number((lo + ((hi - lo) * i) / (points - 1)).toPrecision(12)));
}

export interface LimitCrossing {
  value: number;
  /** 'above' / 'below': CLs never falls below the level on the grid / is already below at its first point */
  outside: 'above' | 'below' | null;
}

/** Where `cls` first falls to `level` or below, linearly interpolated between the grid points. */
export function crossing(grid: readonly number[], cls: readonly number[], level: number): LimitCrossing {
  if (cls[0]! <= level) return { value: grid[0]!, outside: 'below' };
  for (let i = 1; i < grid.length; i++) {
    if (cls[i]! <= level) {
      const f = (cls[i - 1]! - level) / (cls[i - 1]! - cls[i]!);
      return { value: grid[i - 1]! + f * (grid[i]! - grid[i - 1]!), outside: null };
    }
  }
  return { value: grid.at(-1)!, outside: 'above' };
}

export interface ToyLimit {
  grid: number[];
  points: Array<{ poi: number; cls_obs: number; cls_exp: number[]; cls_obs_error: number }>;
  obs: number; exp: number[];
  /** observed, then the five expected */
  outside: Array<'above' | 'below' | null>;
  /** the grid step: the resolution of the interpolation */
  resolution: number;
  /** statistical error of the observed limit from the toys (CLs error / slope at the crossing) */
  obsError: number;
}

export function toyLimitFromScan(results: ToyResult[], level = 0.05): ToyLimit {
  const grid = results.map((r) => r.poi);
  const obs = crossing(grid, results.map((r) => r.clsObs), level);
  const exp = [0, 1, 2, 3, 4].map((k) => crossing(grid, results.map((r) => r.clsExp[k]!), level));
  let obsError = NaN;
  if (obs.outside === null) {
    const i = Math.max(1, grid.findIndex((g) => g >= obs.value));
    const slope = (results[i]!.clsObs - results[i - 1]!.clsObs) / (grid[i]! - grid[i - 1]!);
    const err = 0.5 * (results[i]!.clsObsError + results[i - 1]!.clsObsError);
    obsError = slope < 0 ? err / -slope : NaN;
  }
  return {
    grid,
    points: results.map((r) => ({ poi: r.poi, cls_obs: r.clsObs, cls_exp: r.clsExp, cls_obs_error: r.clsObsError })),
    obs: obs.value, exp: exp.map((e) => e.value), outside: [obs.outside, ...exp.map((e) => e.outside)],
    resolution: grid.length > 1 ? grid[1]! - grid[0]! : NaN, obsError,
  };
}

/** Notes for the limits that are not interpolated crossings. */
export function toyLimitNotes(l: ToyLimit, poi: string): string[] {
  const names = ['observed', 'expected -2 sigma', 'expected -1 sigma', 'expected median', 'expected +1 sigma', 'expected +2 sigma'];
  const lo = l.grid[0]!, hi = l.grid.at(-1)!;
  const notes = [`toy limits interpolated on a ${l.grid.length}-point grid of ${poi} over [${lo}, ${hi}] (resolution ${l.resolution.toPrecision(3)})`];
  l.outside.forEach((o, k) => {
    if (o === 'above') notes.push(`${names[k]} toy limit is above ${hi} (the grid's end): widen --toy-range`);
    if (o === 'below') notes.push(`${names[k]} toy limit is below ${lo} (the grid's start): widen --toy-range`);
  });
  return notes;
}
