// The ordered reduction of a group: chunk outcomes arrive in chunk order (schedule.ts), so reducer
// partials are combined in chunk order and floating-point sums are bit-identical whatever order the
// workers finished in. Also tallies, per node, what was computed (chunks, events, seconds) for the
// events and the summary, and records the output hashes of computed chunks in the key plan.
import { codecOf } from './cached-value.ts';
import type { GroupKeyPlan } from './key-plan.ts';
import type { ChunkNodeKind } from './node-kind.ts';
import { chunkLabel } from './failure.ts';
import type { RunContext } from './run-context.ts';
import { emitTaskLogs, type ChunkOutcome } from './schedule.ts';

export interface NodeTally {
  computedChunks: number;
  computedEvents: number;
  /** The sum of the node's per-chunk compute times (CPU seconds over all workers). */
  seconds: number;
  /** Some chunk's cached value could not be read and was recomputed. */
  corrupt: boolean;
  /** Chunks done (cached or computed), for progress. */
  done: number;
  /** Events of entries a task found cached that the main thread's pre-check did not (a remote
   *  worker's own cache under scale-out): counted once. */
  foundEvents: number;
}

export class OrderedReduction {
  /** Reducers' running totals. */
  readonly acc = new Map<string, unknown>();
  /** Chunks that went into the totals (skipped bad chunks do not). */
  readonly included: number[] = [];
  readonly tally = new Map<string, NodeTally>();

  private readonly run: RunContext;
  private readonly keys: GroupKeyPlan;

  constructor(run: RunContext, keys: GroupKeyPlan) {
    this.run = run;
    this.keys = keys;
    for (const m of keys.members) tally(this, m.name).done = keys.cachedCount(m.name);
  }

  add(i: number, r: ChunkOutcome): void {
    const { keys, run } = this;
    const chunk = keys.chunks[i]!;
    const n = keys.chunks.length;
    this.included.push(i);
    let partials: Map<string, { meta: unknown; payloads: Uint8Array[] } | undefined> | undefined;
    if (r && 'nodes' in r) {
      emitTaskLogs(run, chunk, r);
      partials = new Map();
      for (const nr of r.nodes) {
        const preChecked = keys.cachedRef(nr.name, i) !== undefined;
        keys.setHash(nr.name, i, nr.hash);
        partials.set(nr.name, nr.partial);
        const t = tally(this, nr.name);
        if (nr.corrupt) t.corrupt = true;
        if (nr.cached) {
          if (!preChecked) t.foundEvents += nr.events;
          continue;
        }
        t.computedEvents += nr.events;
        t.computedChunks++;
        t.seconds += nr.seconds;
        t.done++;
        if (nr.read) run.readTotals.add(chunk.file, nr.read);
        run.emit({ type: 'chunk-done', node: nr.name, chunk: chunkLabel(chunk), events: nr.events, bytes: nr.bytes, cached: false, seconds: nr.seconds, ...(nr.read ? { read: nr.read } : {}) });
        run.emit({ type: 'node-progress', node: nr.name, done: t.done, total: n, unit: 'chunks' });
      }
    } else if (r) partials = r.partials;
    for (const name of keys.wantPartial) {
      const enc = partials?.get(name);
      if (!enc) throw new Error(`internal: no partial for node '${name}' chunk ${i}`);
      const kind = run.node(name).kind as ChunkNodeKind;
      const part = codecOf(kind).decode(enc.meta, enc.payloads);
      this.acc.set(name, this.acc.has(name) ? kind.reduce!.combine(this.acc.get(name), part) : part);
    }
  }
}

function tally(r: OrderedReduction, name: string): NodeTally {
  let t = r.tally.get(name);
  if (!t) r.tally.set(name, (t = { computedChunks: 0, computedEvents: 0, seconds: 0, corrupt: false, done: 0, foundEvents: 0 }));
  return t;
}
