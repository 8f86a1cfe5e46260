// Named 1D histograms in cabinetry's convention: `{region}_{sample}` for nominal and
// `{region}_{sample}_{variation}` otherwise, the names `histograms.root` and the workspace builder use.
import { Hist, type AxisSelection } from './hist.ts';
import { CategoryAxis } from './axis.ts';
import { writeFile } from 'node:fs/promises';

export interface Hist1D {
  edges: number[];
  /** including underflow (first) and overflow (last) */
  values: Float64Array;
  variances: Float64Array;
  title?: string;
  xTitle?: string;
}

export function cabinetryName(region: string, sample: string, variation = 'nominal'): string {
  return variation === 'nominal' ? `${region}_${sample}` : `${region}_${sample}_${variation}`;
}

export interface CollectionAxes { region?: string; process?: string; variation?: string }

/** One 1D histogram per (region, process, variation) found on the category axes. `perRegion` may be
 *  a single histogram with a region axis (notebook 001) or one histogram per region (notebook 002). */
export function toNamedHistograms(
  hists: Hist | Record<string, Hist>,
  opts: CollectionAxes & { transform?: (h: Hist) => Hist; skipEmpty?: boolean; keep?: (process: string | null, variation: string | null) => boolean } = {},
): Map<string, Hist1D> {
  const ax = { region: opts.region ?? 'region', process: opts.process ?? 'process', variation: opts.variation ?? 'variation' };
  const perRegion: Record<string, Hist> = {};
  if (hists instanceof Hist) {
    for (const r of categories(hists, ax.region)) perRegion[r] = hists.slice({ [ax.region]: r });
  } else Object.assign(perRegion, hists);
  const out = new Map<string, Hist1D>();
  for (const [region, h] of Object.entries(perRegion)) {
    // a histogram without a process (variation) axis is one process (nominal only)
    const hasAxis = (name: string) => h.axes.some((a) => a.name === name);
    const processes = hasAxis(ax.process) ? categories(h, ax.process) : [null];
    const variations = hasAxis(ax.variation) ? categories(h, ax.variation) : [null];
    for (const p of processes) {
      for (const v of variations) {
        const sel: Record<string, AxisSelection> = {};
        if (p !== null) sel[ax.process] = p;
        if (v !== null) sel[ax.variation] = v;
        let one = Object.keys(sel).length ? h.slice(sel) : h;
        if (opts.keep && !opts.keep(p, v)) continue;
        if (opts.skipEmpty && one.sumw.every((x) => x === 0) && v !== null && v !== 'nominal') continue;
        if (opts.transform) one = opts.transform(one);
        const f = one.withFlow();
        const name = p === null ? region : cabinetryName(region, p, v ?? 'nominal');
        out.set(name, { edges: f.edges, values: f.values, variances: f.variances, title: name, xTitle: one.axis(0).label });
      }
    }
  }
  return out;
}

/** The (process, variation) pairs that were never filled: all zero (weights and squared weights)
 *  in every region, for a process that has nominal content, while other processes have content for
 *  that variation. A category axis is a product, but a sample variation (ttbar's ME_var) or a weight
 *  variation of one process (W+jets' scale_var) is filled for its own process only; an all-zero
 *  variation of a process without events, or of the only process, is kept (it may be genuinely
 *  empty, and a fit config would look for it). */
export function unfilledPairs(hists: Hist[], ax: { process?: string; variation?: string } = {}): Set<string> {
  const pa = ax.process ?? 'process', va = ax.variation ?? 'variation';
  const all: Array<[string, string]> = [];
  const withContent = new Set<string>(), procHasNominal = new Set<string>(), varHasContent = new Set<string>();
  for (const h of hists) {
    if (!h.axes.some((a) => a.name === pa) || !h.axes.some((a) => a.name === va)) continue;
    for (const p of categories(h, pa)) {
      for (const v of categories(h, va)) {
        all.push([p, v]);
        const one = h.slice({ [pa]: p, [va]: v });
        if (!one.sumw.some((x) => x !== 0) && !one.sumw2.some((x) => x !== 0)) continue;
        withContent.add(pairKey(p, v));
        if (v === 'nominal') procHasNominal.add(p); else varHasContent.add(v);
      }
    }
  }
  const out = new Set<string>();
  for (const [p, v] of all) {
    if (v !== 'nominal' && !withContent.has(pairKey(p, v)) && procHasNominal.has(p) && varHasContent.has(v)) out.add(pairKey(p, v));
  }
  return out;
}

export const pairKey = (process: string, variation: string): string => `${process}\u0000${variation}`;

export function categories(h: Hist, axis: string): string[] {
  const a = h.axis(axis);
  if (!(a instanceof CategoryAxis)) throw new Error(`axis '${axis}' is not a category axis`);
  return (a as CategoryAxis<string | number>).values.map(String);
}

/** Weighted sum of named histograms (pseudodata = sum of processes incl. chosen variations). */
export function combine(named: Map<string, Hist1D>, terms: Array<{ name: string; factor?: number }>, title = 'pseudodata'): Hist1D {
  let acc: Hist1D | null = null;
  for (const t of terms) {
    const h = named.get(t.name);
    if (!h) throw new Error(`pseudodata: no histogram '${t.name}' (have ${[...named.keys()].slice(0, 10).join(', ')}...)`);
    const f = t.factor ?? 1;
    if (!acc) acc = { edges: h.edges, values: new Float64Array(h.values.length), variances: new Float64Array(h.values.length), title, xTitle: h.xTitle };
    if (acc.values.length !== h.values.length) throw new Error(`pseudodata: '${t.name}' has a different binning`);
    for (let i = 0; i < h.values.length; i++) { acc.values[i]! += f * h.values[i]!; acc.variances[i]! += f * f * h.variances[i]!; }
  }
  if (!acc) throw new Error('pseudodata: no terms');
  return acc;
}

/** The AGC reference JSON form: name -> {contents (with flow), edges}. */
export function toReferenceJSON(named: Map<string, Hist1D>): Record<string, { contents: number[]; edges: number[] }> {
  const o: Record<string, { contents: number[]; edges: number[] }> = {};
  for (const [k, h] of named) o[k] = { contents: Array.from(h.values), edges: h.edges };
  return o;
}

export async function writeHistogramsJSON(path: string, named: Map<string, Hist1D>): Promise<void> {
  await writeFile(path, JSON.stringify(toReferenceJSON(named)));
}
