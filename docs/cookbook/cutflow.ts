// Cookbook: a cutflow: named cuts in a select node (PackedSelection), events passing each cut in
// turn summed over the chunks, written by the fill node's `output.cutflow`.
//   npm run flow -- run docs/cookbook/cutflow.ts
import { graph, z, regular, PackedSelection, compress, ge, gt } from '../../src/index.ts';

export default graph('cutflow', { params: z.object({
  file: z.string().default('../shared/data/root/nanoAOD_2015_CMS_Open_Data_ttbar.root'),
}) }, (g, p) => {
  const files = g.fetch('inputs', { samples: { ttbar: [p.file] } });
  const events = g.skim('skim', files, { tree: 'Events', branches: ['nJet', 'Jet_pt', 'nMuon', 'Muon_pt', 'Muon_pfRelIso04_all', 'MET_pt'] });
  const selected = g.select('cuts', events, {
    select: (ev) => {
      const mu = ev.collection('Muon');
      const jets = ev.collection('Jet');
      const sel = new PackedSelection(ev.entries)
        .add('one_muon', ge(mu.filter(mu.pt.gt(20).and(mu.get('pfRelIso04_all').lt(0.15))).counts(), 1))
        .add('two_jets', ge(jets.filter(jets.pt.gt(30)).counts(), 2))
        .add('met', gt(ev.col('MET_pt'), 20));
      const keep = sel.all('one_muon', 'two_jets', 'met');
      // columns are those of the kept events
      return { keep, columns: { MET_pt: compress(ev.col('MET_pt'), keep) }, cutflow: sel.cutflow('one_muon', 'two_jets', 'met') };
    },
  });
  g.fill('hists', selected, {
    histograms: { met: [regular(10, 0, 200, { name: 'met' })] },
    normalise: 'none',
    fill: (ev, h) => { h.met.fill({ met: ev.col('MET_pt') }); },
    output: { json: 'met.json', cutflow: 'cutflow.json' },
  });
});
