// Jagged (per-event variable-length) arrays on typed arrays: event i owns content[offsets[i]..offsets[i+1]).
// Every kernel is one loop over offsets/content; no object is created per event or per item.
// Under noUncheckedIndexedAccess a typed-array read inside a loop bounded by the array (or by the
// offsets that were checked against it in the constructor) is asserted with `!`: erased at run time,
// where a `?? 0` would add a branch per item. Lookups that can miss (axes, slots, inputs) are checked.
import type { Jagged, NumericArray } from '../columns.ts';

/** Numeric typed arrays the kernels accept (64-bit integers are converted by the reader or `toFlat`). */
export type Flat = Exclude<NumericArray, BigInt64Array | BigUint64Array>;
export type Mask = Uint8Array;
/** Right-hand side of an elementwise op: a scalar, one value per event (broadcast), or same-shaped jagged. */
export type Operand = number | Flat | Jag;

export function toFlat(a: NumericArray): Flat {
  if (a instanceof BigInt64Array || a instanceof BigUint64Array) return Float64Array.from(a, Number);
  return a;
}

export function countsToOffsets(counts: ArrayLike<number>): Int32Array {
  const off = new Int32Array(counts.length + 1);
  for (let i = 0; i < counts.length; i++) off[i + 1] = off[i]! + counts[i]!;
  return off;
}

export class Jag<A extends Flat = Flat> implements Jagged<A> {
  readonly offsets: Int32Array;
  readonly content: A;

  constructor(offsets: Int32Array, content: A) {
    if (offsets.length === 0 || offsets[offsets.length - 1]! > content.length) {
      throw new Error(`jagged array: offsets end at ${offsets[offsets.length - 1]} but content has ${content.length} items`);
    }
    this.offsets = offsets;
    this.content = content;
  }

  static of(j: Jagged): Jag {
    return j instanceof Jag ? j : new Jag(j.offsets, toFlat(j.content));
  }

  /** From nested JS arrays (tests, small inputs). */
  static fromArrays(rows: ArrayLike<number>[], Ctor: new (n: number) => Flat = Float64Array): Jag {
    const off = countsToOffsets(Array.from(rows, (r) => r.length));
    const c = new Ctor(off[rows.length]!);
    rows.forEach((r, i) => c.set(Array.from(r), off[i]));
    return new Jag(off, c);
  }

  /** Per-event values repeated for each object of the event (`offsets` gives the shape). */
  static broadcast(offsets: Int32Array, perEvent: Flat | number): Jag<Float64Array> {
    const n = offsets.length - 1;
    const out = new Float64Array(offsets[n]!);
    if (typeof perEvent === 'number') out.fill(perEvent);
    else for (let i = 0; i < n; i++) out.fill(perEvent[i]!, offsets[i], offsets[i + 1]);
    return new Jag(offsets, out);
  }

  get length(): number { return this.offsets.length - 1; }

  counts(): Int32Array {
    const n = this.length, o = this.offsets, out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = o[i + 1]! - o[i]!;
    return out;
  }

  toArrays(): number[][] {
    const rows: number[][] = [];
    for (let i = 0; i < this.length; i++) rows.push(Array.from(this.content.subarray(this.offsets[i], this.offsets[i + 1])));
    return rows;
  }

  private same(content: Flat): void {
    if (content.length < this.offsets[this.length]!) throw new Error('jagged operands have different shapes');
  }

  /** Elementwise f(x, y) with y broadcast from a scalar, per-event array or same-shaped jagged. */
  zipWith<R extends Flat>(y: Operand, f: (a: number, b: number) => number, Out: new (n: number) => R): Jag<R> {
    const o = this.offsets, c = this.content, n = this.length, lo = o[0]!, hi = o[n]!;
    const out = new Out(c.length);
    if (typeof y === 'number') {
      for (let k = lo; k < hi; k++) out[k] = f(c[k]!, y);
    } else if (y instanceof Jag) {
      this.same(y.content);
      const yc = y.content;
      for (let k = lo; k < hi; k++) out[k] = f(c[k]!, yc[k]!);
    } else {
      if (y.length !== n) throw new Error(`per-event operand has ${y.length} entries, expected ${n}`);
      for (let i = 0; i < n; i++) { const v = y[i]!; for (let k = o[i]!; k < o[i + 1]!; k++) out[k] = f(c[k]!, v); }
    }
    return new Jag(o, out);
  }

  /** `f` of every item (same shape); prefer the named ops below on hot paths. */
  map(f: (x: number) => number): Jag<Float64Array> {
    const c = this.content, out = new Float64Array(c.length);
    for (let k = 0; k < c.length; k++) out[k] = f(c[k]!);
    return new Jag(this.offsets, out);
  }

