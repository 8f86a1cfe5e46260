// Basket payloads (big-endian) -> typed-array columns. Bytes are copied basket by basket into the
// output's own buffer and byte-swapped once in place, so the per-value work is one integer op.
import { dtypeArray, type DType, type NumericArray, type Column } from '../../columns.ts';
import type { BasketData } from './basket.ts';
import type { BranchLayout } from './branch-layout.ts';
import { bswapWasm, finishStaged, stagingArea } from '../bswap-wasm.ts';

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

/** Below this many bytes the JavaScript loop beats the WebAssembly call and copies. */
const WASM_MIN_BYTES = 2048;

/** Reverses the byte order of every element of a typed array, in place. */
export function swapInPlace(arr: NumericArray): void {
  const width = arr.BYTES_PER_ELEMENT;
  if (width === 1 || arr.length === 0) return;
  if (arr.byteLength >= WASM_MIN_BYTES) {
    bswapWasm(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), width as 2 | 4 | 8);
    return;
  }
  swapInPlaceJs(arr);
}

/** The plain JavaScript byte swap (small arrays; the reference for the SIMD version). */
export function swapInPlaceJs(arr: NumericArray): void {
  const width = arr.BYTES_PER_ELEMENT;
  if (width === 1 || arr.length === 0) return;
  if (width === 2) {
    const a = new Uint16Array(arr.buffer, arr.byteOffset, arr.length);
    for (let i = 0; i < a.length; i++) { const x = a[i]!; a[i] = (x >>> 8) | (x << 8); }
  } else if (width === 4) {
    const a = new Int32Array(arr.buffer, arr.byteOffset, arr.length);
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      a[i] = (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
    }
  } else {
    const a = new Int32Array(arr.buffer, arr.byteOffset, arr.length * 2);
    for (let i = 0; i < a.length; i += 2) {
      const lo = a[i]!, hi = a[i + 1]!;
      a[i] = (hi << 24) | ((hi & 0xff00) << 8) | ((hi >>> 8) & 0xff00) | (hi >>> 24);
      a[i + 1] = (lo << 24) | ((lo & 0xff00) << 8) | ((lo >>> 8) & 0xff00) | (lo >>> 24);
    }
  }
}

/** Where the big-endian bytes of `raw` are assembled: WebAssembly memory for large multi-byte
 *  columns (swapped there and copied out once), else raw's own bytes (swapped by a JS loop). */
function target(raw: NumericArray): { bytes: Uint8Array; staged: boolean } {
  const staged = raw.BYTES_PER_ELEMENT > 1 && raw.byteLength >= WASM_MIN_BYTES;
  return { bytes: staged ? stagingArea(raw.byteLength) : new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), staged };
}

