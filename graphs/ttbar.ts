// The AGC CMS Open Data ttbar analysis (seed 001; seed 002's tighter selection with
// `--set selection=v2`) as a hepflow graph:
//
//   inputs (generated offline samples | fileset JSON | the real AGC fileset over https)
//     -> events    skim: the 7 (v1) or 15 (v2) branches, events with >= 1 lepton above 25 GeV and >= 4 jets
//     -> agc       select: regions 4j1b / 4j2b for the nominal, pt_scale_up and pt_res_up jets
//     -> fill      HT (4j1b) and trijet mass (4j2b), 25 bins 50-550 GeV, every variation of the notebook
//     -> histograms   histograms.root (cabinetry names, rebinned from 110 GeV by 2) + pseudodata;
//                     histograms.json in the fill binning, the layout of the AGC's reference histograms
//     -> workspace    the AGC cabinetry config -> workspace.json
//     -> fit          ttbar_norm, pulls, post-fit yields -> fit.json
//     -> figures      stacks per region, pre/post-fit stacks, pulls, correlations -> figures/, report.html
//   and cutflow.json (events per selection step and sample).
//
//   flow run graphs/ttbar.ts                                  offline, generated samples
//   flow run graphs/ttbar.ts --set remote=true --set maxFilesPerSample=1      the real AGC files
//   flow run graphs/ttbar.ts --set fileset=my_inputs.json     your files (nanoaod_inputs.json format)
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  graph, z, defineNodeKind, UserError, type EventColumnBatch, type GenerateParams, type GraphBuilder, type Handle, type HistogramsArtifact, type Jagged,
} from 'hepflow';
import { AGC_BRANCHES_V1, AGC_BRANCHES_V2, AGC_PSEUDODATA, agcAxes, agcFillFn, agcHistogram, agcSelectFn } from 'hepflow/analysis';
import { plotKind } from 'hepflow/nodes';

/** Cross-sections in pb, the AGC's table (utils.construct_fileset), used for every input kind. */
export const AGC_XSEC: Record<string, number> = {
  ttbar: 396.87 + 332.97, // nonallhad + allhad, the same for all ttbar variations
  single_top_s_chan: 2.0268 + 1.2676,
  single_top_t_chan: (36.993 + 22.175) / 0.252, // lepton filter -> inclusive
  single_top_tW: 37.936 + 37.906,
  wjets: 61457 * 0.252, // e/mu + nu final states
};

export const AGC_PROCESSES = ['ttbar', 'single_top_s_chan', 'single_top_t_chan', 'single_top_tW', 'wjets'] as const;
export const AGC_TTBAR_VARIATIONS = ['scaledown', 'scaleup', 'ME_var', 'PS_var'] as const;

/** The real AGC fileset (787 https files), beside the project in ../shared. */
export const AGC_REMOTE_FILESET = fileURLToPath(new URL('../../shared/data/agc/nanoaod_inputs.json', import.meta.url));

/** Selection, weights and binning: shared with graphs/datacards.ts. */
export const agcAnalysisParams = z.object({
  /** generated inputs: seed of the first sample (each sample gets its own) */
  seed: z.number().int().nonnegative().default(1),
  /** integrated luminosity in /pb */
  lumi: z.number().positive().default(3378),
  /** 'v1' = notebook 001, 'v2' = notebook 002's tighter object selection */
  selection: z.enum(['v1', 'v2']).default('v1'),
  /** a correctionlib file with `event_systematics` (notebook 002's corrections.json); default:
   *  the same b-tag and W+jets weight formulas inline */
  corrections: z.string().optional(),
  /** fill binning of the observable (notebook: 25 bins, 50-550 GeV) */
  bins: z.number().int().positive().default(25),
  binLow: z.number().default(50),
  binHigh: z.number().default(550),
  /** the AGC rebinning `h[110j::hist.rebin(2)]` for histograms.root and the fit */
  rebinFrom: z.number().default(110),
  rebinFactor: z.number().int().positive().default(2),
  /** 'agc': the notebook's pseudodata (ttbar ME_var + PS_var)/2 + W+jets; 'mc': the sum of all
   *  nominal samples, with ttbar from (ME_var + PS_var)/2; 'asimov': the sum of all nominal
   *  samples (the fit then returns the nominal model: expected uncertainties) */
  pseudodata: z.enum(['agc', 'mc', 'asimov']).default('agc'),
});
export type AgcAnalysisParams = z.infer<typeof agcAnalysisParams>;

