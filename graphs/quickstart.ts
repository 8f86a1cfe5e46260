// The README's example: dijet masses in generated CMS NanoAOD ttbar events (the W peak at 80 GeV).
//   flow run graphs/quickstart.ts --set events=50000
import { graph, z, regular, strCategory, ge } from 'hepflow';

export default graph('quickstart', { params: z.object({ events: z.number().int().positive().default(100_000), bins: z.number().default(40) }) }, (g, p) => {
  const files = g.generate('inputs', { kind: 'nanoaod', samples: { ttbar: { process: 'ttbar', events: p.events } } });
  const events = g.skim('skim', files, { tree: 'Events', branches: ['nJet', 'Jet_pt', 'Jet_eta', 'Jet_phi', 'Jet_mass'], where: (e) => e.nJet >= 2 });
  const hists = g.fill('mjj', events, {
    histograms: { mjj: [regular(p.bins, 0, 200, { name: 'mjj', label: 'm_{jj} [GeV]' }), strCategory([], { name: 'process', growth: true })] },
    fill: (ev, h, { sample, weight }) => {
      const jets = ev.collection('Jet');
      const good = jets.filter(jets.pt.gt(30));                              // jagged mask, no loop
      const pairs = good.selectEvents(ge(good.counts(), 2));
      const mjj = pairs.p4().sumCombinations(pairs.combinations(2)).mass();  // every jet pair
      h.mjj.fill({ mjj: mjj.content, process: sample.process }, weight);
    },
    lumi: 1000,
  });
  g.merge('all', hists, { output: { root: 'histograms.root', json: 'histograms.json' } });
});
