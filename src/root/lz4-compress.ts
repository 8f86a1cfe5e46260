// LZ4 block-format compressor (no frame), the inverse of lz4.ts: what ROOT's "L4" compression
// blocks hold. Greedy parsing over a hash table of 4-byte sequences, with LZ4's search
// acceleration (the step grows after 64 misses, so incompressible data passes quickly).
// Block-format end rules: the last match starts at least 12 bytes before the end and the last
// 5 bytes are literals (decoders copy in 8-byte words and rely on them).
import { lz4CompressBlockWasm } from './lz4-compress-wasm.ts';

const HASH_LOG = 16;
const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
const MAX_OFFSET = 65535;
const SKIP_TRIGGER = 6;

// One table per thread, never cleared between blocks: it holds `position + base`, and each call
// takes a fresh base above every stored value, so older entries read as "before this block".
const table = new Int32Array(1 << HASH_LOG);
let base = 1;

/** Largest LZ4 block `lz4CompressBlock` can produce for `n` input bytes. */
export function lz4CompressBound(n: number): number {
  return n + Math.floor(n / 255) + 16;
}

// little-endian 4-byte reads of the current input (DataView: one unaligned load, ~20% faster
// than four byte loads)
const EMPTY = new DataView(new ArrayBuffer(0));
let view: DataView<ArrayBufferLike> = EMPTY;

function read32(i: number): number {
  return view.getInt32(i, true);
}

function hash(seq: number): number {
  return Math.imul(seq, 0x9e3779b1) >>> (32 - HASH_LOG);
}

const WASM_MIN_INPUT = 1024;

/** Compresses `src` into one LZ4 block in `dst`; returns the block's length, or 0 when it
 *  does not fit in `dst` (a `dst` of `lz4CompressBound(src.length)` bytes always fits, a smaller
 *  one lets the caller stop early on data that would not shrink). Inputs of 1 KiB and more go
 *  to the WebAssembly version (~1.5x faster, the same bytes). */
export function lz4CompressBlock(src: Uint8Array, dst: Uint8Array): number {
  return src.length >= WASM_MIN_INPUT ? lz4CompressBlockWasm(src, dst) : lz4CompressBlockJs(src, dst);
}

/** The JavaScript compressor: small inputs, and the reference the WebAssembly one is tested against. */
export function lz4CompressBlockJs(src: Uint8Array, dst: Uint8Array): number {
  view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  try {
    return compress(src, dst);
  } finally {
    view = EMPTY; // holds no caller's buffer alive
  }
}

function compress(src: Uint8Array, dst: Uint8Array): number {
  const n = src.length;
  const dstEnd = dst.length;
  if (n > 0x7e000000) throw new RangeError(`lz4: input of ${n} bytes is too large for one block`);
  if (base > 0x7fffffff - n - 1) {
    table.fill(0);
    base = 1;
  }
  const b = base;
  base += n + 1;
  let d = 0;
  let anchor = 0;
  if (n >= MF_LIMIT + 1) {
    const matchLimit = n - LAST_LITERALS; // a match ends at or before this
    const mfLimit = n - MF_LIMIT; // a match starts at or before this
    table[hash(read32(0))] = b;
    let i = 1;
    search: for (;;) {
      // find a match at i or later
      let cand: number;
      let attempts = 1 << SKIP_TRIGGER;
      let step = 1;
      for (;;) {
        if (i > mfLimit) break search;
        const seq = read32(i);
        const h = hash(seq);
        cand = table[h]! - b;
        table[h] = i + b;
        if (cand >= 0 && i - cand <= MAX_OFFSET && read32(cand) === seq) break;
        i += step;
        step = attempts++ >> SKIP_TRIGGER;
      }
      // extend backwards over pending literals, then forwards
      while (i > anchor && cand > 0 && src[i - 1] === src[cand - 1]) { i--; cand--; }
      let e = i + MIN_MATCH;
      let m = cand + MIN_MATCH;
      while (e + 4 <= matchLimit && read32(e) === read32(m)) { e += 4; m += 4; }
      while (e < matchLimit && src[e] === src[m]) { e++; m++; }
      const litLen = i - anchor;
      const mlCode = e - i - MIN_MATCH;
      // token + literal-length bytes + literals + offset + match-length bytes
      if (d + 1 + ((litLen + 240) / 255 | 0) + litLen + 2 + ((mlCode + 240) / 255 | 0) > dstEnd) return 0;
      d = writeSequence(src, dst, d, anchor, litLen, i - cand, mlCode);
      anchor = i = e;
      if (i > mfLimit) break;
      // the position two bytes back is a likely start of the next repeat
      table[hash(read32(i - 2))] = i - 2 + b;
    }
  }
  const litLen = n - anchor;
  if (d + 1 + ((litLen + 240) / 255 | 0) + litLen > dstEnd) return 0;
  return writeSequence(src, dst, d, anchor, litLen, 0, -1);
}

/** Writes token, literal run and (unless `mlCode` < 0: the last sequence) offset and match
 *  length; returns the new end of dst. */
function writeSequence(src: Uint8Array, dst: Uint8Array, d: number, from: number, litLen: number, offset: number, mlCode: number): number {
  const token = d++;
  let t: number;
  if (litLen >= 15) {
    t = 15 << 4;
    let r = litLen - 15;
    for (; r >= 255; r -= 255) dst[d++] = 255;
    dst[d++] = r;
  } else t = litLen << 4;
  if (litLen < 16) {
    for (let k = 0; k < litLen; k++) dst[d + k] = src[from + k]!;
  } else dst.set(src.subarray(from, from + litLen), d);
  d += litLen;
  if (mlCode >= 0) {
    dst[d++] = offset & 0xff;
    dst[d++] = offset >>> 8;
    if (mlCode >= 15) {
      t |= 15;
      let r = mlCode - 15;
      for (; r >= 255; r -= 255) dst[d++] = 255;
      dst[d++] = r;
    } else t |= mlCode;
  }
  dst[token] = t;
  return d;
}
