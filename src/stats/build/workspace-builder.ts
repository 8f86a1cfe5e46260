// cabinetry config + template histograms -> pyhf workspace, as cabinetry.workspace.build does it
// (after cabinetry.templates.postprocess: NaN stat. uncertainties set to 0, optional smoothing).
import { UserError } from '../../errors.ts';
import { checkConsistency } from '../workspace.ts';
import {
  loadCabinetryConfig, regionContainsModifier, regionContainsSample, sampleContainsModifier, containsByName,
} from './cabinetry-config.ts';
import type { CabinetryConfig, CabinetryRegion, CabinetrySample, CabinetrySystematic } from './cabinetry-config.ts';
import type { Channel, Measurement, Modifier, Observation, ParameterConfig, Sample, Workspace } from './pyhf-types.ts';
import { smooth353QHTwice } from './smooth-353qh.ts';
import { wantedBy } from './config-lines.ts';
import { lookupHistogram, requiredTemplates, similarNames, templateLocation, toBinning } from './template-histograms.ts';
import type { BinnedYields, HistogramSource, TemplateRef } from './template-histograms.ts';

export interface BuildWorkspaceOptions {
  /** Name under which a template is looked up in the source. Default: the object part of the
   *  resolved General.InputPath (e.g. `4j1b_ttbar_pt_scale_up` for the AGC config). */
  histogramName?: (ref: TemplateRef, config: CabinetryConfig) => string;
  /** Rebin templates onto each Region's Binning when their edges differ (default true). */
  rebinToRegionBinning?: boolean;
  /** Check the result as pyhf would (bin counts agree, POI exists), like cabinetry's
   *  `with_validation` (default true). */
  validate?: boolean;
}

function validateBuilt(ws: Workspace): void {
  const poi = ws.measurements[0]!.config.poi;
  // cabinetry writes poi "" when General.POI is absent: pyhf reads that as "no POI"
  const problems = checkConsistency(ws).filter((p) => !(poi === '' && p.includes('parameter of interest')));
  if (problems.length > 0) {
    throw new UserError(`built workspace is not valid: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`);
  }
}

export const defaultHistogramName = (ref: TemplateRef, config: CabinetryConfig): string => templateLocation(config, ref).object;

/** Alternative naming that needs no paths in the config: `{region}_{sample}` for nominal and
 *  `{region}_{sample}_{systematic}_Up|Down` otherwise (RegionPath/SamplePath when set, else the Names;
 *  spaces become '-', as in cabinetry's own histogram file names). */
export const systematicUpDownHistogramName = (ref: TemplateRef): string => {
  const region = ref.region.RegionPath ?? ref.region.Name;
  const sample = typeof ref.sample.SamplePath === 'string' ? ref.sample.SamplePath : ref.sample.Name;
  const base = `${region}_${sample}`;
  const name = ref.systematic === null || ref.template === 'Nominal' ? base : `${base}_${ref.systematic.Name}_${ref.template}`;
  return name.replaceAll(' ', '-');
};

function describeRef(ref: TemplateRef): string {
  const parts = [`region "${ref.region.Name}"`, `sample "${ref.sample.Name}"`];
  if (ref.systematic !== null) parts.push(`systematic "${ref.systematic.Name}" ${ref.template}`);
  return parts.join(', ');
}

/** Loads templates once each and applies cabinetry's post-processing. */
class TemplateStore {
  private readonly cache = new Map<string, BinnedYields>();
  private readonly config: CabinetryConfig;
  private readonly source: HistogramSource;
  private readonly opts: BuildWorkspaceOptions;

  constructor(config: CabinetryConfig, source: HistogramSource, opts: BuildWorkspaceOptions) {
    this.config = config;
    this.source = source;
    this.opts = opts;
  }

