// fill: a chunk reducer. Books the histograms declared in params (axes as JSON, so a changed binning
// is a params change: only fill re-runs, from the cached skim/select chunks), hands them with the
// sample's normalisation xsec*lumi/nevts (or /sumw) to the user's fill function, and returns the
// chunk's partial Histograms; the engine adds partials as chunks finish. The histogram code is
// loaded when the node runs (cached re-runs never load it).
import { createRequire } from 'node:module';
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { defineNodeKind, type EventBatch, type OutputContext } from '../src/engine/node-kind.ts';
import type { AxisJSON, HistogramsArtifact } from '../src/hist/index.ts';
import type { FillPartial } from '../src/analysis/sample-normalisation.ts';
import type { FillFn } from '../src/analysis/fill-chunk.ts';
import { outputParams } from '../src/analysis/output-params.ts';

export type { FillContext, FillFn } from '../src/analysis/fill-chunk.ts';

const axisJson = z.custom<AxisJSON | { toJSON(): AxisJSON }>((v) => typeof v === 'object' && v !== null && ('type' in v || 'toJSON' in v), { message: 'expected an axis (regular(...), variable(...), strCategory(...)) or its JSON' });

export const params = strictParams({
  /** histogram name -> axes */
  histograms: z.record(z.string(), z.array(axisJson).min(1)),
  /** `(ev, hists, ctx) => void`: fills the booked histograms; ctx.weight is the sample's xsec*lumi/norm (1 for data). */
  fill: z.custom<FillFn>((v) => typeof v === 'function', { message: 'fill: expected a function (ev, hists, ctx) => void' }),
  /** integrated luminosity in /pb for xsec*lumi/norm */
  lumi: z.number().positive().default(1),
  /** MC weight xsec*lumi/nevts, xsec*lumi/sumw, or 'none' (unweighted; no xsec metadata needed). */
  normalise: z.enum(['nevts', 'sumw', 'none']).default('nevts'),
  /** JSON-able options handed to the fill function as ctx.options (part of the cache key). */
  options: z.record(z.string(), z.unknown()).default({}),
  /** a NaN or infinite weight filled into a histogram: a warning naming node and chunk, or an error */
  nonFiniteWeights: z.enum(['warn', 'error']).default('warn'),
  /** Also write the histograms: {root: 'histograms.root', json: 'histograms.json', ...} under --out. */
  output: outputParams.optional(),
});
type Params = z.infer<typeof params>;

// reduce runs synchronously in the main thread, possibly before any chunk ran there: load on first use
const require = createRequire(import.meta.url);
let normaliser: typeof import('../src/analysis/sample-normalisation.ts') | undefined;
const norm = () => (normaliser ??= require('../src/analysis/sample-normalisation.ts') as typeof import('../src/analysis/sample-normalisation.ts'));

export default defineNodeKind({
  kind: 'fill',
  level: 'chunk',
  version: '1',
  description: 'weighted histograms with region/process/variation axes, per chunk, merged across chunks',
  params,
  inputs: ['EventChunks'],
  output: 'Histograms',
  async runChunk(input: EventBatch | undefined, p: Params, ctx): Promise<FillPartial> {
    if (!input) throw new Error(`fill node '${ctx.node}' needs an EventChunks input`);
    const { fillChunk } = await import('../src/analysis/fill-chunk.ts');
    return fillChunk(input, p, ctx);
  },
  reduce: {
    combine: (acc: FillPartial, part: FillPartial) => norm().combineFillPartials(acc, part),
    finish: (total: FillPartial): HistogramsArtifact => norm().finishFillPartials(total),
    empty: (): FillPartial => ({ kind: 'hepflow.histograms', hists: {}, nevents: {}, cutflows: {} }),
  },
  async writeOutputs(value: HistogramsArtifact, p: Params, ctx: OutputContext) {
    if (!p.output) return;
    const { writeHistogramOutputs } = await import('../src/analysis/histogram-outputs.ts');
    await writeHistogramOutputs(value, p.output, ctx);
  },
});
