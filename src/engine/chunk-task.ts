// One chunk through all the chunk nodes of one chunk source: the unit of parallel work. Runs inside
// a piscina worker (src/engine/worker.ts) or in-process (workers = 0). Each node's per-chunk result
// is looked up by key first; values are decoded from the cache only when a descendant that must be
// recomputed needs them (a changed fill re-fills from the cached skim without opening the file).
import { sha256, sha256Concat } from '../../cache/hash.ts';
import type { Store } from '../../cache/types.ts';
import { eventBatchCodec, structuredCodec } from './codecs.ts';
import { countingReads, type ReadCounter } from '../read-counter.ts';
import { chunkIdFor, chunkKey, chunkSeed, chunkSeedId, type NodeBase } from './keys.ts';
import type { ChunkContext, ChunkNodeKind, ChunkSpec, Codec, EventBatch } from './node-kind.ts';
import type { Plan } from './validate.ts';

export interface ChunkTaskNode {
  name: string;
  base: NodeBase;
  /** Upstream chunk node (null for the source). */
  parent: string | null;
  /** --force: recompute even if cached. */
  forced: boolean;
  /** Reducers whose merged value must be rebuilt: return the per-chunk partial. */
  wantPartial: boolean;
}

export interface ChunkTask {
  graphPath: string;
  sets: Record<string, string>;
  cacheDir: string | null;
  graph: string;
  chunk: ChunkSpec;
  nodes: ChunkTaskNode[];
}

export interface EncodedValue {
  meta: unknown;
  payloads: Uint8Array[];
}

export interface ChunkNodeResult {
  name: string;
  hash: string;
  cached: boolean;
  /** Recomputed because the cached entry's blob was corrupt. */
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
}

export interface EntryMeta {
  /** codec meta */
  c: unknown;
  /** events processed */
  n: number;
}

export function codecOf(kind: ChunkNodeKind): Codec<unknown> {
  return (kind.codec ?? (kind.output === 'EventChunks' ? eventBatchCodec : structuredCodec)) as Codec<unknown>;
}

/** Output hash when there is no store (--no-cache): same inputs as the store's default. */
export function hashEncoded(e: EncodedValue): string {
  return sha256Concat([JSON.stringify(e.meta ?? null), ...e.payloads.map((p) => sha256(p))]);
}

export async function readEncoded(store: Store, key: string): Promise<EncodedValue | undefined> {
  const entry = store.get(key);
  if (!entry) return undefined;
  const payloads = await Promise.all(entry.blobs.map((b) => store.readBlob(b)));
  return { meta: (entry.meta as EntryMeta).c, payloads };
}

const never = new AbortController().signal;

