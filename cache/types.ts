// Contract between the content-addressed store (cache/) and the engine (src/engine/).
// The store knows nothing of graphs: it keeps entries under opaque keys, each pointing at
// content-addressed blobs. The engine decides what a key is (hash of kind, version, params,
// code, input keys; per chunk for event-level nodes).

/** One completed result. An entry exists only once all its blobs are durably written. */
export interface CacheEntry {
  key: string;
  /** Human labels for `flow cache ls`: graph, node name, node kind, chunk label if any. */
  label: { graph?: string; node?: string; kind?: string; chunk?: string };
  /** Hash of the output bytes (early cut-off compares these). */
  outputHash: string;
  /** Small JSON-able metadata stored inline in the index (counts, summaries, small results). */
  meta: unknown;
  /** sha256 hex of each payload blob, in order. */
  blobs: string[];
  /** Total bytes of the blobs. */
  size: number;
  /** Bytes of each blob, in the order of `blobs` (stats and gc count shared blobs once). */
  blobSizes?: number[];
  createdAt: number; // ms since epoch
  lastUsedAt: number;
}

export interface PutRequest {
  key: string;
  label: CacheEntry['label'];
  meta: unknown;
  payloads: Uint8Array[];
  /** Defaults to the hash of meta + payload hashes. */
  outputHash?: string;
}

export interface CacheStats {
  dir: string;
  entries: number;
  blobs: number;
  bytes: number;
  oldest?: number;
  newest?: number;
  /** Size of the LMDB index file (entries, inline blobs, memos) on disk. */
  indexBytes?: number;
  /** Samples of the generate node in <cache>/generated/ (location.ts): not entries, but the
   *  store's files too. */
  generated?: { files: number; bytes: number };
}

export interface GcOptions {
  maxSizeBytes?: number; // evict least recently used entries until the blobs fit
  olderThanMs?: number; // evict entries not used for this long
}

/** Result of re-hashing every blob the index refers to. */
export interface VerifyReport {
  entries: number;
  /** Blobs that verified, and their bytes. */
  blobs: number;
  bytes: number;
  /** Paths of blobs whose content did not match their hash / that were gone. */
  corrupt: string[];
  missing: string[];
  /** Entries dropped because one of their blobs was corrupt or missing. */
  droppedEntries?: number;
}

/** A small persistent key -> value table beside the index (e.g. memoised file content hashes). */
export interface MemoTable {
  get(key: string): unknown;
  set(key: string, value: unknown): Promise<void>;
}

export interface Store {
  readonly dir: string;
  get(key: string): CacheEntry | undefined;
  /** Atomic: blobs first (temp file + rename), then the index entry in one LMDB transaction. */
  put(req: PutRequest): Promise<CacheEntry>;
  /** Verifies the sha256; throws CorruptBlobError (and drops the entries using it) on mismatch. */
  readBlob(hash: string): Promise<Uint8Array>;
  /** Mark entries as used (for LRU gc); cheap, may be batched. */
  touch(key: string): void;
  delete(key: string): Promise<void>;
  ls(): Iterable<CacheEntry>;
  stats(): CacheStats;
  gc(opts: GcOptions): Promise<{ removedEntries: number; removedBytes: number }>;
  clear(): Promise<void>;
  close(): Promise<void>;
  /** Re-hashes every referenced blob; corrupt or missing ones are removed with their entries. */
  verify?(): Promise<VerifyReport>;
  /** Resolves once pending writes (touches) are committed. */
  flush?(): Promise<void>;
  /** A named memo table stored in the same LMDB environment (cleared by `clear`). */
  memo?(name: string): MemoTable;
}
