// The content-addressed cache store: an LMDB index of entries plus blobs named by their sha256.
//
// Layout of a cache dir:
//   index.mdb, index.mdb-lock   LMDB environment: dbs `entries` (key -> CacheEntry), `used`
//                               (key -> lastUsedAt, so touch() never rewrites an entry), `inline`
//                               (sha256 -> bytes for small blobs), `memo` (memo tables)
//   blobs/ab/cdef...            payloads of at least `inlineMaxBytes` bytes, one file per sha256
//   tmp/                        temp files of writers in progress, trash of `clear`
//   index.mdb-walked            index.mdb's identity at the last clean close (index-stamp.ts)
//   generated/                  the generate node's synthetic samples (counted by stats, removed
//                               by clear, interrupted writes swept at open and by gc)
//
// Crash safety: put() writes every blob file first (temp file, fsync, rename, fsync of the
// directory) and only then commits the entry in one LMDB write transaction; small blobs go into
// that same transaction. So an entry in the index always has complete blobs, whatever moment a
// process is killed at. Deleting blobs (gc, clear, corruption) happens inside an LMDB write
// transaction too, and put() re-checks its blob files inside its own transaction (rewriting any
// that a concurrent gc removed), so no interleaving of processes can commit an entry whose blob
// is gone. LMDB's write lock is shared by all processes on the host, which makes concurrent runs
// on one cache dir safe.
//
// Verification: blobs are named by their sha256 and re-hashed on read; values kept inside LMDB
// (entries, memo records) are sealed with a sha256 of their bytes (sealed.ts) and checked on every
// read, since LMDB does not checksum its pages. A value that fails its digest or does not decode is
// a miss: dropped with a warning (`onWarning`) and recomputed by the engine. An index whose meta
// pages do not fit its file, or whose b-trees cannot be walked, is moved aside before it is used
// (index-file.ts) and a fresh one is built; the blobs it referred to are swept. The b-tree walk is
// skipped when index.mdb is still exactly the file a store left at close (index-stamp.ts).
import { mkdirSync, readFileSync, renameSync, rmSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { open, type Database, type RootDatabase } from 'lmdb';
import { canonicalJson, sha256 } from './hash.ts';
import { indexFileProblem } from './index-file.ts';
import { indexUnchangedSinceClose, stampIndexAtClose } from './index-stamp.ts';
import { seal, unseal } from './sealed.ts';
import { blobPath, cleanPartFiles, cleanTemp, fileSize, fsyncDir, generatedFiles, listBlobFiles, tempName, unlinkQuiet, writeBlobFile } from './blobfiles.ts';
import { generatedDir } from './location.ts';
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
  /** Told (one line each) about a corrupt entry dropped or a damaged index moved aside. Default:
   *  a `flow: warning: ...` line on stderr. */
  onWarning?: (message: string) => void;
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
  const warn = opts.onWarning ?? ((m: string) => console.error(`flow: warning: ${m}`));
  const indexPath = join(root, 'index.mdb');
  let damaged: string | undefined;
  try {
    mkdirSync(join(root, 'blobs'), { recursive: true });
    mkdirSync(join(root, 'tmp'), { recursive: true });
    damaged = indexFileProblem(indexPath);
  } catch (err) {
    throw openError(root, err);
  }
  if (damaged) moveIndexAside(root, damaged, warn);
  let store = tryOpen(root, opts, warn);
  if (typeof store === 'string') {
    moveIndexAside(root, store, warn);
    damaged = store;
    store = tryOpen(root, opts, warn);
    if (typeof store === 'string') throw new Error(`cannot open the cache at ${root}: a fresh index is unusable too (${store})`);
  }
  if (damaged) await store.sweepOrphans(); // their entries went with the old index
  cleanTemp(store.tmpDir, store.staleTempMs);
  cleanPartFiles(generatedDir(root), store.staleTempMs); // samples whose generation was killed
  return store;
}

/** The opened store, or why the index is damaged (LMDB refused it, or a b-tree walk failed). */
function tryOpen(root: string, opts: OpenStoreOptions, warn: (m: string) => void): LmdbStore | string {
  let env: RootDatabase;
  try {
    env = open({ path: join(root, 'index.mdb'), compression: false, maxDbs: 8 });
  } catch (err) {
    if (!isLmdbDataError(err)) throw openError(root, err);
    return (err as Error).message;
  }
  try {
    const store = new LmdbStore(root, env, opts, warn);
    if (!indexUnchangedSinceClose(join(root, 'index.mdb'))) store.walkIndex();
    return store;
  } catch (err) {
    env.close().catch(() => {});
    if (!isLmdbDataError(err)) throw openError(root, err);
    return (err as Error).message;
  }
}

