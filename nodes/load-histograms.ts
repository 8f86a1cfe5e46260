// load-histograms: an existing histograms file as a Histograms artifact, so a graph can start from
// the histograms (seed 003: histograms.root + a cabinetry config) with no event processing. Reads
// a ROOT file's top-level TH1s (cabinetry naming `{region}_{sample}[_{variation}]`, as
// histograms.root is written by hepflow, cabinetry or uproot) or histograms JSON (`{name:
// {contents, edges[, variances]}}`, the AGC reference format hepflow's histograms.json also uses;
// contents with or without under/overflow; without variances, sum w^2 = |contents|, the Poisson
// value). Volatile: the file is read on every run, and an unchanged file leaves what follows cached.
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { defineNodeKind, type NodeContext } from '../src/engine/node-kind.ts';
import type { HistogramsArtifact } from '../src/hist/artifact.ts';

export const params = strictParams({
  /** histograms.root or a histograms JSON file (relative to the working directory) */
  file: z.string().min(1),
  /** 'auto': by the file's extension (.json is JSON, anything else ROOT) */
  format: z.enum(['auto', 'root', 'json']).default('auto'),
  /** keep only these histograms (default: all) */
  histograms: z.array(z.string()).min(1).optional(),
  /** x-axis title given to every histogram (ROOT files' own titles are not read) */
  xLabel: z.string().optional(),
});
type Params = z.infer<typeof params>;

export default defineNodeKind({
  kind: 'load-histograms',
  level: 'global',
  version: '1',
  volatile: true,
  description: 'histograms from an existing histograms.root or histograms JSON file',
  params,
  inputs: [],
  output: 'Histograms',
  async run(_inputs: [], p: Params, ctx: NodeContext): Promise<HistogramsArtifact> {
    const { readHistogramsFile, templatesArtifact } = await import('../src/stats/build/histogram-files.ts');
    const where = `load-histograms node '${ctx.node}'`;
    const templates = await readHistogramsFile(p.file, { format: p.format, names: p.histograms, where });
    ctx.log(`${templates.size} histograms from ${p.file}`);
    return templatesArtifact(templates, p.xLabel);
  },
});
