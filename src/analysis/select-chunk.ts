// The select node's per-chunk work: run the user's selection on the chunk as `Events` and turn its
// result (a batch, or a keep-mask with new columns and a cutflow) into the output EventBatch.
import type { ChunkContext, EventBatch } from '../engine/node-kind.ts';
import { columnEntries, type EventColumn, type EventColumnBatch } from '../columns.ts';
import { Events } from '../columnar/events.ts';
import { PackedSelection, type Cutflow } from '../columnar/selection.ts';
import { sampleInfo, type SampleInfo } from './sample.ts';
import { filterBatch } from '../columnar/filter.ts';

export interface SelectContext<O extends Record<string, unknown> = Record<string, unknown>> {
  sample: SampleInfo;
  /** deterministic per (node, chunk): seed your smearing with it */
  seed: number;
  options: O;
  chunk: { id: string; start: number; stop: number; path: string };
}

export type SelectResult =
  | (EventColumnBatch & { meta?: Record<string, unknown> })
  | { keep: ArrayLike<number>; columns?: Record<string, EventColumn>; cutflow?: PackedSelection | Cutflow | Record<string, number>; dropInput?: boolean };

export type SelectFn<O extends Record<string, unknown> = Record<string, unknown>> = (ev: Events, ctx: SelectContext<O>) => SelectResult;

function cutflowCounts(c: PackedSelection | Cutflow | Record<string, number> | undefined): Record<string, number> | undefined {
  if (!c) return undefined;
  const cf = c instanceof PackedSelection ? c.cutflow() : c;
  if ('cumulative' in cf && Array.isArray(cf.cumulative)) {
    const out: Record<string, number> = { all: (cf as Cutflow).total };
    (cf as Cutflow).names.forEach((n, i) => { out[n] = (cf as Cutflow).cumulative[i]!; });
    return out;
  }
  return c as Record<string, number>;
}

export function selectChunk(input: EventBatch, p: { select: SelectFn; options: Record<string, unknown> }, ctx: ChunkContext): EventBatch {
  const sample = sampleInfo(ctx.chunk.file);
  const ev = new Events(input, { ...sample.metadata, sample: sample.sample, process: sample.process, variation: sample.variation });
  const r = p.select(ev, { sample, seed: ctx.seed, options: p.options, chunk: { id: ctx.chunk.id, start: ctx.chunk.start, stop: ctx.chunk.stop, path: ctx.chunk.file.path } });
  if ('entries' in r) return r;
  if (r.keep.length !== input.entries) throw new Error(`select node '${ctx.node}': keep mask has ${r.keep.length} entries, the chunk has ${input.entries}`);
  const kept = filterBatch(input, r.keep);
  const columns = { ...(r.dropInput ? {} : kept.columns), ...(r.columns ?? {}) };
  for (const [k, c] of Object.entries(r.columns ?? {})) {
    const len = columnEntries(c);
    if (len !== kept.entries) throw new Error(`select node '${ctx.node}': column '${k}' has ${len} entries but ${kept.entries} events are kept`);
  }
  const cutflow = cutflowCounts(r.cutflow);
  return { entries: kept.entries, columns, meta: cutflow ? { cutflow } : undefined };
}
