// select: a chunk transform. The user function sees the chunk as `Events` (collections, masks,
// combinations...) plus the sample metadata and a per-chunk seed, and returns the rows to keep: either
// a full batch (`{entries, columns, meta?}`) or `{keep, columns?, cutflow?}` (keep = event mask over
// the input; columns = new per-kept-event columns, added to the input's kept columns unless
// `dropInput`). A cutflow travels with the chunk in `meta.cutflow`. The columnar code is loaded
// when the node runs.
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { defineNodeKind, type EventBatch } from '../src/engine/node-kind.ts';
import type { SelectFn } from '../src/analysis/select-chunk.ts';

export type { SelectContext, SelectFn, SelectResult } from '../src/analysis/select-chunk.ts';

export const params = strictParams({
  /** `(ev, ctx) => ({ columns, cutflow? })`: the columns kept per selected event (ev: Events; ctx: sample, options, seed). */
  select: z.custom<SelectFn>((v) => typeof v === 'function', { message: 'select: expected a function (ev, ctx) => result' }),
  /** JSON-able options handed to the function (part of the cache key) */
  options: z.record(z.string(), z.unknown()).default({}),
});

export default defineNodeKind({
  kind: 'select',
  level: 'chunk',
  version: '1',
  description: 'columnar selection: masks, observables and a cutflow per chunk',
  params,
  inputs: ['EventChunks'],
  output: 'EventChunks',
  async runChunk(input: EventBatch | undefined, p: z.infer<typeof params>, ctx): Promise<EventBatch> {
    if (!input) throw new Error(`select node '${ctx.node}' needs an EventChunks input`);
    const { selectChunk } = await import('../src/analysis/select-chunk.ts');
    return selectChunk(input, p, ctx);
  },
});
