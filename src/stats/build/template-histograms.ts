// Template histograms as the builders consume them, where to find each one (cabinetry's InputPath
// rules) and rebinning onto a region's Binning.
import { UserError } from '../../errors.ts';
import { regionContainsModifier, regionContainsSample, sampleContainsModifier } from './cabinetry-config.ts';
import type { CabinetryConfig, CabinetryRegion, CabinetrySample, CabinetrySystematic } from './cabinetry-config.ts';

/** One 1D histogram: values over the in-range bins (edges.length === values.length + 1), or with
 *  under- and overflow around them (values.length === edges.length + 1, as src/hist's Hist1D and
 *  ROOT store them; the flow bins are ignored). */
export interface TemplateHistogram {
  edges: ArrayLike<number>;
  values: ArrayLike<number>;
  /** sum of w^2 per bin, same layout as values */
  variances: ArrayLike<number>;
}

/** The in-range bins of a histogram given with or without flow bins. */
export function inRange(hist: TemplateHistogram, what: string | (() => string)): TemplateHistogram {
  const n = hist.edges.length - 1;
  if (hist.values.length === n) return hist;
  if (hist.values.length === n + 2 && hist.variances.length === n + 2) {
    const cut = (a: ArrayLike<number>) => Float64Array.from({ length: n }, (_, i) => a[i + 1]!);
    return { edges: hist.edges, values: cut(hist.values), variances: cut(hist.variances) };
  }
  throw new UserError(`histogram ${typeof what === 'string' ? what : what()}: ${hist.values.length} values and ${hist.variances.length} variances for ${n} bins (expected ${n}, or ${n + 2} with under/overflow)`);
}

/** Histograms by name: a Map, a plain record, or a function (undefined when missing). */
export type HistogramSource =
  | ReadonlyMap<string, TemplateHistogram>
  | Readonly<Record<string, TemplateHistogram>>
  | ((name: string) => TemplateHistogram | undefined);

