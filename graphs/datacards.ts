// CMS Combine datacards the way PocketCoffea's stat toolkit writes them (seed 004), from the AGC
// ttbar histograms (default) or the ATLAS H->ZZ* ones (`--set analysis=hzz`):
//
//   per year: inputs -> events -> select -> fill -> hists_<year> (processes renamed <process>_<year>)
//   -> histograms (all years)                      histograms.root
//   -> datacards   per category datacard_<cat>_<label>.txt + shapes_<cat>_<label>.root,
//                  combine_datacards_<label>.sh (combineCards.py, text2workspace.py, combine),
//                  workspace_<label>.json (the same model for `flow fit` / `flow limit`)
//
// The offline samples are generated once per year with their own seeds, so every (process, year)
// is its own datacard column, data_obs sums the years, lumi is decorrelated across years, two of
// the b-tag nuisances are correlated across years and two are split per year.
//
//   flow run graphs/datacards.ts
//   flow run graphs/datacards.ts --set years=2016,2017,2018 --set analysis=hzz
//   flow run graphs/datacards.ts --set filesets=2016=inputs_2016.json,2017=inputs_2017.json
import { graph, z, UserError, type DatacardParams as DatacardOptions, type GraphBuilder, type Handle } from 'hepflow';
import { HZZ_BRANCHES, hzzAxes, hzzFillFn, hzzSelectFn } from 'hepflow/analysis';
import {
  AGC_PROCESSES, AGC_TTBAR_VARIATIONS, AGC_XSEC, agcAnalysisParams, agcHistograms, binRangeError, binRangeOk, generatedSamples, missingFromFileset,
  pseudodataSums, rebinnedEdges,
} from './ttbar.ts';

export const datacardParams = z.object({
  analysis: z.enum(['ttbar', 'hzz']).default('ttbar'),
  /** data-taking periods: each gets its own generated samples (own seeds) and datacard columns */
  years: z.array(z.string().regex(/^[A-Za-z0-9]+$/, 'letters and digits only')).min(1).default(['2016', '2017']),
  /** real inputs instead of generated samples (ttbar): one fileset per year in the AGC
   *  nanoaod_inputs.json format, `--set filesets=2016=a.json,2017=b.json` (the years follow) */
  filesets: z.array(z.string().regex(/^[A-Za-z0-9]+=./, 'expected YEAR=FILE.json')).default([]),
  /** fileset inputs: N_FILES_MAX_PER_SAMPLE */
  maxFilesPerSample: z.number().int().positive().default(1),
  /** generated events per year: ttbar nominal (ttbar) or ZZ (hzz); the other samples are sized from it */
  events: z.number().int().positive().default(40_000),
  ...agcAnalysisParams.shape,
  /** data_obs per year: 'asimov' (default) the nominal prediction, so a fit of the cards gives the
   *  expected result; 'mc' / 'agc' as in graphs/ttbar.ts (their ttbar from ME_var / PS_var, which
   *  the cards have no nuisance for: other nuisances absorb the difference) */
  pseudodata: z.enum(['agc', 'mc', 'asimov']).default('asimov'),
  /** lnN luminosity uncertainty per year (relative), uncorrelated across years */
  lumiUncertainty: z.number().positive().default(0.025),
  /** file names: datacard_<category>_<label>.txt, ... (default: the analysis name) */
  label: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
  /** hzz: bins of m4l over 80-250 GeV (the notebook's 34) */
  hzzBins: z.number().int().positive().default(34),
  /** hzz: integrated luminosity per year in /pb (the notebook's 10 /fb) */
  hzzLumi: z.number().positive().default(10_000),
}).refine(binRangeOk, binRangeError);
export type DatacardParams = z.infer<typeof datacardParams>;

type Spec = Omit<DatacardOptions, 'names'>;
type Systematic = NonNullable<Spec['systematics']>[number];

