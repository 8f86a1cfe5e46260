// ROOT compression framing: a compressed object is a sequence of blocks, each with a 9-byte header
// (2-char algorithm, method byte, 3-byte little-endian compressed and uncompressed sizes).
import zlib from 'node:zlib';
import { lz4DecodeRoot } from './lz4.ts';
import { decompressBlockInto } from './native-inflate.ts';

const HEADER = 9;

/** Where decompressed bytes go: `alloc(n)` gives a buffer of n bytes (default: a new one). */
export type Allocate = (n: number) => Uint8Array;

const newBuffer: Allocate = (n) => new Uint8Array(n);

interface Block { alg: string; data: Uint8Array; usize: number }

/** The blocks of a compressed object, with their framing checked against the expected size. */
function splitBlocks(src: Uint8Array, uncompressedSize: number, where: string): Block[] {
  const blocks: Block[] = [];
  let s = 0;
  let d = 0;
  while (d < uncompressedSize) {
    if (s + HEADER > src.length) throw new Error(`${where}: compressed data ends after ${d} of ${uncompressedSize} bytes`);
    const csize = src[s + 3]! | (src[s + 4]! << 8) | (src[s + 5]! << 16);
    const usize = src[s + 6]! | (src[s + 7]! << 8) | (src[s + 8]! << 16);
    const start = s + HEADER;
    const end = start + csize;
    if (end > src.length) throw new Error(`${where}: compressed block of ${csize} bytes exceeds the ${src.length}-byte buffer`);
    if (d + usize > uncompressedSize) throw new Error(`${where}: compressed blocks decode to more than ${uncompressedSize} bytes`);
    blocks.push({ alg: String.fromCharCode(src[s]!, src[s + 1]!), data: src.subarray(start, end), usize });
    d += usize;
    s = end;
  }
  return blocks;
}

/** Decompresses a ROOT-compressed buffer of known uncompressed size. `where` names the object
 *  (file, tree, branch, basket) in error messages; errors are plain Errors the caller wraps.
 *  The result is a view of `uncompressedSize` bytes on a buffer from `alloc(uncompressedSize + 1)`:
 *  ZLIB and ZSTD blocks decode straight into it, the spare byte catching oversized output. */
export async function decompressRoot(src: Uint8Array, uncompressedSize: number, where: string, alloc: Allocate = newBuffer): Promise<Uint8Array> {
  const blocks = splitBlocks(src, uncompressedSize, where);
  // LZMA is the one asynchronous decoder: its blocks are decoded first, then copied in order
  const xz = new Map<Block, Uint8Array>();
  for (const b of blocks) {
    if (b.alg !== 'XZ') continue;
    try {
      xz.set(b, await xzDecompress(b.data));
    } catch (err) {
      throw new Error(`${where}: XZ decompression failed: ${(err as Error).message}`, { cause: err });
    }
  }
  return decodeBlocks(blocks, uncompressedSize, where, alloc, xz);
}

/** `decompressRoot` without awaiting: for every algorithm but LZMA (see `needsAsyncDecompression`). */
export function decompressRootSync(src: Uint8Array, uncompressedSize: number, where: string, alloc: Allocate = newBuffer): Uint8Array {
  return decodeBlocks(splitBlocks(src, uncompressedSize, where), uncompressedSize, where, alloc, new Map());
}

/** Whether a compressed object holds an LZMA block (decoded asynchronously). */
export function needsAsyncDecompression(src: Uint8Array): boolean {
  for (let s = 0; s + HEADER <= src.length; s += HEADER + (src[s + 3]! | (src[s + 4]! << 8) | (src[s + 5]! << 16))) {
    if (src[s] === 0x58 && src[s + 1] === 0x5a) return true; // 'XZ'
  }
  return false;
}

function decodeBlocks(blocks: Block[], uncompressedSize: number, where: string, alloc: Allocate, xz: Map<Block, Uint8Array>): Uint8Array {
  const buf = alloc(uncompressedSize + 1);
  const out = buf.subarray(0, uncompressedSize);
  let d = 0;
  for (const b of blocks) {
    const { alg, data, usize } = b;
    let produced: number;
    try {
      // one spare byte past the block's size (the next block's first, or buf's last) reveals
      // a block that decodes to more than its header says
      if (alg === 'ZL' || alg === 'ZS') produced = decompressBlockInto(alg, data, buf.subarray(d, d + usize + 1));
      else if (alg === 'XZ') {
        const x = xz.get(b);
        if (!x) throw new Error('LZMA blocks need the asynchronous decompressRoot');
        produced = copyInto(x, out, d);
      } else produced = decodeBlock(alg, data, out, d, usize);
    } catch (err) {
      throw new Error(`${where}: ${alg} decompression failed: ${(err as Error).message}`, { cause: err });
    }
    if (produced !== usize) throw new Error(`${where}: ${alg} block decoded to ${produced > usize ? `more than ${usize}` : produced} bytes, header says ${usize}`);
    d += usize;
  }
  return out;
}

function decodeBlock(alg: string, block: Uint8Array, out: Uint8Array, at: number, usize: number): number {
  switch (alg) {
    case 'L4': {
      if (block.length < 8) throw new Error('block shorter than its checksum');
      const expected = new DataView(block.buffer, block.byteOffset, 8).getBigUint64(0, false);
      return lz4DecodeRoot(block.subarray(8), expected, out.subarray(at, at + usize));
    }
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
