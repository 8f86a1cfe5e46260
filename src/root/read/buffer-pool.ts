// Reusable byte buffers for the reader's big transient allocations: the spans read from a local
// file and the decompressed baskets. A full read moves about as many bytes through them as it
// returns (hundreds of MB for a large file); fresh buffers cost page faults on first touch and
// drive V8's Mark-Compacts. They are needed only until the columns are built, so the reader
// hands them back here and the next read reuses their warm pages.
// Ownership is explicit (acquire, then release once or never: an unreleased buffer is simply
// garbage collected), so concurrent reads on one thread never share a buffer.

/** Sizes are rounded up to a power of two from 4 kB: few classes, at most 2x slack. */
const MIN_CLASS = 12;
/** Larger requests are allocated fresh and never pooled. */
const MAX_CLASS = 26;
/** Bytes kept per thread at most; buffers released beyond it are left to the GC. */
const MAX_POOLED_BYTES = 64 << 20;

const free: ArrayBuffer[][] = Array.from({ length: MAX_CLASS + 1 }, () => []);
let pooledBytes = 0;
/** Handed out and not yet released. */
const issued = new WeakSet<ArrayBuffer>();
/** In a free list: a second release would give the buffer two owners. */
const isFree = new WeakSet<ArrayBuffer>();

function sizeClass(n: number): number {
  return Math.max(MIN_CLASS, 32 - Math.clz32(Math.max(1, n) - 1));
}

/** A buffer of exactly `n` bytes (a view on a pooled ArrayBuffer of at least that size); its
 *  contents are undefined. */
export function acquireBuffer(n: number): Uint8Array {
  const c = sizeClass(n);
  if (c > MAX_CLASS) return new Uint8Array(n);
  let ab = free[c]!.pop();
  if (ab) {
    pooledBytes -= ab.byteLength;
    isFree.delete(ab);
  } else {
    ab = new ArrayBuffer(1 << c);
  }
  issued.add(ab);
  return new Uint8Array(ab, 0, n);
}

/** Returns the buffer under `view` (from `acquireBuffer`) for reuse: the caller must hold no view
 *  on it any more. Buffers that did not come from the pool are ignored. */
export function releaseBuffer(view: ArrayBufferView): void {
  const ab = view.buffer as ArrayBuffer;
  if (isFree.has(ab)) throw new Error('buffer released twice');
  if (!issued.has(ab)) return;
  issued.delete(ab);
  if (pooledBytes + ab.byteLength > MAX_POOLED_BYTES) return;
  pooledBytes += ab.byteLength;
  isFree.add(ab);
  free[sizeClass(ab.byteLength)]!.push(ab);
}
