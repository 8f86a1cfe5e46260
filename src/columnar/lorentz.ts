// Four-vectors as structs of Float64Arrays (px, py, pz, E) sharing one offsets array; item i of the
// jagged layout is one vector. Per-event vectors use offsets 0,1,2,...
import { Jag } from './jagged.ts';
import type { Combinations } from './combinations.ts';

export class P4s {
  readonly offsets: Int32Array;
  readonly px: Float64Array; readonly py: Float64Array; readonly pz: Float64Array; readonly E: Float64Array;

  constructor(offsets: Int32Array, px: Float64Array, py: Float64Array, pz: Float64Array, E: Float64Array) {
    this.offsets = offsets; this.px = px; this.py = py; this.pz = pz; this.E = E;
  }

  static fromPtEtaPhiM(offsets: Int32Array, pt: ArrayLike<number>, eta: ArrayLike<number>, phi: ArrayLike<number>, m: ArrayLike<number>): P4s {
    const n = pt.length, px = new Float64Array(n), py = new Float64Array(n), pz = new Float64Array(n), E = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const p = pt[k]!;
      px[k] = p * Math.cos(phi[k]!); py[k] = p * Math.sin(phi[k]!); pz[k] = p * Math.sinh(eta[k]!);
      const mm = m[k]!;
      E[k] = Math.sqrt(px[k]! * px[k]! + py[k]! * py[k]! + pz[k]! * pz[k]! + mm * mm);
    }
    return new P4s(offsets, px, py, pz, E);
  }

  static fromPtEtaPhiE(offsets: Int32Array, pt: ArrayLike<number>, eta: ArrayLike<number>, phi: ArrayLike<number>, e: ArrayLike<number>): P4s {
    const n = pt.length, px = new Float64Array(n), py = new Float64Array(n), pz = new Float64Array(n), E = Float64Array.from(e);
    for (let k = 0; k < n; k++) { const p = pt[k]!; px[k] = p * Math.cos(phi[k]!); py[k] = p * Math.sin(phi[k]!); pz[k] = p * Math.sinh(eta[k]!); }
    return new P4s(offsets, px, py, pz, E);
  }

  static fromPxPyPzE(offsets: Int32Array, px: ArrayLike<number>, py: ArrayLike<number>, pz: ArrayLike<number>, E: ArrayLike<number>): P4s {
    return new P4s(offsets, Float64Array.from(px), Float64Array.from(py), Float64Array.from(pz), Float64Array.from(E));
  }

  get size(): number { return this.px.length; }

  private derive(f: (px: number, py: number, pz: number, E: number) => number): Jag<Float64Array> {
    const n = this.size, out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = f(this.px[k]!, this.py[k]!, this.pz[k]!, this.E[k]!);
    return new Jag(this.offsets, out);
  }

  pt(): Jag<Float64Array> { return this.derive((x, y) => Math.hypot(x, y)); }
  phi(): Jag<Float64Array> { return this.derive((x, y) => Math.atan2(y, x)); }
  eta(): Jag<Float64Array> { return this.derive((x, y, z) => Math.asinh(z / Math.hypot(x, y))); }
  /** Invariant mass; negative m^2 (rounding) gives -sqrt(-m^2) like ROOT's TLorentzVector::M. */
  mass(): Jag<Float64Array> {
    return this.derive((x, y, z, e) => { const m2 = e * e - x * x - y * y - z * z; return m2 >= 0 ? Math.sqrt(m2) : -Math.sqrt(-m2); });
  }

  add(o: P4s): P4s {
    if (o.size !== this.size) throw new Error('adding four-vector arrays of different shapes');
    const n = this.size, px = new Float64Array(n), py = new Float64Array(n), pz = new Float64Array(n), E = new Float64Array(n);
    for (let k = 0; k < n; k++) { px[k] = this.px[k]! + o.px[k]!; py[k] = this.py[k]! + o.py[k]!; pz[k] = this.pz[k]! + o.pz[k]!; E[k] = this.E[k]! + o.E[k]!; }
    return new P4s(this.offsets, px, py, pz, E);
  }

  /** Sum of the members of each combination (trijet p4, 4-lepton p4...). */
  sumCombinations(c: Combinations): P4s {
    const n = c.offsets[c.offsets.length - 1]!;
    const px = new Float64Array(n), py = new Float64Array(n), pz = new Float64Array(n), E = new Float64Array(n);
    for (const slot of c.slots) {
      for (let k = 0; k < n; k++) { const j = slot[k]!; px[k]! += this.px[j]!; py[k]! += this.py[j]!; pz[k]! += this.pz[j]!; E[k]! += this.E[j]!; }
    }
    return new P4s(c.offsets, px, py, pz, E);
  }

  /** Sum of all vectors of each event: one vector per event. */
  sumPerEvent(): P4s {
    const ne = this.offsets.length - 1, o = this.offsets;
    const px = new Float64Array(ne), py = new Float64Array(ne), pz = new Float64Array(ne), E = new Float64Array(ne);
    for (let i = 0; i < ne; i++) {
      for (let k = o[i]!; k < o[i + 1]!; k++) { px[i]! += this.px[k]!; py[i]! += this.py[k]!; pz[i]! += this.pz[k]!; E[i]! += this.E[k]!; }
    }
    return new P4s(identityOffsets(ne), px, py, pz, E);
  }
}

export function identityOffsets(n: number): Int32Array {
  const o = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) o[i] = i;
  return o;
}