  /** Elementwise arithmetic with a scalar, one value per event (broadcast) or a same-shaped jagged array: `mu.get('pt').mul(1.01)`. */
  add(y: Operand): Jag<Float64Array> { return this.zipWith(y, (a, b) => a + b, Float64Array); }
  sub(y: Operand): Jag<Float64Array> { return this.zipWith(y, (a, b) => a - b, Float64Array); }
  div(y: Operand): Jag<Float64Array> { return this.zipWith(y, (a, b) => a / b, Float64Array); }
  abs(): Jag<Float64Array> { return this.map(Math.abs); }

  /** x * y; explicit loops (the hottest op: pT variations of every jet). */
  mul(y: Operand): Jag<Float64Array> {
    const o = this.offsets, c = this.content, n = this.length, out = new Float64Array(c.length);
    if (typeof y === 'number') for (let k = o[0]!; k < o[n]!; k++) out[k] = c[k]! * y;
    else if (y instanceof Jag) { this.same(y.content); const yc = y.content; for (let k = o[0]!; k < o[n]!; k++) out[k] = c[k]! * yc[k]!; }
    else return this.zipWith(y, (a, b) => a * b, Float64Array);
    return new Jag(o, out);
  }

  // Comparisons with a scalar (the usual cut) get a monomorphic loop each; other operands broadcast.
  private cmp(y: Operand, op: number, f: (a: number, b: number) => number): Jag<Mask> {
    if (typeof y !== 'number') return this.zipWith(y, f, Uint8Array);
    const o = this.offsets, c = this.content, n = this.length, lo = o[0]!, hi = o[n]!, out = new Uint8Array(c.length);
    switch (op) {
      case 0: for (let k = lo; k < hi; k++) out[k] = c[k]! > y ? 1 : 0; break;
      case 1: for (let k = lo; k < hi; k++) out[k] = c[k]! >= y ? 1 : 0; break;
      case 2: for (let k = lo; k < hi; k++) out[k] = c[k]! < y ? 1 : 0; break;
      case 3: for (let k = lo; k < hi; k++) out[k] = c[k]! <= y ? 1 : 0; break;
      case 4: for (let k = lo; k < hi; k++) out[k] = c[k] === y ? 1 : 0; break;
      case 5: for (let k = lo; k < hi; k++) out[k] = c[k] !== y ? 1 : 0; break;
      default: for (let k = lo; k < hi; k++) out[k] = Math.abs(c[k]!) < y ? 1 : 0;
    }
    return new Jag(o, out);
  }
  /** Elementwise comparisons give jagged masks (1/0 bytes): `jets.get('pt').gt(25)`; combine with and/or/not. */
  gt(y: Operand): Jag<Mask> { return this.cmp(y, 0, (a, b) => +(a > b)); }
  ge(y: Operand): Jag<Mask> { return this.cmp(y, 1, (a, b) => +(a >= b)); }
  lt(y: Operand): Jag<Mask> { return this.cmp(y, 2, (a, b) => +(a < b)); }
  le(y: Operand): Jag<Mask> { return this.cmp(y, 3, (a, b) => +(a <= b)); }
  eq(y: Operand): Jag<Mask> { return this.cmp(y, 4, (a, b) => +(a === b)); }
  ne(y: Operand): Jag<Mask> { return this.cmp(y, 5, (a, b) => +(a !== b)); }
  /** |x| < y, the most common acceptance cut. */
  absLt(y: Operand): Jag<Mask> { return this.cmp(y, 6, (a, b) => +(Math.abs(a) < b)); }
  and(y: Operand): Jag<Mask> {
    if (!(y instanceof Jag)) return this.zipWith(y, (a, b) => +(a !== 0 && b !== 0), Uint8Array);
    this.same(y.content);
    const o = this.offsets, c = this.content, yc = y.content, out = new Uint8Array(c.length);
    for (let k = o[0]!; k < o[this.length]!; k++) out[k] = c[k] !== 0 && yc[k] !== 0 ? 1 : 0;
    return new Jag(o, out);
  }
  or(y: Operand): Jag<Mask> { return this.zipWith(y, (a, b) => +(a !== 0 || b !== 0), Uint8Array); }
  not(): Jag<Mask> { return this.zipWith(0, (a) => +(a === 0), Uint8Array); }

  /** Position of each item inside its event (ak.local_index): `x.localIndex().lt(4)` keeps the first four. */
  localIndex(): Jag<Int32Array> {
    const n = this.length, o = this.offsets, out = new Int32Array(this.content.length);
    for (let i = 0; i < n; i++) for (let k = o[i]!; k < o[i + 1]!; k++) out[k] = k - o[i]!;
    return new Jag(o, out);
  }

