// The fill node's per-chunk work: book the declared histograms, call the user's fill function with
// the sample's weight, and return the partial (tagged with its file normalisation).
import type { EventBatch, ChunkContext } from '../engine/node-kind.ts';
import { Events } from '../columnar/events.ts';
import { Hist } from '../hist/hist.ts';
import { axisFromJSON, type AxisJSON } from '../hist/axis.ts';
import { emptyArtifact, toData } from '../hist/artifact.ts';
import { normalisation, sampleInfo, sampleKey, type SampleInfo } from './sample.ts';
import type { FillPartial } from './sample-normalisation.ts';
import { UserError } from '../errors.ts';

export interface FillContext<O extends Record<string, unknown> = Record<string, unknown>> {
  sample: SampleInfo;
  /** xsec * lumi / nevts (or / sumw), 1 for data. With per-file nevts this chunk uses its file's
   *  nevts and the merge re-weights the sample to the sum over its files (use the weight linearly). */
  weight: number;
  seed: number;
  options: O;
}

/** `H`: the names of the booked histograms (`h.Signal_region` is typed from `histograms`). */
export type FillFn<O extends Record<string, unknown> = Record<string, unknown>, H extends string = string> = (ev: Events, h: Record<H, Hist>, ctx: FillContext<O>) => void;

export interface FillChunkParams {
  histograms: Record<string, Array<AxisJSON | { toJSON(): AxisJSON }>>;
  fill: FillFn;
  lumi: number;
  normalise: 'nevts' | 'sumw' | 'none';
  options: Record<string, unknown>;
  /** default 'warn' */
  nonFiniteWeights?: 'warn' | 'error';
}

function book(p: FillChunkParams): Record<string, Hist> {
  const out: Record<string, Hist> = {};
  for (const [name, axes] of Object.entries(p.histograms)) {
    out[name] = new Hist(axes.map((a) => axisFromJSON('toJSON' in a && typeof a.toJSON === 'function' ? a.toJSON() : (a as AxisJSON))));
  }
  return out;
}

/** A NaN or ±Infinity weight poisons every sum it reaches (the merged histogram, the fit): say
 *  where it came from, per chunk, once per histogram. */
function checkFinite(name: string, h: Hist, mode: 'warn' | 'error', ctx: ChunkContext): void {
  let bad = 0;
  for (let i = 0; i < h.sumw.length; i++) if (!Number.isFinite(h.sumw[i]!)) bad++;
  if (bad === 0) return;
  const c = ctx.chunk;
  const msg = `fill node '${ctx.node}', chunk ${c.file.path}[${c.start}:${c.stop}]: histogram '${name}' has ${bad} bin(s) with a NaN or infinite sum of weights (a NaN or infinite weight was filled)`;
  if (mode === 'error') throw new UserError(msg);
  ctx.warn(msg);
}

export function fillChunk(input: EventBatch, p: FillChunkParams, ctx: ChunkContext): FillPartial {
  const sample = sampleInfo(ctx.chunk.file);
  const hists = book(p);
  const perFile = sample.isData || p.normalise === 'none' ? undefined : p.normalise === 'sumw' ? sample.sumw : sample.nevts;
  const weight = normalisation(sample, p.lumi, p.normalise);
  p.fill(new Events(input, sample.metadata), hists, { sample, weight, seed: ctx.seed, options: p.options });
  const a: FillPartial = emptyArtifact();
  if (perFile !== undefined) a.norm = { sample: sampleKey(sample), path: ctx.chunk.file.path, n: perFile };
  for (const [k, h] of Object.entries(hists)) {
    checkFinite(k, h, p.nonFiniteWeights ?? 'warn', ctx);
    a.hists[k] = toData(h);
  }
  // events of the chunk as read (the select node keeps fewer rows)
  a.nevents[sampleKey(sample)] = ctx.chunk.stop - ctx.chunk.start;
  const cf = input.meta?.cutflow as Record<string, number> | undefined;
  if (cf) a.cutflows[sampleKey(sample)] = { ...cf };
  return a;
}
