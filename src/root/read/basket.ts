// One basket's bytes -> its payload and entry offsets. Baskets on disk start with a TKey header
// whose fKeylen covers the TBasket fields; the payload may be compressed; variable-size entries
// are located by the entry-offset array ROOT appends after the payload.
import { decompressRoot, decompressRootSync, needsAsyncDecompression, type Allocate } from '../decompress.ts';
import { swapInPlace } from './byte-swap.ts';

export interface BasketData {
  /** The entries' bytes, position 0 = first entry. */
  payload: Uint8Array;
  /** Start of each entry in payload plus the payload length (nevbuf + 1 values), or null when
   *  the branch has fixed-size entries. */
  offsets: Int32Array | null;
  entries: number;
  /** The decompressed basket's buffer when it came from the caller's `alloc`: payload and
   *  offsets are views on it, so it may be reused only once they are no longer needed. */
  buffer?: Uint8Array;
  /** Instead of `offsets` (then null), when the caller asked for them as stored: the entries'
   *  start positions, big-endian and counted from the key's start (fKeylen), nevbuf values. */
  storedOffsets?: { view: DataView; keylen: number };
}

/** How entry offsets come back: none (fixed-size entries), decoded into `offsets`, or as stored
 *  (`storedOffsets`) for a caller that decodes them in its own pass. */
export type OffsetsMode = 'none' | 'decoded' | 'stored';

export interface BasketKey {
  nbytes: number;
  objlen: number;
  keylen: number;
  nevbuf: number;
  last: number;
}

/** Parses the TKey + TBasket header at the start of a basket; throws an Error describing the
 *  inconsistency when the bytes are not a basket. */
export function parseBasketKey(raw: Uint8Array): BasketKey {
  if (raw.length < 32) throw new Error(`basket record of ${raw.length} bytes is too short`);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const nbytes = v.getInt32(0);
  const version = v.getInt16(4);
  const objlen = v.getInt32(6);
  const keylen = v.getInt16(14);
  let p = 18 + (version > 1000 ? 16 : 8);
  for (let s = 0; s < 3; s++) { // class name, name, title
    if (p >= raw.length) throw new Error('basket key header runs past the record');
    const n = raw[p]!;
    p += n === 255 ? 5 + v.getInt32(p + 1) : 1 + n;
  }
  if (p + 19 > raw.length) throw new Error('basket key header runs past the record');
  p += 2 + 4; // TBasket version, fBufferSize
  const nevBufSize = v.getInt32(p); p += 4;
  if (nevBufSize < 0) p += 1; // fIOBits
  const nevbuf = v.getInt32(p); p += 4;
  const last = v.getInt32(p); p += 4;
  p += 1; // flag
  if (p !== keylen || nbytes !== raw.length || objlen < 0 || last < keylen || last - keylen > objlen || nevbuf < 0) {
    throw new Error(`inconsistent basket header (fNbytes ${nbytes} for a ${raw.length}-byte record, fKeylen ${keylen} vs ${p}, fObjlen ${objlen}, fLast ${last}, fNevBuf ${nevbuf})`);
  }
  return { nbytes, objlen, keylen, nevbuf, last };
}

