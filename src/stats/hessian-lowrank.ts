// The exact Hessian of twice_nll as diagonal plus low rank (see lowrank.ts), from the model's evaluated
// per-block scratch. Per bin: w1 ∇λ∇λᵀ (rank 1) + w2 Σ_samples ∇²λ_s, and for a sample λ_s = B P
// (B = nominal + shifts, P = product of factors), with v = ∇B and, when no factor is zero,
// u = Σ_f F'_f/F_f e_f:
//   ∇²λ_s = P (B u uᵀ + u vᵀ + v uᵀ) + diagonal terms   (rank 2),
// one zero factor f0 (e.g. a POI at 0): γ (e0 wᵀ + w e0ᵀ) + diagonal, γ = F'_f0 P_{-f0}, w = v + B u';
// two zero factors: c (e1 e2ᵀ + e2 e1ᵀ); three or more: 0.
import type { LowRank } from './lowrank.ts';

export interface BlockScratch {
  nf: number; nd: number;
  d2f: Float64Array; d2d: Float64Array; fv: Float64Array; dfv: Float64Array; dv: Float64Array; ddv: Float64Array;
  base: Float64Array; prod: Float64Array;
}

export interface EvaluatedModel {
  channels: ReadonlyArray<{ name: string; offset: number; nbins: number }>;
  blocks: ReadonlyArray<{ channel: string; nbins: number; factorParams: Int32Array; deltaParams: Int32Array }>;
  scratch: ReadonlyArray<BlockScratch>;
  lam: Float64Array;
  main: Float64Array;
}

/** Columns the low-rank form needs at most (over all parameters): decides whether it pays. */
export function lowRankColumns(model: Omit<EvaluatedModel, 'lam' | 'main'>): number {
  let k = 0, at = 0;
  for (const ch of model.channels) {
    let perBin = 1;
    while (at < model.blocks.length && model.blocks[at]!.channel === ch.name) {
      const s = model.scratch[at]!;
      if (s.nf > 0) perBin += s.nd > 0 ? 2 : 1;
      at++;
    }
    k += perBin * ch.nbins;
  }
  return k;
}

/** Dense work-length vectors with a list of touched entries, cleared in O(touched). */
class SparseVec {
  readonly v: Float64Array; readonly idx: Int32Array; n = 0; private readonly mark: Uint8Array;
  constructor(m: number) { this.v = new Float64Array(m); this.idx = new Int32Array(m); this.mark = new Uint8Array(m); }
  add(r: number, x: number): void { if (!this.mark[r]) { this.mark[r] = 1; this.idx[this.n++] = r; } this.v[r]! += x; }
  clear(): void { for (let a = 0; a < this.n; a++) { this.v[this.idx[a]!] = 0; this.mark[this.idx[a]!] = 0; } this.n = 0; }
}

export class LowRankBuilder {
  readonly m: number;
  readonly d: Float64Array;
  private w: Float64Array;
  private s: number[] = [];
  constructor(m: number, cap: number) { this.m = m; this.d = new Float64Array(m); this.w = new Float64Array(m * Math.max(cap, 1)); }
  private column(): Float64Array {
    const c = this.s.length, m = this.m;
    if ((c + 1) * m > this.w.length) { const w = new Float64Array(2 * this.w.length + m); w.set(this.w); this.w = w; }
    return this.w.subarray(c * m, (c + 1) * m);
  }
  /** s x xᵀ */
  rank1(x: SparseVec, s: number): void {
    if (s === 0 || x.n === 0) return;
    if (x.n === 1) { const r = x.idx[0]!; this.d[r]! += s * x.v[r]! * x.v[r]!; return; }
    const col = this.column();
    for (let a = 0; a < x.n; a++) col[x.idx[a]!] = x.v[x.idx[a]!]!;
    this.s.push(s);
  }
  /** [x y] M [x y]ᵀ with M = [[a, b], [b, c]], by M's eigendecomposition */
  rank2(x: SparseVec, y: SparseVec, a: number, b: number, c: number): void {
    if (y.n === 0) { this.rank1(x, a); return; }
    if (x.n === 0) { this.rank1(y, c); return; }
    const t = 0.5 * (a + c), r = Math.hypot(0.5 * (a - c), b);
    for (const lam of [t + r, t - r]) {
      if (lam === 0) continue;
      // eigenvector (lam - c, b), or an axis when b = 0
      let e0 = b === 0 ? (Math.abs(lam - a) <= Math.abs(lam - c) ? 1 : 0) : lam - c;
      let e1 = b === 0 ? 1 - e0 : b;
      const norm = Math.hypot(e0, e1);
      e0 /= norm; e1 /= norm;
      const col = this.column();
      for (let q = 0; q < x.n; q++) col[x.idx[q]!]! += e0 * x.v[x.idx[q]!]!;
      for (let q = 0; q < y.n; q++) col[y.idx[q]!]! += e1 * y.v[y.idx[q]!]!;
      this.s.push(lam);
    }
  }
  done(): LowRank {
    const k = this.s.length;
    return { m: this.m, k, d: this.d, w: this.w.subarray(0, k * this.m), s: Float64Array.from(this.s) };
  }
}

