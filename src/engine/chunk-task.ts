// One chunk through all the chunk nodes of one chunk source: the unit of parallel work. Runs inside
// a worker (src/engine/worker.ts, or any ChunkPool) or in-process (workers = 0, small re-fills).
//
// The task says per node what to do (key-plan.ts decided it in the main thread, by key): `use` a
// cached entry, `compute`, or `lookup` a key that depends on an upstream hash computed in this very
// task (early cut-off: a skim recomputed to the same bytes leaves its select cached). Cached values
// are decoded only when a descendant that is computed needs them (a changed fill re-fills from the
// cached skim without opening the file); a cached value that cannot be read (corrupt or missing
// blob, vanished entry) is recomputed, here as in the main thread.
//
// ChunkTask, ChunkTaskResult and everything in them are plain data (structured-clone and JSON
// safe, typed arrays in payloads): a remote pool can ship them as they are. A node's code failing
// is a result (`failure`), not an exception.
import type { Store } from '../../cache/types.ts';
import { codecOf, hashEncoded, isCacheCorruption, readEncoded, type EncodedValue, type EntryMeta } from './cached-value.ts';
import { chunkLabel, failureOf, StrictWarning, type ChunkFailure } from './failure.ts';
import { callInterruptibly, RunCancelled } from './interrupt.ts';
import { chunkKey, chunkSeed, chunkSeedId, type NodeBase } from './keys.ts';
import { countingReads, type ReadCounter } from '../read-counter.ts';
import { postingProgress } from './chunk-progress.ts';
import type { ChunkContext, ChunkNodeKind, ChunkSpec, EventBatch } from './node-kind.ts';
import type { Plan } from './validate.ts';

/** What the task does for one node (decided by the main thread from the key plan). */
export type ChunkStep =
  /** cached: the main thread found the entry */
  | { do: 'use'; key: string; hash: string; events: number; bytes: number }
  /** a miss (or --force); `key` is absent when it depends on an upstream hash computed here */
  | { do: 'compute'; key?: string }
  /** the key depends on an upstream hash computed here: build it, then look it up */
  | { do: 'lookup' };

export interface ChunkTaskNode {
  name: string;
  base: NodeBase;
  /** The chunk id this node's keys use (`chunkIdFor`: with or without the sample metadata). */
  chunkId: string;
  /** Upstream chunk node (null for the source). */
  parent: string | null;
  /** Reducers whose merged value must be rebuilt: return the per-chunk partial. */
  wantPartial: boolean;
  step: ChunkStep;
}

export interface ChunkTask {
  type: 'chunk-task';
  graphPath: string;
  sets: Record<string, string>;
  cacheDir: string | null;
  graph: string;
  chunk: ChunkSpec;
  /** In topological order (the source first). */
  nodes: ChunkTaskNode[];
  /** --task-timeout, per node call. */
  timeoutMs?: number;
  /** BroadcastChannel name for the source node's in-chunk read progress (chunk-progress.ts). */
  progress?: string;
  /** --strict: ctx.warn fails the chunk. */
  strict?: boolean;
}

export interface ChunkNodeResult {
  name: string;
  hash: string;
  cached: boolean;
  /** Recomputed because the cached value could not be read. */
  corrupt?: boolean;
  /** Events this node processed in this chunk (its input's entries; the range for the source). */
  events: number;
  bytes: number;
  seconds: number;
  partial?: EncodedValue;
  /** What the node read from its input file (the source node of the chunk). */
  read?: ReadCounter;
}

export interface ChunkTaskResult {
  nodes: ChunkNodeResult[];
  logs: Array<{ node: string; level: 'log' | 'warn'; message: string }>;
  /** Set when a node's code threw: `nodes` then holds the nodes done before it. */
  failure?: ChunkFailure;
  /** Which worker ran the task (pools that know it: piscina's thread id, a queue's worker name). */
  worker?: string;
  /** The worker's cache store warnings since its previous result (a corrupt entry dropped). */
  storeWarnings?: string[];
}

const never = new AbortController().signal;