/** Renames every process category to <process>_<year>: the year split PocketCoffea keeps in its output. */
function perYear(g: GraphBuilder, year: string, filled: Handle<'Histograms'>, processes: readonly string[]): Handle<'Histograms'> {
  return g.merge(`hists_${year}`, filled, { groups: Object.fromEntries(processes.map((p) => [`${p}_${year}`, [p]])) });
}

function lumiSystematics(p: DatacardParams, processes: string[]): Systematic[] {
  // one nuisance per year: uncorrelated across years, correlated across processes
  return p.years.map((year) => ({ name: `lumi_${year}`, type: 'lnN', processes, years: [year], value: 1 + p.lumiUncertainty }));
}

/** YEAR=FILE.json entries of `filesets`. */
function filesetsByYear(p: DatacardParams): Map<string, string> {
  return new Map(p.filesets.map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]));
}

/** A year's fileset with the graph's cross-sections; refused up front when a sample the cards need is missing. */
function filesetInputs(g: GraphBuilder, p: DatacardParams, year: string, path: string): Handle<'FileSet'> {
  const required = [...AGC_PROCESSES.map((s) => `${s}/nominal`), ...(p.pseudodata === 'asimov' ? [] : ['ttbar/ME_var', 'ttbar/PS_var'])];
  const missing = missingFromFileset(path, required);
  if (missing?.length) throw new UserError(`filesets: ${year}=${path} lacks ${missing.join(', ')}`);
  return g.fetch(`inputs_${year}`, { fileset: path, xsec: AGC_XSEC, maxFilesPerSample: p.maxFilesPerSample });
}

/** AGC ttbar: ttbar is the signal (r = ttbar cross-section / SM), W+jets floats with SF_wjets. */
function ttbarCards(g: GraphBuilder, p: DatacardParams): { histograms: Handle<'Histograms'>; spec: Spec } {
  const filesets = filesetsByYear(p);
  const years = p.years.map((year, i) => {
    // ME_var / PS_var only feed the 'agc' / 'mc' pseudodata: the cards have no nuisance for them
    const variations = p.pseudodata === 'asimov' ? ['scaledown', 'scaleup'] : AGC_TTBAR_VARIATIONS;
    const files = filesets.has(year)
      ? filesetInputs(g, p, year, filesets.get(year)!)
      : g.generate(`inputs_${year}`, { kind: 'nanoaod', samples: generatedSamples(p.events, p.seed + 100 * i, variations) });
    return perYear(g, year, agcHistograms(g, p, files, `_${year}`), AGC_PROCESSES);
  });
  const histograms = g.merge('histograms', years, { output: { root: 'histograms.root', rebinFrom: { axis: 'observable', lo: p.rebinFrom, factor: p.rebinFactor } } });
  const all = ['ttbar', 'singletop', 'wjets'];
  const btag = (i: number): Systematic => ({ name: `btag_var_${i}`, type: 'shape', processes: all });
  const spec: Spec = {
    years: p.years,
    processes: [
      { name: 'ttbar', isSignal: true },
      { name: 'singletop', samples: ['single_top_s_chan', 'single_top_t_chan', 'single_top_tW'], isSignal: false },
      { name: 'wjets', isSignal: false, hasRateParam: true },
    ],
    data: { samples: ['pseudodata'] },
    systematics: [
      ...lumiSystematics(p, all),
      { name: 'xsec_singletop', type: 'lnN', processes: ['singletop'], value: 1.1 },
      // b-tag NP 1-2 correlated across years, NP 3-4 one nuisance per year reading the same variation
      btag(0), btag(1),
      ...[2, 3].flatMap((i) => p.years.map((year) => ({ ...btag(i), name: `btag_var_${i}_${year}`, years: [year], variationAlias: `btag_var_${i}` }))),
      { name: 'wjets_scale', type: 'shape', processes: ['wjets'], variationAlias: 'scale_var' },
      { name: 'ttbar_scale', type: 'shape', processes: ['ttbar'] },
    ],
    categories: ['4j1b', '4j2b'].map((name) => ({ name, binEdges: rebinnedEdges(p) })),
    label: p.label ?? 'agc',
    // Combine asks for {variation}Up/Down; the histograms have the notebook's names
    variations: {
      ...Object.fromEntries([0, 1, 2, 3].flatMap((i) => [[`btag_var_${i}Up`, `btag_var_${i}_up`], [`btag_var_${i}Down`, `btag_var_${i}_down`]])),
      scale_varUp: 'scale_var_up', scale_varDown: 'scale_var_down', ttbar_scaleUp: 'scaleup', ttbar_scaleDown: 'scaledown',
    },
    sums: Object.assign({}, ...p.years.map((year) => pseudodataSums(p, year))),
  };
  return { histograms, spec };
}

