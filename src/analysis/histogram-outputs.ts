// histograms.root (cabinetry naming) and histograms.json (the AGC reference format) from a
// Histograms artifact, with optional rebinning and pseudodata, written by fill/merge nodes.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { OutputContext } from '../engine/node-kind.ts';
import { combine, namedHistograms, toReferenceJSON, type Hist1D, type HistogramsArtifact } from '../hist/index.ts';
import type { OutputParams } from './output-params.ts';

export { outputParams, type OutputParams } from './output-params.ts';

/** histograms.root: one TH1D per name (flow bins and sum w^2 kept), via src/root/write (here, so
 *  that src/hist does not depend on the ROOT writer). */
export async function writeHistogramsRoot(path: string, named: Map<string, Hist1D>): Promise<void> {
  const { createRootFile } = await import('../root/write/index.ts');
  const f = await createRootFile(path);
  for (const [name, h] of named) f.putHist(name, { edges: h.edges, values: h.values, sumw2: h.variances, title: h.title ?? name, xTitle: h.xTitle });
  await f.close();
}

export async function writeHistogramOutputs(a: HistogramsArtifact, o: OutputParams, ctx: OutputContext): Promise<void> {
  const rb = o.rebinFrom;
  const named = namedHistograms(a, rb ? { transform: (h) => h.rebinFrom(rb.axis, rb.lo, rb.factor) } : {});
  for (const [name, terms] of Object.entries(o.sums)) named.set(name, combine(named, terms, name));
  if (o.json) await ctx.writeFile(o.json, JSON.stringify(toReferenceJSON(named)));
  if (o.cutflow) await ctx.writeFile(o.cutflow, `${JSON.stringify(a.cutflows, null, 2)}\n`);
  if (o.root) {
    // the ROOT writer writes to a path; go through a temp file so ctx.writeFile stays atomic
    const dir = await mkdtemp(join(tmpdir(), 'hepflow-hist-'));
    try {
      const tmp = join(dir, 'h.root');
      await writeHistogramsRoot(tmp, named);
      await ctx.writeFile(o.root, new Uint8Array(await readFile(tmp)));
    } finally { await rm(dir, { recursive: true, force: true }); }
  }
}
