// Symmetric matrices with an "arrow" structure. Per-bin parameters (staterror and shapesys gammas)
// couple only to themselves and to the few parameters that act on many bins (POI, normfactors,
// normsys/histosys), so a model with 200 channels x 20 bins has ~4000 parameters but a Hessian that is
// a diagonal block plus a handful of dense rows. Eliminating the diagonal block first (a Schur
// complement on the dense rows) solves and inverts it in O(n p²) instead of O(n³).
import { cholesky, choleskySolve, invert } from './linalg.ts';

export interface ArrowPlan {
  /** indices whose block is diagonal (no coupling among themselves) */
  local: Int32Array;
  /** the rest: dense rows and columns */
  global: Int32Array;
}

/** Worth it only for large matrices whose dense part stays small. */
const MIN_SIZE = 150;

/** The split of an m x m symmetric matrix into local and global indices, or null when the dense
 *  part would be more than a quarter of the matrix (or m is small: dense algebra is fast enough). */
export function arrowPlan(h: Float64Array, m: number): ArrowPlan | null {
  if (m < MIN_SIZE) return null;
  const maxCoupling = Math.max(32, Math.ceil(Math.sqrt(m)));
  // off-diagonal nonzeros per row, and their columns for the sparse rows
  const nnz = new Int32Array(m);
  const cols = new Int32Array(m * maxCoupling);
  for (let r = 0; r < m; r++) {
    let c = 0;
    const row = r * m;
    for (let k = 0; k < m; k++) {
      if (h[row + k] !== 0 && k !== r) {
        if (c < maxCoupling) cols[r * maxCoupling + c] = k;
        c++;
      }
    }
    nnz[r] = c;
  }
  return selectLocal(m, nnz, cols, maxCoupling);
}

/** The same split from the Hessian's sparsity pattern: the parameters acting on each bin (constraint
 *  terms are diagonal), `work` the matrix's indices. No scan of the m x m matrix. */
export function arrowPlanFromBins(binParams: Int32Array[], work: ArrayLike<number>, nPars: number): ArrowPlan | null {
  const m = work.length;
  if (m < MIN_SIZE) return null;
  const maxCoupling = Math.max(32, Math.ceil(Math.sqrt(m)));
  const pos = new Int32Array(nPars).fill(-1);
  for (let r = 0; r < m; r++) pos[work[r]!] = r;
  const bins: number[][] = Array.from({ length: m }, () => []);
  binParams.forEach((ps, b) => { for (const p of ps) if (pos[p]! >= 0) bins[pos[p]!]!.push(b); });
  const nnz = new Int32Array(m), cols = new Int32Array(m * maxCoupling);
  const stamp = new Int32Array(m).fill(-1);
  for (let r = 0; r < m; r++) {
    stamp[r] = r;
    let c = 0;
    for (const b of bins[r]!) {
      for (const p of binParams[b]!) {
        const q = pos[p]!;
        if (q < 0 || stamp[q] === r) continue;
        stamp[q] = r;
        if (c < maxCoupling) cols[r * maxCoupling + c] = q;
        c++;
      }
    }
    nnz[r] = c;
  }
  return selectLocal(m, nnz, cols, maxCoupling);
}

function selectLocal(m: number, nnz: Int32Array, cols: Int32Array, maxCoupling: number): ArrowPlan | null {
  // sparse rows first; a row joins the local set only if it couples to no local row already in it
  const order = Int32Array.from({ length: m }, (_, i) => i).sort((a, b) => nnz[a]! - nnz[b]!);
  const isLocal = new Uint8Array(m);
  const local: number[] = [], global: number[] = [];
  for (const r of order) {
    let ok = nnz[r]! <= maxCoupling;
    for (let c = 0; ok && c < nnz[r]!; c++) if (isLocal[cols[r * maxCoupling + c]!]) ok = false;
    if (ok) { isLocal[r] = 1; local.push(r); } else global.push(r);
  }
  if (global.length * 4 > m) return null;
  local.sort((a, b) => a - b);
  global.sort((a, b) => a - b);
  return { local: Int32Array.from(local), global: Int32Array.from(global) };
}

export interface ArrowFactor {
  /** solves (H + shift) x = b in place */
  solve(b: Float64Array): void;
}

/** Factorises H + diag(shift) (shift: per-index additions, e.g. Levenberg damping); null when it is
 *  not positive definite. */