export const binRangeOk = (p: { binLow: number; binHigh: number }): boolean => p.binHigh > p.binLow;
export const binRangeError: { message: string; path: string[] } = { message: 'binHigh must be above binLow', path: ['binHigh'] };

export const ttbarParams = z.object({
  /** 'generated' (offline synthetic NanoAOD, written once into the cache), 'remote' (the AGC files
   *  over https) or the path of a fileset JSON in the AGC nanoaod_inputs.json format */
  inputs: z.string().default('generated'),
  /** the same as inputs=FILE.json */
  fileset: z.string().optional(),
  /** the same as inputs=remote */
  remote: z.boolean().default(false),
  /** N_FILES_MAX_PER_SAMPLE of the notebook (fileset / remote inputs) */
  maxFilesPerSample: z.number().int().positive().default(1),
  /** read only the first N events of each file (fileset / remote inputs) */
  maxEventsPerFile: z.number().int().positive().optional(),
  /** generated inputs: events of the ttbar nominal sample; the others are sized from it */
  events: z.number().int().positive().default(100_000),
  ...agcAnalysisParams.shape,
  /** false: stop after histograms.root (without pseudodata) and cutflow.json, e.g. for inputs
   *  without every AGC sample */
  fit: z.boolean().default(true),
}).refine(binRangeOk, binRangeError);
export type TtbarParams = z.infer<typeof ttbarParams>;

/** Where the inputs come from, from the three ways of saying it. */
export function inputSource(p: TtbarParams): { kind: 'generated' } | { kind: 'fileset'; path: string; remote: boolean } {
  if (p.fileset) return { kind: 'fileset', path: p.fileset, remote: false };
  if (p.remote || p.inputs === 'remote') return { kind: 'fileset', path: AGC_REMOTE_FILESET, remote: true };
  if (p.inputs === 'generated') return { kind: 'generated' };
  return { kind: 'fileset', path: p.inputs, remote: false };
}

/** The sample/variation pairs of a fileset JSON that are not there (undefined when the file cannot
 *  be read: the fetch node then reports it with the path). */