export async function runChunkTask(task: ChunkTask, plan: Plan, store: Store | null): Promise<ChunkTaskResult> {
  const { chunk } = task;
  const logs: ChunkTaskResult['logs'] = [];
  const results = new Map<string, ChunkNodeResult & { key: string }>();
  const values = new Map<string, Promise<unknown>>();
  const byName = new Map(task.nodes.map((n) => [n.name, n]));
  const puts: Promise<unknown>[] = [];

  const compute = async (name: string, corrupt: boolean): Promise<unknown> => {
    const t = byName.get(name)!;
    const kind = plan.nodes.get(name)!.kind as ChunkNodeKind;
    const params = plan.nodes.get(name)!.params;
    const input = t.parent ? ((await valueOf(t.parent)) as EventBatch) : undefined;
    const t0 = performance.now();
    const ctx: ChunkContext = {
      graph: task.graph, node: name, chunk, seed: chunkSeed(name, chunkSeedId(chunk)), signal: never,
      log: (message) => logs.push({ node: name, level: 'log', message }),
      warn: (message) => logs.push({ node: name, level: 'warn', message }),
    };
    let out: unknown;
    let read: ReadCounter;
    try {
      ({ value: out, read } = await countingReads(() => kind.runChunk(input, params, ctx)));
    } catch (err) {
      throw new Error(describeError(name, kind.kind, err, task.graphPath), { cause: err });
    }
    const enc = codecOf(kind).encode(out);
    const events = input ? input.entries : chunk.stop - chunk.start;
    const key = results.get(name)?.key ?? keyOf(name);
    const hash = hashEncoded(enc);
    const bytes = enc.payloads.reduce((s, p) => s + p.byteLength, 0);
    if (store && kind.cacheable !== false) {
      // not awaited here: the puts of one chunk are committed together at the end of the task
      puts.push(store.put({
        key, label: { graph: task.graph, node: name, kind: kind.kind, chunk: chunkLabel(chunk) },
        meta: { c: enc.meta, n: events } satisfies EntryMeta, payloads: enc.payloads, outputHash: hash,
      }));
    }
    results.set(name, {
      name, key, hash, cached: false, corrupt, events, bytes, seconds: (performance.now() - t0) / 1000, partial: t.wantPartial ? enc : undefined,
      ...(read.requests ? { read } : {}),
    });
    return out;
  };

  const valueOf = (name: string): Promise<unknown> => {
    let v = values.get(name);
    if (!v) {
      const r = results.get(name);
      v = r && r.cached ? decodeCached(name, r.key) : compute(name, false);
      values.set(name, v);
    }
    return v;
  };

  const decodeCached = async (name: string, key: string): Promise<unknown> => {
    const kind = plan.nodes.get(name)!.kind as ChunkNodeKind;
    try {
      const enc = await readEncoded(store!, key);
      if (enc) return codecOf(kind).decode(enc.meta, enc.payloads);
    } catch (err) {
      if ((err as Error).name !== 'CorruptBlobError') throw err;
      logs.push({ node: name, level: 'warn', message: `corrupt cache blob for chunk ${chunkLabel(chunk)}, recomputing: ${(err as Error).message}` });
    }
    return compute(name, true);
  };

  const keyOf = (name: string): string => {
    const t = byName.get(name)!;
    return chunkKey(t.base, chunkIdFor(plan.nodes.get(name)!.kind, chunk), t.parent ? results.get(t.parent)!.hash : null);
  };

  for (const t of task.nodes) {
    const key = keyOf(t.name);
    const entry = store && !t.forced ? store.get(key) : undefined;
    if (entry) {
      results.set(t.name, { name: t.name, key, hash: entry.outputHash, cached: true, events: (entry.meta as EntryMeta).n, bytes: entry.size, seconds: 0 });
      store!.touch(key);
      if (t.wantPartial) {
        try {
          results.get(t.name)!.partial = await readEncoded(store!, key); // readBlob verifies the hash
        } catch (err) {
          if ((err as Error).name !== 'CorruptBlobError') throw err;
          logs.push({ node: t.name, level: 'warn', message: `corrupt cache blob for chunk ${chunkLabel(chunk)}, recomputing` });
          values.set(t.name, compute(t.name, true));
          await values.get(t.name);
        }
      }
    } else {
      results.set(t.name, { name: t.name, key, hash: '', cached: false, events: 0, bytes: 0, seconds: 0 });
      await valueOf(t.name);
    }
  }
  await Promise.all(puts);
  return { nodes: [...results.values()].map(({ key: _k, ...r }) => r), logs };
}

export function chunkLabel(c: ChunkSpec): string {
  const base = c.file.path.split('/').pop() ?? c.file.path;
  return `${base}[${c.start}:${c.stop}]`;
}

/** One line naming the node, the error and, when the stack passes through the user's graph module,
 *  where in it: `node 'sel' (select): TypeError: x is undefined (at graphs/hzz.ts:42:17)`. */
export function describeError(node: string, kind: string, err: unknown, graphPath: string): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const frame = (e.stack ?? '').split('\n').find((l) => l.includes(graphPath));
  const at = frame ? /([^\s(]+:\d+:\d+)\)?\s*$/.exec(frame)?.[1]?.replace(/^file:\/\//, '') : undefined;
  // a TypeError says something about the user's code; 'UserError' says nothing the message does not
  const name = e.name && e.name !== 'Error' && e.name !== 'UserError' ? `${e.name}: ` : '';
  return `node '${node}' (${kind}): ${name}${e.message.split('\n')[0]}${at ? ` (at ${at})` : ''}`;
}