  raw(ref: TemplateRef): BinnedYields {
    const name = (this.opts.histogramName ?? defaultHistogramName)(ref, this.config);
    const key = `${ref.region.Name}\u0000${name}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const hist = lookupHistogram(this.source, name);
    if (hist === undefined) {
      const similar = similarNames(this.source, name);
      throw new UserError(`missing histogram "${name}" (${describeRef(ref)})${wantedBy(this.config, ref)}${similar.length > 0 ? `; similar names: ${similar.join(', ')}` : ''}`);
    }
    const binning = this.opts.rebinToRegionBinning === false ? undefined : ref.region.Binning;
    const binned = toBinning(hist, binning, () => `"${name}" (${describeRef(ref)})`);
    if (binned.variances.some(Number.isNaN)) binned.variances = binned.variances.map((v) => (Number.isNaN(v) ? 0 : v));
    this.cache.set(key, binned);
    return binned;
  }

  /** A variation after optional smoothing of its ratio to nominal (yield kept). */
  variation(ref: TemplateRef): BinnedYields {
    const hist = this.raw(ref);
    const smoothing = ref.systematic?.Smoothing;
    if (smoothing === undefined || !containsByName(ref.region, smoothing.Regions) || !containsByName(ref.sample, smoothing.Samples)) {
      return hist;
    }
    const nominal = this.raw({ ...ref, systematic: null, template: 'Nominal' }).yields;
    const ratio = hist.yields.map((y, i) => y / nominal[i]!);
    const smoothed = smooth353QHTwice(ratio).map((r, i) => r * nominal[i]!);
    const scale = sum(hist.yields) / sum(smoothed);
    return { ...hist, yields: smoothed.map((y) => y * scale) };
  }
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

const modifierName = (sys: CabinetrySystematic): string => sys.ModifierName ?? sys.Name;

/** Up/down yields normalised to the nominal yield, and the yield ratios (cabinetry's
 *  normplusshape_modifiers, symmetrisation "method 1": normalise first, then 2*nominal - variation). */
function normPlusShape(store: TemplateStore, region: CabinetryRegion, sample: CabinetrySample, sys: CabinetrySystematic) {
  const nominal = store.raw({ region, sample, systematic: null, template: 'Nominal' }).yields;
  const nominalYield = sum(nominal);
  const load = (template: 'Up' | 'Down') => {
    const ref: TemplateRef = { region, sample, systematic: sys, template };
    const yields = store.variation(ref).yields;
    const ratio = sum(yields) / nominalYield;
    if (!Number.isFinite(ratio)) {
      throw new UserError(`systematic "${sys.Name}" ${template} for ${describeRef(ref)}: nominal yield is ${nominalYield}, cannot normalise`);
    }
    return { ratio, shape: Array.from(yields, (y) => y / ratio) };
  };
  let up: { ratio: number; shape: number[] };
  let down: { ratio: number; shape: number[] };
  if (sys.Down.Symmetrize === true) {
    up = load('Up');
    down = { ratio: 2 - up.ratio, shape: up.shape.map((y, i) => 2 * nominal[i]! - y) };
  } else if (sys.Up.Symmetrize === true) {
    down = load('Down');
    up = { ratio: 2 - down.ratio, shape: down.shape.map((y, i) => 2 * nominal[i]! - y) };
  } else {
    up = load('Up');
    down = load('Down');
  }
  const name = modifierName(sys);
  const modifiers: Modifier[] = [{ name, type: 'normsys', data: { hi: up.ratio, lo: down.ratio } }];
  // a single bin has no shape: the normsys carries everything
  if (nominal.length > 1) modifiers.push({ name, type: 'histosys', data: { hi_data: up.shape, lo_data: down.shape } });
  return modifiers;
}

function sampleModifiers(config: CabinetryConfig, store: TemplateStore, region: CabinetryRegion, sample: CabinetrySample, nominal: BinnedYields): Modifier[] {
  const modifiers: Modifier[] = [];
  if (sample.DisableStaterror !== true) {
    modifiers.push({ name: `staterror_${region.Name.replaceAll(' ', '-')}`, type: 'staterror', data: Array.from(nominal.variances, Math.sqrt) });
  }
  for (const nf of config.NormFactors) {
    if (regionContainsModifier(region, nf) && sampleContainsModifier(sample, nf)) modifiers.push({ name: nf.Name, type: 'normfactor', data: null });
  }
  const lumi = config.General.Luminosity;
  if (lumi !== undefined && containsByName(region, lumi.Regions) && containsByName(sample, lumi.Samples)) {
    modifiers.push({ name: 'lumi', type: 'lumi', data: null });
  }
  for (const sys of config.Systematics ?? []) {
    if (!regionContainsModifier(region, sys) || !sampleContainsModifier(sample, sys)) continue;
    if (sys.Type === 'Normalization') {
      modifiers.push({ name: modifierName(sys), type: 'normsys', data: { hi: 1 + sys.Up.Normalization!, lo: 1 + sys.Down.Normalization! } });
    } else {
      modifiers.push(...normPlusShape(store, region, sample, sys));
    }
  }
  return modifiers;
}

function channels(config: CabinetryConfig, store: TemplateStore): Channel[] {
  return config.Regions.map((region) => {
    const samples: Sample[] = [];
    for (const sample of config.Samples) {
      if (sample.Data === true || !regionContainsSample(region, sample)) continue;
      const nominal = store.raw({ region, sample, systematic: null, template: 'Nominal' });
      samples.push({ name: sample.Name, data: Array.from(nominal.yields), modifiers: sampleModifiers(config, store, region, sample, nominal) });
    }
    return { name: region.Name, samples };
  });
}

function fixedValue(config: CabinetryConfig, name: string): number | undefined {
  return config.General.Fixed?.find((f) => f.Name === name)?.Value;
}

function measurements(config: CabinetryConfig): Measurement[] {
  const parameters: ParameterConfig[] = [];
  for (const nf of config.NormFactors) {
    let init = nf.Nominal;
    let fixed = fixedValue(config, nf.Name);
    if (fixed === undefined && nf.Fixed === true) fixed = init ?? 1;
    if (init === undefined && fixed !== undefined) init = fixed;
    const p: ParameterConfig = { name: nf.Name };
    if (init !== undefined) p.inits = [init];
    if (nf.Bounds !== undefined) p.bounds = [[nf.Bounds[0], nf.Bounds[1]]];
    if (fixed !== undefined) p.fixed = true;
    parameters.push(p);
  }
  const lumi = config.General.Luminosity;
  if (lumi !== undefined) {
    const nominal = lumi.Nominal ?? 1;
    const sigma = lumi.Uncertainty * nominal;
    parameters.push({
      name: 'lumi', auxdata: [nominal], sigmas: [sigma], inits: [nominal],
      bounds: [[Math.max(0, nominal - 5 * sigma), nominal + 5 * sigma]],
    });
  }
  for (const sys of config.Systematics ?? []) {
    // cabinetry looks the systematic's Name up in General.Fixed; the parameter is called ModifierName when set
    const fixed = fixedValue(config, sys.Name) ?? (sys.ModifierName !== undefined ? fixedValue(config, sys.ModifierName) : undefined);
    if (fixed !== undefined) parameters.push({ name: modifierName(sys), inits: [fixed], fixed: true });
  }
  return [{ name: config.General.Measurement, config: { parameters, poi: config.General.POI ?? '' } }];
}

function observations(config: CabinetryConfig, store: TemplateStore): Observation[] {
  const data = config.Samples.find((s) => s.Data === true)!;
  return config.Regions.map((region) => ({
    name: region.Name,
    data: Array.from(store.raw({ region, sample: data, systematic: null, template: 'Nominal' }).yields),
  }));
}

/** Builds the pyhf workspace (JSON 1.0.0) for a cabinetry config from template histograms.
 *  `config` may be YAML text, a parsed object or a validated config. */
export function buildWorkspace(config: CabinetryConfig | string | object, histograms: HistogramSource, opts: BuildWorkspaceOptions = {}): Workspace {
  const cfg = loadCabinetryConfig(config);
  for (const [i, r] of cfg.Regions.entries()) {
    if (r.Rebin !== undefined) throw new UserError(`cabinetry config: Regions[${i}].Rebin is not supported; give the merged edges as Binning`);
  }
  const store = new TemplateStore(cfg, histograms, opts);
  const ws: Workspace = {
    channels: channels(cfg, store),
    measurements: measurements(cfg),
    observations: observations(cfg, store),
    version: '1.0.0',
  };
  if (opts.validate !== false) validateBuilt(ws);
  return ws;
}

/** Every template name the workspace needs (what a fill node must produce), in build order. */
export function requiredHistogramNames(config: CabinetryConfig | string | object, opts: Pick<BuildWorkspaceOptions, 'histogramName'> = {}): string[] {
  const cfg = loadCabinetryConfig(config);
  const nameOf = opts.histogramName ?? defaultHistogramName;
  const names = new Set<string>();
  for (const ref of requiredTemplates(cfg)) names.add(nameOf(ref, cfg));
  return [...names];
}
