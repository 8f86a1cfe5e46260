// Reusable byte buffers for decompressed baskets. A full read decompresses about as many bytes
// as it returns (hundreds of MB for a large file); fresh buffers for each basket cost page faults
// on first touch and drive V8's Mark-Compacts. A basket's buffer is only needed until its column
// is decoded, so the reader hands it back here and the next basket reuses its warm pages.
// Ownership is explicit (acquire, then release exactly once or never), so concurrent reads on one
// thread cannot share a buffer.

/** Sizes are rounded up to a power of two from 4 kB: few classes, at most 2x slack. */
const MIN_CLASS = 12;
/** Larger requests are allocated fresh and never pooled. */
const MAX_CLASS = 26;
/** Bytes kept per thread at most; buffers released beyond it are left to the GC. */
const MAX_POOLED_BYTES = 64 << 20;

const free: ArrayBuffer[][] = Array.from({ length: MAX_CLASS + 1 }, () => []);
let pooledBytes = 0;
/** Buffers currently free: a second release of one would give it two owners. */
const isFree = new WeakSet<ArrayBuffer>();

function sizeClass(n: number): number {
  return Math.max(MIN_CLASS, 32 - Math.clz32(Math.max(1, n) - 1));
}

/** A buffer of exactly `n` bytes (a view on a pooled ArrayBuffer of at least that size); its
 *  contents are undefined. */
export function acquireBuffer(n: number): Uint8Array {
  const c = sizeClass(n);
  if (c > MAX_CLASS) return new Uint8Array(n);
  const ab = free[c]!.pop();
  if (ab) {
    pooledBytes -= ab.byteLength;
    isFree.delete(ab);
    return new Uint8Array(ab, 0, n);
  }
  return new Uint8Array(new ArrayBuffer(1 << c), 0, n);
}

/** Returns a buffer from `acquireBuffer` for reuse. The caller must hold no view on it any more. */
export function releaseBuffer(buf: Uint8Array): void {
  const ab = buf.buffer as ArrayBuffer;
  const size = ab.byteLength;
  if (size & (size - 1) || size < 1 << MIN_CLASS || size > 1 << MAX_CLASS) return; // not one of ours
  if (isFree.has(ab)) throw new Error('buffer released twice');
  if (pooledBytes + size > MAX_POOLED_BYTES) return;
  pooledBytes += size;
  isFree.add(ab);
  free[sizeClass(size)]!.push(ab);
}
