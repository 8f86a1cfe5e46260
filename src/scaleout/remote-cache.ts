// `flow cache stats|gc --executor redis://...`: the shared part of the cache. Redis must run with
// maxmemory-policy noeviction (BullMQ's requirement: evicting a queue key loses jobs), so the shared
// cache is trimmed here, not by Redis: entries created longer ago than --older-than go, then every
// blob no remaining entry refers to (in Redis and in --blob-dir).
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheEntry } from '../../cache/types.ts';
import { acKey, blobKey, PREFIX } from './keys.ts';
import type { SharedStore } from './shared-store.ts';

export interface RemoteGcResult {
  removedEntries: number;
  removedBlobs: number;
  removedBytes: number;
}

async function scanKeys(s: SharedStore, pattern: string, each: (keys: string[]) => Promise<void>): Promise<void> {
  let cursor = '0';
  for (let i = 0; i < 10_000_000; i++) {
    const [next, keys] = await s.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length) await each(keys);
    cursor = next;
    if (cursor === '0') return;
  }
}

export async function remoteGc(s: SharedStore, olderThanMs: number | undefined, now = Date.now()): Promise<RemoteGcResult> {
  const res: RemoteGcResult = { removedEntries: 0, removedBlobs: 0, removedBytes: 0 };
  const live = new Set<string>();
  await scanKeys(s, `${PREFIX}:ac:*`, async (hashes) => {
    for (const h of hashes) {
      const graph = h.slice(acKey('').length);
      const entries = await s.allEntries(graph);
      const drop: string[] = [];
      for (const [k, e] of entries) {
        if (olderThanMs !== undefined && now - e.createdAt > olderThanMs) drop.push(k);
        else for (const b of (e as CacheEntry).blobs) live.add(b);
      }
      if (drop.length) res.removedEntries += await s.redis.hdel(h, ...drop);
    }
  });
  const prefix = blobKey('');
  await scanKeys(s, `${prefix}*`, async (keys) => {
    for (const k of keys) {
      if (live.has(k.slice(prefix.length))) continue;
      res.removedBytes += await s.redis.strlen(k);
      res.removedBlobs += await s.redis.del(k);
    }
  });
  if (s.blobDir) {
    for (const shard of await readdir(s.blobDir).catch(() => [] as string[])) {
      for (const f of await readdir(join(s.blobDir, shard)).catch(() => [] as string[])) {
        if (!/^[0-9a-f]{64}$/.test(f) || live.has(f)) continue;
        await unlink(join(s.blobDir, shard, f)).then(() => res.removedBlobs++, () => {});
      }
    }
  }
  return res;
}
