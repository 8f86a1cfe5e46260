// Basket payloads (big-endian) -> typed-array columns: a column's bytes are gathered basket by
// basket in a WebAssembly staging area (decompressed there directly where the layout allows),
// byte-swapped once and copied out into the column.
import { dtypeArray, type DType, type NumericArray, type Column } from '../../columns.ts';
import type { BasketData } from './basket.ts';
import type { BranchLayout } from './branch-layout.ts';
import { convertEntryOffsets, finishStaged, stagingArea } from '../bswap-wasm.ts';
import { swapInPlaceJs, WASM_MIN_BYTES } from './byte-swap.ts';

/** The entries [from, to) of one basket that a read needs. */
export interface BasketSlice {
  data: BasketData;
  from: number;
  to: number;
  /** names the basket in errors */
  where: string;
}

const size: Record<DType, number> = {
  bool: 1, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, float32: 4, float64: 8,
};

/** The same for entry offsets converted in WebAssembly (`convertEntryOffsets`). */
const OFFSETS_WASM_MIN = 64;

/** The big-endian bytes of one column, appended basket by basket in WebAssembly memory (baskets
 *  decompressed there stay in place, others are copied in), then byte-swapped there with SIMD
 *  and copied out once into an array of exactly the final size. One staging area per thread: a
 *  builder must be filled and finished without awaiting in between. */
class Staging {
  bytes = stagingArea(0);
  pos = 0;

  /** Room for n more bytes at `pos`; `bytes` may be a new view afterwards. */
  reserve(n: number): Uint8Array {
    const need = this.pos + n;
    if (need > this.bytes.length) this.bytes = stagingArea(Math.max(need, 2 * this.bytes.length, 1 << 16));
    return this.bytes;
  }

  /** Appends src[a, b). When src is the view `stage` handed out, the bytes are already in place
   *  (moved down only when a > 0): the basket was decompressed straight into the column. */
  append(src: Uint8Array, a: number, b: number): void {
    if (src.buffer === this.bytes.buffer && src.byteOffset === this.pos) {
      if (a > 0) this.bytes.copyWithin(this.pos, this.pos + a, this.pos + b);
    } else {
      this.reserve(b - a).set(src.subarray(a, b), this.pos);
    }
    this.pos += b - a;
  }

  /** n bytes at `pos` to decompress a basket into. Reserved with as much again past them: an
   *  LZ4 basket's compressed bytes are copied there to be decoded in place (lz4DecodeStaged). */
  stage(n: number): Uint8Array {
    return this.reserve(2 * n + 256).subarray(this.pos, this.pos + n);
  }

  /** The staged bytes as a native-order array of `diskType`, converted to `dtype` if they differ. */
  finish(diskType: DType, dtype: DType): NumericArray {
    const width = size[diskType];
    if (this.pos % width !== 0) throw new Error(`staged ${this.pos} bytes for ${width}-byte values`);
    const raw = uninitialized(diskType, this.pos / width);
    const out = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    if (width === 1) out.set(this.bytes.subarray(0, this.pos));
    else if (this.pos >= WASM_MIN_BYTES) finishStaged(width as 2 | 4 | 8, out);
    else { out.set(this.bytes.subarray(0, this.pos)); swapInPlaceJs(raw); }
    if (diskType === dtype) return raw;
    const converted = new dtypeArray[dtype](raw.length) as Float64Array;
    converted.set(raw as Float32Array);
    return converted;
  }
}

/** A new array of n values whose every byte the caller overwrites: large ones skip the zero
 *  fill (Buffer.allocUnsafe; at or above Buffer.poolSize it has an ArrayBuffer of its own). */
function uninitialized(dtype: DType, n: number): NumericArray {
  const bytes = n * size[dtype];
  if (bytes < Buffer.poolSize) return new dtypeArray[dtype](n);
  const buf = Buffer.allocUnsafe(bytes);
  const View = dtypeArray[dtype] as unknown as new (b: ArrayBuffer, offset: number, length: number) => NumericArray;
  return new View(buf.buffer as ArrayBuffer, buf.byteOffset, n);
}

/** Every entry asked for must have come from a basket (the reader checks the baskets cover the
 *  range; this guards the builder's own bookkeeping). */
function checkFilled(e: number, offsets: Int32Array): void {
  if (e !== offsets.length - 1) throw new Error(`baskets gave ${e} of the ${offsets.length - 1} entries asked for`);
}

