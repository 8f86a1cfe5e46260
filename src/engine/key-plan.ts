// The key plan of a chunk group, computed once as a value before anything runs: per node and chunk
// the cache key (when it is known: the source's, and a descendant's while its upstream is cached),
// whether the entry is cached (index lookups only, no blob read), and so what each chunk's task
// must do; per reducer whether its merged value is cached under the hash list of its (all cached)
// partials. Everything else reads this value: which chunks need a task, which partials the main
// thread reads, the steps a task carries (the worker does not look up again what was looked up
// here), the counts of the summary.
import type { ChunkStep, ChunkTaskNode } from './chunk-task.ts';
import type { EntryMeta } from './cached-value.ts';
import { chunkIdFor, chunkKey, reduceKey } from './keys.ts';
import type { ChunkSpec } from './node-kind.ts';
import type { RunContext } from './run-context.ts';
import type { PlanNode } from './validate.ts';

export interface CachedRef {
  key: string;
  hash: string;
  events: number;
  bytes: number;
}

interface NodeKeys {
  node: PlanNode;
  parent: string | null;
  /** per chunk: the key when known (see above) */
  keys: Array<string | undefined>;
  /** per chunk: the cached entry, if any */
  cached: Array<CachedRef | undefined>;
  /** per chunk: the output hash (cached ones now, computed ones as results arrive) */
  hashes: Array<string | undefined>;
  cachedCount: number;
  cachedEvents: number;
}

export class GroupKeyPlan {
  private readonly nodes = new Map<string, NodeKeys>();
  /** Chunks with at least one node to compute (or whose cached value turned out unreadable). */
  readonly needTask: boolean[];
  /** Reducers whose merged value is cached: served without reading a single partial. */
  readonly reducerCached = new Map<string, { key: string; hash: string }>();
  /** Reducers whose merged value must be rebuilt from per-chunk partials. */
  readonly wantPartial: Set<string>;

  private readonly run: RunContext;
  readonly src: PlanNode;
  readonly members: PlanNode[];
  readonly chunks: ChunkSpec[];

  /** `rebuild`: reducers whose merged value must be rebuilt even if it is cached (it was unreadable). */
  constructor(run: RunContext, src: PlanNode, members: PlanNode[], chunks: ChunkSpec[], rebuild?: ReadonlySet<string>) {
    this.run = run;
    this.src = src;
    this.members = members;
    this.chunks = chunks;
    const n = chunks.length;
    this.needTask = new Array<boolean>(n).fill(false);
    const { store, forced } = run;
    for (const m of members) {
      const parent = m === src ? null : m.inputs[0]!;
      this.nodes.set(m.name, { node: m, parent, keys: new Array(n), cached: new Array(n), hashes: new Array(n), cachedCount: 0, cachedEvents: 0 });
    }
    for (let i = 0; i < n; i++) {
      for (const m of members) {
        const k = this.nodes.get(m.name)!;
        const up = k.parent === null ? null : this.nodes.get(k.parent)!.hashes[i];
        if (up === undefined) {
          this.needTask[i] = true; // the upstream is computed in the task: so is this key
          continue;
        }
        const key = chunkKey(run.base(m.name), chunkIdFor(m.kind, chunks[i]!), up);
        k.keys[i] = key;
        const e = store && !forced.has(m.name) ? store.get(key) : undefined;
        if (!e) {
          this.needTask[i] = true;
          continue;
        }
        k.cached[i] = { key, hash: e.outputHash, events: (e.meta as EntryMeta).n, bytes: e.size };
        k.hashes[i] = e.outputHash;
        k.cachedCount++;
        k.cachedEvents += (e.meta as EntryMeta).n;
      }
    }
    for (const m of members) {
      if (m.role !== 'reducer' || !store || forced.has(m.name) || rebuild?.has(m.name)) continue;
      const hs = this.nodes.get(m.name)!.hashes;
      if (!hs.every((h) => h !== undefined)) continue;
      const rk = reduceKey(run.base(m.name), hs as string[]);
      const e = store.get(rk);
      if (e) this.reducerCached.set(m.name, { key: rk, hash: e.outputHash });
    }
    this.wantPartial = new Set(members.filter((m) => m.role === 'reducer' && !this.reducerCached.has(m.name)).map((m) => m.name));
  }

  cachedCount(name: string): number {
    return this.nodes.get(name)!.cachedCount;
  }

  cachedEvents(name: string): number {
    return this.nodes.get(name)!.cachedEvents;
  }

  /** Every chunk cached and, for a reducer, the merged value too: nothing to run for the node. */
  allCached(m: PlanNode): boolean {
    return this.cachedCount(m.name) === this.chunks.length && (m.role !== 'reducer' || this.reducerCached.has(m.name));
  }

  /** The source's chunks to redo all have cached source values (a re-fill needs no file read). */
  sourceCachedWhereNeeded(): boolean {
    const src = this.nodes.get(this.src.name)!;
    return this.needTask.every((need, i) => !need || src.cached[i] !== undefined);
  }

  /** Entries of the chunks to redo (what a task would process). */
  eventsToRedo(): number {
    return this.chunks.reduce((s, c, i) => s + (this.needTask[i] ? c.stop - c.start : 0), 0);
  }

  cachedRef(name: string, i: number): CachedRef | undefined {
    return this.nodes.get(name)!.cached[i];
  }

  hash(name: string, i: number): string | undefined {
    return this.nodes.get(name)!.hashes[i];
  }

  setHash(name: string, i: number, hash: string): void {
    this.nodes.get(name)!.hashes[i] = hash;
  }

  /** A cached value of chunk `i` could not be read in the main thread: its task recomputes it. */
  invalidate(name: string, i: number): void {
    this.nodes.get(name)!.cached[i] = undefined;
    this.needTask[i] = true;
  }

  /** What chunk `i`'s task does, per node. */
  steps(i: number): ChunkTaskNode[] {
    const { forced } = this.run;
    return this.members.map((m) => {
      const k = this.nodes.get(m.name)!;
      const cached = k.cached[i];
      const key = k.keys[i];
      let step: ChunkStep;
      if (cached) step = { do: 'use', ...cached };
      else if (key !== undefined) step = { do: 'compute', key }; // looked up here: a miss
      else step = forced.has(m.name) || !this.run.store ? { do: 'compute' } : { do: 'lookup' };
      return { name: m.name, base: this.run.base(m.name), chunkId: chunkIdFor(m.kind, this.chunks[i]!), parent: k.parent, wantPartial: this.wantPartial.has(m.name), step };
    });
  }
}
