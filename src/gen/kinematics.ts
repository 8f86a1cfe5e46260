// Four-vectors as rows (px, py, pz, E) of a Float64Array "particle table": decays and boosts write
// into rows, so generating an event allocates nothing.
import type { Rng } from './random.ts';

export class Particles {
  readonly p: Float64Array;
  /** Per-row integer tag (flavour, charge, ...) chosen by the generator. */
  readonly tag: Int32Array;
  readonly aux: Int32Array;
  n = 0;

  constructor(capacity: number) {
    this.p = new Float64Array(4 * capacity);
    this.tag = new Int32Array(capacity);
    this.aux = new Int32Array(capacity);
  }

  clear(): void { this.n = 0; }

  add(tag = 0, aux = 0): number {
    const i = this.n++;
    if (i >= this.tag.length) throw new Error('generator: particle table overflow');
    this.tag[i] = tag;
    this.aux[i] = aux;
    return i;
  }

  setPtEtaPhiM(i: number, pt: number, eta: number, phi: number, m: number): void {
    const px = pt * Math.cos(phi), py = pt * Math.sin(phi), pz = pt * Math.sinh(eta);
    const o = 4 * i;
    this.p[o] = px; this.p[o + 1] = py; this.p[o + 2] = pz;
    this.p[o + 3] = Math.sqrt(px * px + py * py + pz * pz + m * m);
  }

  pt(i: number): number { const o = 4 * i; return Math.hypot(this.p[o]!, this.p[o + 1]!); }
  phi(i: number): number { const o = 4 * i; return Math.atan2(this.p[o + 1]!, this.p[o]!); }
  eta(i: number): number {
    const o = 4 * i;
    const pt = Math.hypot(this.p[o]!, this.p[o + 1]!);
    return pt === 0 ? Math.sign(this.p[o + 2]!) * 1e3 : Math.asinh(this.p[o + 2]! / pt);
  }
  mass(i: number): number {
    const o = 4 * i;
    const m2 = this.p[o + 3]! ** 2 - this.p[o]! ** 2 - this.p[o + 1]! ** 2 - this.p[o + 2]! ** 2;
    return m2 > 0 ? Math.sqrt(m2) : 0;
  }

  /** Isotropic two-body decay of row `parent` into new rows with masses m1, m2 (returns the first;
   *  the second is the next row). */
  decay(rng: Rng, parent: number, m1: number, tag1: number, m2: number, tag2: number): number {
    const M = this.mass(parent);
    const a = this.add(tag1), b = this.add(tag2);
    const s = (M * M - (m1 + m2) ** 2) * (M * M - (m1 - m2) ** 2);
    const q = s > 0 ? Math.sqrt(s) / (2 * M) : 0;
    const cosT = 2 * rng.uniform() - 1, sinT = Math.sqrt(1 - cosT * cosT), ph = 2 * Math.PI * rng.uniform();
    const qx = q * sinT * Math.cos(ph), qy = q * sinT * Math.sin(ph), qz = q * cosT;
    this.setRest(a, qx, qy, qz, m1);
    this.setRest(b, -qx, -qy, -qz, m2);
    this.boostTo(a, parent, M);
    this.boostTo(b, parent, M);
    return a;
  }

  private setRest(i: number, px: number, py: number, pz: number, m: number): void {
    const o = 4 * i;
    this.p[o] = px; this.p[o + 1] = py; this.p[o + 2] = pz;
    this.p[o + 3] = Math.sqrt(px * px + py * py + pz * pz + m * m);
  }

  /** Boosts row i from the rest frame of row `frame` (of mass M) to the lab. */
  private boostTo(i: number, frame: number, M: number): void {
    const f = 4 * frame, o = 4 * i;
    const E = this.p[f + 3]!;
    const bx = this.p[f]! / E, by = this.p[f + 1]! / E, bz = this.p[f + 2]! / E;
    const g = E / M;
    const bp = bx * this.p[o]! + by * this.p[o + 1]! + bz * this.p[o + 2]!;
    const k = (g * g / (g + 1)) * bp + g * this.p[o + 3]!;
    this.p[o] = this.p[o]! + k * bx;
    this.p[o + 1] = this.p[o + 1]! + k * by;
    this.p[o + 2] = this.p[o + 2]! + k * bz;
    this.p[o + 3] = g * (this.p[o + 3]! + bp);
  }
}

/** Invariant mass of (pt, eta, phi, m) objects i, j, k... given as parallel arrays and indices. */
export function invariantMass(pt: ArrayLike<number>, eta: ArrayLike<number>, phi: ArrayLike<number>, m: ArrayLike<number>, idx: ArrayLike<number>): number {
  let px = 0, py = 0, pz = 0, e = 0;
  for (let a = 0; a < idx.length; a++) {
    const i = idx[a]!;
    const x = pt[i]! * Math.cos(phi[i]!), y = pt[i]! * Math.sin(phi[i]!), z = pt[i]! * Math.sinh(eta[i]!);
    px += x; py += y; pz += z; e += Math.sqrt(x * x + y * y + z * z + m[i]! * m[i]!);
  }
  const m2 = e * e - px * px - py * py - pz * pz;
  return m2 > 0 ? Math.sqrt(m2) : 0;
}
