// ROOT's compression framing for writing: the payload is cut into blocks of at most 0xffffff
// uncompressed bytes, each preceded by a 9-byte header (2-char algorithm, method byte, 3-byte
// little-endian compressed size, 3-byte little-endian uncompressed size). When compression does
// not shrink the payload, ROOT stores it raw (readers see fObjlen === fNbytes - fKeylen).
import zlib from 'node:zlib';
import { promisify } from 'node:util';

export type CompressionAlgorithm = 'zlib' | 'zstd' | 'none';

export interface Compression {
  algorithm: CompressionAlgorithm;
  /** 1..9 for zlib, 1..22 for zstd; ignored for none. */
  level?: number;
}

export const defaultCompression: Compression = { algorithm: 'zlib', level: 1 };

const MAX_BLOCK = 0xffffff;
const HEADER = 9;

/** ROOT's fCompress setting: algorithm * 100 + level (ZLIB = 1, ZSTD = 5). */
export function compressionSetting(c: Compression): number {
  if (c.algorithm === 'none') return 0;
  return (c.algorithm === 'zlib' ? 100 : 500) + effectiveLevel(c);
}

function effectiveLevel(c: Compression): number {
  const level = c.level ?? (c.algorithm === 'zstd' ? 5 : 1);
  const max = c.algorithm === 'zstd' ? 22 : 9;
  if (!Number.isInteger(level) || level < 1 || level > max) {
    throw new RangeError(`compression level ${level} is out of range 1..${max} for ${c.algorithm}`);
  }
  return level;
}

/** Compresses `data` in ROOT framing, or returns it unchanged when that would not be smaller. */
export function compressRoot(data: Uint8Array, c: Compression): Uint8Array {
  if (c.algorithm === 'none' || data.length === 0) return data;
  const level = effectiveLevel(c);
  return frame(data, c, blocks(data).map((b) => (c.algorithm === 'zlib'
    ? zlib.deflateSync(b, { level })
    : zlib.zstdCompressSync(b, { pledgedSrcSize: b.length, params: { [zlib.constants.ZSTD_c_compressionLevel]: level } }))));
}

const deflateAsync = promisify(zlib.deflate);

/** compressRoot with ZLIB on the libuv thread pool (same bytes), so compression overlaps with JS work. */
export async function compressRootAsync(data: Uint8Array, c: Compression): Promise<Uint8Array> {
  // zstd is fast enough that the thread-pool hand-off costs more than it saves (measured).
  if (c.algorithm !== 'zlib' || data.length === 0) return compressRoot(data, c);
  const level = effectiveLevel(c);
  // One output chunk per block: the default 16 KiB chunks cost a thread-pool round trip each.
  const packed = await Promise.all(blocks(data).map((b) => deflateAsync(b, { level, chunkSize: outputChunk(b) })));
  return frame(data, c, packed);
}

function outputChunk(b: Uint8Array): number {
  return Math.max(64, Math.min(b.length + 1024, 1 << 24));
}

function blocks(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += MAX_BLOCK) out.push(data.subarray(at, Math.min(at + MAX_BLOCK, data.length)));
  return out;
}

/** Prefixes each compressed block with its 9-byte header; `data` itself when not smaller. */
function frame(data: Uint8Array, c: Compression, packed: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of packed) {
    if (p.length > MAX_BLOCK) return data;
    total += HEADER + p.length;
  }
  if (total >= data.length) return data;
  const out = new Uint8Array(total);
  let o = 0;
  let at = 0;
  for (const p of packed) {
    const usize = Math.min(MAX_BLOCK, data.length - at);
    out[o] = 0x5a; // 'Z'
    out[o + 1] = c.algorithm === 'zlib' ? 0x4c /* L */ : 0x53 /* S */;
    out[o + 2] = c.algorithm === 'zlib' ? 8 /* Z_DEFLATED */ : 1;
    writeU24le(out, o + 3, p.length);
    writeU24le(out, o + 6, usize);
    out.set(p, o + HEADER);
    o += HEADER + p.length;
    at += usize;
  }
  return out;
}

function writeU24le(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
}
