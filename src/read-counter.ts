// Bytes and round trips read from input files, counted per chunk node: the byte sources (local,
// https, root://) add to the counter of the async context they are called from, so a node's
// reads are its own even with several chunks in flight in one thread.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface ReadCounter {
  /** Bytes fetched from storage (coalescing gaps included). */
  bytes: number;
  /** Reads issued: preads, HTTP GETs, XRootD requests. */
  requests: number;
}

const current = new AsyncLocalStorage<ReadCounter>();

export function countRead(bytes: number, requests: number): void {
  const c = current.getStore();
  if (!c) return;
  c.bytes += bytes;
  c.requests += requests;
}

/** Runs `fn` counting the reads made inside it (nested counters do not add to outer ones). */
export async function countingReads<T>(fn: () => Promise<T>): Promise<{ value: T; read: ReadCounter }> {
  const read: ReadCounter = { bytes: 0, requests: 0 };
  const value = await current.run(read, fn);
  return { value, read };
}
