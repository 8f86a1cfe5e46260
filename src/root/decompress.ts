// ROOT compression framing: a compressed object is a sequence of blocks, each with a 9-byte header
// (2-char algorithm, method byte, 3-byte little-endian compressed and uncompressed sizes).
import zlib from 'node:zlib';
import { lz4DecodeBlock } from './lz4.ts';
import { decompressBlockInto } from './native-inflate.ts';
import { xxhash64Wasm as xxhash64 } from './xxhash64-wasm.ts';

const HEADER = 9;

/** Where decompressed bytes go: `alloc(n)` gives a buffer of n bytes (default: a new one). */
export type Allocate = (n: number) => Uint8Array;

const newBuffer: Allocate = (n) => new Uint8Array(n);

/** Decompresses a ROOT-compressed buffer of known uncompressed size. `where` names the object
 *  (file, tree, branch, basket) in error messages; errors are plain Errors the caller wraps.
 *  The result is a view of `uncompressedSize` bytes on a buffer from `alloc(uncompressedSize + 1)`:
 *  ZLIB and ZSTD blocks decode straight into it, the spare byte catching oversized output. */
export async function decompressRoot(src: Uint8Array, uncompressedSize: number, where: string, alloc: Allocate = newBuffer): Promise<Uint8Array> {
  const buf = alloc(uncompressedSize + 1);
  const out = buf.subarray(0, uncompressedSize);
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
      // one spare byte past the block's size (the next block's first, or buf's last) reveals
      // a block that decodes to more than its header says
      produced = alg === 'ZL' || alg === 'ZS'
        ? decompressBlockInto(alg, block, buf.subarray(d, d + usize + 1))
        : await decodeBlock(alg, block, out, d, usize);
    } catch (err) {
      throw new Error(`${where}: ${alg} decompression failed: ${(err as Error).message}`, { cause: err });
    }
    if (produced !== usize) throw new Error(`${where}: ${alg} block decoded to ${produced > usize ? `more than ${usize}` : produced} bytes, header says ${usize}`);
    d += usize;
    s = end;
  }
  return out;
}

async function decodeBlock(alg: string, block: Uint8Array, out: Uint8Array, at: number, usize: number): Promise<number> {
  switch (alg) {
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
