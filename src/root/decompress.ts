// ROOT compression framing: a compressed object is a sequence of blocks, each with a 9-byte header
// (2-char algorithm, method byte, 3-byte little-endian compressed and uncompressed sizes).
import zlib from 'node:zlib';
import { lz4DecodeBlock } from './lz4.ts';
import { xxhash64Wasm as xxhash64 } from './xxhash64-wasm.ts';

const HEADER = 9;

/** Decompresses a ROOT-compressed buffer of known uncompressed size. `where` names the object
 *  (file, tree, branch, basket) in error messages; errors are plain Errors the caller wraps. */
export async function decompressRoot(src: Uint8Array, uncompressedSize: number, where: string): Promise<Uint8Array> {
  const single = singleBlock(src, uncompressedSize, where);
  if (single) return single;
  const out = new Uint8Array(uncompressedSize);
  let s = 0;
  let d = 0;
  while (d < uncompressedSize) {
    if (s + HEADER > src.length) throw new Error(`${where}: compressed data ends after ${d} of ${uncompressedSize} bytes`);
    const a = src[s]!, b = src[s + 1]!;
    const csize = src[s + 3]! | (src[s + 4]! << 8) | (src[s + 5]! << 16);
    const usize = src[s + 6]! | (src[s + 7]! << 8) | (src[s + 8]! << 16);
    const start = s + HEADER;
    const end = start + csize;
    if (end > src.length) throw new Error(`${where}: compressed block of ${csize} bytes exceeds the ${src.length}-byte buffer`);
    if (d + usize > uncompressedSize) throw new Error(`${where}: compressed blocks decode to more than ${uncompressedSize} bytes`);
    const block = src.subarray(start, end);
    const alg = String.fromCharCode(a, b);
    let produced: number;
    try {
      produced = await decodeBlock(alg, block, out, d, usize);
    } catch (err) {
      throw new Error(`${where}: ${alg} decompression failed: ${(err as Error).message}`, { cause: err });
    }
    if (produced !== usize) throw new Error(`${where}: ${alg} block decoded to ${produced} bytes, header says ${usize}`);
    d += usize;
    s = end;
  }
  return out;
}

/** The output size is known: one output chunk of exactly that size spares node:zlib its default
 *  16 kB chunks and their final concatenation (half the time of large baskets, and GC churn);
 *  the output cap stops a corrupt block from inflating without bound. */
export function outputOptions(usize: number): { chunkSize: number; maxOutputLength: number } {
  return { chunkSize: Math.max(64, usize + 1), maxOutputLength: Math.max(64, usize + 1) };
}

/** The common case, one ZLIB/ZSTD block: hand back the decompressor's own buffer, saving a copy. */
function singleBlock(src: Uint8Array, uncompressedSize: number, where: string): Uint8Array | undefined {
  if (src.length < HEADER) return undefined;
  const csize = src[3]! | (src[4]! << 8) | (src[5]! << 16);
  const usize = src[6]! | (src[7]! << 8) | (src[8]! << 16);
  if (csize + HEADER !== src.length || usize !== uncompressedSize) return undefined;
  const alg = String.fromCharCode(src[0]!, src[1]!);
  if (alg !== 'ZL' && alg !== 'ZS') return undefined;
  let out: Uint8Array;
  try {
    const o = outputOptions(usize);
    out = alg === 'ZL' ? zlib.inflateSync(src.subarray(HEADER), o) : zlib.zstdDecompressSync(src.subarray(HEADER), o);
  } catch (err) {
    throw new Error(`${where}: ${alg} decompression failed: ${(err as Error).message}`, { cause: err });
  }
  if (out.length !== usize) throw new Error(`${where}: ${alg} block decoded to ${out.length} bytes, header says ${usize}`);
  return out;
}

async function decodeBlock(alg: string, block: Uint8Array, out: Uint8Array, at: number, usize: number): Promise<number> {
  switch (alg) {
    case 'ZL':
      return copyInto(zlib.inflateSync(block, outputOptions(usize)), out, at);
    case 'ZS':
      return copyInto(zlib.zstdDecompressSync(block, outputOptions(usize)), out, at);
    case 'L4': {
      if (block.length < 8) throw new Error('block shorter than its checksum');
      const expected = new DataView(block.buffer, block.byteOffset, 8).getBigUint64(0, false);
      const payload = block.subarray(8);
      const actual = xxhash64(payload);
      if (actual !== expected) throw new Error(`xxhash64 checksum mismatch (stored ${expected.toString(16)}, computed ${actual.toString(16)})`);
      return lz4DecodeBlock(payload, out.subarray(at, at + usize));
    }
    case 'XZ':
      return copyInto(await xzDecompress(block), out, at);
    case 'CS':
      // ROOT's pre-zlib "old" algorithm is deflate without the zlib wrapper
      return copyInto(zlib.inflateRawSync(block), out, at);
    default:
      throw new Error(`unknown compression algorithm '${alg}'`);
  }
}

/** Copies when it fits; the caller compares the returned size with the block header. */
function copyInto(src: Uint8Array, out: Uint8Array, at: number): number {
  if (at + src.length <= out.length) out.set(src, at);
  return src.length;
}

type XzStreamClass = new (s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
let xzModule: Promise<XzStreamClass> | undefined;

async function xzDecompress(block: Uint8Array): Promise<Uint8Array> {
  // a CommonJS package: the class sits on the default export when imported from ESM
  xzModule ??= import('xz-decompress').then((m: any) => (m.XzReadableStream ?? m.default?.XzReadableStream) as XzStreamClass);
  const XzReadableStream = await xzModule;
  const stream = new XzReadableStream(new Blob([block as Uint8Array<ArrayBuffer>]).stream());
  return new Uint8Array(await new Response(stream as ReadableStream<Uint8Array>).arrayBuffer());
}
