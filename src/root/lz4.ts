// LZ4 block-format decoder (no frame): ROOT's "L4" compression blocks hold one raw LZ4 block.
// Blocks of some size go to the WebAssembly decoder (2-4x faster on basket data); small ones stay
// here, where the copies in and out of wasm memory would cost more than they save.
import { checksumMismatch, lz4DecodeBlockWasm } from './lz4-wasm.ts';
import { inStagingArea, lz4DecodeCopied, lz4DecodeStaged, NO_ROOM } from './bswap-wasm.ts';
import { xxhash64Wasm } from './xxhash64-wasm.ts';

const WASM_MIN_OUTPUT = 1024;

/** Decodes one LZ4 block from src into dst[dstPos ..]; returns the end position in dst.
 *  Throws on malformed input instead of reading or writing out of bounds. */
export function lz4DecodeBlock(src: Uint8Array, dst: Uint8Array, dstPos = 0): number {
  return dst.length - dstPos >= WASM_MIN_OUTPUT ? lz4DecodeBlockWasm(src, dst, dstPos) : lz4DecodeBlockJs(src, dst, dstPos);
}

/** Decodes the payload of one of ROOT's LZ4 blocks (after its 8-byte XXH64) into all of dst,
 *  after checking its XXH64 against `checksum`; returns the size decoded. Large blocks are
 *  hashed and decoded in WebAssembly, where dst lies when it is in a column's staging area
 *  (bswap-wasm.ts: the compressed bytes are the one copy), else in scratch memory (one copy in,
 *  one out); small ones in JavaScript. */
export function lz4DecodeRoot(payload: Uint8Array, checksum: bigint, dst: Uint8Array): number {
  if (dst.length >= WASM_MIN_OUTPUT) {
    const n = inStagingArea(dst) ? lz4DecodeStaged(payload, checksum, dst) : NO_ROOM;
    return n !== NO_ROOM ? n : lz4DecodeCopied(payload, checksum, dst);
  }
  const actual = xxhash64Wasm(payload);
  if (actual !== checksum) throw checksumMismatch(checksum, actual);
  return lz4DecodeBlockJs(payload, dst);
}

/** The JavaScript decoder: small blocks, and the reference the WebAssembly one is tested against. */
export function lz4DecodeBlockJs(src: Uint8Array, dst: Uint8Array, dstPos = 0): number {
  const srcEnd = src.length;
  const dstEnd = dst.length;
  let s = 0;
  let d = dstPos;
  while (s < srcEnd) {
    const token = src[s++]!;
    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (s >= srcEnd) throw new Error('lz4: truncated literal length');
        b = src[s++]!;
        litLen += b;
      } while (b === 255);
    }
    if (litLen > 0) {
      if (s + litLen > srcEnd || d + litLen > dstEnd) throw new Error('lz4: literal run out of bounds');
      if (litLen < 16) {
        for (let i = 0; i < litLen; i++) dst[d + i] = src[s + i]!;
      } else {
        dst.set(src.subarray(s, s + litLen), d);
      }
      s += litLen;
      d += litLen;
    }
    if (s >= srcEnd) break; // the last sequence has literals only
    if (s + 2 > srcEnd) throw new Error('lz4: truncated match offset');
    const offset = src[s]! | (src[s + 1]! << 8);
    s += 2;
    if (offset === 0 || offset > d - dstPos) throw new Error('lz4: bad match offset');
    let matchLen = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (s >= srcEnd) throw new Error('lz4: truncated match length');
        b = src[s++]!;
        matchLen += b;
      } while (b === 255);
    }
    if (d + matchLen > dstEnd) throw new Error('lz4: match out of bounds');
    let m = d - offset;
    if (offset >= matchLen && matchLen > 32) {
      dst.copyWithin(d, m, m + matchLen);
      d += matchLen;
    } else {
      // overlapping copies repeat the pattern byte by byte, as LZ4 specifies
      const end = d + matchLen;
      while (d < end) dst[d++] = dst[m++]!;
    }
  }
  return d;
}
