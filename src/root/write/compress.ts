// ROOT's compression framing for writing: the payload is cut into blocks of at most 0xffffff
// uncompressed bytes, each preceded by a 9-byte header (2-char algorithm, method byte, 3-byte
// little-endian compressed size, 3-byte little-endian uncompressed size). When compression does
// not shrink the payload, ROOT stores it raw (readers see fObjlen === fNbytes - fKeylen).
// LZ4 blocks ('L4', method byte 1 = LZ4's major version, as ROOT writes) carry the big-endian
// XXH64 of the LZ4 block in front of it; their compressed size counts those 8 bytes.
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { lz4CompressBlock } from '../lz4-compress.ts';
import { xxhash64Wasm } from '../xxhash64-wasm.ts';

export type CompressionAlgorithm = 'zlib' | 'zstd' | 'lz4' | 'none';

export interface Compression {
  algorithm: CompressionAlgorithm;
  /** 1..9 for zlib, 1..22 for zstd, 1..9 for lz4 (recorded in fCompress only: one compressor
   *  for all levels, where ROOT switches to LZ4HC at 4); ignored for none. */
  level?: number;
}

export const defaultCompression: Compression = { algorithm: 'zlib', level: 1 };

const MAX_BLOCK = 0xffffff;
const HEADER = 9;

const ALGORITHM_CODE = { zlib: 1, lz4: 4, zstd: 5 } as const;
const DEFAULT_LEVEL = { zlib: 1, lz4: 4, zstd: 5 } as const; // lz4: ROOT's 404 (kUseAnalysis)

/** ROOT's fCompress setting: algorithm * 100 + level (ZLIB = 1, LZ4 = 4, ZSTD = 5). */
export function compressionSetting(c: Compression): number {
  if (c.algorithm === 'none') return 0;
  return ALGORITHM_CODE[c.algorithm] * 100 + effectiveLevel(c);
}

function effectiveLevel(c: Compression): number {
  if (c.algorithm === 'none') return 0;
  if (!(c.algorithm in ALGORITHM_CODE)) throw new RangeError(`unknown compression algorithm '${c.algorithm}' (zlib, zstd, lz4 or none)`);
  const level = c.level ?? DEFAULT_LEVEL[c.algorithm];
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
    : c.algorithm === 'lz4' ? lz4WithChecksum(b)
    : zlib.zstdCompressSync(b, { pledgedSrcSize: b.length, params: { [zlib.constants.ZSTD_c_compressionLevel]: level } }))));
}

const CHECKSUM = 8;

/** Checksum and LZ4 block of one block's bytes; null when they would not be smaller than the
 *  bytes themselves with the 9-byte header (the compressor stops as soon as it knows). */
function lz4WithChecksum(b: Uint8Array): Uint8Array | null {
  const room = b.length - HEADER - CHECKSUM - 1;
  if (room <= 0) return null;
  const out = new Uint8Array(CHECKSUM + room);
  const n = lz4CompressBlock(b, out.subarray(CHECKSUM));
  if (n === 0) return null;
  const packed = out.subarray(0, CHECKSUM + n);
  new DataView(out.buffer, out.byteOffset, CHECKSUM).setBigUint64(0, xxhash64Wasm(packed.subarray(CHECKSUM)), false);
  return packed;
}

const deflateAsync = promisify(zlib.deflate);

/** compressRoot with ZLIB on the libuv thread pool (same bytes), so compression overlaps with JS work. */
export async function compressRootAsync(data: Uint8Array, c: Compression): Promise<Uint8Array> {
  // zstd is fast enough that the thread-pool hand-off costs more than it saves (measured); lz4 is ours.
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

/** Prefixes each compressed block with its 9-byte header; `data` itself when not smaller (or a
 *  block is null: it would not shrink). */
function frame(data: Uint8Array, c: Compression, packed: Array<Uint8Array | null>): Uint8Array {
  let total = 0;
  for (const p of packed) {
    if (p === null || p.length > MAX_BLOCK) return data;
    total += HEADER + p.length;
  }
  if (total >= data.length) return data;
  const out = new Uint8Array(total);
  let o = 0;
  let at = 0;
  const [a0, a1, method] = c.algorithm === 'zlib' ? [0x5a, 0x4c, 8] /* 'ZL', Z_DEFLATED */
    : c.algorithm === 'lz4' ? [0x4c, 0x34, 1] /* 'L4', LZ4 major version */
    : [0x5a, 0x53, 1]; /* 'ZS' */
  for (const p of packed as Uint8Array[]) {
    const usize = Math.min(MAX_BLOCK, data.length - at);
    out[o] = a0;
    out[o + 1] = a1;
    out[o + 2] = method;
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
