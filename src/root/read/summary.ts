// Per-branch statistics printed by `flow root dump` (the DESIGN section 6 contract): count, sum in
// float64, min, max (null when any value is NaN), the first five flattened values. Accumulated
// chunk by chunk so a dump never holds a whole tree.
import { isJagged, type Column, type NumericArray } from '../../columns.ts';

export interface ColumnSummary {
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  first: number[];
}

export class SummaryAccumulator {
  private count = 0;
  private sum = 0;
  private sumBig = 0n;
  private min = Infinity;
  private max = -Infinity;
  private minBig: bigint | undefined;
  private maxBig: bigint | undefined;
  private nan = false;
  private readonly first: number[] = [];

  add(c: Column): void {
    const v: NumericArray = isJagged(c) ? c.content : c;
    const n = v.length;
    for (let i = 0; i < n && this.first.length < 5; i++) this.first.push(Number(v[i]!));
    this.count += n;
    if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
      let sum = 0n;
      for (let i = 0; i < n; i++) {
        const x = v[i]!;
        sum += x;
        if (this.minBig === undefined || x < this.minBig) this.minBig = x;
        if (this.maxBig === undefined || x > this.maxBig) this.maxBig = x;
      }
      this.sumBig += sum;
      return;
    }
    const a = v as Float64Array; // every other typed array reads as numbers
    let sum = 0, min = this.min, max = this.max, nan = false;
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      if (x !== x) { nan = true; continue; }
      sum += x;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    this.sum += sum;
    this.min = min;
    this.max = max;
    this.nan ||= nan;
  }

  result(): ColumnSummary {
    const first = this.first.slice();
    if (this.minBig !== undefined) {
      return { count: this.count, sum: Number(this.sumBig), min: Number(this.minBig), max: Number(this.maxBig!), first };
    }
    if (this.nan) return { count: this.count, sum: null, min: null, max: null, first };
    if (this.count === 0) return { count: 0, sum: 0, min: null, max: null, first };
    return { count: this.count, sum: this.sum, min: this.min, max: this.max, first };
  }
}

/** Statistics of one column (64-bit integers summed exactly). */
export function summarizeColumn(c: Column): ColumnSummary {
  const acc = new SummaryAccumulator();
  acc.add(c);
  return acc.result();
}
