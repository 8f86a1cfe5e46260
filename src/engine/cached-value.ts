// Values as the cache holds them: codec meta (inline in the index entry) plus payload blobs, and
// how the engine reads them back. Reading detects corruption in one way for every caller (main
// thread and workers, global nodes, chunk results, partials, merged values): a blob that fails its
// sha256, a blob that is gone, or an entry that vanished between the key lookup and the read (the
// store drops every entry using a corrupt blob, so a blob shared by two nodes takes both entries).
import { sha256, sha256Concat } from '../../cache/hash.ts';
import type { Store } from '../../cache/types.ts';
import { eventBatchCodec, structuredCodec } from './codecs.ts';
import type { ChunkNodeKind, Codec } from './node-kind.ts';

export interface EncodedValue {
  meta: unknown;
  payloads: Uint8Array[];
}

/** The `meta` of the engine's result entries. */
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

/** The entry under `key` disappeared after it was looked up (dropped as corrupt, evicted). */
export class EntryGoneError extends Error {
  override name = 'EntryGoneError';
  readonly key: string;
  constructor(key: string) {
    super(`cache entry ${key.slice(0, 16)}... is gone (dropped as corrupt or evicted)`);
    this.key = key;
  }
}

/** Reads an entry's value; throws EntryGoneError when there is none (see isCacheCorruption). */
export async function readEncoded(store: Store, key: string): Promise<EncodedValue> {
  const entry = store.get(key);
  if (!entry) throw new EntryGoneError(key);
  const payloads = await Promise.all(entry.blobs.map((b) => store.readBlob(b)));
  return { meta: (entry.meta as EntryMeta).c, payloads };
}

export async function readValue(store: Store, key: string, codec: Codec<unknown>): Promise<unknown> {
  const enc = await readEncoded(store, key);
  return codec.decode(enc.meta, enc.payloads);
}

/** True for the errors that mean "recompute": the cached value cannot be served as it is. The
 *  store's classes are loaded only on this (rare) path, never by a run that reads no blob. */
export async function isCacheCorruption(err: unknown): Promise<boolean> {
  if (err instanceof EntryGoneError) return true;
  const { CorruptBlobError } = await import('../../cache/store.ts');
  return err instanceof CorruptBlobError; // MissingBlobError extends it
}
