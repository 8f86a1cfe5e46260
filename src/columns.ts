// The columnar data contract shared by the ROOT reader, the skim cache (Arrow IPC), the selection
// kernels and the workers: plain typed arrays, never an object per event.

/** numpy-style names of the value types a branch or column can hold. */
export type DType =
  | 'bool' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'float32' | 'float64';

export type NumericArray =
  | Float32Array | Float64Array
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;

/** A variable-length (jagged) column: event i owns content[offsets[i] .. offsets[i+1]).
 *  offsets.length === entries + 1 and offsets[0] === 0. */
export interface Jagged<A extends NumericArray = NumericArray> {
  readonly offsets: Int32Array;
  readonly content: A;
}

/** A column: flat (one value per entry; bool as Uint8Array) or jagged. Fixed-size arrays are flat
 *  with `shape` carried in the column's metadata (content length = entries * product(shape)). */
export type Column = NumericArray | Jagged;

/** A set of equally long columns: one chunk of events. */
export interface ColumnBatch {
  readonly entries: number;
  readonly columns: Record<string, Column>;
}

export function isJagged(c: Column): c is Jagged {
  return !ArrayBuffer.isView(c);
}

export const dtypeArray: Record<DType, { new (n: number): NumericArray; BYTES_PER_ELEMENT: number }> = {
  bool: Uint8Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
  int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  float32: Float32Array, float64: Float64Array,
};