  /** Keep the items where mask is non-zero; returns new offsets. */
  filter(mask: Jagged<Mask>): Jag<A> {
    const n = this.length, o = this.offsets, c = this.content, m = mask.content;
    const off = new Int32Array(n + 1);
    const out = new (c.constructor as new (n: number) => A)(countNonZero(m, o[0], o[n]));
    let w = 0;
    for (let i = 0; i < n; i++) {
      for (let k = o[i]!; k < o[i + 1]!; k++) if (m[k] !== 0) out[w++] = c[k]!;
      off[i + 1] = w;
    }
    return new Jag(off, out);
  }

  /** Keep whole events where eventMask is non-zero. */
  selectEvents(eventMask: Mask): Jag<A> {
    const sel = selectEventsIndex(this.offsets, eventMask);
    return new Jag(sel.offsets, gather(this.content, sel.index));
  }

  /** Reduce each event; `init` for empty events. */
  reduce(f: (acc: number, x: number) => number, init: number): Float64Array {
    const n = this.length, o = this.offsets, c = this.content, out = new Float64Array(n);
    for (let i = 0; i < n; i++) { let a = init; for (let k = o[i]!; k < o[i + 1]!; k++) a = f(a, c[k]!); out[i] = a; }
    return out;
  }

  /** Per-event sum (0 for empty events): `jets.get('pt').sum()` is HT. */
  sum(): Float64Array {
    const n = this.length, o = this.offsets, c = this.content, out = new Float64Array(n);
    for (let i = 0; i < n; i++) { let a = 0; for (let k = o[i]!; k < o[i + 1]!; k++) a += c[k]!; out[i] = a; }
    return out;
  }

  /** Number of non-zero items per event (ak.sum(mask, axis=1), ak.count_nonzero). */
  countTrue(): Int32Array {
    const n = this.length, o = this.offsets, c = this.content, out = new Int32Array(n);
    for (let i = 0; i < n; i++) { let a = 0; for (let k = o[i]!; k < o[i + 1]!; k++) if (c[k] !== 0) a++; out[i] = a; }
    return out;
  }

  /** Per-event masks: any()/all() of a jagged mask. */
  any(): Mask { const c = this.countTrue(), out = new Uint8Array(c.length); for (let i = 0; i < c.length; i++) out[i] = +(c[i]! > 0); return out; }
  all(): Mask {
    const c = this.countTrue(), o = this.offsets, out = new Uint8Array(c.length);
    for (let i = 0; i < c.length; i++) out[i] = +(c[i] === o[i + 1]! - o[i]!);
    return out;
  }
  /** NaN for empty events (awkward gives None). */
  /** Per-event maximum / minimum; NaN for empty events (awkward gives None). */
  max(): Float64Array { return this.reduce((a, x) => (Number.isNaN(a) || x > a ? x : a), NaN); }
  min(): Float64Array { return this.reduce((a, x) => (Number.isNaN(a) || x < a ? x : a), NaN); }

  /** Local index of the largest item per event (first one on ties), -1 for empty events. */
  argmax(): Int32Array { return this.argBest(1); }
  argmin(): Int32Array { return this.argBest(-1); }
  private argBest(sign: number): Int32Array {
    const n = this.length, o = this.offsets, c = this.content, out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = -1, bv = 0;
      for (let k = o[i]!; k < o[i + 1]!; k++) if (best < 0 || sign * (c[k]! - bv) > 0) { best = k - o[i]!; bv = c[k]!; }
      out[i] = best;
    }
    return out;
  }

  /** Local indices that sort each event (stable). */
  argsort(descending = false): Jag<Int32Array> {
    const n = this.length, o = this.offsets, c = this.content;
    const idx = new Int32Array(c.length);
    for (let i = 0; i < n; i++) {
      const s = o[i]!, e = o[i + 1]!;
      for (let k = s; k < e; k++) idx[k] = k - s;
      // insertion sort: events hold a handful of objects
      for (let k = s + 1; k < e; k++) {
        const v = idx[k]!, cv = c[s + v]!;
        let j = k - 1;
        while (j >= s && (descending ? c[s + idx[j]!]! < cv : c[s + idx[j]!]! > cv)) { idx[j + 1] = idx[j]!; j--; }
        idx[j + 1] = v;
      }
    }
    return new Jag(o, idx);
  }

  /** Reorder/select items per event by local indices (output of argsort, argmax as 1-item lists...). */
  take(local: Jagged<Int32Array>): Jag<A> {
    const g = localToGlobal(this.offsets, local);
    return new Jag(local.offsets, gather(this.content, g));
  }

  sort(descending = false): Jag<A> { return this.take(this.argsort(descending)); }

  /** The i-th item of each event (negative i counts from the end); `fill` where the event is too short. */
  at(i: number, fill = NaN): Float64Array {
    const n = this.length, o = this.offsets, c = this.content, out = new Float64Array(n);
    for (let e = 0; e < n; e++) {
      const len = o[e + 1]! - o[e]!, j = i < 0 ? len + i : i;
      out[e] = j >= 0 && j < len ? c[o[e]! + j]! : fill;
    }
    return out;
  }

  firsts(fill = NaN): Float64Array { return this.at(0, fill); }

  /** Per-event pick by local index (e.g. from argmax), `fill` for -1. */
  pick(local: Int32Array, fill = NaN): Float64Array {
    const n = this.length, o = this.offsets, c = this.content, out = new Float64Array(n);
    for (let e = 0; e < n; e++) out[e] = local[e]! >= 0 && local[e]! < o[e + 1]! - o[e]! ? c[o[e]! + local[e]!]! : fill;
    return out;
  }
}