export function missingFromFileset(path: string, required: string[]): string[] | undefined {
  let fs: Record<string, Record<string, unknown>>;
  try {
    fs = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  return required.filter((sv) => { const [s, v] = sv.split('/'); return !fs?.[s!]?.[v!]; });
}

/** The fit needs every AGC sample (the pseudodata and the ttbar systematics): say so before running
 *  rather than failing at the pseudodata. */
export function checkFilesetForFit(path: string): void {
  const missing = missingFromFileset(path, [...AGC_PROCESSES.map((s) => `${s}/nominal`), ...AGC_TTBAR_VARIATIONS.map((v) => `ttbar/${v}`)]);
  if (missing?.length) throw new UserError(`${path}: the fit needs every AGC sample, this fileset lacks ${missing.join(', ')} (--set fit=false for the histograms only)`);
}

/** Offline samples: every AGC sample with the generator's physics. Small samples get more events
 *  than their cross-section share so their templates are not all statistical noise. */
export function generatedSamples(events: number, seed: number, variations: readonly string[] = AGC_TTBAR_VARIATIONS): GenerateParams['samples'] {
  const n = (f: number) => Math.max(1000, Math.round(events * f));
  const out: GenerateParams['samples'] = {};
  let s = seed;
  const add = (sample: string, process: string, variation: string, size: number) => {
    out[sample] = { process, label: process, variation, events: size, seed: s++, xsec: AGC_XSEC[process] };
  };
  add('ttbar', 'ttbar', 'nominal', n(1));
  for (const v of variations) add(`ttbar_${v}`, 'ttbar', v, n(0.5));
  add('single_top_s_chan', 'single_top_s_chan', 'nominal', n(0.1));
  add('single_top_t_chan', 'single_top_t_chan', 'nominal', n(0.25));
  add('single_top_tW', 'single_top_tW', 'nominal', n(0.25));
  add('wjets', 'wjets', 'nominal', n(1));
  return out;
}

/** The fileset node: generated samples, or a fileset (remote or local) with the graph's cross-sections. */
export function agcInputs(g: GraphBuilder, p: TtbarParams, name = 'inputs'): Handle<'FileSet'> {
  const src = inputSource(p);
  if (src.kind === 'generated') return g.generate(name, { kind: 'nanoaod', samples: generatedSamples(p.events, p.seed) });
  if (src.remote && !existsSync(src.path)) throw new UserError(`remote=true: the AGC fileset ${src.path} is not there (give --set fileset=nanoaod_inputs.json)`);
  if (p.fit) checkFilesetForFit(src.path);
  return g.fetch(name, {
    fileset: src.path,
    xsec: AGC_XSEC,
    maxFilesPerSample: p.maxFilesPerSample,
    ...(p.maxEventsPerFile ? { maxEventsPerFile: p.maxEventsPerFile } : {}),
    // the AGC files on the xrootd https door are immutable: trust the URL, no HEAD per file
    ...(src.remote ? { remote: 'url' } : {}),
  });
}

/** Events that no jet-pT variation can bring into a region: fewer than 4 jets, or no lepton above
 *  25 GeV (v1 needs exactly one such lepton, v2 one above 30 GeV). Self-contained: the engine hashes
 *  its source. */
export function agcPreselection(b: EventColumnBatch): Uint8Array {
  const el = b.columns.Electron_pt as Jagged, mu = b.columns.Muon_pt as Jagged, jet = b.columns.Jet_pt as Jagged;
  const keep = new Uint8Array(b.entries);
  for (let i = 0; i < b.entries; i++) {
    if (jet.offsets[i + 1]! - jet.offsets[i]! < 4) continue;
    let lep = 0;
    for (let k = el.offsets[i]!; k < el.offsets[i + 1]!; k++) if (el.content[k]! > 25) lep = 1;
    for (let k = mu.offsets[i]!; k < mu.offsets[i + 1]!; k++) if (mu.content[k]! > 25) lep = 1;
    keep[i] = lep;
  }
  return keep;
}

/** inputs -> skim -> select -> fill: the notebook's coffea processor. Returns the filled histograms. */
export function agcHistograms(g: GraphBuilder, p: AgcAnalysisParams, files: Handle<'FileSet'>, suffix = ''): Handle<'Histograms'> {
  const options = { selection: p.selection, lumi: p.lumi, ...(p.corrections ? { correctionsFile: p.corrections } : {}) };
  const events = g.skim(`events${suffix}`, files, {
    tree: 'Events',
    branches: p.selection === 'v2' ? AGC_BRANCHES_V2 : AGC_BRANCHES_V1,
    mask: agcPreselection,
  });
  const selected = g.select(`agc${suffix}`, events, { select: agcSelectFn, options });
  return g.fill(`fill${suffix}`, selected, { histograms: { agc: agcAxes(p.bins, p.binLow, p.binHigh) }, fill: agcFillFn, lumi: p.lumi, options });
}

/** Bin edges after the AGC rebinning, e.g. 110, 150, ..., 550 for the notebook's binning. */
export function rebinnedEdges(p: AgcAnalysisParams): number[] {
  const h = agcHistogram(p.bins, p.binLow, p.binHigh);
  try {
    return (h.rebinFrom('observable', p.rebinFrom, p.rebinFactor).axes[0] as unknown as { edges(): number[] }).edges();
  } catch (err) {
    throw new UserError(`--set rebinFrom/rebinFactor: ${(err as Error).message}`);
  }
}

/** Pseudodata per region as weighted sums of histograms (names as in histograms.root; with a year,
 *  `{region}_{process}_{year}[_{variation}]` and `{region}_pseudodata_{year}`). 'agc' is the
 *  notebook's recipe (src/analysis AGC_PSEUDODATA), 'mc' adds the single-top samples, 'asimov' is
 *  the nominal prediction. */
export function pseudodataSums(p: Pick<AgcAnalysisParams, 'pseudodata'>, year?: string): Record<string, Array<{ name: string; factor: number }>> {
  const y = year ? `_${year}` : '';
  const out: Record<string, Array<{ name: string; factor: number }>> = {};
  for (const region of ['4j1b', '4j2b']) {
    const nominal = (s: string) => ({ name: `${region}_${s}${y}`, factor: 1 });
    const terms = p.pseudodata === 'asimov'
      ? AGC_PROCESSES.map(nominal)
      : AGC_PSEUDODATA(region).map((t) => ({ name: t.name.replace(/^(4j[12]b_(?:ttbar|wjets))/, `$1${y}`), factor: t.factor }));
    if (p.pseudodata === 'mc') terms.push(...AGC_PROCESSES.filter((s) => s !== 'ttbar' && s !== 'wjets').map(nominal));
    out[`${region}_pseudodata${y}`] = terms;
  }
  return out;
}

/** ../shared/data/agc/cabinetry_config.yml, with the Regions' Binning following the graph's binning. */
export function agcCabinetryConfig(binning: number[]): Record<string, unknown> {
  const btag = [1, 2, 3, 4].map((i) => ({
    Name: `b-tag NP ${i}`, Type: 'NormPlusShape',
    Up: { VariationPath: `_btag_var_${i - 1}_up` }, Down: { VariationPath: `_btag_var_${i - 1}_down` },
  }));
  return {
    General: {
      Measurement: 'CMS_ttbar', POI: 'ttbar_norm', HistogramFolder: 'histograms/',
      InputPath: 'histograms.root:{RegionPath}_{SamplePath}{VariationPath}', VariationPath: '',
    },
    Regions: [
      { Name: '4j1b CR', RegionPath: '4j1b', Variable: '$H_T$ [GeV]', Binning: binning },
      { Name: '4j2b SR', RegionPath: '4j2b', Variable: '$m_{bjj}$ [GeV]', Binning: binning },
    ],
    Samples: [
      { Name: 'Pseudodata', SamplePath: 'pseudodata', Data: true },
      { Name: 'ttbar', SamplePath: 'ttbar' },
      { Name: 'W+jets', SamplePath: 'wjets' },
      { Name: 'single top, s-channel', SamplePath: 'single_top_s_chan' },
      { Name: 'single top, t-channel', SamplePath: 'single_top_t_chan' },
      { Name: 'tW', SamplePath: 'single_top_tW' },
    ],
    Systematics: [
      { Name: 'ME variation', Type: 'NormPlusShape', Up: { VariationPath: '_ME_var' }, Down: { Symmetrize: true }, Samples: 'ttbar' },
      { Name: 'PS variation', Type: 'NormPlusShape', Up: { VariationPath: '_PS_var' }, Down: { Symmetrize: true }, Samples: 'ttbar' },
      { Name: 'ttbar scale variations', Type: 'NormPlusShape', Up: { VariationPath: '_scaleup' }, Down: { VariationPath: '_scaledown' }, Samples: 'ttbar' },
      { Name: 'Jet energy scale', Type: 'NormPlusShape', Up: { VariationPath: '_pt_scale_up' }, Down: { Symmetrize: true } },
      { Name: 'Jet energy resolution', Type: 'NormPlusShape', Up: { VariationPath: '_pt_res_up' }, Down: { Symmetrize: true } },
      ...btag,
      { Name: 'W+jets scale variations', Type: 'NormPlusShape', Up: { VariationPath: '_scale_var_up' }, Down: { VariationPath: '_scale_var_down' }, Samples: 'W+jets' },
      { Name: 'Luminosity', Type: 'Normalization', Up: { Normalization: 0.03 }, Down: { Normalization: -0.03 } },
    ],
    NormFactors: [{ Name: 'ttbar_norm', Samples: 'ttbar', Nominal: 1.0, Bounds: [0, 10] }],
  };
}

/** cutflow.json: per sample, events read, after the skim's preselection and after each cut. */
export const cutflowKind = defineNodeKind({
  kind: 'cutflow',
  level: 'global',
  version: '1',
  description: 'cutflow.json from the select node\'s counters',
  params: z.object({ output: z.string().default('cutflow.json') }),
  inputs: ['Histograms'],
  output: 'Json',
  run(inputs: [HistogramsArtifact]): Record<string, Record<string, number>> {
    const a = inputs[0], out: Record<string, Record<string, number>> = {};
    for (const sample of Object.keys(a.nevents).sort()) {
      const { all, exactly_1l, atleast_4j, ...regions } = a.cutflows[sample] ?? {};
      // the select node's `all` counts the events the skim's preselection kept
      const steps = { preselection: all, exactly_1l, atleast_4j };
      const row: Record<string, number> = (out[sample] = { events: a.nevents[sample] ?? 0 });
      for (const [k, v] of Object.entries(steps)) if (v !== undefined) row[k] = v;
      Object.assign(row, regions);
    }
    return out;
  },
  async writeOutputs(value, p, ctx) {
    await ctx.writeFile(p.output, `${JSON.stringify(value, null, 1)}\n`);
  },
});

/** plot for the filled histograms (the notebook's first look) and the fit; the first alone with fit=false. */
export const agcFiguresKind = plotKind(['Histograms', 'FitResult']);
export const histogramFiguresKind = plotKind(['Histograms']);

/** Legend labels and colours by workspace sample name and by process category. */
export const AGC_SAMPLE_LABELS: Record<string, string> = {
  ttbar: 't#bar{t}', 'W+jets': 'W+jets', wjets: 'W+jets', 'single top, s-channel': 'single t, s-ch.', single_top_s_chan: 'single t, s-ch.',
  'single top, t-channel': 'single t, t-ch.', single_top_t_chan: 'single t, t-ch.', tW: 'tW', single_top_tW: 'tW',
};
export const AGC_COLORS: Record<string, string> = {
  ttbar: '#d62728', 'W+jets': '#2ca02c', wjets: '#2ca02c', 'single top, s-channel': '#1f77b4', single_top_s_chan: '#1f77b4',
  'single top, t-channel': '#17becf', single_top_t_chan: '#17becf', tW: '#9467bd', single_top_tW: '#9467bd',
};

export default graph('ttbar', { params: ttbarParams }, (g, p) => {
  const files = agcInputs(g, p);
  const filled = agcHistograms(g, p, files);
  // the pseudodata needs the ttbar ME_var / PS_var samples: only with the fit
  const sums = p.fit ? pseudodataSums(p) : {};
  // utils.save_histograms: cabinetry names, rebinned, plus the pseudodata
  const histograms = g.merge('histograms', filled, {
    output: { root: 'histograms.root', rebinFrom: { axis: 'observable', lo: p.rebinFrom, factor: p.rebinFactor }, sums },
  });
  // histograms.json as the AGC's reference histograms (../shared/data/agc/reference): fill binning, flow bins
  g.merge('histograms_json', filled, { output: { json: 'histograms.json', sums } });
  g.node(cutflowKind, 'cutflow', filled, {});
  const generated = inputSource(p).kind === 'generated';
  const figures = {
    label: 'CMS Open Data', sqrts: 13, lumi: p.lumi / 1000,
    labels: generated ? ['simulated samples'] : [],
    xLabels: { '4j1b CR': 'H_{T} [GeV]', '4j2b SR': 'm_{bjj} [GeV]', '4j1b': 'H_{T} [GeV]', '4j2b': 'm_{bjj} [GeV]' },
    histograms: { data: [], signal: [] },
    sampleLabels: AGC_SAMPLE_LABELS,
    colors: AGC_COLORS,
    dataLabel: 'Pseudodata',
    pulls: { staterror: false, exclude: ['ttbar_norm'] },
    title: `AGC CMS ttbar (${p.selection})`,
  };
  if (!p.fit) {
    g.node(histogramFiguresKind, 'figures', filled, figures);
    return;
  }
  const ws = g.buildWorkspace('workspace', histograms, { config: agcCabinetryConfig(rebinnedEdges(p)), sums });
  const fit = g.fit('fit', ws);
  g.node(agcFiguresKind, 'figures', [filled, fit], figures);
});
