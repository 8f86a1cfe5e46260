// A worker's look-ahead into the shared action cache for one chunk task: the keys the task carries
// (the coordinator's key plan) or, for a key that holds an upstream hash computed in the task, built
// in task order from the parent's output hash. A node found neither locally nor remotely ends the
// walk below it (computed anyway).
import type { CacheEntry, Store } from '../../cache/types.ts';
import type { ChunkTask } from '../engine/chunk-task.ts';
import { chunkKey } from '../engine/keys.ts';
import type { TieredStore } from './tiered-store.ts';

export async function prefetchChunkKeys(task: ChunkTask, store: TieredStore): Promise<number> {
  const hashes = new Map<string, string | undefined>();
  const found: CacheEntry[] = [];
  for (const t of task.nodes) {
    const parentHash = t.parent === null ? null : hashes.get(t.parent);
    if (parentHash === undefined) {
      hashes.set(t.name, undefined);
      continue;
    }
    const key = t.step.do !== 'lookup' && t.step.key ? t.step.key : chunkKey(t.base, t.chunkId, parentHash);
    const e = (store.local as Store).get(key) ?? (await store.shared.getEntry(task.graph, key));
    if (e) found.push(e);
    hashes.set(t.name, e?.outputHash);
  }
  store.learn(found);
  return found.length;
}
