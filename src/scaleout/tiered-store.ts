// The Store the engine sees under scale-out: the process's own LMDB store (L1) in front of the
// shared store (L2). Store.get is synchronous (the executor's pre-check walks thousands of keys),
// so L2 entries are fetched ahead into `known`: the coordinator loads the graph's whole action
// cache once, a worker resolves the keys of one chunk task before running it (resolveChunkKeys).
// Writes go to both; blobs read from L2 are verified by sha256 (SharedStore.readBlob).
import type { CacheEntry, CacheStats, GcOptions, MemoTable, PutRequest, Store } from '../../cache/types.ts';
import { describeRedisError } from './connection.ts';
import type { SharedStore } from './shared-store.ts';

export class TieredStore implements Store {
  private readonly known = new Map<string, CacheEntry>();
  /** Blobs of entries found only in L2: read there directly. */
  private readonly remoteBlobs = new Set<string>();

  readonly local: Store;
  readonly shared: SharedStore;
  /** The graph whose action cache entries are read and written. */
  readonly graph: string;
  constructor(local: Store, shared: SharedStore, graph: string) {
    this.local = local;
    this.shared = shared;
    this.graph = graph;
  }

  get dir(): string {
    return this.local.dir;
  }

  /** Makes L2 entries visible to get(). */
  learn(entries: Iterable<CacheEntry>): void {
    for (const e of entries) this.known.set(e.key, e);
  }

  async prefetchAll(): Promise<number> {
    const all = await this.shared.allEntries(this.graph);
    this.learn(all.values());
    return all.size;
  }

  get(key: string): CacheEntry | undefined {
    const l = this.local.get(key);
    if (l) return l;
    const r = this.known.get(key);
    if (r) for (const b of r.blobs) this.remoteBlobs.add(b);
    return r;
  }

  async put(req: PutRequest): Promise<CacheEntry> {
    const entry = await this.local.put(req);
    try {
      await this.shared.putEntry(req.label.graph ?? this.graph, entry, req.payloads);
    } catch (err) {
      throw new Error(`shared cache on ${this.shared.where}: ${describeRedisError(err)}`, { cause: err });
    }
    this.known.set(entry.key, entry);
    return entry;
  }

  async readBlob(hash: string): Promise<Uint8Array> {
    if (this.remoteBlobs.has(hash)) return this.shared.readBlob(hash);
    try {
      return await this.local.readBlob(hash);
    } catch (err) {
      if ((err as Error).name !== 'MissingBlobError') throw err;
      return this.shared.readBlob(hash);
    }
  }

  touch(key: string): void {
    if (this.local.get(key)) this.local.touch(key);
  }

  async delete(key: string): Promise<void> {
    this.known.delete(key);
    await this.local.delete(key);
  }

  ls(): Iterable<CacheEntry> {
    return this.local.ls();
  }
  stats(): CacheStats {
    return this.local.stats();
  }
  gc(opts: GcOptions): Promise<{ removedEntries: number; removedBytes: number }> {
    return this.local.gc(opts);
  }
  clear(): Promise<void> {
    return this.local.clear();
  }
  close(): Promise<void> {
    return this.local.close();
  }
  flush(): Promise<void> {
    return this.local.flush?.() ?? Promise.resolve();
  }
  memo(name: string): MemoTable {
    if (!this.local.memo) throw new Error('the local store has no memo tables');
    return this.local.memo(name);
  }
}
