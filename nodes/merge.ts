// merge: adds Histograms artifacts (several fill nodes, or partial runs) and groups categories, e.g.
// the three single-top channels into one process; writes histograms.root / .json when asked.
import { z } from 'zod';
import { defineNodeKind, type OutputContext } from '../src/engine/node-kind.ts';
import { emptyArtifact, fromData, mergeInto, toData, type HistogramsArtifact } from '../src/hist/index.ts';
import { writeHistogramOutputs, outputParams } from '../src/analysis/histogram-outputs.ts';

const params = z.object({
  /** new category -> categories merged into it, on axis `axis` (default 'process') */
  groups: z.record(z.string(), z.array(z.string())).default({}),
  axis: z.string().default('process'),
  output: outputParams.optional(),
});
type Params = z.infer<typeof params>;

export function mergeHistograms(inputs: HistogramsArtifact[], p: Pick<Params, 'groups' | 'axis'>): HistogramsArtifact {
  const acc = emptyArtifact();
  for (const a of inputs) mergeInto(acc, structuredClone(a));
  if (Object.keys(p.groups).length) {
    for (const [name, d] of Object.entries(acc.hists)) {
      const h = fromData(d);
      if (h.axes.some((x) => x.name === p.axis)) acc.hists[name] = toData(h.groupCategories(p.axis, p.groups));
    }
  }
  return acc;
}

export default defineNodeKind({
  kind: 'merge',
  level: 'global',
  version: '1',
  description: 'add histograms across nodes and group samples into processes',
  params,
  inputs: { variadic: 'Histograms', min: 1 },
  output: 'Histograms',
  run(inputs: HistogramsArtifact[], p: Params) {
    return mergeHistograms(inputs, p);
  },
  async writeOutputs(value: HistogramsArtifact, p: Params, ctx: OutputContext) {
    if (p.output) await writeHistogramOutputs(value, p.output, ctx);
  },
});
