// ATLAS Open Data H -> ZZ* -> 4l (seed 000: ServiceX + coffea + cabinetry + pyhf), as one graph:
//
//   inputs -> four-leptons (skim: lep_n == 4) -> m4l (select: charge/flavour, m4l) -> hists (fill:
//   nominal, scale-factor and m4l variations) -> merged (+ pseudodata offline) -> workspace
//   (cabinetry config) -> fit (pulls, correlations, post-fit) + limit (CLs at mu = 1, 95% CL upper
//   limit) -> figures + report.html
//
//   flow run graphs/hzz.ts                      offline: generated ATLAS-like samples (first run writes them)
//   flow run graphs/hzz.ts --set bins=17        only fill and what follows re-run
//   flow run graphs/hzz.ts --set remote=true    the real ATLAS Open Data 2020 4-lepton files over https
//   flow run graphs/hzz.ts --set inputs=DIR     the same files, downloaded into DIR
import { graph, z, and, compress, eq, isIn, times, regular, strCategory, type SelectResult } from 'hepflow';

const params = z.object({
  /** Directory with the ATLAS Open Data 4lep files (data_*.4lep.root, mc_*.4lep.root). */
  inputs: z.string().optional(),
  /** Read the real files from the ATLAS Open Data portal over https. */
  remote: z.boolean().default(false),
  maxFilesPerSample: z.number().int().positive().optional(),
  /** Integrated luminosity in /pb (the notebook: 10 /fb). */
  lumi: z.number().positive().default(10_000),
  /** m4l histogram: bins over [80, 250] GeV. */
  bins: z.number().int().positive().default(34),
  /** Offline samples: generated events per simulated sample. */
  events: z.number().int().positive().default(100_000),
  /** Offline pseudodata: signal strength injected into the Poisson-fluctuated sum of the MC. */
  injectMu: z.number().nonnegative().default(1),
  seed: z.number().int().nonnegative().default(2024),
});

const portal = 'https://atlas-opendata.web.cern.ch/atlas-opendata/samples/2020/4lep';
/** The notebook's input_files: sample -> files (process categories as in its histograms.root). */
const openData: Record<string, string[]> = {
  data: ['Data/data_A.4lep.root', 'Data/data_B.4lep.root', 'Data/data_C.4lep.root', 'Data/data_D.4lep.root'],
  Z_tt: ['MC/mc_361106.Zee.4lep.root', 'MC/mc_361107.Zmumu.4lep.root', 'MC/mc_410000.ttbar_lep.4lep.root'],
  ZZ: ['MC/mc_363490.llll.4lep.root'],
  signal: ['MC/mc_345060.ggH125_ZZ4lep.4lep.root', 'MC/mc_344235.VBFH125_ZZ4lep.4lep.root', 'MC/mc_341964.WH125_ZZ4lep.4lep.root', 'MC/mc_341947.ZH125_ZZ4lep.4lep.root'],
};

/** cabinetry config of the notebook (config.yml): one region, Signal_norm, ZZ_norm +-10%, two
 *  NormPlusShape systematics from the variation histograms. */
const config = {
  General: { Measurement: 'CabinetryHZZAnalysis', POI: 'Signal_norm', HistogramFolder: 'histograms/', InputPath: 'histograms.root:{RegionPath}_{SamplePath}{VariationPath}' },
  Regions: [{ Name: 'Signal_region', RegionPath: 'Signal_region', Variable: 'm_{4l} [GeV]' }],
  Samples: [
    { Name: 'Data', SamplePath: 'data', Data: true },
    { Name: 'Signal', SamplePath: 'signal' },
    { Name: 'Background ZZ*', SamplePath: 'ZZ' },
    { Name: 'Background Z, ttbar', SamplePath: 'Z_tt' },
  ],
  Systematics: [
    { Name: 'Scalefactor_variation', Type: 'NormPlusShape', Up: { VariationPath: '_SF_up' }, Down: { VariationPath: '_SF_down' } },
    { Name: 'm4l_variation', Type: 'NormPlusShape', Up: { VariationPath: '_m4l_up' }, Down: { VariationPath: '_m4l_down' } },
    { Name: 'ZZ_norm', Type: 'Normalization', Up: { Normalization: 0.1 }, Down: { Normalization: -0.1 }, Samples: 'Background ZZ*' },
  ],
  NormFactors: [{ Name: 'Signal_norm', Samples: 'Signal', Nominal: 1, Bounds: [0, 10] }],
};

