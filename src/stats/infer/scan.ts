// Profile-likelihood scans of one or two parameters (cabinetry's fit.scan, Combine's MultiDimFit
// --algo grid): at every grid point the scanned parameters are fixed and the rest re-fitted from the
// suggested init (pyhf's fixed_poi_fit semantics); each point reports twice_nll minus the free fit's.
// Points are independent of each other (the engine runs them in parallel and caches them).
import { UserError } from '../../errors.ts';
import { fit } from '../fit.ts';
import type { Dataset, Model } from '../model.ts';

export interface ScanSpec {
  /** one or two parameter names (pyhf names, `name[i]` for vector parameters) */
  pars: string[];
  /** grid points per parameter, ends included */
  points: number;
  /** [lo, hi] per parameter (default: the parameter's bounds) */
  ranges?: Array<[number, number] | undefined>;
}

export interface ScanGrid {
  pars: string[];
  indices: number[];
  /** the grid values per parameter */
  axes: number[][];
  /** every point: one value per parameter, the first parameter varying slowest */
  points: number[][];
}

export interface ScanResult {
  pars: string[];
  twice_nll_min: number;
  /** best fit of the scanned parameters */
  bestfit: number[];
  /** [p, (q,) twice_nll - twice_nll_min] */
  points: number[][];
}

/** Indices of named parameters; `where` names the caller in the error. */
export function parameterIndices(model: Model, names: string[], where: string): number[] {
  return names.map((p) => {
    const i = model.parNames.indexOf(p);
    if (i < 0) throw new UserError(`${where}: no parameter '${p}' in measurement '${model.measurement}' (parameters: ${model.parNames.slice(0, 12).join(', ')}${model.nPars > 12 ? ', ...' : ''})`);
    return i;
  });
}

/** N evenly spaced values over [lo, hi], ends included (rounded so cache keys of a rerun agree). */
export function linspace(lo: number, hi: number, n: number): number[] {
  if (n === 1) return [lo];
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? hi : Number((lo + ((hi - lo) * i) / (n - 1)).toPrecision(15))));
}

export function scanGrid(model: Model, spec: ScanSpec, where: string): ScanGrid {
  if (spec.pars.length < 1 || spec.pars.length > 2) throw new UserError(`${where}: scan one or two parameters, got ${spec.pars.length}`);
  if (!(Number.isInteger(spec.points) && spec.points >= 1)) throw new UserError(`${where}: points must be a positive integer, got ${spec.points}`);
  const indices = parameterIndices(model, spec.pars, where);
  const axes = indices.map((i, k) => {
    const [lo, hi] = spec.ranges?.[k] ?? [model.lower[i]!, model.upper[i]!];
    if (!(lo <= hi)) throw new UserError(`${where}: range of '${spec.pars[k]}' must have lo <= hi, got [${lo}, ${hi}]`);
    return linspace(lo, hi, spec.points);
  });
  const points = axes.length === 1 ? axes[0]!.map((v) => [v]) : axes[0]!.flatMap((x) => axes[1]!.map((y) => [x, y]));
  return { pars: spec.pars, indices, axes, points };
}

/** twice_nll of the fit with the scanned parameters fixed at `values` (a fixed_poi_fit per point). */
export function scanPoint(model: Model, indices: number[], values: number[], data: Dataset = model.observed): number {
  return fit(model, { data, fix: new Map(indices.map((i, k) => [i, values[k]!])), hesse: false }).twiceNll;
}

/** The whole scan in this thread (the scan node spreads the points over the worker pool instead). */
export function scan(model: Model, spec: ScanSpec, opts: { data?: Dataset; where?: string } = {}): ScanResult {
  const grid = scanGrid(model, spec, opts.where ?? 'scan');
  const free = fit(model, { data: opts.data, hesse: false });
  const nll = grid.points.map((v) => scanPoint(model, grid.indices, v, opts.data));
  return scanResult(grid, free.twiceNll, grid.indices.map((i) => free.bestfit[i]!), nll);
}

export function scanResult(grid: ScanGrid, twiceNllMin: number, bestfit: number[], twiceNll: number[]): ScanResult {
  return { pars: grid.pars, twice_nll_min: twiceNllMin, bestfit, points: grid.points.map((v, k) => [...v, twiceNll[k]! - twiceNllMin]) };
}
