// RNTuple column pages -> typed arrays. Pages are little-endian; "split" encodings store byte 0 of
// every element, then byte 1, ...; split signed integers are zigzag-encoded and split index
// columns delta-encoded (per page). Column type codes follow ROOT's ENTupleColumnType.
import type { NumericArray } from '../../columns.ts';

export const K_BIT = 0x00, K_BYTE = 0x01, K_CHAR = 0x02, K_INT8 = 0x03, K_UINT8 = 0x04, K_INT16 = 0x05,
  K_UINT16 = 0x06, K_INT32 = 0x07, K_UINT32 = 0x08, K_INT64 = 0x09, K_UINT64 = 0x0a, K_REAL32 = 0x0c,
  K_REAL64 = 0x0d, K_INDEX32 = 0x0e, K_INDEX64 = 0x0f, K_SPLIT_INT16 = 0x11, K_SPLIT_UINT16 = 0x12,
  K_SPLIT_INT32 = 0x13, K_SPLIT_UINT32 = 0x14, K_SPLIT_INT64 = 0x15, K_SPLIT_UINT64 = 0x16,
  K_SPLIT_REAL32 = 0x18, K_SPLIT_REAL64 = 0x19, K_SPLIT_INDEX32 = 0x1a, K_SPLIT_INDEX64 = 0x1b;

type ArrayCtor = new (buffer: ArrayBuffer) => NumericArray;

/** Element array type and whether the encoding is split / zigzag / delta, per column type. */
const kinds: Record<number, { ctor: ArrayCtor; width: number; split: boolean; zigzag?: boolean; delta?: boolean }> = {
  [K_BYTE]: { ctor: Uint8Array, width: 1, split: false }, [K_CHAR]: { ctor: Int8Array, width: 1, split: false },
  [K_INT8]: { ctor: Int8Array, width: 1, split: false }, [K_UINT8]: { ctor: Uint8Array, width: 1, split: false },
  [K_INT16]: { ctor: Int16Array, width: 2, split: false }, [K_UINT16]: { ctor: Uint16Array, width: 2, split: false },
  [K_INT32]: { ctor: Int32Array, width: 4, split: false }, [K_UINT32]: { ctor: Uint32Array, width: 4, split: false },
  [K_INT64]: { ctor: BigInt64Array, width: 8, split: false }, [K_UINT64]: { ctor: BigUint64Array, width: 8, split: false },
  [K_REAL32]: { ctor: Float32Array, width: 4, split: false }, [K_REAL64]: { ctor: Float64Array, width: 8, split: false },
  [K_INDEX32]: { ctor: Int32Array, width: 4, split: false }, [K_INDEX64]: { ctor: BigInt64Array, width: 8, split: false },
  [K_SPLIT_INT16]: { ctor: Int16Array, width: 2, split: true, zigzag: true }, [K_SPLIT_UINT16]: { ctor: Uint16Array, width: 2, split: true },
  [K_SPLIT_INT32]: { ctor: Int32Array, width: 4, split: true, zigzag: true }, [K_SPLIT_UINT32]: { ctor: Uint32Array, width: 4, split: true },
  [K_SPLIT_INT64]: { ctor: BigInt64Array, width: 8, split: true, zigzag: true }, [K_SPLIT_UINT64]: { ctor: BigUint64Array, width: 8, split: true },
  [K_SPLIT_REAL32]: { ctor: Float32Array, width: 4, split: true }, [K_SPLIT_REAL64]: { ctor: Float64Array, width: 8, split: true },
  [K_SPLIT_INDEX32]: { ctor: Int32Array, width: 4, split: true, delta: true }, [K_SPLIT_INDEX64]: { ctor: BigInt64Array, width: 8, split: true, delta: true },
};

export function columnTypeSupported(coltype: number): boolean {
  return coltype === K_BIT || coltype in kinds;
}

/** Bytes a page of n elements occupies uncompressed. */
export function pageBytes(coltype: number, n: number): number {
  return coltype === K_BIT ? Math.ceil(n / 8) : n * kinds[coltype]!.width;
}

/** Decodes one page of n elements. Bits come back as a Uint8Array of 0/1; index columns as
 *  per-cluster cumulative entry ends. */
export function decodePage(coltype: number, bytes: Uint8Array, n: number): NumericArray {
  if (coltype === K_BIT) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = (bytes[i >>> 3]! >>> (i & 7)) & 1;
    return out;
  }
  const k = kinds[coltype];
  if (!k) throw new Error(`column type 0x${coltype.toString(16)} is not supported`);
  const raw = new Uint8Array(n * k.width);
  if (k.split && k.width > 1) {
    for (let b = 0; b < k.width; b++) {
      const base = b * n;
      for (let i = 0, o = b; i < n; i++, o += k.width) raw[o] = bytes[base + i]!;
    }
  } else raw.set(bytes.subarray(0, n * k.width));
  const out = new k.ctor(raw.buffer);
  if (k.zigzag) {
    if (out instanceof BigInt64Array) {
      for (let i = 0; i < n; i++) { const x = BigInt.asUintN(64, out[i]!); out[i] = (x >> 1n) ^ -(x & 1n); }
    } else {
      const a = out as Int32Array | Int16Array;
      for (let i = 0; i < n; i++) { const x = k.width === 2 ? a[i]! & 0xffff : a[i]! >>> 0; a[i] = (x >>> 1) ^ -(x & 1); }
    }
  }
  if (k.delta) {
    if (out instanceof BigInt64Array) { for (let i = 1; i < n; i++) out[i] = out[i]! + out[i - 1]!; }
    else { const a = out as Int32Array; for (let i = 1; i < n; i++) a[i] = a[i]! + a[i - 1]!; }
  }
  return out;
}
