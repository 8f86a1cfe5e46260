// The `Histograms` artifact flowing from fill to merge to build-workspace: plain data (JSON plus
// Float64Arrays), so it crosses worker threads and the cache codec without custom classes.
import { Hist, type Binned } from './hist.ts';
import { axisFromJSON, type AxisJSON } from './axis.ts';
import { pairKey, toNamedHistograms, unfilledPairs, type Hist1D } from './collection.ts';

export interface HistData { axes: AxisJSON[]; sumw: Float64Array; sumw2: Float64Array }

export interface HistogramsArtifact {
  kind: 'hepflow.histograms';
  /** N-dimensional histograms by name */
  hists: Record<string, HistData>;
  /** events processed per sample (and variation): `ttbar__nominal` -> n */
  nevents: Record<string, number>;
  /** summed cutflow counters per sample, when the select node provides them */
  cutflows: Record<string, Record<string, number>>;
}

export function emptyArtifact(): HistogramsArtifact {
  return { kind: 'hepflow.histograms', hists: {}, nevents: {}, cutflows: {} };
}

export function toData(h: Hist): HistData { return { axes: h.axes.map((a) => a.toJSON()), sumw: h.sumw, sumw2: h.sumw2 }; }
export function fromData(d: HistData): Hist { return new Hist(d.axes.map(axisFromJSON), Float64Array.from(d.sumw), Float64Array.from(d.sumw2)); }

export function isHistogramsArtifact(x: unknown): x is HistogramsArtifact {
  return typeof x === 'object' && x !== null && (x as HistogramsArtifact).kind === 'hepflow.histograms';
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** acc += part (histograms by name; category axes merged by value). Mutates and returns acc. */
export function mergeInto(acc: HistogramsArtifact, part: HistogramsArtifact): HistogramsArtifact {
  for (const [name, d] of Object.entries(part.hists)) {
    const mine = acc.hists[name];
    acc.hists[name] = mine ? toData(fromData(mine).plus(fromData(d))) : d;
  }
  addCounts(acc.nevents, part.nevents);
  for (const [s, cf] of Object.entries(part.cutflows)) addCounts((acc.cutflows[s] ??= {}), cf);
  return acc;
}

export interface NamingOptions {
  /** applied to each 1D histogram before naming, e.g. the AGC's rebinFrom('observable', 110, 2) */
  transform?: (h: Hist) => Hist;
}

/** cabinetry-named 1D histograms with flow bins: histograms with a `region` axis are split by it,
 *  others use their own name as the region (notebook 002's one histogram per region). */
export function namedHistograms(a: HistogramsArtifact, opts: NamingOptions = {}): Map<string, Hist1D> {
  const out = new Map<string, Hist1D>();
  const hists = Object.entries(a.hists).map(([name, d]) => [name, fromData(d)] as const);
  // variations never filled for a process (ttbar's ME_var for W+jets) are not histograms of the
  // analysis: all zeros, they would read as -100% systematics
  const unfilled = unfilledPairs(hists.map(([, h]) => h));
  const keep = (p: string | null, v: string | null) => p === null || v === null || !unfilled.has(pairKey(p, v));
  for (const [name, h] of hists) {
    const hasRegion = h.axes.some((x) => x.name === 'region');
    const named = toNamedHistograms(hasRegion ? h : { [name]: h }, { transform: opts.transform, keep });
    for (const [k, v] of named) out.set(k, v);
  }
  return out;
}

/** In-range {edges, values, variances} by cabinetry name: what the workspace builder reads. */
export function templateHistograms(a: HistogramsArtifact, opts: NamingOptions = {}): Map<string, Binned> {
  const out = new Map<string, Binned>();
  for (const [k, h] of namedHistograms(a, opts)) {
    const n = h.edges.length - 1;
    out.set(k, { edges: h.edges, values: Array.from(h.values.subarray(1, n + 1)), variances: Array.from(h.variances.subarray(1, n + 1)) });
  }
  return out;
}
