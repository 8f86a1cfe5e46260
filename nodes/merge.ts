// merge: adds Histograms artifacts (several fill nodes, or partial runs) and groups categories, e.g.
// the three single-top channels into one process; writes histograms.root / .json when asked.
// Histogram code is imported when the node runs, so cached re-runs do not load it.
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { defineNodeKind, type OutputContext } from '../src/engine/node-kind.ts';
import type { HistogramsArtifact } from '../src/hist/artifact.ts';
import { outputParams } from '../src/analysis/output-params.ts';

export const params = strictParams({
  /** new category -> categories merged into it, on axis `axis` (default 'process') */
  groups: z.record(z.string(), z.array(z.string())).default({}),
  /** The category axis `groups` merges on. */
  axis: z.string().default('process'),
  /** Also write the merged histograms: {root: 'histograms.root', json: 'histograms.json', ...}. */
  output: outputParams.optional(),
});
type Params = z.infer<typeof params>;

export default defineNodeKind({
  kind: 'merge',
  level: 'global',
  version: '1',
  description: 'add histograms across nodes and group samples into processes',
  params,
  inputs: { variadic: 'Histograms', min: 1 },
  output: 'Histograms',
  async run(inputs: HistogramsArtifact[], p: Params) {
    const { mergeHistograms } = await import('../src/analysis/merge-histograms.ts');
    return mergeHistograms(inputs, p);
  },
  async writeOutputs(value: HistogramsArtifact, p: Params, ctx: OutputContext) {
    if (!p.output) return;
    const { writeHistogramOutputs } = await import('../src/analysis/histogram-outputs.ts');
    await writeHistogramOutputs(value, p.output, ctx);
  },
});