export default graph('hzz', { params }, (g, p) => {
  const files = p.remote || p.inputs
    ? g.fetch('inputs', {
        samples: Object.fromEntries(Object.entries(openData).map(([sample, list]) => [sample, list.map((f) => (p.remote ? `${portal}/${f}` : `${p.inputs}/${f.split('/')[1]}`))])),
        maxFilesPerSample: p.maxFilesPerSample,
      })
    : g.generate('inputs', {
        kind: 'atlas4lep',
        samples: {
          ggH: { process: 'ggH', label: 'signal', events: p.events, seed: p.seed },
          VBFH: { process: 'VBFH', label: 'signal', events: p.events / 4, seed: p.seed },
          WH: { process: 'WH', label: 'signal', events: p.events / 10, seed: p.seed },
          ZH: { process: 'ZH', label: 'signal', events: p.events / 10, seed: p.seed },
          ZZ: { process: 'zz', label: 'ZZ', events: p.events, seed: p.seed },
          Zee: { process: 'zee', label: 'Z_tt', events: p.events / 4, seed: p.seed },
          Zmumu: { process: 'zmumu', label: 'Z_tt', events: p.events / 4, seed: p.seed },
          ttbar: { process: 'ttbar', label: 'Z_tt', events: p.events / 4, seed: p.seed },
        },
      });

  // ServiceX query: exactly four leptons; only the columns used downstream are read.
  const events = g.skim('four-leptons', files, {
    tree: 'mini',
    branches: ['lep_n', 'lep_pt', 'lep_eta', 'lep_phi', 'lep_E', 'lep_charge', 'lep_type', 'mcWeight', 'scaleFactor_*', 'XSection', 'SumWeights'],
    where: (e) => e.lep_n === 4,
  });

  // lepton_filter + m4l from the four lepton four-vectors (MeV -> GeV), weights of the notebook.
  const selected = g.select('m4l', events, {
    select: (ev, { sample, options }): SelectResult => {
      const lep = ev.collection('lep');
      const keep = and(eq(lep.get('charge').sum(), 0), isIn(lep.get('type').sum(), [44, 48, 52]));
      const mllll = times(lep.p4('ptEtaPhiE').sumPerEvent().mass().content, 1 / 1000);
      if (sample.isData) return { keep, columns: { mllll: compress(mllll, keep) }, dropInput: true };
      const sf = times(times(ev.col('scaleFactor_ELE'), ev.col('scaleFactor_MUON')), times(ev.col('scaleFactor_LepTRIGGER'), ev.col('scaleFactor_PILEUP')));
      // xsec * lumi / sumw per file, from the ntuple's own XSection and SumWeights columns
      const xsecWeight = times(ev.col('XSection'), Float64Array.from(ev.col('SumWeights'), (s) => options.lumi / Number(s)));
      const weight = times(times(xsecWeight, ev.col('mcWeight')), sf);
      return { keep, columns: { mllll: compress(mllll, keep), weight: compress(weight, keep) }, dropInput: true };
    },
    options: { lumi: p.lumi },
  });

  const hists = g.fill('hists', selected, {
    histograms: {
      Signal_region: [
        regular(p.bins, 80, 250, { name: 'mllll', label: 'm_{4l} [GeV]' }),
        strCategory([], { name: 'process', growth: true }),
        strCategory(['nominal', 'SF_up', 'SF_down', 'm4l_up', 'm4l_down'], { name: 'variation' }),
      ],
    },
    fill: (ev, h, { sample }) => {
      const m = ev.col('mllll');
      const hist = h.Signal_region;
      if (sample.isData) {
        hist.fill({ mllll: m, process: 'data', variation: 'nominal' });
        return;
      }
      const w = ev.col('weight');
      const process = sample.process;
      hist.fill({ mllll: m, process, variation: 'nominal' }, w);
      hist.fill({ mllll: m, process, variation: 'SF_up' }, times(w, 1.1));
      hist.fill({ mllll: m, process, variation: 'SF_down' }, times(w, 0.9));
      hist.fill({ mllll: times(m, 1.01), process, variation: 'm4l_up' }, w);
      hist.fill({ mllll: times(m, 0.99), process, variation: 'm4l_down' }, w);
    },
    normalise: 'none',
  });

  // Offline there is no real data: Poisson pseudodata from the MC, with signal strength injectMu.
  const offline = !(p.remote || p.inputs);
  const merged = g.merge('merged', offline
    ? g.pseudodata('pseudodata', hists, {
        poisson: true,
        seed: p.seed,
        terms: [{ process: 'signal', factor: p.injectMu }, { process: 'ZZ' }, { process: 'Z_tt' }],
      })
    : hists, { output: { root: 'histograms.root', json: 'histograms.json' } });

  const ws = g.buildWorkspace('workspace', merged, { config });
  const fit = g.fit('fit', ws);
  const limit = g.limit('limit', ws, { poiValue: 1, cl: 0.95 });
  g.plot('figures', [fit, limit], {
    label: 'ATLAS Open Data', sqrts: 13, lumi: p.lumi / 1000,
    labels: offline ? ['simulated samples'] : [],
    sampleLabels: { Signal: 'H (125 GeV)', 'Background ZZ*': 'ZZ*', 'Background Z, ttbar': 'Z, tt̄' },
    poiLabel: 'Signal strength μ',
    correlation: { threshold: 0.15 },
    title: 'ATLAS Open Data H → ZZ* → 4ℓ',
  });
});
