// `hepflow/nodes`: the built-in node kinds' factories a graph may instantiate itself (the kinds
// themselves load by name: `g.plot(...)`). A graph with its own plot signature:
//   g.node(plotKind(['Histograms', 'FitResult']), 'figures', [hists, fit], { ... })
export { plotKind } from './plot.ts';
