// select: a chunk transform. The user function sees the chunk as `Events` (collections, masks,
// combinations...) plus the sample metadata and a per-chunk seed, and returns the rows to keep: either
// a full batch (`{entries, columns, meta?}`) or `{keep, columns?, cutflow?}` (keep = event mask over
// the input; columns = new per-kept-event columns, added to the input's kept columns unless
// `dropInput`). A cutflow travels with the chunk in `meta.cutflow`.
import { z } from 'zod';
import { defineNodeKind, type EventBatch } from '../src/engine/node-kind.ts';
import type { Column, ColumnBatch } from '../src/columns.ts';
import { Events, PackedSelection, type Cutflow } from '../src/columnar/index.ts';
import { sampleInfo, type SampleInfo } from '../src/analysis/sample.ts';
import { filterBatch } from './skim.ts';

export interface SelectContext {
  sample: SampleInfo;
  /** deterministic per (node, chunk): seed your smearing with it */
  seed: number;
  options: Record<string, unknown>;
  chunk: { id: string; start: number; stop: number; path: string };
}

export type SelectResult =
  | (ColumnBatch & { meta?: Record<string, unknown> })
  | { keep: ArrayLike<number>; columns?: Record<string, Column>; cutflow?: PackedSelection | Cutflow | Record<string, number>; dropInput?: boolean };

export type SelectFn = (ev: Events, ctx: SelectContext) => SelectResult;

const params = z.object({
  select: z.custom<SelectFn>((v) => typeof v === 'function', { message: 'select: expected a function (ev, ctx) => result' }),
  /** JSON-able options handed to the function (part of the cache key) */
  options: z.record(z.string(), z.unknown()).default({}),
});

function cutflowCounts(c: PackedSelection | Cutflow | Record<string, number> | undefined): Record<string, number> | undefined {
  if (!c) return undefined;
  const cf = c instanceof PackedSelection ? c.cutflow() : c;
  if ('cumulative' in cf && Array.isArray(cf.cumulative)) {
    const out: Record<string, number> = { all: (cf as Cutflow).total };
    (cf as Cutflow).names.forEach((n, i) => { out[n] = (cf as Cutflow).cumulative[i]; });
    return out;
  }
  return c as Record<string, number>;
}

export default defineNodeKind({
  kind: 'select',
  level: 'chunk',
  version: '1',
  description: 'columnar selection: masks, observables and a cutflow per chunk',
  params,
  inputs: ['EventChunks'],
  output: 'EventChunks',
  runChunk(input: EventBatch | undefined, p: z.infer<typeof params>, ctx): EventBatch {
    if (!input) throw new Error(`select node '${ctx.node}' needs an EventChunks input`);
    const sample = sampleInfo(ctx.chunk.file);
    const ev = new Events(input, { ...sample.metadata, sample: sample.sample, process: sample.process, variation: sample.variation });
    const r = p.select(ev, { sample, seed: ctx.seed, options: p.options, chunk: { id: ctx.chunk.id, start: ctx.chunk.start, stop: ctx.chunk.stop, path: ctx.chunk.file.path } });
    if ('entries' in r) return r;
    if (r.keep.length !== input.entries) throw new Error(`select node '${ctx.node}': keep mask has ${r.keep.length} entries, the chunk has ${input.entries}`);
    const kept = filterBatch(input, r.keep);
    const columns = { ...(r.dropInput ? {} : kept.columns), ...(r.columns ?? {}) };
    for (const [k, c] of Object.entries(r.columns ?? {})) {
      const len = ArrayBuffer.isView(c) ? c.length : c.offsets.length - 1;
      if (len !== kept.entries) throw new Error(`select node '${ctx.node}': column '${k}' has ${len} entries but ${kept.entries} events are kept`);
    }
    const cutflow = cutflowCounts(r.cutflow);
    return { entries: kept.entries, columns, meta: cutflow ? { cutflow } : undefined };
  },
});
