// Column storage for one generated chunk: a typed array per branch (jagged ones sized for the
// collection's maximum multiplicity), offsets per collection, handed out as a ColumnBatch.
import { dtypeArray, type Column, type ColumnBatch, type NumericArray } from '../columns.ts';
import type { BranchSpec } from '../root/write/index.ts';

export class Chunk {
  readonly capacity: number;
  private readonly schema: BranchSpec[];
  /** A plain object rather than a Map: property lookups with constant keys are inline-cached. */
  private readonly arrays: Record<string, NumericArray> = Object.create(null);
  private readonly offsets = new Map<string, Int32Array>();

  private readonly collectionOf: (s: BranchSpec) => string | undefined;

  /** `maxPerEvent[collection]` bounds a collection's size per event; a jagged branch belongs to
   *  the collection `collectionOf(spec)` names (default: its counter branch). */
  constructor(schema: BranchSpec[], capacity: number, maxPerEvent: Record<string, number>, collectionOf: (s: BranchSpec) => string | undefined = (s) => s.counter) {
    this.schema = schema;
    this.capacity = capacity;
    this.collectionOf = collectionOf;
    for (const s of schema) {
      const coll = collectionOf(s);
      const n = coll ? capacity * (maxPerEvent[coll] ?? fail(coll)) : capacity;
      this.arrays[s.name] = new dtypeArray[s.dtype](n);
      if (coll && !this.offsets.has(coll)) this.offsets.set(coll, new Int32Array(capacity + 1));
    }
  }

  f32(name: string): Float32Array { return this.get(name) as Float32Array; }
  f64(name: string): Float64Array { return this.get(name) as Float64Array; }
  i32(name: string): Int32Array { return this.get(name) as Int32Array; }
  u32(name: string): Uint32Array { return this.get(name) as Uint32Array; }
  u8(name: string): Uint8Array { return this.get(name) as Uint8Array; }
  u64(name: string): BigUint64Array { return this.get(name) as BigUint64Array; }
  /** Offsets of a collection: event i owns [off[i], off[i+1]). */
  off(collection: string): Int32Array {
    const o = this.offsets.get(collection);
    if (!o) throw new Error(`generator: no collection '${collection}'`);
    return o;
  }

  private get(name: string): NumericArray {
    const a = this.arrays[name];
    if (a === undefined) throw new Error(`generator: no branch '${name}' in the schema`);
    return a;
  }

  /** The first `entries` events as a batch of right-sized copies: batches stay valid while the
   *  chunk's (over-allocated) arrays are refilled for the next one. */
  batch(entries: number): ColumnBatch {
    const columns: Record<string, Column> = {};
    const sliced = new Map<string, Int32Array>(); // one offsets array per collection, shared by its branches
    for (const s of this.schema) {
      const a = this.arrays[s.name]!;
      const coll = this.collectionOf(s);
      if (coll) {
        let o = sliced.get(coll);
        if (!o) { o = this.offsets.get(coll)!.slice(0, entries + 1); sliced.set(coll, o); }
        columns[s.name] = { offsets: o, content: a.slice(0, o[entries]!) as NumericArray };
      } else columns[s.name] = a.slice(0, entries) as NumericArray;
    }
    return { entries, columns };
  }
}

function fail(collection: string): never {
  throw new Error(`generator: no maximum multiplicity for collection '${collection}'`);
}

/** Rounds float32 values to `bits` mantissa bits in place, as NanoAOD stores most object floats
 *  (its `precision` setting): realistic values and realistic compression ratios. */
export function truncateMantissa(a: Float32Array, bits: number): void {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const shift = 23 - bits;
  const half = 1 << (shift - 1), mask = ~((1 << shift) - 1);
  for (let i = 0; i < u.length; i++) {
    const x = u[i]!;
    if ((x & 0x7f800000) === 0x7f800000) continue; // inf/nan unchanged
    u[i] = (x + half) & mask;
  }
}