/** Builds one column from the slices of its baskets, added in entry order. */
export interface ColumnBuilder {
  /** Copies the slice's entries; the basket's buffers may be reused as soon as this returns.
   *  Throws an Error naming the basket when its payload does not hold its entries. */
  add(s: BasketSlice): void;
  finish(): Column;
  /** For layouts whose entries lie back to back in a basket: `n` bytes at the end of the staged
   *  column to decompress the next basket into, so that `add` keeps its entries where they are
   *  instead of copying them. The view is valid until the next call on this builder. */
  stageBasket?(n: number): Uint8Array;
  /** Whether `add` accepts baskets with `storedOffsets` instead of decoded `offsets`. */
  readonly takesStoredOffsets?: boolean;
}

export function columnBuilder(layout: BranchLayout, dtype: DType, entries: number): ColumnBuilder {
  if (layout.kind === 'fixed') return new FixedBuilder(layout, dtype);
  if (layout.kind === 'jagged2') return new NestedBuilder(layout, dtype, entries);
  return new JaggedBuilder(layout, dtype, entries);
}

class FixedBuilder implements ColumnBuilder {
  private readonly staging = new Staging();
  private readonly layout: BranchLayout;
  private readonly dtype: DType;
  private readonly entrySize: number;

  constructor(layout: BranchLayout, dtype: DType) {
    this.layout = layout;
    this.dtype = dtype;
    this.entrySize = size[layout.diskType] * layout.itemsPerEntry;
  }

  add(s: BasketSlice): void {
    const a = s.from * this.entrySize, b = s.to * this.entrySize;
    if (b > s.data.payload.length) {
      throw new Error(`${s.where}: payload has ${s.data.payload.length} bytes, ${s.data.entries} entries of ${this.entrySize} bytes need ${s.data.entries * this.entrySize}`);
    }
    this.staging.append(s.data.payload, a, b);
  }

  stageBasket(n: number): Uint8Array {
    return this.staging.stage(n);
  }

  finish(): Column {
    return this.staging.finish(this.layout.diskType, this.dtype);
  }
}

function needOffsets(s: BasketSlice): Int32Array {
  if (!s.data.offsets) throw new Error(`${s.where}: basket has no entry offsets for a variable-size branch`);
  return s.data.offsets;
}

class JaggedBuilder implements ColumnBuilder {
  private readonly staging = new Staging();
  private readonly layout: BranchLayout;
  private readonly dtype: DType;
  private readonly offsets: Int32Array;
  private e = 0;

  constructor(layout: BranchLayout, dtype: DType, entries: number) {
    this.layout = layout;
    this.dtype = dtype;
    this.offsets = new Int32Array(entries + 1);
    this.takesStoredOffsets = layout.headerBytes === 0;
    if (layout.headerBytes === 0) this.stageBasket = (n) => this.staging.stage(n);
  }

  stageBasket?: (n: number) => Uint8Array;

  /** With entries back to back (no per-entry header), the basket's stored offsets can be
   *  decoded in the same pass that writes the column's (see `addStored`). */
  readonly takesStoredOffsets: boolean;

  add(s: BasketSlice): void {
    if (s.data.storedOffsets) return this.addStored(s, s.data.storedOffsets.view, s.data.storedOffsets.keylen);
    const width = size[this.layout.diskType];
    const head = this.layout.headerBytes;
    const off = needOffsets(s);
    const payload = s.data.payload;
    if (off[s.to]! > payload.length) throw new Error(`${s.where}: entry offsets point past the ${payload.length}-byte payload`);
    const n = off[s.to]! - off[s.from]! - head * (s.to - s.from);
    if (n < 0 || n % width !== 0) throw new Error(`${s.where}: entries of ${n} bytes are not a whole number of ${width}-byte values`);
    if (s.to - s.from > this.offsets.length - 1 - this.e) throw new Error(`${s.where}: more entries than the read asked for`);
    const offsets = this.offsets;
    const st = this.staging;
    let e = this.e;
    if (head === 0) {
      const base = off[s.from]!;
      const delta = st.pos - base;
      const shift = 31 - Math.clz32(width); // widths are powers of two
      for (let i = s.from + 1; i <= s.to; i++) offsets[++e] = (off[i]! + delta) >> shift;
      st.append(payload, base, off[s.to]!);
    } else {
      const bytes = st.reserve(n);
      let pos = st.pos;
      const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
      for (let i = s.from; i < s.to; i++) {
        const a = off[i]! + head, b = off[i + 1]!;
        if (head === 10 && b - a !== view.getInt32(a - 4) * width) {
          throw new Error(`${s.where}: entry ${i} holds ${b - a} bytes but its vector header says ${view.getInt32(a - 4)} values`);
        }
        if (b - a < 16) for (let k = a; k < b; k++) bytes[pos++] = payload[k]!;
        else { bytes.set(payload.subarray(a, b), pos); pos += b - a; }
        offsets[++e] = pos / width;
      }
      st.pos = pos;
    }
    this.e = e;
  }

