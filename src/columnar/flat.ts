// Event-level (one value per event) helpers: masks are Uint8Array with 0/1.
import type { Flat, Mask } from './jagged.ts';

function firstLength(masks: ArrayLike<number>[], op: string): number {
  if (!masks[0]) throw new Error(`${op}(): needs at least one mask`);
  return masks[0].length;
}

/** Per-event masks combined: `and(ge(nJet, 4), eq(nBTag, 1))`. */
export function and(...masks: ArrayLike<number>[]): Mask {
  const n = firstLength(masks, 'and'), out = new Uint8Array(n).fill(1);
  for (const m of masks) {
    if (m.length !== n) throw new Error(`masks of different lengths: ${m.length} vs ${n}`);
    for (let i = 0; i < n; i++) if (m[i] === 0) out[i] = 0;
  }
  return out;
}

/** Either of the masks, per event. */
export function or(...masks: ArrayLike<number>[]): Mask {
  const n = firstLength(masks, 'or'), out = new Uint8Array(n);
  for (const m of masks) for (let i = 0; i < n; i++) if (m[i] !== 0) out[i] = 1;
  return out;
}

/** The inverse of a per-event mask. */
export function not(m: ArrayLike<number>): Mask {
  const out = new Uint8Array(m.length);
  for (let i = 0; i < m.length; i++) out[i] = +(m[i] === 0);
  return out;
}

/** Elementwise predicate over one per-event array: `test(counts, (n) => n >= 4)`. */
export function test(a: ArrayLike<number>, pred: (x: number) => boolean): Mask {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = +pred(a[i]!);
  return out;
}

/** Per-event comparisons with a number (eq, ge, gt): `ge(ev.col('nMuon'), 2)`. */
export function eq(a: ArrayLike<number>, v: number): Mask {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] === v ? 1 : 0;
  return out;
}
export function ge(a: ArrayLike<number>, v: number): Mask {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! >= v ? 1 : 0;
  return out;
}
export function gt(a: ArrayLike<number>, v: number): Mask {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! > v ? 1 : 0;
  return out;
}
/** Events whose value is one of `values`: `isIn(lep.get('type').sum(), [44, 52])`. */
export function isIn(a: ArrayLike<number>, values: number[]): Mask { return test(a, (x) => values.includes(x)); }

/** a + b elementwise into Float64Array (e.g. adding electron and muon counts). */
export function plus(a: ArrayLike<number>, b: ArrayLike<number> | number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + (typeof b === 'number' ? b : b[i]!);
  return out;
}

/** a * b elementwise into a Float64Array (weights times scale factors). */
export function times(a: ArrayLike<number>, b: ArrayLike<number> | number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * (typeof b === 'number' ? b : b[i]!);
  return out;
}

/** Keep the entries where mask is set (events[mask] for a flat column). */
export function compress<A extends Flat>(a: A, mask: ArrayLike<number>): A {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) n++;
  const out = new (a.constructor as new (n: number) => A)(n);
  let w = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) out[w++] = a[i]!;
  return out;
}

/** How many entries of a mask are set (events passing). */
export function countTrue(m: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) n++;
  return n;
}