export function arrowFactor(h: Float64Array, m: number, plan: ArrowPlan, shift?: Float64Array): ArrowFactor | null {
  const { local, global } = plan;
  const nl = local.length, p = global.length;
  const d = new Float64Array(nl);
  for (let a = 0; a < nl; a++) {
    const i = local[a]!;
    d[a] = h[i * m + i]! + (shift ? shift[i]! : 0);
    if (!(d[a]! > 0)) return null;
  }
  const s = schur(h, m, plan, d, shift);
  if (!cholesky(s, p)) return null;
  return {
    solve(b: Float64Array) {
      // x_G = S^-1 (b_G - B D^-1 b_L), x_L = D^-1 (b_L - B^T x_G)
      const bg = new Float64Array(p);
      for (let r = 0; r < p; r++) {
        const gi = global[r]!;
        let v = b[gi]!;
        for (let a = 0; a < nl; a++) {
          const hv = h[gi * m + local[a]!]!;
          if (hv !== 0) v -= hv * b[local[a]!]! / d[a]!;
        }
        bg[r] = v;
      }
      choleskySolve(s, p, bg);
      for (let a = 0; a < nl; a++) {
        const li = local[a]!;
        let v = b[li]!;
        for (let r = 0; r < p; r++) v -= h[li * m + global[r]!]! * bg[r]!;
        b[li] = v / d[a]!;
      }
      for (let r = 0; r < p; r++) b[global[r]!] = bg[r]!;
    },
  };
}

/** The full inverse of H by blocks (H need not be positive definite); null if singular. */
export function arrowInverse(h: Float64Array, m: number, plan: ArrowPlan): Float64Array | null {
  const { local, global } = plan;
  const nl = local.length, p = global.length;
  const d = new Float64Array(nl);
  for (let a = 0; a < nl; a++) {
    d[a] = h[local[a]! * m + local[a]!]!;
    if (d[a] === 0) return null;
  }
  const sInv = invert(schur(h, m, plan, d), p);
  if (!sInv) return null;
  // W = D^-1 B^T (local x global), and the blocks S^-1, -W S^-1, D^-1 + W S^-1 W^T
  const w = new Float64Array(nl * p);
  for (let a = 0; a < nl; a++) for (let r = 0; r < p; r++) w[a * p + r] = h[local[a]! * m + global[r]!]! / d[a]!;
  const ws = new Float64Array(nl * p);
  for (let a = 0; a < nl; a++) {
    for (let c = 0; c < p; c++) {
      let v = 0;
      for (let r = 0; r < p; r++) v += w[a * p + r]! * sInv[r * p + c]!;
      ws[a * p + c] = v;
    }
  }
  const inv = new Float64Array(m * m);
  for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) inv[global[r]! * m + global[c]!] = sInv[r * p + c]!;
  for (let a = 0; a < nl; a++) {
    const li = local[a]!;
    for (let c = 0; c < p; c++) {
      inv[li * m + global[c]!] = -ws[a * p + c]!;
      inv[global[c]! * m + li] = -ws[a * p + c]!;
    }
    for (let b = 0; b <= a; b++) {
      let v = 0;
      for (let r = 0; r < p; r++) v += ws[a * p + r]! * w[b * p + r]!;
      if (a === b) v += 1 / d[a]!;
      inv[li * m + local[b]!] = v;
      inv[local[b]! * m + li] = v;
    }
  }
  return inv;
}

/** S = H_GG + shift_G - H_GL D^-1 H_LG */
function schur(h: Float64Array, m: number, plan: ArrowPlan, d: Float64Array, shift?: Float64Array): Float64Array {
  const { local, global } = plan;
  const nl = local.length, p = global.length;
  const s = new Float64Array(p * p);
  for (let r = 0; r < p; r++) {
    for (let c = 0; c < p; c++) s[r * p + c] = h[global[r]! * m + global[c]!]!;
    if (shift) s[r * p + r]! += shift[global[r]!]!;
  }
  const col = new Float64Array(p);
  for (let a = 0; a < nl; a++) {
    const li = local[a]!;
    let any = false;
    for (let r = 0; r < p; r++) { col[r] = h[global[r]! * m + li]!; if (col[r] !== 0) any = true; }
    if (!any) continue;
    const inv = 1 / d[a]!;
    for (let r = 0; r < p; r++) {
      if (col[r] === 0) continue;
      const f = col[r]! * inv;
      for (let c = 0; c < p; c++) s[r * p + c]! -= f * col[c]!;
    }
  }
  return s;
}
