// fill: a chunk reducer. Books the histograms declared in params (axes as JSON, so a changed binning
// is a params change: only fill re-runs, from the cached skim/select chunks), hands them with the
// sample's normalisation xsec*lumi/nevts (or /sumw) to the user's fill function, and returns the
// chunk's partial Histograms; the engine adds partials as chunks finish.
import { z } from 'zod';
import { defineNodeKind, type EventBatch, type OutputContext } from '../src/engine/node-kind.ts';
import { Events } from '../src/columnar/index.ts';
import { Hist, axisFromJSON, emptyArtifact, toData, type AxisJSON, type HistogramsArtifact } from '../src/hist/index.ts';
import { combineFillPartials, finishFillPartials, type FillPartial } from '../src/analysis/sample-normalisation.ts';
import { normalisation, sampleInfo, sampleKey, type SampleInfo } from '../src/analysis/sample.ts';
import { writeHistogramOutputs, outputParams } from '../src/analysis/histogram-outputs.ts';

export interface FillContext {
  sample: SampleInfo;
  /** xsec * lumi / nevts (or / sumw), 1 for data. With per-file nevts this chunk uses its file's
   *  nevts and the merge re-weights the sample to the sum over its files (use the weight linearly). */
  weight: number;
  seed: number;
  options: Record<string, unknown>;
}

export type FillFn = (ev: Events, h: Record<string, Hist>, ctx: FillContext) => void;

const axisJson = z.custom<AxisJSON>((v) => typeof v === 'object' && v !== null && ('type' in v || 'toJSON' in v), { message: 'expected an axis (regular(...), variable(...), strCategory(...)) or its JSON' });

const params = z.object({
  /** histogram name -> axes */
  histograms: z.record(z.string(), z.array(axisJson).min(1)),
  fill: z.custom<FillFn>((v) => typeof v === 'function', { message: 'fill: expected a function (ev, hists, ctx) => void' }),
  /** integrated luminosity in /pb for xsec*lumi/norm */
  lumi: z.number().positive().default(1),
  normalise: z.enum(['nevts', 'sumw', 'none']).default('nevts'),
  options: z.record(z.string(), z.unknown()).default({}),
  output: outputParams.optional(),
});
type Params = z.infer<typeof params>;

function book(p: Params): Record<string, Hist> {
  const out: Record<string, Hist> = {};
  for (const [name, axes] of Object.entries(p.histograms)) {
    out[name] = new Hist(axes.map((a) => axisFromJSON('toJSON' in a && typeof (a as { toJSON?: unknown }).toJSON === 'function' ? (a as unknown as { toJSON(): AxisJSON }).toJSON() : a)));
  }
  return out;
}

export default defineNodeKind({
  kind: 'fill',
  level: 'chunk',
  version: '1',
  description: 'weighted histograms with region/process/variation axes, per chunk, merged across chunks',
  params,
  inputs: ['EventChunks'],
  output: 'Histograms',
  runChunk(input: EventBatch | undefined, p: Params, ctx): FillPartial {
    if (!input) throw new Error(`fill node '${ctx.node}' needs an EventChunks input`);
    const sample = sampleInfo(ctx.chunk.file);
    const hists = book(p);
    const perFile = sample.isData || p.normalise === 'none' ? undefined : p.normalise === 'sumw' ? sample.sumw : sample.nevts;
    const weight = normalisation(sample, p.lumi, p.normalise);
    p.fill(new Events(input, sample.metadata), hists, { sample, weight, seed: ctx.seed, options: p.options });
    const a: FillPartial = emptyArtifact();
    if (perFile !== undefined) a.norm = { sample: sampleKey(sample), path: ctx.chunk.file.path, n: perFile };
    for (const [k, h] of Object.entries(hists)) a.hists[k] = toData(h);
    // events of the chunk as read (the select node keeps fewer rows)
    a.nevents[sampleKey(sample)] = ctx.chunk.stop - ctx.chunk.start;
    const cf = input.meta?.cutflow as Record<string, number> | undefined;
    if (cf) a.cutflows[sampleKey(sample)] = { ...cf };
    return a;
  },
  reduce: { combine: combineFillPartials, finish: finishFillPartials, empty: emptyArtifact },
  async writeOutputs(value: HistogramsArtifact, p: Params, ctx: OutputContext) {
    if (p.output) await writeHistogramOutputs(value, p.output, ctx);
  },
});