const HZZ_SAMPLES = { ggH: 0.1, VBFH: 0.05, WH: 0.05, ZH: 0.05, zz: 1, zee: 0.25, zmumu: 0.25, ttbar: 0.25 } as const;

/** ATLAS H->ZZ*: signal = the four Higgs production modes, ZZ* floats with SF_zz, pseudodata = sum of MC. */
function hzzCards(g: GraphBuilder, p: DatacardParams): { histograms: Handle<'Histograms'>; spec: Spec } {
  const names = Object.keys(HZZ_SAMPLES);
  const years = p.years.map((year, i) => {
    let seed = p.seed + 100 * i;
    const samples = Object.fromEntries(Object.entries(HZZ_SAMPLES).map(([s, f]) => [s, { process: s, events: Math.max(1000, Math.round(p.events * f)), seed: seed++ }]));
    const files = g.generate(`inputs_${year}`, { kind: 'atlas4lep', samples });
    const events = g.skim(`events_${year}`, files, { tree: 'mini', branches: HZZ_BRANCHES });
    const selected = g.select(`4l_${year}`, events, { select: hzzSelectFn });
    const filled = g.fill(`fill_${year}`, selected, { histograms: { '4l': hzzAxes(p.hzzBins) }, fill: hzzFillFn, normalise: 'sumw', options: { lumi: p.hzzLumi } });
    return perYear(g, year, filled, names);
  });
  const histograms = g.merge('histograms', years, { output: { root: 'histograms.root' } });
  const other = ['zee', 'zmumu', 'ttbar'];
  const spec: Spec = {
    years: p.years,
    processes: [
      { name: 'higgs', samples: ['ggH', 'VBFH', 'WH', 'ZH'], isSignal: true },
      { name: 'zz', isSignal: false, hasRateParam: true },
      { name: 'other', samples: other, isSignal: false },
    ],
    data: { samples: ['pseudodata'] },
    systematics: [
      ...lumiSystematics(p, ['higgs', 'zz', 'other']),
      { name: 'xsec_other', type: 'lnN', processes: ['other'], value: [0.8, 1.3] },
      { name: 'scaleFactor', type: 'shape', processes: ['higgs', 'zz', 'other'] },
      { name: 'm4l', type: 'shape', processes: ['higgs', 'zz', 'other'] },
    ],
    categories: [{ name: '4l' }],
    label: p.label ?? 'hzz',
    variations: { scaleFactorUp: 'scaleFactorUP', scaleFactorDown: 'scaleFactorDOWN', m4lUp: 'm4lUP', m4lDown: 'm4lDOWN' },
    sums: Object.fromEntries(p.years.map((year) => [`4l_pseudodata_${year}`, names.map((s) => ({ name: `4l_${s}_${year}`, factor: 1 }))])),
  };
  return { histograms, spec };
}

export default graph('datacards', { params: datacardParams }, (g, params) => {
  if (params.filesets.length && params.analysis === 'hzz') throw new UserError('filesets: the H->ZZ cards run on generated samples only');
  // with filesets, the years are theirs
  const p = params.filesets.length ? { ...params, years: [...filesetsByYear(params).keys()] } : params;
  const { histograms, spec } = p.analysis === 'hzz' ? hzzCards(g, p) : ttbarCards(g, p);
  g.datacard('datacards', histograms, {
    ...spec,
    names: { nominal: '{category}_{sample}_{year}', variation: '{category}_{sample}_{year}_{variation}' },
  });
});
