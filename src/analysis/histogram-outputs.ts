// histograms.root (cabinetry naming) and histograms.json (the AGC reference format) from a
// Histograms artifact, with optional rebinning and pseudodata, written by fill/merge nodes.
import { z } from 'zod';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { OutputContext } from '../engine/node-kind.ts';
import { combine, namedHistograms, toReferenceJSON, writeHistogramsRoot, type HistogramsArtifact } from '../hist/index.ts';

export const outputParams = z.object({
  root: z.string().optional(),
  json: z.string().optional(),
  /** the AGC's `h[110j::hist.rebin(2)]` on the numeric axis before writing */
  rebinFrom: z.object({ axis: z.string(), lo: z.number(), factor: z.number().int().positive() }).optional(),
  /** extra histograms as weighted sums of written ones: name -> [{name, factor}] */
  sums: z.record(z.string(), z.array(z.object({ name: z.string(), factor: z.number().default(1) }))).default({}),
});
export type OutputParams = z.infer<typeof outputParams>;

export async function writeHistogramOutputs(a: HistogramsArtifact, o: OutputParams, ctx: OutputContext): Promise<void> {
  const rb = o.rebinFrom;
  const named = namedHistograms(a, rb ? { transform: (h) => h.rebinFrom(rb.axis, rb.lo, rb.factor) } : {});
  for (const [name, terms] of Object.entries(o.sums)) named.set(name, combine(named, terms, name));
  if (o.json) await ctx.writeFile(o.json, JSON.stringify(toReferenceJSON(named)));
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
