// ak.combinations(x, k): all k-subsets (i1 < i2 < ... < ik) of each event's items, in awkward's order
// (lexicographic on the local indices), as k arrays of global item indices sharing one offsets array.
import { choose } from './math.ts';

export interface Combinations {
  readonly k: number;
  /** offsets of the combinations per event */
  readonly offsets: Int32Array;
  /** slots[s][c] = global index (into the collection's content) of the s-th member of combination c */
  readonly slots: Int32Array[];
}

/** All k-subsets of the objects of each event (ak.combinations): `jets.combinations(3)` for trijets, `member(c, slot, field)` for their fields. */
export function combinations(offsets: Int32Array, k: number): Combinations {
  if (!Number.isInteger(k) || k < 1) throw new Error(`combinations: k must be a positive integer, got ${k}`);
  const n = offsets.length - 1, off = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) off[i + 1] = off[i]! + choose(offsets[i + 1]! - offsets[i]!, k);
  const total = off[n]!, slots = Array.from({ length: k }, () => new Int32Array(total));
  const idx = new Int32Array(k);
  let w = 0;
  for (let e = 0; e < n; e++) {
    const base = offsets[e]!, len = offsets[e + 1]! - base;
    if (len < k) continue;
    for (let s = 0; s < k; s++) idx[s] = s;
    for (;;) {
      for (let s = 0; s < k; s++) slots[s]![w] = base + idx[s]!;
      w++;
      let s = k - 1;
      while (s >= 0 && idx[s] === len - k + s) s--;
      if (s < 0) break;
      idx[s]!++;
      for (let t = s + 1; t < k; t++) idx[t] = idx[t - 1]! + 1;
    }
  }
  return { k, offsets: off, slots };
}

/** Pairs (i, j) from two different collections of the same events: ak.cartesian. */
export function cartesian(offsetsA: Int32Array, offsetsB: Int32Array): Combinations {
  const n = offsetsA.length - 1, off = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) off[i + 1] = off[i]! + (offsetsA[i + 1]! - offsetsA[i]!) * (offsetsB[i + 1]! - offsetsB[i]!);
  const a = new Int32Array(off[n]!), b = new Int32Array(off[n]!);
  let w = 0;
  for (let e = 0; e < n; e++) {
    for (let i = offsetsA[e]!; i < offsetsA[e + 1]!; i++) for (let j = offsetsB[e]!; j < offsetsB[e + 1]!; j++) { a[w] = i; b[w] = j; w++; }
  }
  return { k: 2, offsets: off, slots: [a, b] };
}
