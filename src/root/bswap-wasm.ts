// Big-endian -> native byte order for large arrays with WebAssembly SIMD: one i8x16.shuffle per
// 16 bytes. With the copy into and out of wasm memory it still runs several times faster than a
// JavaScript shift-and-mask loop, which remains for small arrays (call overhead) and as reference.
// The same module holds the LZ4 decoder and XXH64, so that LZ4 baskets are verified and decoded
// straight into a column's staging area, as ZSTD and ZLIB baskets are.
import { buildModule, ensureMemory, instantiate, uleb, I32, type WasmFunction, type WasmMemory } from './wasm-asm.ts';
import { checksumMismatch, lz4Error, lz4Function, LZ4_SPARE } from './lz4-wasm.ts';
import { xxh64Function } from './xxhash64-wasm.ts';

function lanes(width: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 16; i += width) for (let k = width - 1; k >= 0; k--) out.push(i + k);
  return out;
}

/** bswapN(start, end): reverses every N-byte group of memory[start .. end rounded up to 16). */
function kernel(width: number): WasmFunction {
  const P = 0, END = 1;
  const code = [
    0x02, 0x40, 0x03, 0x40, // block loop
    0x20, P, 0x20, END, 0x4f, 0x0d, 1, // p >= end: break
    0x20, P, // store address
    0x20, P, 0xfd, ...uleb(0x00), 0, 0, // v128.load
    0x20, P, 0xfd, ...uleb(0x00), 0, 0, // (the same vector again: shuffle takes two)
    0xfd, ...uleb(0x0d), ...lanes(width), // i8x16.shuffle
    0xfd, ...uleb(0x0b), 0, 0, // v128.store
    0x20, P, 0x41, 16, 0x6a, 0x21, P, // p += 16
    0x0c, 0, 0x0b, 0x0b,
  ];
  return { name: `bswap${width * 8}`, params: [I32, I32], results: [], locals: [], code };
}

/** offsets(start, n, prev, add, shift): the n native int32 entry starts at memory[start ..), in
 *  place, to (v + add) >> shift, stopping at the first v below its predecessor (`prev` for the
 *  first): returns that index, or -1. */
function offsetsKernel(): WasmFunction {
  const START = 0, N = 1, PREV = 2, ADD = 3, SHIFT = 4, P = 5, END = 6, V = 7;
  const code = [
    0x20, START, 0x21, P, // p = start
    0x20, START, 0x20, N, 0x41, 2, 0x74, 0x6a, 0x21, END, // end = start + (n << 2)
    0x02, 0x40, 0x03, 0x40, // block loop
    0x20, P, 0x20, END, 0x4f, 0x0d, 1, // p >= end: break
    0x20, P, 0x28, 2, 0, 0x21, V, // v = i32.load(p)
    0x20, V, 0x20, PREV, 0x48, 0x04, 0x40, 0x20, P, 0x20, START, 0x6b, 0x41, 2, 0x75, 0x0f, 0x0b, // v < prev: return (p - start) >> 2
    0x20, P, 0x20, V, 0x20, ADD, 0x6a, 0x20, SHIFT, 0x75, 0x36, 2, 0, // i32.store(p, (v + add) >> shift)
    0x20, V, 0x21, PREV, // prev = v
    0x20, P, 0x41, 4, 0x6a, 0x21, P, // p += 4
    0x0c, 0, 0x0b, 0x0b,
    0x41, 0x7f, // -1
  ];
  return { name: 'offsets', params: [I32, I32, I32, I32, I32], results: [I32], locals: [[3, I32]], code };
}

interface BswapExports {
  bswap16(start: number, end: number): void; bswap32(start: number, end: number): void; bswap64(start: number, end: number): void;
  offsets(start: number, n: number, prev: number, add: number, shift: number): number;
  xxh64(start: number, end: number): bigint;
  lz4(s: number, srcEnd: number, d: number, dstEnd: number): number;
}
type Bswap = BswapExports & { memory: WasmMemory };
/** Two instances, each with its own memory: `staging` holds a column being assembled across many
 *  baskets, `scratch` serves one-off in-place swaps (entry offsets) made meanwhile. */
let staging: Bswap | undefined;
let scratch: Bswap | undefined;

function instance(): Bswap {
  return instantiate<BswapExports>(buildModule([kernel(2), kernel(4), kernel(8), offsetsKernel(), xxh64Function(), lz4Function()]));
}

function swapMemory(inst: Bswap, width: 2 | 4 | 8, n: number): void {
  if (width === 2) inst.bswap16(0, n);
  else if (width === 4) inst.bswap32(0, n);
  else inst.bswap64(0, n);
}

/** Reverses the byte order of each `width`-byte element of `bytes` in place. */
export function bswapWasm(bytes: Uint8Array, width: 2 | 4 | 8): void {
  scratch ??= instance();
  ensureMemory(scratch.memory, bytes.length + 16);
  new Uint8Array(scratch.memory.buffer, 0, bytes.length).set(bytes);
  swapMemory(scratch, width, bytes.length);
  bytes.set(new Uint8Array(scratch.memory.buffer, 0, bytes.length));
}

