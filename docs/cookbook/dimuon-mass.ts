// Cookbook: the dimuon invariant mass from a flat ntuple (one muon pair per row, E/px/py/pz columns).
//   npm run flow -- run docs/cookbook/dimuon-mass.ts
import { graph, z, regular, P4s, identityOffsets } from '../../src/index.ts';

export default graph('dimuon-mass', { params: z.object({
  /** The flat ntuple: uproot's Zmumu sample (tree `events`, muons 1 and 2 as columns). */
  file: z.string().default('../shared/data/root/uproot-Zmumu.root'),
}) }, (g, p) => {
  const files = g.fetch('inputs', { files: p.file });
  // opposite-charge pairs only: `where` sees one row of the listed branches
  const pairs = g.skim('pairs', files, {
    tree: 'events',
    branches: ['E1', 'px1', 'py1', 'pz1', 'Q1', 'E2', 'px2', 'py2', 'pz2', 'Q2'],
    where: (row) => row.Q1 * row.Q2 < 0,
  });
  g.fill('mass', pairs, {
    histograms: { mumu: [regular(60, 60, 120, { name: 'mass', label: 'm_{#mu#mu} [GeV]' })] },
    normalise: 'none', // real data without cross-section metadata: counts
    fill: (ev, h) => {
      const one = identityOffsets(ev.entries); // one "object" per event: flat columns as P4s
      const mu1 = P4s.fromPxPyPzE(one, ev.col('px1'), ev.col('py1'), ev.col('pz1'), ev.col('E1'));
      const mu2 = P4s.fromPxPyPzE(one, ev.col('px2'), ev.col('py2'), ev.col('pz2'), ev.col('E2'));
      h.mumu.fill({ mass: mu1.add(mu2).mass().content });
    },
    output: { json: 'dimuon-mass.json' },
  });
});