/** The bins' part of the Hessian over `pos` (parameter -> row in the working set, -1 if not in it). */
export function binsLowRank(model: EvaluatedModel, pos: Int32Array, m: number): LowRankBuilder {
  const out = new LowRankBuilder(m, lowRankColumns(model));
  const jac = new SparseVec(m), u = new SparseVec(m), v = new SparseVec(m), e = new SparseVec(m), e2 = new SparseVec(m);
  let k = 0;
  for (const ch of model.channels) {
    const k0 = k;
    while (k < model.blocks.length && model.blocks[k]!.channel === ch.name) k++;
    for (let i = 0; i < ch.nbins; i++) {
      const bin = ch.offset + i, cnt = model.main[bin]!, lam = model.lam[bin]!;
      const w1 = cnt === 0 ? 0 : (2 * cnt) / (lam * lam);
      const w2 = 2 * (1 - (cnt === 0 ? 0 : cnt / lam));
      for (let kk = k0; kk < k; kk++) {
        const blk = model.blocks[kk]!, s = model.scratch[kk]!, nb = blk.nbins;
        const base = s.base[i]!, prod = s.prod[i]!;
        const dP = blk.deltaParams, fP = blk.factorParams;
        for (let j = i; j < dP.length; j += nb) {
          const r = dP[j]! >= 0 ? pos[dP[j]!]! : -1;
          if (r < 0) continue;
          v.add(r, s.ddv[j]!);
          out.d[r]! += w2 * prod * s.d2d[j]!;
        }
        let zeros = 0, z0 = -1, z1 = -1;
        for (let f = 0; f < s.nf; f++) {
          if (s.fv[f * nb + i] !== 0) continue;
          if (zeros === 0) z0 = f; else if (zeros === 1) z1 = f;
          zeros++;
        }
        if (zeros === 0) {
          for (let f = 0; f < s.nf; f++) {
            const q = fP[f * nb + i]!;
            const r = q >= 0 ? pos[q]! : -1;
            if (r < 0) continue;
            const fv = s.fv[f * nb + i]!, lg = s.dfv[f * nb + i]! / fv;
            u.add(r, lg);
            out.d[r]! += w2 * prod * base * (s.d2f[f * nb + i]! / fv - lg * lg);
          }
          // ∇λ_s = P (v + B u)
          for (let a = 0; a < v.n; a++) jac.add(v.idx[a]!, prod * v.v[v.idx[a]!]!);
          for (let a = 0; a < u.n; a++) jac.add(u.idx[a]!, prod * base * u.v[u.idx[a]!]!);
          if (w2 !== 0 && prod !== 0) out.rank2(u, v, w2 * prod * base, w2 * prod, 0);
        } else if (zeros === 1) {
          const q0 = fP[z0 * nb + i]!;
          const r0 = q0 >= 0 ? pos[q0]! : -1;
          if (r0 >= 0) {
            let others = 1;
            for (let f = 0; f < s.nf; f++) if (f !== z0) others *= s.fv[f * nb + i]!;
            const gamma = s.dfv[z0 * nb + i]! * others;
            jac.add(r0, base * gamma);
            out.d[r0]! += w2 * base * s.d2f[z0 * nb + i]! * others;
            // w = v + B u' (u' over the non-zero factors)
            for (let a = 0; a < v.n; a++) u.add(v.idx[a]!, v.v[v.idx[a]!]!);
            for (let f = 0; f < s.nf; f++) {
              const q = fP[f * nb + i]!;
              const r = f !== z0 && q >= 0 ? pos[q]! : -1;
              if (r >= 0) u.add(r, base * s.dfv[f * nb + i]! / s.fv[f * nb + i]!);
            }
            e.add(r0, 1);
            if (w2 !== 0) out.rank2(e, u, 0, w2 * gamma, 0);
          }
        } else if (zeros === 2 && w2 !== 0) {
          const q1 = fP[z0 * nb + i]!, q2 = fP[z1 * nb + i]!;
          const r1 = q1 >= 0 ? pos[q1]! : -1, r2 = q2 >= 0 ? pos[q2]! : -1;
          if (r1 >= 0 && r2 >= 0) {
            let others = 1;
            for (let f = 0; f < s.nf; f++) if (f !== z0 && f !== z1) others *= s.fv[f * nb + i]!;
            const c = w2 * base * s.dfv[z0 * nb + i]! * s.dfv[z1 * nb + i]! * others;
            if (r1 === r2) out.d[r1]! += 2 * c;
            else { e.add(r1, 1); e2.add(r2, 1); out.rank2(e, e2, 0, c, 0); }
          }
        }
        u.clear(); v.clear(); e.clear(); e2.clear();
      }
      out.rank1(jac, w1);
      jac.clear();
    }
  }
  return out;
}
