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

  /** `maxPerEvent[counter]` bounds a collection's size per event. */
  constructor(schema: BranchSpec[], capacity: number, maxPerEvent: Record<string, number>) {
    this.schema = schema;
    this.capacity = capacity;
    for (const s of schema) {
      const n = s.counter ? capacity * (maxPerEvent[s.counter] ?? fail(s.counter)) : capacity;
      this.arrays[s.name] = new dtypeArray[s.dtype](n);
      if (s.counter && !this.offsets.has(s.counter)) this.offsets.set(s.counter, new Int32Array(capacity + 1));
    }
  }

  f32(name: string): Float32Array { return this.get(name) as Float32Array; }
  f64(name: string): Float64Array { return this.get(name) as Float64Array; }
  i32(name: string): Int32Array { return this.get(name) as Int32Array; }
  u32(name: string): Uint32Array { return this.get(name) as Uint32Array; }
  u8(name: string): Uint8Array { return this.get(name) as Uint8Array; }
  u64(name: string): BigUint64Array { return this.get(name) as BigUint64Array; }
  /** Offsets of a collection (by counter name): event i owns [off[i], off[i+1]). */
  off(counter: string): Int32Array {
    const o = this.offsets.get(counter);
    if (!o) throw new Error(`generator: no collection counted by '${counter}'`);
    return o;
  }

  private get(name: string): NumericArray {
    const a = this.arrays[name];
    if (a === undefined) throw new Error(`generator: no branch '${name}' in the schema`);
    return a;
  }

  /** The first `entries` events as a batch (views, valid until the chunk is refilled). */
  batch(entries: number): ColumnBatch {
    const columns: Record<string, Column> = {};
    for (const s of this.schema) {
      const a = this.arrays[s.name]!;
      if (s.counter) {
        const o = this.offsets.get(s.counter)!.subarray(0, entries + 1);
        columns[s.name] = { offsets: o, content: a.subarray(0, o[entries]!) as NumericArray };
      } else columns[s.name] = a.subarray(0, entries) as NumericArray;
    }
    return { entries, columns };
  }
}

function fail(counter: string): never {
  throw new Error(`generator: no maximum multiplicity for collection '${counter}'`);
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
