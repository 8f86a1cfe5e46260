// Cookbook: the leading-jet pT in NanoAOD events with at least one isolated muon.
//   npm run flow -- run docs/cookbook/leading-jet-pt.ts
import { graph, z, regular, ge } from '../../src/index.ts';

export default graph('leading-jet-pt', { params: z.object({
  /** A CMS NanoAOD file (tree `Events`). */
  file: z.string().default('../shared/data/root/nanoAOD_2015_CMS_Open_Data_ttbar.root'),
  /** Muon pT threshold in GeV. */
  muonPt: z.number().default(25),
}) }, (g, p) => {
  const files = g.fetch('inputs', { files: p.file });
  const events = g.skim('skim', files, {
    tree: 'Events',
    branches: ['nJet', 'Jet_pt', 'Jet_eta', 'nMuon', 'Muon_pt', 'Muon_eta', 'Muon_pfRelIso04_all'],
    where: (row) => row.nJet >= 1 && row.nMuon >= 1, // cheap pre-filter on counts
  });
  g.fill('jets', events, {
    histograms: { leadJetPt: [regular(20, 0, 400, { name: 'pt', label: 'leading jet p_{T} [GeV]' })] },
    normalise: 'none',
    options: { muonPt: p.muonPt },
    fill: (ev, h, ctx) => {
      const mu = ev.collection('Muon');
      const good = mu.filter(mu.pt.gt(ctx.options.muonPt as number).and(mu.get('pfRelIso04_all').lt(0.15)).and(mu.eta.abs().lt(2.4)));
      const sel = ev.filter(ge(good.counts(), 1)); // events with a good muon
      const jets = sel.collection('Jet');
      h.leadJetPt.fill({ pt: jets.pt.max() });   // NanoAOD jets are pT-ordered; max() does not rely on it
    },
    output: { json: 'leading-jet-pt.json' },
  });
});
