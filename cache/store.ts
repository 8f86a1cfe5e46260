// The content-addressed cache store: an LMDB index of entries plus blobs named by their sha256.
//
// Layout of a cache dir:
//   index.mdb, index.mdb-lock   LMDB environment: dbs `entries` (key -> CacheEntry), `used`
//                               (key -> lastUsedAt, so touch() never rewrites an entry), `inline`
//                               (sha256 -> bytes for small blobs), `memo` (memo tables)
//   blobs/ab/cdef...            payloads of at least `inlineMaxBytes` bytes, one file per sha256
//   tmp/                        temp files of writers in progress, trash of `clear`
//
// Crash safety: put() writes every blob file first (temp file, fsync, rename, fsync of the
// directory) and only then commits the entry in one LMDB write transaction; small blobs go into
// that same transaction. So an entry in the index always has complete blobs, whatever moment a
// process is killed at. Deleting blobs (gc, clear, corruption) happens inside an LMDB write
// transaction too, and put() re-checks its blob files inside its own transaction (rewriting any
// that a concurrent gc removed), so no interleaving of processes can commit an entry whose blob
// is gone. LMDB's write lock is shared by all processes on the host, which makes concurrent runs
// on one cache dir safe.
import { mkdirSync, readFileSync, renameSync, rmSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { open, type Database, type RootDatabase } from 'lmdb';
import { canonicalJson, sha256 } from './hash.ts';
import { blobPath, cleanTemp, fileSize, fsyncDir, listBlobFiles, tempName, unlinkQuiet, writeBlobFile } from './blobfiles.ts';
import type { CacheEntry, CacheStats, GcOptions, MemoTable, PutRequest, Store, VerifyReport } from './types.ts';

export interface OpenStoreOptions {
  /** Payloads smaller than this are kept inside LMDB instead of as files (default 16 KiB). */
  inlineMaxBytes?: number;
  /** fsync blob files and their directories before committing (default true). Without it a
   *  kill -9 is still safe; a power loss may not be. */
  durable?: boolean;
  /** Temp files older than this are removed even if their writer's pid is unknown (default 1 h). */
  staleTempMs?: number;
  /** Clock for createdAt / lastUsedAt / gc ages (tests inject one; default Date.now). */
  clock?: () => number;
}

/** A blob whose bytes do not match its sha256 name. The entries using it have been dropped. */
export class CorruptBlobError extends Error {
  override name = 'CorruptBlobError';
  readonly hash: string;
  readonly path: string;
  constructor(hash: string, path: string, message?: string) {
    super(message ?? `cache blob ${path} is corrupt (its sha256 is not ${hash}); the entries using it were dropped`);
    this.hash = hash;
    this.path = path;
  }
}

/** A blob that is not in the store (removed by gc or by hand after get() saw it). */
export class MissingBlobError extends CorruptBlobError {
  override name = 'MissingBlobError';
  constructor(hash: string, path: string) {
    super(hash, path, `cache blob ${path} is missing; the entries using it were dropped`);
  }
}

const MAX_KEY_BYTES = 1978; // LMDB's key size limit

export async function openStore(dir: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const root = resolve(dir);
  let env: RootDatabase;
  try {
    mkdirSync(join(root, 'blobs'), { recursive: true });
    mkdirSync(join(root, 'tmp'), { recursive: true });
    env = open({ path: join(root, 'index.mdb'), compression: false, maxDbs: 8 });
  } catch (err) {
    throw new Error(`cannot open the cache at ${root}: ${(err as Error).message}`, { cause: err });
  }
  const store = new LmdbStore(root, env, opts);
  cleanTemp(store.tmpDir, store.staleTempMs);
  return store;
}

class LmdbStore implements Store {
  readonly dir: string;
  readonly blobsDir: string;
  readonly tmpDir: string;
  readonly staleTempMs: number;
  private readonly inlineMaxBytes: number;
  private readonly durable: boolean;
  private readonly now: () => number;
  private readonly env: RootDatabase;
  // entries and memos are v8-serialised (structured clone): lmdb's msgpack turns typed arrays in
  // `meta` into plain bytes, while v8 keeps Float64Array, Map, Set, Date, bigint as they were
  private readonly entries: Database<Uint8Array, string>;
  private readonly used: Database<number, string>;
  private readonly inline: Database<Uint8Array, string>;
  private readonly memos: Database<Uint8Array, string>;
  private closed = false;

  constructor(dir: string, env: RootDatabase, opts: OpenStoreOptions) {
    this.dir = dir;
    this.blobsDir = join(dir, 'blobs');
    this.tmpDir = join(dir, 'tmp');
    this.inlineMaxBytes = opts.inlineMaxBytes ?? 16 * 1024;
    this.durable = opts.durable ?? true;
    this.now = opts.clock ?? Date.now;
    this.staleTempMs = opts.staleTempMs ?? 3600_000;
    this.env = env;
    this.entries = env.openDB<Uint8Array, string>({ name: 'entries', encoding: 'binary' });
    this.used = env.openDB<number, string>({ name: 'used', encoding: 'msgpack' });
    this.inline = env.openDB<Uint8Array, string>({ name: 'inline', encoding: 'binary' });
    this.memos = env.openDB<Uint8Array, string>({ name: 'memo', encoding: 'binary' });
  }

  get(key: string): CacheEntry | undefined {
    this.assertOpen();
    const entry = this.readEntry(key);
    if (!entry) return undefined;
    for (let i = 0; i < entry.blobs.length; i++) {
      if (!this.blobPresent(entry.blobs[i]!, entry.blobSizes?.[i])) return undefined;
    }
    return this.withUse(entry);
  }

  async put(req: PutRequest): Promise<CacheEntry> {
    this.assertOpen();
    checkKey(req.key);
    const hashes = req.payloads.map((p) => sha256(p));
    const sizes = req.payloads.map((p) => p.byteLength);
    const now = this.now();
    const entry: CacheEntry = {
      key: req.key,
      label: req.label,
      outputHash: req.outputHash ?? sha256(canonicalJson({ meta: req.meta ?? null, blobs: hashes })),
      meta: req.meta,
      blobs: hashes,
      blobSizes: sizes,
      size: sizes.reduce((a, b) => a + b, 0),
      createdAt: now,
      lastUsedAt: now,
    };
    let record: Uint8Array; // serialised before any blob is written, so bad meta fails early
    try {
      record = serialize(entry);
    } catch (err) {
      throw new TypeError(`cache put ${req.key}: meta is not serialisable (${(err as Error).message})`);
    }
    const dirsToSync = new Set<string>();
    const written = new Set<string>();
    req.payloads.forEach((bytes, i) => {
      const hash = hashes[i]!;
      if (bytes.byteLength < this.inlineMaxBytes || written.has(hash)) return;
      written.add(hash);
      const dir = writeBlobFile(blobPath(this.blobsDir, hash), bytes, this.tmpDir, this.durable);
      if (dir) dirsToSync.add(dir);
    });
    if (this.durable) for (const dir of dirsToSync) fsyncDir(dir);

    await this.env.transaction(() => {
      req.payloads.forEach((bytes, i) => {
        const hash = hashes[i]!;
        if (bytes.byteLength < this.inlineMaxBytes) {
          if (!this.inline.doesExist(hash)) this.inline.putSync(hash, bytes);
        } else if (fileSize(blobPath(this.blobsDir, hash)) !== bytes.byteLength) {
          // a concurrent gc or clear removed it after we wrote it: write it again, under the lock
          const dir = writeBlobFile(blobPath(this.blobsDir, hash), bytes, this.tmpDir, this.durable);
          if (dir && this.durable) fsyncDir(dir);
        }
      });
      this.entries.putSync(req.key, record);
      this.used.putSync(req.key, now);
    });
    return entry;
  }

  async readBlob(hash: string): Promise<Uint8Array> {
    this.assertOpen();
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new TypeError(`not a blob hash (64 hex digits): ${JSON.stringify(String(hash).slice(0, 80))}`);
    const path = blobPath(this.blobsDir, hash);
    const inlined = this.inline.getBinary(hash);
    let bytes: Uint8Array;
    if (inlined) {
      bytes = new Uint8Array(inlined); // copy: LMDB buffers are only valid for the read txn
    } else {
      try {
        const buf = await readFile(path); // own (unpooled) memory: safe to transfer to a worker
        bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await this.dropEntriesUsing(hash, () => fileSize(path) < 0 && !this.inline.doesExist(hash));
        throw new MissingBlobError(hash, path);
      }
    }
    if (sha256(bytes) === hash) return bytes;
    // re-check under the write lock: a concurrent writer may just have replaced a bad file
    let good: Uint8Array | undefined;
    await this.dropEntriesUsing(hash, () => {
      if (this.inline.doesExist(hash)) {
        const cur = this.inline.getBinary(hash);
        if (cur && sha256(cur) === hash) {
          good = new Uint8Array(cur);
          return false;
        }
        this.inline.removeSync(hash);
        return true;
      }
      let cur: Uint8Array;
      try {
        cur = readFileSync(path);
      } catch {
        return true;
      }
      if (sha256(cur) === hash) {
        good = new Uint8Array(cur.buffer, cur.byteOffset, cur.byteLength);
        return false;
      }
      unlinkQuiet(path); // so the recomputed result is written afresh
      return true;
    });
    if (good) return good;
    throw new CorruptBlobError(hash, inlined ? `${this.dir}/index.mdb (inline blob ${hash})` : path);
  }

  touch(key: string): void {
    this.assertOpen();
    // async put: lmdb batches all writes of one event turn into one transaction
    this.used.put(key, this.now()).catch(() => {});
  }

  async delete(key: string): Promise<void> {
    this.assertOpen();
    await this.env.transaction(() => {
      this.entries.removeSync(key);
      this.used.removeSync(key);
    });
  }

  *ls(): Iterable<CacheEntry> {
    this.assertOpen();
    for (const e of this.allEntries()) yield this.withUse(e);
  }

  stats(): CacheStats {
    this.assertOpen();
    const sizes = new Map<string, number>();
    let entries = 0;
    let oldest: number | undefined;
    let newest: number | undefined;
    for (const e of this.allEntries()) {
      entries++;
      e.blobs.forEach((h, i) => sizes.set(h, e.blobSizes?.[i] ?? (e.blobs.length === 1 ? e.size : 0)));
      if (oldest === undefined || e.createdAt < oldest) oldest = e.createdAt;
      if (newest === undefined || e.createdAt > newest) newest = e.createdAt;
    }
    let bytes = 0;
    for (const s of sizes.values()) bytes += s;
    return { dir: this.dir, entries, blobs: sizes.size, bytes, oldest, newest, indexBytes: Math.max(0, fileSize(join(this.dir, 'index.mdb'))) };
  }

  async gc(opts: GcOptions): Promise<{ removedEntries: number; removedBytes: number }> {
    this.assertOpen();
    const result = await this.env.transaction(() => {
      const now = this.now();
      const all = [...this.allEntries()].map((e) => this.withUse(e));
      // unreadable index values (written by an incompatible version) are dropped as well
      for (const key of this.entries.getKeys()) if (!this.readEntry(key)) this.entries.removeSync(key);
      const evict = new Set<string>();
      for (const e of all) {
        const dangling = e.blobs.some((h, i) => !this.blobPresent(h, e.blobSizes?.[i]));
        if (dangling || (opts.olderThanMs !== undefined && now - e.lastUsedAt > opts.olderThanMs)) evict.add(e.key);
      }
      if (opts.maxSizeBytes !== undefined) {
        const refs = new Map<string, { n: number; size: number }>();
        let total = 0;
        for (const e of all) {
          if (evict.has(e.key)) continue;
          e.blobs.forEach((h, i) => {
            const r = refs.get(h);
            if (r) r.n++;
            else {
              const size = e.blobSizes?.[i] ?? 0;
              refs.set(h, { n: 1, size });
              total += size;
            }
          });
        }
        // least recently used first; ties broken by age then key so gc is deterministic
        const lru = all.filter((e) => !evict.has(e.key)).sort((a, b) => a.lastUsedAt - b.lastUsedAt || a.createdAt - b.createdAt || (a.key < b.key ? -1 : 1));
        for (const e of lru) {
          if (total <= opts.maxSizeBytes) break;
          evict.add(e.key);
          for (const h of e.blobs) {
            const r = refs.get(h)!;
            if (--r.n === 0) total -= r.size;
          }
        }
      }
      for (const key of evict) {
        this.entries.removeSync(key);
        this.used.removeSync(key);
      }
      const live = new Set<string>();
      for (const e of all) if (!evict.has(e.key)) for (const h of e.blobs) live.add(h);
      if (opts.olderThanMs !== undefined) this.pruneMemos(now - opts.olderThanMs);
      return { removedEntries: evict.size, removedBytes: this.sweepUnreferenced(live) };
    });
    cleanTemp(this.tmpDir, this.staleTempMs);
    return result;
  }

  async clear(): Promise<void> {
    this.assertOpen();
    const trash = tempName(this.tmpDir, 'trash');
    await this.env.transaction(() => {
      for (const db of [this.entries, this.used, this.inline, this.memos]) for (const key of db.getKeys()) db.removeSync(key);
      // moving blobs/ away is one atomic step under the lock; deleting the files can wait
      if (existsSync(this.blobsDir)) renameSync(this.blobsDir, trash);
      mkdirSync(this.blobsDir, { recursive: true });
    });
    rmSync(trash, { recursive: true, force: true });
  }

  async verify(): Promise<VerifyReport> {
    this.assertOpen();
    const seen = new Set<string>();
    const report: VerifyReport = { entries: 0, blobs: 0, bytes: 0, corrupt: [], missing: [] };
    const before = new Set<string>();
    for (const e of this.allEntries()) {
      report.entries++;
      before.add(e.key);
      for (const h of e.blobs) {
        if (seen.has(h)) continue;
        seen.add(h);
        try {
          report.bytes += (await this.readBlob(h)).byteLength;
          report.blobs++;
        } catch (err) {
          if (err instanceof MissingBlobError) report.missing.push(err.path);
          else if (err instanceof CorruptBlobError) report.corrupt.push(err.path);
          else throw err;
        }
      }
    }
    for (const e of this.allEntries()) before.delete(e.key);
    report.droppedEntries = before.size;
    return report;
  }

  memo(name: string): MemoTable {
    const prefix = `${name}\u0000`;
    return {
      get: (key) => {
        const bytes = this.memos.getBinaryFast(prefix + key);
        return bytes ? decode<{ v: unknown }>(bytes)?.v : undefined;
      },
      set: async (key, value) => {
        await this.memos.put(prefix + key, serialize({ v: value, t: this.now() }));
      },
    };
  }

  async flush(): Promise<void> {
    await this.env.committed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.env.close();
  }

  private readEntry(key: string): CacheEntry | undefined {
    const bytes = this.entries.getBinaryFast(key);
    return bytes ? decode<CacheEntry>(bytes) : undefined;
  }

  private *allEntries(): Generator<CacheEntry> {
    for (const { value } of this.entries.getRange()) {
      const e = decode<CacheEntry>(value);
      if (e) yield e;
    }
  }

  private withUse(e: CacheEntry): CacheEntry {
    const used = this.used.get(e.key);
    return used !== undefined && used !== e.lastUsedAt ? { ...e, lastUsedAt: used } : e;
  }

  private blobPresent(hash: string, size: number | undefined): boolean {
    if (size !== undefined && size < this.inlineMaxBytes && this.inline.doesExist(hash)) return true;
    const onDisk = fileSize(blobPath(this.blobsDir, hash));
    if (onDisk >= 0) return size === undefined || onDisk === size;
    return this.inline.doesExist(hash); // inlined under another inlineMaxBytes setting
  }

  /** Drops memo records written before `cutoff`; must run inside a write transaction. */
  private pruneMemos(cutoff: number): void {
    for (const { key, value } of this.memos.getRange()) {
      const rec = decode<{ t: number }>(value);
      if (!rec || rec.t < cutoff) this.memos.removeSync(key);
    }
  }

  /** Deletes blobs (inline and files) not in `live`; must run inside a write transaction. */
  private sweepUnreferenced(live: Set<string>): number {
    let bytes = 0;
    for (const key of this.inline.getKeys()) {
      if (live.has(key)) continue;
      bytes += this.inline.getBinary(key)?.length ?? 0;
      this.inline.removeSync(key);
    }
    for (const [hash, path] of listBlobFiles(this.blobsDir)) {
      if (live.has(hash)) continue;
      const size = fileSize(path);
      if (unlinkQuiet(path)) bytes += Math.max(size, 0);
    }
    return bytes;
  }

  /** Under the write lock: if `confirm()` says the blob is bad, drops every entry using it. */
  private async dropEntriesUsing(hash: string, confirm: () => boolean): Promise<void> {
    await this.env.transaction(() => {
      if (!confirm()) return;
      for (const e of this.allEntries()) {
        if (e.blobs.includes(hash)) {
          this.entries.removeSync(e.key);
          this.used.removeSync(e.key);
        }
      }
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`cache store ${this.dir} is closed`);
  }
}

/** Deserialises an index value; undefined if unreadable (treated as a cache miss). */
function decode<T>(bytes: Uint8Array): T | undefined {
  try {
    return deserialize(bytes) as T; // copies: safe although lmdb reuses `bytes`
  } catch {
    return undefined;
  }
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new TypeError(`cache key must be a non-empty string of at most ${MAX_KEY_BYTES} bytes, got ${JSON.stringify(String(key).slice(0, 80))}`);
  }
}
