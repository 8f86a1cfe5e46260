// Reducer finalisation: the node value of each chunk node once its chunks are through. A reducer's
// merged value is served from the cache when its partial-hash list is unchanged (early cut-off),
// else finished from the ordered totals and stored; a transform's value is the hash list of its
// per-chunk outputs (EventChunks are consumed per chunk). A merged value that turns out unreadable
// when it is loaded is rebuilt from the partials (`rebuild`), not a failure.
import { sha256 } from '../../cache/hash.ts';
import { hashEncoded, isCacheCorruption, readValue, type EntryMeta } from './cached-value.ts';
import { reduceKey } from './keys.ts';
import type { GroupKeyPlan } from './key-plan.ts';
import type { ChunkNodeKind, Codec } from './node-kind.ts';
import type { OrderedReduction } from './reduction.ts';
import type { RunContext } from './run-context.ts';
import { structuredCodec } from './codecs.ts';
import type { PlanNode } from './validate.ts';

export interface MemberValue {
  hash: string;
  load: () => Promise<unknown>;
  /** The merged value was computed (not served from the cache). */
  computed: boolean;
}

/** `rebuild(m)`: the reducer's value recomputed (and stored) from all its partials, cached or not. */
export type Rebuild = (m: PlanNode) => Promise<unknown>;

export async function finaliseMember(run: RunContext, m: PlanNode, keys: GroupKeyPlan, red: OrderedReduction, rebuild: Rebuild): Promise<MemberValue> {
  const partHashes = red.included.map((i) => keys.hash(m.name, i)!);
  if (m.role !== 'reducer') {
    return { hash: sha256(partHashes.join(',')), computed: false, load: async () => { throw new Error(`node '${m.name}': EventChunks are consumed per chunk`); } };
  }
  const { store } = run;
  const kind = m.kind as ChunkNodeKind;
  const finish = (total: unknown): unknown => (kind.reduce!.finish ? kind.reduce!.finish(total) : total);
  const finalCodec = (kind.finalCodec ?? kind.codec ?? structuredCodec) as Codec<unknown>;
  const complete = red.included.length === keys.chunks.length;
  const cached = keys.reducerCached.get(m.name);
  if (cached && complete) {
    store!.touch(cached.key);
    return { hash: cached.hash, computed: false, load: once(() => loadMerged(run, m, cached.key, finalCodec, () => rebuild(m))) };
  }
  const rk = reduceKey(run.base(m.name), partHashes);
  const entry = store && !run.forced.has(m.name) && complete ? store.get(rk) : undefined;
  if (entry) {
    // every partial hash turned out unchanged (early cut-off below us): the merged entry stands
    store!.touch(rk);
    const value = red.acc.get(m.name);
    return { hash: entry.outputHash, computed: false, load: async () => finish(value) };
  }
  let total = red.acc.get(m.name);
  if (total === undefined) {
    if (!kind.reduce!.empty) throw new Error(`node '${m.name}': no chunks to reduce (all inputs skipped?)`);
    total = kind.reduce!.empty();
  }
  const value = finish(total);
  const enc = finalCodec.encode(value);
  const hash = hashEncoded(enc);
  if (store && kind.cacheable !== false) {
    await store.put({ key: rk, label: { graph: run.plan.graph, node: m.name, kind: kind.kind, chunk: 'merged' }, meta: { c: enc.meta, n: 0 } satisfies EntryMeta, payloads: enc.payloads, outputHash: hash });
  }
  return { hash, computed: true, load: async () => value };
}

async function loadMerged(run: RunContext, m: PlanNode, key: string, codec: Codec<unknown>, rebuild: () => Promise<unknown>): Promise<unknown> {
  try {
    return await readValue(run.store!, key, codec);
  } catch (err) {
    if (!(await isCacheCorruption(err))) throw err;
    run.emit({ type: 'warning', node: m.name, message: `corrupt cache entry of the merged value, rebuilding it from the partials: ${(err as Error).message}` });
    return rebuild();
  }
}

export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