export function lookupHistogram(source: HistogramSource, name: string): TemplateHistogram | undefined {
  if (typeof source === 'function') return source(name);
  if (source instanceof Map) return source.get(name);
  const record = source as Readonly<Record<string, TemplateHistogram>>;
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/** Up to `max` names in the source that look like `name` (longest shared prefix), for error
 *  messages; none for function sources. */
export function similarNames(source: HistogramSource, name: string, max = 3): string[] {
  if (typeof source === 'function') return [];
  const names = source instanceof Map ? [...source.keys()] : Object.keys(source);
  const shared = (a: string): number => {
    let i = 0;
    while (i < a.length && i < name.length && a[i] === name[i]) i++;
    return i;
  };
  return names.map((n) => [n, shared(n)] as const).filter(([, k]) => k >= Math.min(3, name.length))
    .sort((a, b) => b[1] - a[1] || a[0].length - b[0].length).slice(0, max).map(([n]) => n);
}

export type TemplateKind = 'Nominal' | 'Up' | 'Down';

/** What identifies one template: the config entries it belongs to. */
export interface TemplateRef {
  region: CabinetryRegion;
  sample: CabinetrySample;
  systematic: CabinetrySystematic | null;
  template: TemplateKind;
}

/** File and object name of a template, split at the last ':' of the resolved InputPath. */
export interface TemplateLocation { file: string; object: string }

/** cabinetry's `templates.collector._histo_path`: InputPath with {RegionPath}, {SamplePath} and
 *  {VariationPath} replaced; Up/Down templates may override SamplePath and VariationPath. */
export function templateLocation(config: CabinetryConfig, ref: TemplateRef): TemplateLocation {
  const { region, sample, systematic, template } = ref;
  let samplePath = sample.SamplePath;
  let variationPath = config.General.VariationPath ?? '';
  if (template !== 'Nominal' && systematic !== null) {
    const t = systematic[template];
    if (t.SamplePath !== undefined) samplePath = t.SamplePath;
    if (t.VariationPath !== undefined) variationPath = t.VariationPath;
  }
  let path = config.General.InputPath;
  if (path.includes('{RegionPath}')) {
    if (region.RegionPath === undefined) {
      throw new UserError(`cabinetry config: Regions "${region.Name}" needs RegionPath (General.InputPath uses {RegionPath})`);
    }
    path = path.replaceAll('{RegionPath}', region.RegionPath);
  }
  if (path.includes('{SamplePath}')) {
    if (samplePath === undefined) {
      throw new UserError(`cabinetry config: Samples "${sample.Name}" needs SamplePath (General.InputPath uses {SamplePath})`);
    }
    if (Array.isArray(samplePath)) {
      throw new UserError(`cabinetry config: Samples "${sample.Name}": a list of SamplePath is only supported for ntuple inputs`);
    }
    path = path.replaceAll('{SamplePath}', samplePath);
  }
  path = path.replaceAll('{VariationPath}', variationPath);
  const colon = path.lastIndexOf(':');
  return colon < 0 ? { file: '', object: path } : { file: path.slice(0, colon), object: path.slice(colon + 1) };
}

const EDGE_TOLERANCE = 1e-9;

function sameEdge(a: number, b: number): boolean {
  return Math.abs(a - b) <= EDGE_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Indices i with source[i] == target[k] for every k, or null when the target edges do not nest. */
function nestedEdgeIndices(source: ArrayLike<number>, target: ArrayLike<number>): Int32Array | null {
  const idx = new Int32Array(target.length);
  let i = 0;
  for (let k = 0; k < target.length; k++) {
    while (i < source.length && source[i]! < target[k]! && !sameEdge(source[i]!, target[k]!)) i++;
    if (i >= source.length || !sameEdge(source[i]!, target[k]!)) return null;
    idx[k] = i;
  }
  return idx;
}

export interface BinnedYields { edges: Float64Array; yields: Float64Array; variances: Float64Array }

function sameEdges(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameEdge(a[i]!, b[i]!)) return false;
  return true;
}

const asFloat64 = (a: ArrayLike<number>): Float64Array => (a instanceof Float64Array ? a : Float64Array.from(a));

/** Copies a template into float64 arrays (shared, not copied, when they already are), merging bins
 *  onto `binning` when given and different (target edges must be a subset of the histogram's edges;
 *  bins outside are dropped, like the AGC's "from 110 GeV, merge 2"). Callers must not mutate the
 *  result. `what` names the histogram in errors. */
export function toBinning(input: TemplateHistogram, binning: ArrayLike<number> | undefined, what: string | (() => string)): BinnedYields {
  const hist = inRange(input, what);
  if (binning === undefined || sameEdges(binning, hist.edges)) {
    return { edges: asFloat64(hist.edges), yields: asFloat64(hist.values), variances: asFloat64(hist.variances) };
  }
  const idx = nestedEdgeIndices(hist.edges, binning);
  if (idx === null) {
    throw new UserError(
      `histogram ${typeof what === 'string' ? what : what()}: its edges [${Array.from(hist.edges).join(', ')}] cannot be merged into the region Binning [${Array.from(binning).join(', ')}]`,
    );
  }
  const m = binning.length - 1;
  const yields = new Float64Array(m);
  const variances = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    let y = 0;
    let v = 0;
    for (let i = idx[k]!; i < idx[k + 1]!; i++) {
      y += hist.values[i]!;
      v += hist.variances[i]!;
    }
    yields[k] = y;
    variances[k] = v;
  }
  return { edges: Float64Array.from(binning), yields, variances };
}

/** Every template a workspace needs (cabinetry's histogram_is_needed), in build order. */
export function requiredTemplates(config: CabinetryConfig): TemplateRef[] {
  const refs: TemplateRef[] = [];
  for (const region of config.Regions) {
    for (const sample of config.Samples) {
      if (!regionContainsSample(region, sample)) continue;
      refs.push({ region, sample, systematic: null, template: 'Nominal' });
      if (sample.Data === true) continue;
      for (const sys of config.Systematics ?? []) {
        if (sys.Type !== 'NormPlusShape' || !regionContainsModifier(region, sys) || !sampleContainsModifier(sample, sys)) continue;
        for (const template of ['Up', 'Down'] as const) {
          if (sys[template].Symmetrize !== true) refs.push({ region, sample, systematic: sys, template });
        }
      }
    }
  }
  return refs;
}