  /** One pass over the big-endian entry starts (counted from fKeylen) of entries [from, to]:
   *  checked to rise within the payload and turned into the column's value offsets. */
  private addStored(s: BasketSlice, view: DataView, keylen: number): void {
    if (this.layout.headerBytes !== 0) throw new Error(`${s.where}: stored entry offsets given for entries with headers`);
    const width = size[this.layout.diskType];
    const shift = 31 - Math.clz32(width); // widths are powers of two
    const payloadLength = s.data.payload.length;
    const nev = s.data.entries;
    const { from, to } = s;
    if (to - from > this.offsets.length - 1 - this.e) throw new Error(`${s.where}: more entries than the read asked for`);
    const base = from === nev ? payloadLength : view.getInt32(4 * from) - keylen;
    const end = to === nev ? payloadLength : view.getInt32(4 * to) - keylen;
    if (base < 0 || end > payloadLength || end < base) throw new Error(`${s.where}: entry offsets out of the ${payloadLength}-byte payload (entries ${from}..${to}: ${base}..${end})`);
    if ((end - base) % width !== 0) throw new Error(`${s.where}: entries of ${end - base} bytes are not a whole number of ${width}-byte values`);
    const offsets = this.offsets;
    const delta = this.staging.pos - base;
    let e = this.e;
    let prev = base;
    const inner = to - from - 1; // entries whose start is neither base nor end
    if (inner >= OFFSETS_WASM_MIN) {
      prev = view.getInt32(4 * (to - 1)) - keylen; // before the conversion, which may work in place
      const src = new Uint8Array(view.buffer, view.byteOffset + 4 * (from + 1), 4 * inner);
      const bad = convertEntryOffsets(src, base + keylen, delta - keylen, shift, offsets, e + 1);
      if (bad >= 0) throw new Error(`${s.where}: entry offsets decrease at entry ${from + 1 + bad}`);
      e += inner;
    } else {
      for (let i = from + 1; i < to; i++) {
        const v = view.getInt32(4 * i) - keylen;
        if (v < prev) throw new Error(`${s.where}: entry offsets decrease at entry ${i}`);
        offsets[++e] = (v + delta) >> shift;
        prev = v;
      }
    }
    if (to > from) {
      if (end < prev) throw new Error(`${s.where}: entry offsets point past the ${payloadLength}-byte payload`);
      offsets[++e] = (end + delta) >> shift;
    }
    this.e = e;
    this.staging.append(s.data.payload, base, end);
  }

  finish(): Column {
    checkFilled(this.e, this.offsets);
    return { offsets: this.offsets, content: this.staging.finish(this.layout.diskType, this.dtype) };
  }
}

/** vector<vector<T>>: per entry a 6-byte object header, the outer size, then (size, values) for
 *  each inner vector. Returned flattened per entry (the inner boundaries are not kept). */
class NestedBuilder implements ColumnBuilder {
  private readonly staging = new Staging();
  private readonly layout: BranchLayout;
  private readonly dtype: DType;
  private readonly offsets: Int32Array;
  private e = 0;
  private total = 0;

  constructor(layout: BranchLayout, dtype: DType, entries: number) {
    this.layout = layout;
    this.dtype = dtype;
    this.offsets = new Int32Array(entries + 1);
  }

  add(s: BasketSlice): void {
    const width = size[this.layout.diskType];
    const off = needOffsets(s);
    const payload = s.data.payload;
    if (s.to - s.from > this.offsets.length - 1 - this.e) throw new Error(`${s.where}: more entries than the read asked for`);
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    for (let i = s.from; i < s.to; i++) {
      const end = off[i + 1]!;
      let p = off[i]! + 6;
      if (end > payload.length || p + 4 > end) throw new Error(`${s.where}: entry ${i} ends inside its nested vector`);
      const outer = view.getInt32(p); p += 4;
      for (let j = 0; j < outer; j++) {
        if (p + 4 > end) throw new Error(`${s.where}: entry ${i} ends inside its nested vector`);
        const m = view.getInt32(p); p += 4;
        if (m < 0 || p + m * width > end) throw new Error(`${s.where}: entry ${i} ends inside its nested vector`);
        this.staging.append(payload, p, p + m * width);
        this.total += m;
        p += m * width;
      }
      if (p !== end) throw new Error(`${s.where}: entry ${i} has ${end - p} bytes after its nested vector`);
      this.offsets[++this.e] = this.total;
    }
  }

  finish(): Column {
    checkFilled(this.e, this.offsets);
    return { offsets: this.offsets, content: this.staging.finish(this.layout.diskType, this.dtype) };
  }
}
