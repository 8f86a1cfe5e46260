// The cache shared by every host of a Redis (Bazel's remote cache model): an action cache (per graph
// a Redis hash from cache key to the CacheEntry JSON) and content-addressed blobs, verified by
// sha256 on every read. Blobs up to REDIS_BLOB_MAX bytes live in Redis; larger ones in a shared
// directory (--blob-dir: NFS, CephFS, EOS...) as sha256-named files written temp file + rename, or
// in Redis too when no directory is given. LMDB is never shared: each process keeps its own (L1).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { sha256 } from '../../cache/hash.ts';
import type { CacheEntry } from '../../cache/types.ts';
import { acKey, blobKey } from './keys.ts';

export const REDIS_BLOB_MAX = Number(process.env.FLOW_REDIS_BLOB_MAX ?? 1 << 20);

export class SharedBlobError extends Error {
  readonly hash: string;
  override readonly name: 'CorruptBlobError' | 'MissingBlobError';
  constructor(hash: string, message: string, name: 'CorruptBlobError' | 'MissingBlobError') {
    super(message);
    this.hash = hash;
    this.name = name;
  }
}

export class SharedStore {
  readonly redis: Redis;
  readonly blobDir: string | null;
  /** The Redis URL (password masked), for messages. */
  readonly where: string;
  constructor(redis: Redis, blobDir: string | null, where: string) {
    this.redis = redis;
    this.blobDir = blobDir;
    this.where = where;
  }

  async getEntry(graph: string, key: string): Promise<CacheEntry | undefined> {
    const s = await this.redis.hget(acKey(graph), key);
    return s ? (JSON.parse(s) as CacheEntry) : undefined;
  }

  /** Many keys in one round trip (a chunk's chain is resolved level by level). */
  async getEntries(graph: string, keys: string[]): Promise<Array<CacheEntry | undefined>> {
    if (!keys.length) return [];
    const vals = await this.redis.hmget(acKey(graph), ...keys);
    return vals.map((s) => (s ? (JSON.parse(s) as CacheEntry) : undefined));
  }

  /** The whole action cache of a graph (the coordinator's pre-check reads it once per run). */
  async allEntries(graph: string): Promise<Map<string, CacheEntry>> {
    const out = new Map<string, CacheEntry>();
    let cursor = '0';
    for (let i = 0; i < 1_000_000; i++) {
      const [next, flat] = await this.redis.hscan(acKey(graph), cursor, 'COUNT', 1000);
      for (let k = 0; k + 1 < flat.length; k += 2) out.set(flat[k]!, JSON.parse(flat[k + 1]!) as CacheEntry);
      cursor = next;
      if (cursor === '0') break;
    }
    return out;
  }

  /** Blobs first, then the entry: an entry is only visible once all its blobs are. */
  async putEntry(graph: string, entry: CacheEntry, payloads: Uint8Array[]): Promise<void> {
    await Promise.all(payloads.map((p, i) => this.putBlob(p, entry.blobs[i])));
    const { lastUsedAt: _u, ...shared } = entry;
    await this.redis.hset(acKey(graph), entry.key, JSON.stringify(shared));
  }

  async putBlob(bytes: Uint8Array, known?: string): Promise<string> {
    const hash = known ?? sha256(bytes);
    if (this.blobDir && bytes.byteLength > REDIS_BLOB_MAX) {
      const path = this.blobPath(hash);
      await mkdir(join(this.blobDir, hash.slice(0, 2)), { recursive: true });
      const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    } else {
      await this.redis.set(blobKey(hash), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'NX');
    }
    return hash;
  }

  async readBlob(hash: string): Promise<Uint8Array> {
    let buf: Buffer | null = await this.redis.getBuffer(blobKey(hash));
    let where = `${this.where} ${blobKey(hash)}`;
    if (!buf && this.blobDir) {
      where = this.blobPath(hash);
      buf = await readFile(where).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
    }
    if (!buf) throw new SharedBlobError(hash, `shared cache blob ${hash} is missing (${this.where}${this.blobDir ? ` and ${this.blobDir}` : ''})`, 'MissingBlobError');
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    if (sha256(bytes) !== hash) throw new SharedBlobError(hash, `shared cache blob ${where} is corrupt (its sha256 is not ${hash})`, 'CorruptBlobError');
    return bytes;
  }

  async stats(): Promise<{ graphs: Record<string, number>; redisBlobs: number; redisBlobBytes: number }> {
    const graphs: Record<string, number> = {};
    let redisBlobs = 0;
    let redisBlobBytes = 0;
    let cursor = '0';
    for (let i = 0; i < 1_000_000; i++) {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', 'hf:*', 'COUNT', 1000);
      for (const k of keys) {
        if (k.startsWith('hf:ac:')) graphs[k.slice(6)] = await this.redis.hlen(k);
        else if (k.startsWith('hf:blob:')) {
          redisBlobs++;
          redisBlobBytes += await this.redis.strlen(k);
        }
      }
      cursor = next;
      if (cursor === '0') break;
    }
    return { graphs, redisBlobs, redisBlobBytes };
  }

  private blobPath(hash: string): string {
    return join(this.blobDir!, hash.slice(0, 2), hash);
  }
}