function finish(raw: NumericArray, staged: boolean, diskType: DType, dtype: DType): NumericArray {
  if (staged) finishStaged(raw.BYTES_PER_ELEMENT as 2 | 4 | 8, new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
  else swapInPlaceJs(raw);
  if (diskType === dtype) return raw;
  const out = new dtypeArray[dtype](raw.length) as Float64Array;
  out.set(raw as Float32Array);
  return out;
}

/** Decodes `entries` entries spread over slices into a column. Throws an Error naming the basket
 *  when a payload is shorter than its entries need (corrupt or misdescribed). */
export function decodeColumn(layout: BranchLayout, dtype: DType, slices: BasketSlice[], entries: number): Column {
  if (layout.kind === 'fixed') return decodeFixed(layout, dtype, slices, entries);
  if (layout.kind === 'jagged2') return decodeNested(layout, dtype, slices, entries);
  return decodeJagged(layout, dtype, slices, entries);
}

function decodeFixed(layout: BranchLayout, dtype: DType, slices: BasketSlice[], entries: number): NumericArray {
  const width = size[layout.diskType];
  const entrySize = width * layout.itemsPerEntry;
  const raw = new dtypeArray[layout.diskType](entries * layout.itemsPerEntry);
  const { bytes, staged } = target(raw);
  let pos = 0;
  for (const s of slices) {
    const a = s.from * entrySize, b = s.to * entrySize;
    if (b > s.data.payload.length) {
      throw new Error(`${s.where}: payload has ${s.data.payload.length} bytes, ${s.data.entries} entries of ${entrySize} bytes need ${s.data.entries * entrySize}`);
    }
    bytes.set(s.data.payload.subarray(a, b), pos);
    pos += b - a;
  }
  return finish(raw, staged, layout.diskType, dtype);
}

function needOffsets(s: BasketSlice): Int32Array {
  if (!s.data.offsets) throw new Error(`${s.where}: basket has no entry offsets for a variable-size branch`);
  return s.data.offsets;
}

function decodeJagged(layout: BranchLayout, dtype: DType, slices: BasketSlice[], entries: number): Column {
  const width = size[layout.diskType];
  const head = layout.headerBytes;
  let total = 0;
  for (const s of slices) {
    const off = needOffsets(s);
    const n = off[s.to]! - off[s.from]! - head * (s.to - s.from);
    if (n < 0 || n % width !== 0) throw new Error(`${s.where}: entries of ${n} bytes are not a whole number of ${width}-byte values`);
    total += n / width;
  }
  const offsets = new Int32Array(entries + 1);
  const raw = new dtypeArray[layout.diskType](total);
  const { bytes, staged } = target(raw);
  let e = 0;
  let pos = 0; // bytes written
  for (const s of slices) {
    const off = s.data.offsets!;
    const payload = s.data.payload;
    if (off[s.to]! > payload.length) throw new Error(`${s.where}: entry offsets point past the ${payload.length}-byte payload`);
    if (head === 0) {
      const base = off[s.from]!;
      bytes.set(payload.subarray(base, off[s.to]!), pos);
      const delta = pos - base;
      const shift = 31 - Math.clz32(width); // widths are powers of two
      for (let i = s.from + 1; i <= s.to; i++) offsets[++e] = (off[i]! + delta) >> shift;
      pos += off[s.to]! - base;
    } else {
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
    }
  }
  const content = finish(raw, staged, layout.diskType, dtype);
  return { offsets, content };
}

/** vector<vector<T>>: per entry a 6-byte object header, the outer size, then (size, values) for
 *  each inner vector. Returned flattened per entry (the inner boundaries are not kept). */
function decodeNested(layout: BranchLayout, dtype: DType, slices: BasketSlice[], entries: number): Column {
  const width = size[layout.diskType];
  const parts: Array<{ s: BasketSlice; a: number; b: number }> = [];
  const offsets = new Int32Array(entries + 1);
  let total = 0;
  let e = 0;
  for (const s of slices) {
    const off = needOffsets(s);
    const payload = s.data.payload;
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    for (let i = s.from; i < s.to; i++) {
      const end = off[i + 1]!;
      let p = off[i]! + 6;
      const outer = view.getInt32(p); p += 4;
      for (let j = 0; j < outer; j++) {
        if (p + 4 > end) throw new Error(`${s.where}: entry ${i} ends inside its nested vector`);
        const m = view.getInt32(p); p += 4;
        if (m < 0 || p + m * width > end) throw new Error(`${s.where}: entry ${i} ends inside its nested vector`);
        parts.push({ s, a: p, b: p + m * width });
        total += m;
        p += m * width;
      }
      if (p !== end) throw new Error(`${s.where}: entry ${i} has ${end - p} bytes after its nested vector`);
      offsets[++e] = total;
    }
  }
  const raw = new dtypeArray[layout.diskType](total);
  const { bytes, staged } = target(raw);
  let pos = 0;
  for (const { s, a, b } of parts) { bytes.set(s.data.payload.subarray(a, b), pos); pos += b - a; }
  return { offsets, content: finish(raw, staged, layout.diskType, dtype) };
}
