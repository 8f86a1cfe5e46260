// Symmetric matrices "diagonal plus low rank": H = diag(d) + W diag(s) Wᵀ with W m x k (k << m).
// A bin's -2 log L couples every parameter acting on it, so thousands of normsys on a few bins give a
// dense Hessian; but each bin adds only a rank-1 term (its gradient) plus a rank-2 term per sample
// (the second derivatives of base x product), so k ~ bins x (1 + 2 samples). Solving (Woodbury, with
// two small Choleskys that also decide positive definiteness) costs O(m k²) instead of O(m³).
import { cholesky, choleskySolve, invert } from './linalg.ts';

export interface LowRank {
  m: number;
  k: number;
  d: Float64Array;
  /** column-major m x k: column c at w[c*m .. c*m+m) */
  w: Float64Array;
  s: Float64Array;
}

export interface Solver {
  /** solves H x = b in place */
  solve(b: Float64Array): void;
}

/** The diagonal of H. */
export function lowRankDiag(h: LowRank): Float64Array {
  const { m, k, w, s } = h;
  const out = Float64Array.from(h.d);
  for (let c = 0; c < k; c++) {
    const sc = s[c]!, o = c * m;
    if (sc === 0) continue;
    for (let r = 0; r < m; r++) { const v = w[o + r]!; out[r]! += sc * v * v; }
  }
  return out;
}

/** The dense row-major m x m matrix (tests, and small working sets). */
export function lowRankDense(h: LowRank): Float64Array {
  const { m, k, w, s } = h;
  const out = new Float64Array(m * m);
  for (let r = 0; r < m; r++) out[r * m + r] = h.d[r]!;
  for (let c = 0; c < k; c++) {
    const sc = s[c]!, o = c * m;
    if (sc === 0) continue;
    for (let r = 0; r < m; r++) {
      const a = sc * w[o + r]!;
      if (a === 0) continue;
      const row = r * m;
      for (let q = 0; q < m; q++) out[row + q]! += a * w[o + q]!;
    }
  }
  return out;
}

/** J H J + diag(extra) for a diagonal J (a change of coordinates per parameter). */
export function lowRankScaled(h: LowRank, jac: ArrayLike<number>, extra: ArrayLike<number>): LowRank {
  const { m, k } = h;
  const d = Float64Array.from(h.d, (v, r) => jac[r]! * jac[r]! * v + extra[r]!);
  const w = new Float64Array(m * k);
  for (let c = 0; c < k; c++) for (let r = 0; r < m; r++) w[c * m + r] = jac[r]! * h.w[c * m + r]!;
  return { m, k, d, w, s: Float64Array.from(h.s) };
}

/** A positive diagonal D' and the extra columns e_r (d_r - D'_r) that keep H unchanged: Woodbury
 *  needs D' well conditioned, and unconstrained parameters have d ~ 0 or < 0. */
function splitDiagonal(h: LowRank, full: Float64Array, shift?: Float64Array): { dp: Float64Array; extra: number[]; extraS: number[] } {
  const dp = new Float64Array(h.m), extra: number[] = [], extraS: number[] = [];
  for (let r = 0; r < h.m; r++) {
    const dr = h.d[r]! + (shift ? shift[r]! : 0);
    const target = Math.abs(full[r]!) > 0 ? Math.abs(full[r]!) : 1;
    if (dr >= 0.01 * target) { dp[r] = dr; continue; }
    dp[r] = target;
    extra.push(r); extraS.push(dr - target);
  }
  return { dp, extra, extraS };
}

/** Columns scaled by sqrt|s|, split by the sign of s (zero-weight columns dropped). */
function signedColumns(h: LowRank, extra: number[], extraS: number[]): { pos: Float64Array[]; neg: Float64Array[] } {
  const pos: Float64Array[] = [], neg: Float64Array[] = [];
  for (let c = 0; c < h.k; c++) {
    const sc = h.s[c]!;
    if (sc === 0) continue;
    const f = Math.sqrt(Math.abs(sc)), col = new Float64Array(h.m), o = c * h.m;
    for (let r = 0; r < h.m; r++) col[r] = h.w[o + r]! * f;
    (sc > 0 ? pos : neg).push(col);
  }
  extra.forEach((r, a) => {
    const col = new Float64Array(h.m);
    col[r] = Math.sqrt(Math.abs(extraS[a]!));
    (extraS[a]! > 0 ? pos : neg).push(col);
  });
  return { pos, neg };
}

/** Gram matrix I ± Xᵀ diag(1/dp) Y (row-major, size |X| x |Y|). */
function gram(x: Float64Array[], y: Float64Array[], dp: Float64Array, sign: number, identity: boolean): Float64Array {
  const p = x.length, q = y.length, m = dp.length;
  const out = new Float64Array(p * q);
  const scaled = new Float64Array(m);
  for (let a = 0; a < p; a++) {
    const xa = x[a]!;
    for (let r = 0; r < m; r++) scaled[r] = xa[r]! / dp[r]!;
    for (let b = 0; b < q; b++) {
      const yb = y[b]!;
      let v = 0;
      for (let r = 0; r < m; r++) v += scaled[r]! * yb[r]!;
      out[a * q + b] = sign * v + (identity && a === b ? 1 : 0);
    }
  }
  return out;
}

