// Minuit's internal coordinates: a parameter with both limits is x = a + (b - a)/2 (sin θ + 1), with
// one limit x = a - 1 + sqrt(θ² + 1) (or b + 1 - sqrt(θ² + 1)); errors and covariance are mapped back
// the way MnUserTransformation does it. Fcn counts calls, as Minuit's call limits depend on the count.
import { EPS2 } from './precision.ts';

const PI_2 = 2 * Math.atan(1);

export class Transform {
  readonly n: number;
  readonly free: Int32Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** the user's step sizes ("errors") of the free parameters */
  readonly step: Float64Array;
  private readonly template: Float64Array;

  constructor(external: ArrayLike<number>, free: Int32Array, lower: ArrayLike<number>, upper: ArrayLike<number>, step: ArrayLike<number>) {
    this.n = free.length;
    this.free = free;
    this.template = Float64Array.from(external);
    this.lower = Float64Array.from(free, (i) => lower[i]!);
    this.upper = Float64Array.from(free, (i) => upper[i]!);
    this.step = Float64Array.from(free, (i) => step[i]!);
  }

  hasLimits(i: number): boolean {
    return Number.isFinite(this.lower[i]!) || Number.isFinite(this.upper[i]!);
  }

  int2ext(i: number, v: number): number {
    const a = this.lower[i]!, b = this.upper[i]!;
    const lo = Number.isFinite(a), hi = Number.isFinite(b);
    if (lo && hi) return a + 0.5 * (b - a) * (Math.sin(v) + 1);
    if (lo) return a - 1 + Math.sqrt(v * v + 1);
    if (hi) return b + 1 - Math.sqrt(v * v + 1);
    return v;
  }

  ext2int(i: number, v: number): number {
    const a = this.lower[i]!, b = this.upper[i]!;
    const lo = Number.isFinite(a), hi = Number.isFinite(b);
    if (lo && hi) {
      const distnn = 8 * Math.sqrt(EPS2);
      const yy = 2 * (v - a) / (b - a) - 1;
      if (yy * yy > 1 - EPS2) return yy < 0 ? -PI_2 + distnn : PI_2 - distnn;
      return Math.asin(yy);
    }
    if (lo || hi) {
      const yy = lo ? v - a + 1 : b - v + 1;
      const yy2 = yy * yy;
      return yy2 < 1 ? 0 : Math.sqrt(yy2 - 1);
    }
    return v;
  }

  /** d(external)/d(internal) */
  dint2ext(i: number, v: number): number {
    const a = this.lower[i]!, b = this.upper[i]!;
    const lo = Number.isFinite(a), hi = Number.isFinite(b);
    if (lo && hi) return 0.5 * (b - a) * Math.cos(v);
    if (lo) return v / Math.sqrt(v * v + 1);
    if (hi) return -v / Math.sqrt(v * v + 1);
    return 1;
  }

  /** external error of an internal error `err` at internal value v (MnUserTransformation::Int2extError) */
  int2extError(i: number, v: number, err: number): number {
    if (!this.hasLimits(i)) return err;
    const ui = this.int2ext(i, v);
    let du1 = this.int2ext(i, v + err) - ui;
    const du2 = this.int2ext(i, v - err) - ui;
    if (Number.isFinite(this.lower[i]!) && Number.isFinite(this.upper[i]!) && err > 1) du1 = this.upper[i]! - this.lower[i]!;
    return 0.5 * (Math.abs(du1) + Math.abs(du2));
  }

  /** the full external parameter vector for internal values x */
  toExternal(x: Float64Array, out: Float64Array = new Float64Array(this.template.length)): Float64Array {
    out.set(this.template);
    for (let i = 0; i < this.n; i++) out[this.free[i]!] = this.int2ext(i, x[i]!);
    return out;
  }
}

/** The objective seen in internal coordinates, counting calls like Minuit's MnFcn. */
export class Fcn {
  calls: number;
  readonly up: number;
  private readonly buf: Float64Array;
  private readonly f: (external: Float64Array) => number;
  private readonly tr: Transform;

  constructor(f: (external: Float64Array) => number, tr: Transform, up: number, calls = 0) {
    this.f = f; this.tr = tr; this.up = up; this.calls = calls;
    this.buf = tr.toExternal(new Float64Array(tr.n));
  }

  eval(x: Float64Array): number {
    this.calls++;
    return this.f(this.tr.toExternal(x, this.buf));
  }

  /** f(x + d e_i) and f(x - d e_i); x[i] is restored */
  pair(x: Float64Array, i: number, d: number): [number, number] {
    const xi = x[i]!;
    x[i] = xi + d;
    const fs1 = this.eval(x);
    x[i] = xi - d;
    const fs2 = this.eval(x);
    x[i] = xi;
    return [fs1, fs2];
  }
}