function diskKey(raw: Uint8Array, where: string): BasketKey {
  try {
    return parseBasketKey(raw);
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
}

/** Decodes a basket read from disk. `where` names it for errors; a compressed basket is
 *  decompressed into a buffer from `alloc` (default: a new one). */
export async function decodeDiskBasket(raw: Uint8Array, offsetsMode: OffsetsMode, where: string, alloc?: Allocate): Promise<BasketData> {
  const key = diskKey(raw, where);
  const stored = raw.subarray(key.keylen);
  const compressed = stored.length !== key.objlen;
  const data = compressed ? await decompressRoot(stored, key.objlen, where, alloc) : stored;
  return basketData(key, data, compressed && alloc !== undefined, offsetsMode, where);
}

/** `decodeDiskBasket` without awaiting, for baskets where `diskBasketNeedsAwait` is false. */
export function decodeDiskBasketSync(raw: Uint8Array, offsetsMode: OffsetsMode, where: string, alloc?: Allocate): BasketData {
  const key = diskKey(raw, where);
  const stored = raw.subarray(key.keylen);
  const compressed = stored.length !== key.objlen;
  const data = compressed ? decompressRootSync(stored, key.objlen, where, alloc) : stored;
  return basketData(key, data, compressed && alloc !== undefined, offsetsMode, where);
}

/** Whether the basket is LZMA-compressed (decoded asynchronously). A malformed header says no:
 *  the synchronous decoder then reports it. */
export function diskBasketNeedsAwait(raw: Uint8Array): boolean {
  let key: BasketKey;
  try {
    key = parseBasketKey(raw);
  } catch {
    return false;
  }
  return raw.length - key.keylen !== key.objlen && needsAsyncDecompression(raw.subarray(key.keylen));
}

function basketData(key: BasketKey, data: Uint8Array, pooled: boolean, offsetsMode: OffsetsMode, where: string): BasketData {
  const payloadLength = key.last - key.keylen;
  const payload = data.subarray(0, payloadLength);
  const out: BasketData = { payload, offsets: null, entries: key.nevbuf };
  if (pooled) out.buffer = data;
  if (offsetsMode === 'none') return out;
  const stored = storedEntryOffsets(data, payloadLength, key.nevbuf, where);
  if (!stored) out.offsets = Int32Array.of(0, payloadLength);
  else if (offsetsMode === 'stored') out.storedOffsets = { view: new DataView(data.buffer, data.byteOffset + payloadLength + 4, 4 * key.nevbuf), keylen: key.keylen };
  else out.offsets = readEntryOffsets(data, payloadLength, key.keylen, key.nevbuf, where);
  return out;
}

/** Checks the entry-offset array after the payload; false when a basket of at most one entry
 *  was written without one. */
function storedEntryOffsets(data: Uint8Array, at: number, nevbuf: number, where: string): boolean {
  if (at + 4 > data.length) {
    if (nevbuf <= 1) return false;
    throw new Error(`${where}: entry offsets missing for ${nevbuf} entries`);
  }
  const n = (data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!;
  // ROOT writes fNevBuf offsets, or fNevBuf + 1 with the payload end last
  if ((n !== nevbuf && n !== nevbuf + 1) || at + 4 + 4 * n > data.length) throw new Error(`${where}: entry-offset array of ${n} for ${nevbuf} entries`);
  return true;
}

function readEntryOffsets(data: Uint8Array, at: number, keylen: number, nevbuf: number, where: string): Int32Array {
  // Decoded where they lie when aligned (the basket buffer is ours alone; nothing else reads its
  // offset bytes): no array per basket. The swap runs in WebAssembly (SIMD) for large baskets.
  const inPlace = (data.byteOffset + at + 4) % 4 === 0 && at + 8 + 4 * nevbuf <= data.length;
  const out = inPlace ? new Int32Array(data.buffer, data.byteOffset + at + 4, nevbuf + 1) : new Int32Array(nevbuf + 1);
  if (!inPlace) new Uint8Array(out.buffer, 0, 4 * nevbuf).set(data.subarray(at + 4, at + 4 + 4 * nevbuf));
  swapInPlace(out.subarray(0, nevbuf));
  let prev = 0;
  for (let i = 0; i < nevbuf; i++) {
    const v = out[i]! - keylen;
    if (v < prev) throw new Error(`${where}: entry offsets ${v < 0 ? 'negative' : 'decrease'} at entry ${i}`);
    out[i] = prev = v;
  }
  if (at < prev) throw new Error(`${where}: entry offsets point past the ${at}-byte payload`);
  out[nevbuf] = at;
  return out;
}

function checkOffsets(off: Int32Array, where: string): void {
  if (off[0]! < 0) throw new Error(`${where}: negative entry offset`);
  for (let i = 1; i < off.length; i++) {
    if (off[i]! < off[i - 1]!) throw new Error(`${where}: entry offsets decrease at entry ${i}`);
  }
}

/** A basket jsroot found stored inside the TTree metadata (written without a flush). */
export function decodeEmbeddedBasket(basket: any, hasEntryOffsets: boolean, where: string): BasketData {
  const view: DataView | undefined = basket.fBufferRef?.arr;
  const keylen: number = basket.fKeylen;
  const payloadLength = basket.fLast - keylen;
  const payload = view ? new Uint8Array(view.buffer, view.byteOffset, Math.min(view.byteLength, payloadLength)) : new Uint8Array(0);
  if (payload.length !== payloadLength) throw new Error(`${where}: in-memory basket holds ${payload.length} of ${payloadLength} bytes`);
  const nevbuf: number = basket.fNevBuf;
  let offsets: Int32Array | null = null;
  if (hasEntryOffsets) {
    const eo = basket.fEntryOffset as ArrayLike<number> | undefined;
    offsets = new Int32Array(nevbuf + 1);
    if (eo && eo.length >= nevbuf) {
      for (let i = 0; i < nevbuf; i++) offsets[i] = eo[i]! - keylen;
    } else if (nevbuf > 1) {
      throw new Error(`${where}: in-memory basket has no entry offsets for ${nevbuf} entries`);
    }
    offsets[nevbuf] = payloadLength;
    checkOffsets(offsets, where);
  }
  return { payload, offsets, entries: nevbuf };
}