/** Factorises H + diag(shift) = D' + P Pᵀ - Q Qᵀ; null when it is not positive definite. With
 *  A = D' + P Pᵀ (always positive definite): H > 0 iff I - Qᵀ A⁻¹ Q > 0. */
export function lowRankFactor(h: LowRank, shift?: Float64Array): Solver | null {
  const m = h.m;
  const full = lowRankDiag(h);
  if (shift) for (let r = 0; r < m; r++) full[r]! += shift[r]!;
  for (let r = 0; r < m; r++) if (!(full[r]! > 0)) return null;
  const { dp, extra, extraS } = splitDiagonal(h, full, shift);
  const { pos, neg } = signedColumns(h, extra, extraS);
  const p = pos.length, q = neg.length;
  const c1 = gram(pos, pos, dp, 1, true);
  if (!cholesky(c1, p)) return null;
  const tmp = new Float64Array(p);
  // A⁻¹ b = D'⁻¹ (b - P C1⁻¹ Pᵀ D'⁻¹ b)
  const solveA = (b: Float64Array) => {
    for (let a = 0; a < p; a++) {
      const col = pos[a]!;
      let v = 0;
      for (let r = 0; r < m; r++) v += col[r]! * b[r]! / dp[r]!;
      tmp[a] = v;
    }
    choleskySolve(c1, p, tmp);
    for (let a = 0; a < p; a++) {
      const col = pos[a]!, t = tmp[a]!;
      if (t !== 0) for (let r = 0; r < m; r++) b[r]! -= col[r]! * t;
    }
    for (let r = 0; r < m; r++) b[r]! /= dp[r]!;
  };
  const aq = neg.map((col) => { const v = Float64Array.from(col); solveA(v); return v; });
  const c2 = new Float64Array(q * q);
  for (let a = 0; a < q; a++) {
    for (let b = 0; b < q; b++) {
      let v = 0;
      const x = neg[a]!, y = aq[b]!;
      for (let r = 0; r < m; r++) v += x[r]! * y[r]!;
      c2[a * q + b] = (a === b ? 1 : 0) - v;
    }
  }
  if (!cholesky(c2, q)) return null;
  const t2 = new Float64Array(q);
  return {
    solve(b: Float64Array) {
      // H⁻¹ b = A⁻¹ b + A⁻¹ Q C2⁻¹ Qᵀ A⁻¹ b
      solveA(b);
      for (let a = 0; a < q; a++) {
        const col = neg[a]!;
        let v = 0;
        for (let r = 0; r < m; r++) v += col[r]! * b[r]!;
        t2[a] = v;
      }
      choleskySolve(c2, q, t2);
      for (let a = 0; a < q; a++) {
        const col = aq[a]!, t = t2[a]!;
        if (t !== 0) for (let r = 0; r < m; r++) b[r]! += col[r]! * t;
      }
    },
  };
}

/** The full inverse (row-major m x m; H need not be positive definite), null if singular:
 *  H⁻¹ = D'⁻¹ - V K⁻¹ Vᵀ with V = D'⁻¹ W and K = S⁻¹ + Wᵀ D'⁻¹ W. */
export function lowRankInverse(h: LowRank): Float64Array | null {
  const m = h.m;
  const full = lowRankDiag(h);
  const { dp, extra, extraS } = splitDiagonal(h, full);
  const { pos, neg } = signedColumns(h, extra, extraS);
  const cols = [...pos, ...neg], sign = [...pos.map(() => 1), ...neg.map(() => -1)];
  const k = cols.length;
  // with the columns scaled by sqrt|s|, S = diag(sign) and S⁻¹ = S
  const kk = gram(cols, cols, dp, 1, false);
  for (let a = 0; a < k; a++) kk[a * k + a]! += sign[a]!;
  const kInv = invert(kk, k);
  if (!kInv) return null;
  // V = D'⁻¹ W and U = V K⁻¹, both row-major m x k, then H⁻¹ = D'⁻¹ - U Vᵀ (symmetric: upper half)
  const v = new Float64Array(m * k), u = new Float64Array(m * k);
  for (let a = 0; a < k; a++) { const col = cols[a]!; for (let r = 0; r < m; r++) v[r * k + a] = col[r]! / dp[r]!; }
  for (let r = 0; r < m; r++) {
    for (let a = 0; a < k; a++) {
      const f = v[r * k + a]!;
      if (f === 0) continue;
      for (let b = 0; b < k; b++) u[r * k + b]! += f * kInv[a * k + b]!;
    }
  }
  const inv = new Float64Array(m * m);
  for (let r = 0; r < m; r++) {
    const ur = r * k;
    for (let q = r; q < m; q++) {
      const vq = q * k;
      let t = 0;
      for (let b = 0; b < k; b++) t += u[ur + b]! * v[vq + b]!;
      inv[r * m + q] = (r === q ? 1 / dp[r]! : 0) - t;
      inv[q * m + r] = inv[r * m + q]!;
    }
  }
  for (let i = 0; i < inv.length; i++) if (!Number.isFinite(inv[i]!)) return null;
  return inv;
}
