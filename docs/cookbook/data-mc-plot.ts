// Cookbook: a data/MC plot: simulated processes stacked, data as points, from histograms alone
// (no fit). Samples named or labelled 'data' are data: filled with weight 1, drawn as points.
//   npm run flow -- run docs/cookbook/data-mc-plot.ts
import { graph, z, regular, strCategory } from '../../src/index.ts';

export default graph('data-mc-plot', { params: z.object({
  /** Generated events per sample (ATLAS Open Data-like 4-lepton events, tree `mini`, MeV). */
  events: z.number().int().positive().default(4000),
}) }, (g, p) => {
  const files = g.generate('inputs', { kind: 'atlas4lep', samples: {
    data: { process: 'data', events: p.events },
    zz: { process: 'zz', events: p.events, label: 'ZZ' },
    ggH: { process: 'ggH', events: p.events, label: 'H' },
  } });
  const events = g.skim('skim', files, { tree: 'mini', branches: ['lep_n', 'lep_pt', 'mcWeight', 'scaleFactor_ELE', 'scaleFactor_MUON'] });
  const hists = g.fill('hists', events, {
    histograms: { leading_lepton: [regular(20, 0, 200, { name: 'pt', label: 'leading lepton p_{T} [GeV]' }), strCategory([], { name: 'process', growth: true })] },
    lumi: 10_000, // /pb: MC weighs xsec*lumi/sumw
    normalise: 'sumw',
    fill: (ev, h, { sample, weight }) => {
      const pt = ev.jag('lep_pt').max().map((x) => x / 1000); // MeV -> GeV
      const w = sample.isData ? 1 : ev.col('mcWeight').map((x) => x * weight);
      h.leading_lepton.fill({ pt, process: sample.isData ? 'data' : sample.process }, w);
    },
  });
  g.plot('figures', hists, { labels: ['simulated samples'], histograms: { data: ['data'] } });
});