/** Thrown inside the task to stop at the failing node; turned into `failure` below. */
class NodeFailed extends Error {
  readonly failure: ChunkFailure;
  constructor(failure: ChunkFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

export interface RunChunkTaskOptions {
  /** True in the main thread: SIGINT/SIGTERM must be able to stop a user function that loops. */
  mainThread?: boolean;
}

export function runChunkTask(task: ChunkTask, plan: Plan, store: Store | null, o: RunChunkTaskOptions = {}): Promise<ChunkTaskResult> {
  return new TaskRun(task, plan, store, o).run();
}

type NodeState = ChunkNodeResult & { key: string };

/** The state of one task: per node its result, its value (decoded or computed, on demand), the
 *  puts in flight and the logs. */
class TaskRun {
  private readonly logs: ChunkTaskResult['logs'] = [];
  private readonly results = new Map<string, NodeState>();
  private readonly values = new Map<string, Promise<unknown>>();
  private readonly byName: Map<string, ChunkTaskNode>;
  private readonly puts: Promise<unknown>[] = [];
  private readonly task: ChunkTask;
  private readonly plan: Plan;
  private readonly store: Store | null;
  private readonly interrupt: { signals: boolean; timeoutMs?: number };

  constructor(task: ChunkTask, plan: Plan, store: Store | null, o: RunChunkTaskOptions) {
    this.task = task;
    this.plan = plan;
    this.store = store;
    this.byName = new Map(task.nodes.map((n) => [n.name, n]));
    this.interrupt = { signals: o.mainThread === true, timeoutMs: task.timeoutMs };
  }

  async run(): Promise<ChunkTaskResult> {
    try {
      for (const t of this.task.nodes) await this.step(t);
    } catch (err) {
      if (!(err instanceof NodeFailed)) throw err;
      await Promise.allSettled(this.puts); // what completed before the failure stays cached
      return { nodes: this.finished(), logs: this.logs, failure: err.failure };
    }
    await Promise.all(this.puts);
    return { nodes: this.finished(), logs: this.logs };
  }

  private async step(t: ChunkTaskNode): Promise<void> {
    const { store } = this;
    const key = t.step.do !== 'lookup' && t.step.key ? t.step.key : chunkKey(t.base, t.chunkId, t.parent ? this.results.get(t.parent)!.hash : null);
    if (t.step.do === 'use') return this.useCached(t, key, t.step);
    const entry = t.step.do === 'lookup' && store ? store.get(key) : undefined;
    if (entry) return this.useCached(t, key, { hash: entry.outputHash, events: (entry.meta as EntryMeta).n, bytes: entry.size });
    const v = this.compute(t, key, false);
    this.values.set(t.name, v);
    await v;
  }

  private async compute(t: ChunkTaskNode, key: string, corrupt: boolean): Promise<unknown> {
    const { task, store } = this;
    const { chunk } = task;
    const node = this.plan.nodes.get(t.name)!;
    const kind = node.kind as ChunkNodeKind;
    const input = t.parent ? ((await this.valueOf(t.parent)) as EventBatch) : undefined;
    const t0 = performance.now();
    const ctx: ChunkContext = {
      graph: task.graph, node: t.name, chunk, seed: chunkSeed(t.name, chunkSeedId(chunk)), signal: never,
      log: (message) => this.logs.push({ node: t.name, level: 'log', message }),
      warn: (message) => {
        if (task.strict) throw new StrictWarning(message);
        this.logs.push({ node: t.name, level: 'warn', message });
      },
    };
    let out: unknown;
    let read: ReadCounter;
    try {
      const progress = t.parent ? undefined : task.progress;
      const runIt = () => callInterruptibly(() => kind.runChunk(input, node.params, ctx), this.interrupt);
      ({ value: out, read } = await countingReads(() => postingProgress(progress, { node: t.name, chunk: chunkLabel(chunk), total: chunk.stop - chunk.start }, runIt)));
    } catch (err) {
      if (err instanceof RunCancelled) throw err;
      throw new NodeFailed(failureOf(t.name, kind.kind, err, task.graphPath, chunkLabel(chunk)));
    }
    const enc = codecOf(kind).encode(out);
    const events = input ? input.entries : chunk.stop - chunk.start;
    const hash = hashEncoded(enc);
    const bytes = enc.payloads.reduce((s, p) => s + p.byteLength, 0);
    if (store && kind.cacheable !== false) {
      // not awaited here: the puts of one chunk are committed together at the end of the task
      this.puts.push(store.put({
        key, label: { graph: task.graph, node: t.name, kind: kind.kind, chunk: chunkLabel(chunk) },
        meta: { c: enc.meta, n: events } satisfies EntryMeta, payloads: enc.payloads, outputHash: hash,
      }));
    }
    this.results.set(t.name, {
      name: t.name, key, hash, cached: false, corrupt, events, bytes, seconds: (performance.now() - t0) / 1000, partial: t.wantPartial ? enc : undefined,
      ...(read.requests ? { read } : {}),
    });
    return out;
  }

  /** A cached value that cannot be read is recomputed. */
  private async recomputeOnCorruption(t: ChunkTaskNode, key: string, read: () => Promise<unknown>): Promise<unknown> {
    try {
      return await read();
    } catch (err) {
      if (!(await isCacheCorruption(err))) throw err;
      this.logs.push({ node: t.name, level: 'warn', message: `corrupt cache entry for chunk ${chunkLabel(this.task.chunk)}, recomputing: ${(err as Error).message}` });
      const v = this.compute(t, key, true);
      this.values.set(t.name, v);
      return v;
    }
  }

  /** A node's value: computed in this task, or decoded from the cache on first use. */
  private valueOf(name: string): Promise<unknown> {
    let v = this.values.get(name);
    if (!v) {
      const key = this.results.get(name)!.key;
      const kind = this.plan.nodes.get(name)!.kind as ChunkNodeKind;
      v = this.recomputeOnCorruption(this.byName.get(name)!, key, async () => {
        const enc = await readEncoded(this.store!, key);
        return codecOf(kind).decode(enc.meta, enc.payloads);
      });
      this.values.set(name, v);
    }
    return v;
  }

  private async useCached(t: ChunkTaskNode, key: string, e: { hash: string; events: number; bytes: number }): Promise<void> {
    this.results.set(t.name, { name: t.name, key, hash: e.hash, cached: true, events: e.events, bytes: e.bytes, seconds: 0 });
    this.store!.touch(key);
    if (!t.wantPartial) return;
    await this.recomputeOnCorruption(t, key, async () => {
      this.results.get(t.name)!.partial = await readEncoded(this.store!, key); // readBlob verifies the hash
    });
  }

  private finished(): ChunkNodeResult[] {
    return [...this.results.values()].map(({ key: _k, ...r }) => r);
  }
}
