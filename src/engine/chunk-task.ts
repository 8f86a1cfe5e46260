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
import { chunkLabel, failureOf, type ChunkFailure } from './failure.ts';
import { callInterruptibly, RunCancelled } from './interrupt.ts';
import { chunkKey, chunkSeed, type NodeBase } from './keys.ts';
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
}

export interface ChunkTaskResult {
  nodes: ChunkNodeResult[];
  logs: Array<{ node: string; level: 'log' | 'warn'; message: string }>;
  /** Set when a node's code threw: `nodes` then holds the nodes done before it. */
  failure?: ChunkFailure;
  /** Which worker ran the task (pools that know it: piscina's thread id, a queue's worker name). */
  worker?: string;
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

export async function runChunkTask(task: ChunkTask, plan: Plan, store: Store | null, o: RunChunkTaskOptions = {}): Promise<ChunkTaskResult> {
  const { chunk } = task;
  const logs: ChunkTaskResult['logs'] = [];
  const results = new Map<string, ChunkNodeResult & { key: string }>();
  const values = new Map<string, Promise<unknown>>();
  const byName = new Map(task.nodes.map((n) => [n.name, n]));
  const puts: Promise<unknown>[] = [];
  const interrupt = { signals: o.mainThread === true, timeoutMs: task.timeoutMs };

  const compute = async (t: ChunkTaskNode, key: string, corrupt: boolean): Promise<unknown> => {
    const node = plan.nodes.get(t.name)!;
    const kind = node.kind as ChunkNodeKind;
    const input = t.parent ? ((await valueOf(t.parent)) as EventBatch) : undefined;
    const t0 = performance.now();
    const ctx: ChunkContext = {
      graph: task.graph, node: t.name, chunk, seed: chunkSeed(t.name, chunk.id), signal: never,
      log: (message) => logs.push({ node: t.name, level: 'log', message }),
      warn: (message) => logs.push({ node: t.name, level: 'warn', message }),
    };
    let out: unknown;
    try {
      out = await callInterruptibly(() => kind.runChunk(input, node.params, ctx), interrupt);
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
      puts.push(store.put({
        key, label: { graph: task.graph, node: t.name, kind: kind.kind, chunk: chunkLabel(chunk) },
        meta: { c: enc.meta, n: events } satisfies EntryMeta, payloads: enc.payloads, outputHash: hash,
      }));
    }
    results.set(t.name, { name: t.name, key, hash, cached: false, corrupt, events, bytes, seconds: (performance.now() - t0) / 1000, partial: t.wantPartial ? enc : undefined });
    return out;
  };

  /** A cached value that cannot be read is recomputed. */
  const recomputeOnCorruption = async <T>(t: ChunkTaskNode, key: string, read: () => Promise<T>): Promise<T | unknown> => {
    try {
      return await read();
    } catch (err) {
      if (!(await isCacheCorruption(err))) throw err;
      logs.push({ node: t.name, level: 'warn', message: `corrupt cache entry for chunk ${chunkLabel(chunk)}, recomputing: ${(err as Error).message}` });
      const v = compute(t, key, true);
      values.set(t.name, v);
      return v;
    }
  };

  const valueOf = (name: string): Promise<unknown> => {
    let v = values.get(name);
    if (!v) {
      const r = results.get(name)!;
      const t = byName.get(name)!;
      const kind = plan.nodes.get(name)!.kind as ChunkNodeKind;
      v = recomputeOnCorruption(t, r.key, async () => {
        const enc = await readEncoded(store!, r.key);
        return codecOf(kind).decode(enc.meta, enc.payloads);
      });
      values.set(name, v);
    }
    return v;
  };

  const useCached = async (t: ChunkTaskNode, key: string, e: { hash: string; events: number; bytes: number }): Promise<void> => {
    results.set(t.name, { name: t.name, key, hash: e.hash, cached: true, events: e.events, bytes: e.bytes, seconds: 0 });
    store!.touch(key);
    if (!t.wantPartial) return;
    await recomputeOnCorruption(t, key, async () => {
      results.get(t.name)!.partial = await readEncoded(store!, key); // readBlob verifies the hash
    });
  };

  try {
    for (const t of task.nodes) {
      const key = t.step.do !== 'lookup' && t.step.key ? t.step.key : chunkKey(t.base, t.chunkId, t.parent ? results.get(t.parent)!.hash : null);
      if (t.step.do === 'use') {
        await useCached(t, key, t.step);
        continue;
      }
      const entry = t.step.do === 'lookup' && store ? store.get(key) : undefined;
      if (entry) await useCached(t, key, { hash: entry.outputHash, events: (entry.meta as EntryMeta).n, bytes: entry.size });
      else {
        const v = compute(t, key, false);
        values.set(t.name, v);
        await v;
      }
    }
  } catch (err) {
    if (!(err instanceof NodeFailed)) throw err;
    await Promise.allSettled(puts); // what completed before the failure stays cached
    return { nodes: finished(results), logs, failure: err.failure };
  }
  await Promise.all(puts);
  return { nodes: finished(results), logs };
}

function finished(results: Map<string, ChunkNodeResult & { key: string }>): ChunkNodeResult[] {
  return [...results.values()].map(({ key: _k, ...r }) => r);
}
