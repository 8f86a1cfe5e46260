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

/** A fixed-size array column (`float cov[2][3]`): event i owns content[i*n .. (i+1)*n) with
 *  n = product(shape); content.length === entries * n. */
export interface FixedSize<A extends NumericArray = NumericArray> {
  readonly shape: readonly number[];
  readonly content: A;
}

/** A column as the ROOT reader and writer handle it: flat (one value per entry; bool as Uint8Array)
 *  or jagged. The reader returns a fixed-size branch flat, entries * n values long, with its shape
 *  in its BranchInfo; the skim turns it into a FixedSize column (`shapeColumns`). */
export type Column = NumericArray | Jagged;

/** The column contract of event batches (skim output and everything after it: select, fill,
 *  Events, the cache codec): flat, jagged or fixed-size, the shape always explicit. A flat typed
 *  array holds exactly one value per entry. */
export type EventColumn = Column | FixedSize;

/** A set of equally long columns as the reader returns them. */
export interface ColumnBatch {
  readonly entries: number;
  readonly columns: Record<string, Column>;
}

/** A set of equally long event columns: one chunk of events. */
export interface EventColumnBatch {
  readonly entries: number;
  readonly columns: Record<string, EventColumn>;
}

export function isJagged(c: EventColumn): c is Jagged {
  return !ArrayBuffer.isView(c) && 'offsets' in c;
}

export function isFixedSize(c: EventColumn): c is FixedSize {
  return !ArrayBuffer.isView(c) && 'shape' in c;
}

/** Values per entry of a fixed-size shape (product of its dimensions). */
export function itemsPerEntry(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Number of entries a column holds. */
export function columnEntries(c: EventColumn): number {
  if (ArrayBuffer.isView(c)) return c.length;
  if (isJagged(c)) return c.offsets.length - 1;
  const n = itemsPerEntry(c.shape);
  return n === 0 ? 0 : c.content.length / n;
}

/** Give the reader's flat fixed-size columns their shape (from the branches' `shape`); the others
 *  pass unchanged. */
export function shapeColumns(b: ColumnBatch, shapes: ReadonlyMap<string, readonly number[]>): EventColumnBatch {
  if (shapes.size === 0) return b;
  const columns: Record<string, EventColumn> = {};
  for (const [name, c] of Object.entries(b.columns)) {
    const shape = shapes.get(name);
    if (!shape || isJagged(c)) columns[name] = c;
    else if (c.length !== b.entries * itemsPerEntry(shape)) throw new RangeError(`column '${name}': ${c.length} values for ${b.entries} entries of shape [${shape.join(', ')}]`);
    else columns[name] = { shape, content: c };
  }
  return { entries: b.entries, columns };
}

export const dtypeArray: Record<DType, { new (n: number): NumericArray; BYTES_PER_ELEMENT: number }> = {
  bool: Uint8Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
  int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  float32: Float32Array, float64: Float64Array,
};
