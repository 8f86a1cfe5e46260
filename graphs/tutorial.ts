// Seed 003, the statistics tutorial (HistFactory with cabinetry and pyhf), as a graph that starts
// from files: a histograms file and a cabinetry config, or an existing workspace.json; no event
// processing.
//
//   histograms (load-histograms: histograms.root or histograms JSON) -> workspace (build-workspace:
//   cabinetry.workspace.build) -> fit (cabinetry.fit.fit: pulls, ttbar_norm) -> figures (pulls,
//   pre/post-fit data/MC: cabinetry.visualize.data_mc) + templates (nominal with up/down per
//   systematic and region: cabinetry.visualize.templates; the modifier grid)
//
//   flow run graphs/tutorial.ts                                   the AGC's reference histograms and config
//   flow run graphs/tutorial.ts --set histograms=out/ttbar/histograms.root
//   flow run graphs/tutorial.ts --set workspace=workspace.json    fit and figures of an existing workspace
import { graph, z } from 'hepflow';

const shared = (path: string) => new URL(`../../shared/data/agc/${path}`, import.meta.url).pathname;

const params = z.object({
  /** histograms.root (cabinetry names {region}_{sample}[_{variation}]) or histograms JSON */
  histograms: z.string().default(shared('reference/histos_1_file_per_process.json')),
  /** the cabinetry config (YAML) */
  config: z.string().default(shared('cabinetry_config.yml')),
  /** an existing workspace.json: used instead of histograms + config */
  workspace: z.string().optional(),
  /** the template figures and the modifier grid */
  templates: z.boolean().default(true),
  /** template figures of these systematics only (default: all) */
  templateSystematics: z.array(z.string()).optional(),
});

export default graph('tutorial', { params }, (g, p) => {
  const ws = p.workspace
    ? g.loadWorkspace('workspace', { file: p.workspace })
    : g.buildWorkspace('workspace', g.loadHistograms('histograms', { file: p.histograms }), p.config);
  const fit = g.fit('fit', ws);
  g.node('plot', 'figures', [fit], { labels: ['CMS Open Data', 'seed 003 tutorial'], correlation: false });
  if (p.templates) g.templates('templates', ws, { systematics: p.templateSystematics });
});
