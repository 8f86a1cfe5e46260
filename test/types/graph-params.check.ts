// Type-level checks of the graph builder, compiled by `npm run typecheck` (never run): every
// built-in method rejects a misspelt option key, and skim's `where` row has exactly the listed
// branches. Each `@ts-expect-error` fails the type-check if the line it marks stops being an error.
import { graph, regular } from '../../src/index.ts';

export default graph('type-checks', (g) => {
  // @ts-expect-error unknown key
  const files = g.fetch('inputs', { files: 'x.root', maxEventPerFile: 10 });
  // @ts-expect-error unknown key
  g.generate('gen', { kind: 'nanoaod', samples: {}, compresion: 'zlib' });
  // @ts-expect-error unknown key of a nested sample
  g.generate('gen2', { kind: 'nanoaod', samples: { tt: { process: 'ttbar', events: 10, sed: 3 } } });
  // @ts-expect-error `filter` is not a skim option (`where` is)
  g.skim('bad-skim', files, { tree: 'Events', filter: () => true });
  const events = g.skim('skim', files, { tree: 'Events', branches: ['nMuon', 'Muon_pt'], where: (e) => e.nMuon >= 1 });
  // @ts-expect-error `nMuons` is not a listed branch
  g.skim('typo', files, { tree: 'Events', branches: ['nMuon'], where: (e) => e.nMuons >= 1 });
  // with glob patterns the fields cannot be known: any field type-checks (and is checked at run time)
  g.skim('globs', files, { tree: 'Events', branches: ['Muon_*'], where: (e) => e.Muon_pt.length > 0 });
  // @ts-expect-error unknown key
  g.select('sel', events, { select: () => ({ keep: [] }), optons: {} });
  const sel = g.select('sel2', events, { select: (_ev, { options }) => ({ keep: [options.cut] }), options: { cut: 1 } });
  // @ts-expect-error `lumii` for `lumi`
  g.fill('bad-fill', sel, { histograms: { h: [regular(2, 0, 1)] }, fill: () => {}, lumii: 3 });
  const hists = g.fill('fill', sel, { histograms: { h: [regular(2, 0, 1)] }, fill: (_ev, h, { options }) => h.h.fill({ x: [options.x] }), options: { x: 0.5 } });
  // @ts-expect-error unknown key
  g.merge('merge', hists, { group: {} });
  // @ts-expect-error unknown key
  g.pseudodata('pd', hists, { poison: true });
  // @ts-expect-error unknown key
  const ws = g.buildWorkspace('ws', hists, { config: {}, regoins: {} });
  // @ts-expect-error unknown key
  g.fit('fit', ws, { minos: true, bogus: 1 });
  // @ts-expect-error unknown key
  g.limit('limit', ws, { poiValues: 1 });
  // @ts-expect-error unknown key
  g.plot('plot', hists, { label: [] });
});