/** Keeps the damaged index as index.mdb.damaged (for a post-mortem) and lets LMDB start afresh. */
function moveIndexAside(root: string, why: string, warn: (m: string) => void): void {
  const from = join(root, 'index.mdb');
  const to = join(root, 'index.mdb.damaged');
  try {
    renameSync(from, to);
    rmSync(join(root, 'index.mdb-lock'), { force: true });
  } catch (err) {
    throw openError(root, err);
  }
  warn(`cache index ${from} is damaged (${why}): moved to ${to}, starting a fresh index (cached results will be recomputed)`);
}

/** Errors of LMDB about the data file itself (as opposed to permissions, disk full...). */
function isLmdbDataError(err: unknown): boolean {
  const msg = (err as Error)?.message ?? '';
  return /MDB_(CORRUPTED|INVALID|PAGE_NOTFOUND|VERSION_MISMATCH|BAD_TXN|BAD_VALSIZE|BAD_DBI|INCOMPATIBLE|TLS_FULL)|Invalid argument/.test(msg);
}

function openError(root: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS' ? `${e.code === 'EROFS' ? 'read-only file system' : 'permission denied'} (${e.code})` : e.message;
  return new StoreOpenError(`cannot open the cache at ${root}: ${why}`, { cause: err });
}

/** The cache directory cannot be opened (permissions, read-only file system, not a directory). */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
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
  private readonly warn: (message: string) => void;
  /** Drops of corrupt entries found by sync readers (get, ls), awaited by flush and close. */
  private readonly drops = new Map<string, Promise<void>>();
  private closed = false;
  /** Whether this open walked the index's b-trees (false: the file was as a store left it at close). */
  indexWalked = false;

  constructor(dir: string, env: RootDatabase, opts: OpenStoreOptions, warn: (message: string) => void) {
    this.dir = dir;
    this.blobsDir = join(dir, 'blobs');
    this.tmpDir = join(dir, 'tmp');
    this.inlineMaxBytes = opts.inlineMaxBytes ?? 16 * 1024;
    this.durable = opts.durable ?? true;
    this.now = opts.clock ?? Date.now;
    this.staleTempMs = opts.staleTempMs ?? 3600_000;
    this.env = env;
    this.warn = warn;
    this.entries = env.openDB<Uint8Array, string>({ name: 'entries', encoding: 'binary' });
    this.used = env.openDB<number, string>({ name: 'used', encoding: 'msgpack' });
    this.inline = env.openDB<Uint8Array, string>({ name: 'inline', encoding: 'binary' });
    this.memos = env.openDB<Uint8Array, string>({ name: 'memo', encoding: 'binary' });
  }

  get(key: string): CacheEntry | undefined {
    this.assertOpen();
    let entry: CacheEntry | undefined;
    try {
      entry = this.readEntry(key);
    } catch (err) {
      if (!isLmdbDataError(err)) throw err;
      this.warn(`cache index ${this.dir}/index.mdb: cannot read entry ${key.slice(0, 12)} (${(err as Error).message}); recomputing it`);
      return undefined;
    }
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
      record = seal(serialize(entry));
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
    return { dir: this.dir, entries, blobs: sizes.size, bytes, oldest, newest, indexBytes: Math.max(0, fileSize(join(this.dir, 'index.mdb'))), generated: generatedFiles(generatedDir(this.dir)) };
  }

  async gc(opts: GcOptions): Promise<{ removedEntries: number; removedBytes: number }> {
    this.assertOpen();
    const result = await this.env.transaction(() => {
      const now = this.now();
      const all = [...this.allEntries()].map((e) => this.withUse(e)); // corrupt ones are dropped
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
    cleanPartFiles(generatedDir(this.dir), this.staleTempMs);
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
      // the generated samples too (a run writes them again when it needs them)
      if (existsSync(generatedDir(this.dir))) renameSync(generatedDir(this.dir), `${trash}-generated`);
    });
    rmSync(`${trash}-generated`, { recursive: true, force: true });
    rmSync(trash, { recursive: true, force: true });
  }

  async verify(): Promise<VerifyReport> {
    this.assertOpen();
    const report: VerifyReport = { entries: 0, blobs: 0, bytes: 0, corrupt: [], missing: [] };
    const index = `${this.dir}/index.mdb`;
    const entries: CacheEntry[] = [];
    for (const key of [...this.entries.getKeys()] as string[]) {
      const e = this.readEntry(key);
      if (e) entries.push(e);
      else if (this.drops.has(key)) report.corrupt.push(`${index} (entry ${key})`);
    }
    report.entries = entries.length + report.corrupt.length;
    const seen = new Set<string>();
    for (const e of entries) {
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
    const badMemos = await this.env.transaction(() => {
      let n = 0;
      for (const { key, value } of this.memos.getRange()) if (!this.openMemo(value) && this.memos.removeSync(key)) n++;
      return n;
    });
    if (badMemos) report.corrupt.push(`${index} (${badMemos} memo record${badMemos > 1 ? 's' : ''})`);
    await Promise.all(this.drops.values());
    let left = 0;
    for (const e of entries) if (this.entries.doesExist(e.key)) left++;
    report.droppedEntries = report.entries - left;
    return report;
  }

  memo(name: string): MemoTable {
    const prefix = `${name}\u0000`;
    return {
      get: (key) => {
        const bytes = this.memos.getBinary(prefix + key);
        return bytes ? this.openMemo(bytes)?.v : undefined;
      },
      set: async (key, value) => {
        await this.memos.put(prefix + key, seal(serialize({ v: value, t: this.now() })));
      },
    };
  }

  async flush(): Promise<void> {
    await Promise.all(this.drops.values());
    await this.env.committed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all(this.drops.values());
    this.closed = true;
    await this.env.close();
    stampIndexAtClose(join(this.dir, 'index.mdb'));
  }

  /** Visits every key of every table, so a damaged b-tree is found at open, not mid-run. */
  walkIndex(): void {
    for (const db of [this.entries, this.used, this.inline, this.memos]) for (const _ of db.getKeys()) void _;
    this.indexWalked = true;
  }

  /** Deletes every blob no entry refers to (after a damaged index was replaced). */
  async sweepOrphans(): Promise<void> {
    await this.env.transaction(() => {
      const live = new Set<string>();
      for (const e of this.allEntries()) for (const h of e.blobs) live.add(h);
      this.sweepUnreferenced(live);
    });
  }

  private readEntry(key: string): CacheEntry | undefined {
    const bytes = this.entries.getBinary(key);
    return bytes ? this.openEntry(key, bytes) : undefined;
  }

  /** Every entry that verifies; the others are dropped (with a warning). */
  private *allEntries(): Generator<CacheEntry> {
    for (const { key, value } of this.entries.getRange()) {
      const e = this.openEntry(key, value);
      if (e) yield e;
    }
  }

  /** The entry sealed in `record` if its digest matches and it decodes to an entry for `key`; else
   *  a warning, its removal (so it is recomputed), and undefined. */
  private openEntry(key: string, record: Uint8Array): CacheEntry | undefined {
    const opened = unseal(record);
    const entry = 'payload' in opened ? decode<CacheEntry>(opened.payload) : undefined;
    const why = 'error' in opened ? opened.error : entryProblem(entry, key);
    if (why === undefined) return entry;
    this.dropCorrupt(key, why);
    return undefined;
  }

  private openMemo(record: Uint8Array): { v: unknown; t: number } | undefined {
    const opened = unseal(record);
    const rec = 'payload' in opened ? decode<{ v: unknown; t: number }>(opened.payload) : undefined;
    return rec !== null && typeof rec === 'object' && typeof rec.t === 'number' ? rec : undefined;
  }

  /** Removes a corrupt entry in its own write transaction, unless a writer replaced it meanwhile. */
  private dropCorrupt(key: string, why: string): void {
    if (this.drops.has(key)) return;
    this.warn(`cache entry ${key.slice(0, 16)} in ${this.dir}/index.mdb is corrupt (${why}): dropped, it will be recomputed`);
    const stillBad = (): boolean => {
      const bytes = this.entries.getBinary(key);
      if (!bytes) return false;
      const opened = unseal(bytes);
      return 'error' in opened || entryProblem(decode<CacheEntry>(opened.payload), key) !== undefined;
    };
    const drop = this.env
      .transaction(() => {
        if (!stillBad()) return;
        this.entries.removeSync(key);
        this.used.removeSync(key);
      })
      .catch((err: Error) => this.warn(`cache entry ${key.slice(0, 16)}: could not drop it (${err.message})`))
      .finally(() => this.drops.delete(key));
    this.drops.set(key, drop);
  }

  private withUse(e: CacheEntry): CacheEntry {
    let used: unknown;
    try {
      used = this.used.get(e.key);
    } catch {
      return e; // a damaged use stamp only affects LRU order
    }
    return typeof used === 'number' && Number.isFinite(used) && used !== e.lastUsedAt ? { ...e, lastUsedAt: used } : e;
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
      const rec = this.openMemo(value);
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

/** Why a decoded index value is not the entry stored under `key`, or undefined if it is. */
function entryProblem(e: CacheEntry | undefined, key: string): string | undefined {
  if (e === null || typeof e !== 'object') return 'it does not decode to an entry';
  if (e.key !== key) return 'it holds another key';
  const blobsOk = Array.isArray(e.blobs) && e.blobs.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h));
  const sizesOk = e.blobSizes === undefined || (Array.isArray(e.blobSizes) && e.blobSizes.length === e.blobs.length);
  if (!blobsOk || !sizesOk || typeof e.outputHash !== 'string' || typeof e.size !== 'number' || typeof e.createdAt !== 'number' || e.label === null || typeof e.label !== 'object') {
    return 'it decodes to something that is not a cache entry';
  }
  return undefined;
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new TypeError(`cache key must be a non-empty string of at most ${MAX_KEY_BYTES} bytes, got ${JSON.stringify(String(key).slice(0, 80))}`);
  }
}