export function countNonZero(m: ArrayLike<number>, lo = 0, hi = m.length): number {
  let n = 0;
  for (let k = lo; k < hi; k++) if (m[k] !== 0) n++;
  return n;
}

/** src[index[k]] for every k. The common element types get their own loop: one loop over several
 *  array types is megamorphic in V8 and measurably slower (this is the hottest kernel of the AGC). */
export function gather<A extends Flat>(src: A, index: Int32Array): A {
  if (src instanceof Float64Array) return gatherF64(src, index) as A;
  if (src instanceof Float32Array) return gatherF32(src, index) as A;
  if (src instanceof Int32Array) return gatherI32(src, index) as A;
  const out = new (src.constructor as new (n: number) => A)(index.length);
  for (let k = 0; k < index.length; k++) out[k] = src[index[k]!]!;
  return out;
}
function gatherF64(src: Float64Array, index: Int32Array): Float64Array {
  const out = new Float64Array(index.length);
  for (let k = 0; k < index.length; k++) out[k] = src[index[k]!]!;
  return out;
}
function gatherF32(src: Float32Array, index: Int32Array): Float32Array {
  const out = new Float32Array(index.length);
  for (let k = 0; k < index.length; k++) out[k] = src[index[k]!]!;
  return out;
}
function gatherI32(src: Int32Array, index: Int32Array): Int32Array {
  const out = new Int32Array(index.length);
  for (let k = 0; k < index.length; k++) out[k] = src[index[k]!]!;
  return out;
}

/** New offsets and global item indices of the events kept by eventMask. */
export function selectEventsIndex(offsets: Int32Array, eventMask: Mask): { offsets: Int32Array; index: Int32Array } {
  const n = offsets.length - 1;
  if (eventMask.length !== n) throw new Error(`event mask has ${eventMask.length} entries, expected ${n}`);
  let ne = 0, ni = 0;
  for (let i = 0; i < n; i++) if (eventMask[i]) { ne++; ni += offsets[i + 1]! - offsets[i]!; }
  const off = new Int32Array(ne + 1), index = new Int32Array(ni);
  let e = 0, w = 0;
  for (let i = 0; i < n; i++) {
    if (!eventMask[i]) continue;
    for (let k = offsets[i]!; k < offsets[i + 1]!; k++) index[w++] = k;
    off[++e] = w;
  }
  return { offsets: off, index };
}

/** Global item indices of items where mask is set, with the new offsets. */
export function maskIndex(offsets: Int32Array, mask: ArrayLike<number>): { offsets: Int32Array; index: Int32Array } {
  const n = offsets.length - 1;
  const off = new Int32Array(n + 1), index = new Int32Array(countNonZero(mask, offsets[0], offsets[n]));
  let w = 0;
  for (let i = 0; i < n; i++) {
    for (let k = offsets[i]!; k < offsets[i + 1]!; k++) if (mask[k] !== 0) index[w++] = k;
    off[i + 1] = w;
  }
  return { offsets: off, index };
}

export function localToGlobal(offsets: Int32Array, local: Jagged<Int32Array>): Int32Array {
  const n = offsets.length - 1, lo = local.offsets, lc = local.content, g = new Int32Array(lo[n]!);
  for (let i = 0; i < n; i++) {
    const len = offsets[i + 1]! - offsets[i]!;
    for (let k = lo[i]!; k < lo[i + 1]!; k++) {
      if (lc[k]! < 0 || lc[k]! >= len) throw new Error(`index ${lc[k]} out of range for event ${i} with ${len} items`);
      g[k] = offsets[i]! + lc[k]!;
    }
  }
  return g;
}