/** `bytes` bytes of WebAssembly memory to assemble big-endian values in, so the decoder copies
 *  each basket once; `finishStaged` then swaps them and copies them out. Asking again with a
 *  larger size keeps the bytes already there. The view stays valid until the next call. */
export function stagingArea(bytes: number): Uint8Array {
  staging ??= instance();
  ensureMemory(staging.memory, bytes + 16);
  return new Uint8Array(staging.memory.buffer, 0, bytes);
}

/** Swaps the first out.length staged bytes as `width`-byte elements and copies them into out. */
export function finishStaged(width: 2 | 4 | 8, out: Uint8Array): void {
  staging ??= instance();
  swapMemory(staging, width, out.length);
  out.set(new Uint8Array(staging.memory.buffer, 0, out.length));
}

/** ROOT's stored entry starts (big-endian int32, `src`) to a column's value offsets in
 *  out[at ..]: (v + add) >> shift each, after checking that no value is below `prev` or its
 *  predecessor. Returns -1, or the index in src of the first value that breaks the order
 *  (out is then not written). A SIMD swap and one scalar pass, in place when src lies in the
 *  staging area (then src and up to 12 bytes after it are overwritten), else on a copy. */
export function convertEntryOffsets(src: Uint8Array, prev: number, add: number, shift: number, out: Int32Array, at: number): number {
  const n = src.length >> 2;
  let inst: Bswap;
  let start: number;
  if (staging && src.buffer === staging.memory.buffer && src.byteOffset % 4 === 0 && src.byteOffset + 4 * n + 16 <= src.buffer.byteLength) {
    inst = staging;
    start = src.byteOffset;
  } else {
    inst = scratch ??= instance();
    start = 0;
    ensureMemory(inst.memory, 4 * n + 16);
    new Uint8Array(inst.memory.buffer, 0, 4 * n).set(src.subarray(0, 4 * n));
  }
  inst.bswap32(start, start + 4 * n);
  const bad = inst.offsets(start, n, prev, add, shift);
  if (bad < 0) out.set(new Int32Array(inst.memory.buffer, start, n), at);
  return bad;
}

/** Whether `bytes` is a view on the staging area's memory (see `stagingArea`). */
export function inStagingArea(bytes: Uint8Array): boolean {
  return staging !== undefined && bytes.buffer === staging.memory.buffer;
}

/** What `lz4DecodeStaged` returns when the staging memory has no room for the block past dst. */
export const NO_ROOM = -1;

/** Copies a ROOT LZ4 block payload into inst's memory at the first 8-byte boundary 32 bytes past
 *  memory[d, dEnd) (the decoder writes at most 16 bytes past dEnd), checks its XXH64 against
 *  `checksum` there and decodes it into memory[d, dEnd). The caller made the memory large enough. */
function lz4InMemory(inst: Bswap, payload: Uint8Array, checksum: bigint, d: number, dEnd: number): number {
  const s = lz4InputStart(dEnd);
  const sEnd = s + payload.length;
  new Uint8Array(inst.memory.buffer, s, payload.length).set(payload);
  const actual = BigInt.asUintN(64, inst.xxh64(s, sEnd));
  if (actual !== checksum) throw checksumMismatch(checksum, actual);
  const n = inst.lz4(s, sEnd, d, dEnd);
  if (n < 0) throw lz4Error(n);
  return n;
}

function lz4InputStart(dEnd: number): number {
  return (dEnd + 2 * LZ4_SPARE + 7) & ~7;
}

/** Decodes a ROOT LZ4 block payload straight into `dst`, a view on the staging area: the
 *  compressed bytes are copied once into the staging memory past dst (where no staged byte is
 *  kept: dst is the end of what is staged), verified and decoded there. Up to 16 bytes after dst
 *  may be overwritten. Returns the decoded size, or NO_ROOM when the memory ends too early
 *  (growing it would detach every view on the staging area: the caller decodes elsewhere).
 *  Throws on a checksum mismatch or a malformed block. */
export function lz4DecodeStaged(payload: Uint8Array, checksum: bigint, dst: Uint8Array): number {
  const inst = staging!;
  const d = dst.byteOffset, dEnd = d + dst.length;
  if (lz4InputStart(dEnd) + payload.length + LZ4_SPARE > inst.memory.buffer.byteLength) return NO_ROOM;
  return lz4InMemory(inst, payload, checksum, d, dEnd);
}

/** `lz4DecodeStaged` for any dst: verified and decoded in scratch memory, then copied into dst. */
export function lz4DecodeCopied(payload: Uint8Array, checksum: bigint, dst: Uint8Array): number {
  const inst = scratch ??= instance();
  ensureMemory(inst.memory, lz4InputStart(dst.length) + payload.length + LZ4_SPARE);
  const n = lz4InMemory(inst, payload, checksum, 0, dst.length);
  dst.set(new Uint8Array(inst.memory.buffer, 0, n));
  return n;
}
