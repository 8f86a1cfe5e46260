// Symmetric matrices with an "arrow" structure. Per-bin parameters (staterror and shapesys gammas)
// couple only to themselves and to the few parameters that act on many bins (POI, normfactors,
// normsys/histosys), so a model with 200 channels x 20 bins has ~4000 parameters but a Hessian that is
// a diagonal block plus a handful of dense rows. Eliminating the diagonal block first (a Schur
// complement on the dense rows) solves and inverts it in O(n p²) instead of O(n³).
import { cholesky, choleskySolve, invert } from './linalg.ts';

export interface ArrowPlan {
  /** indices whose block is block-diagonal: small groups (a bin's staterror and shapesys, say) that
   *  couple among themselves only, ordered by group */
  local: Int32Array;
  /** start of each group in `local`, plus local.length at the end */
  groups: Int32Array;
  /** the rest: dense rows and columns */
  global: Int32Array;
}

/** Worth it only for large matrices whose dense part stays small. */
const MIN_SIZE = 150;
/** largest group of mutually coupled local indices */
const MAX_GROUP = 8;

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
  // candidates: rows with few couplings (the others are global); the candidates' couplings among
  // themselves form the groups (connected components), and a group too large goes global too
  const cand = new Uint8Array(m);
  for (let r = 0; r < m; r++) cand[r] = nnz[r]! <= maxCoupling ? 1 : 0;
  const parent = Int32Array.from({ length: m }, (_, i) => i);
  const find = (a: number): number => { while (parent[a] !== a) { parent[a] = parent[parent[a]!]!; a = parent[a]!; } return a; };
  for (let r = 0; r < m; r++) {
    if (!cand[r]) continue;
    for (let c = 0; c < nnz[r]!; c++) {
      const q = cols[r * maxCoupling + c]!;
      if (cand[q]) { const a = find(r), b = find(q); if (a !== b) parent[a] = b; }
    }
  }
  const size = new Int32Array(m);
  for (let r = 0; r < m; r++) if (cand[r]) size[find(r)]!++;
  const members = new Map<number, number[]>();
  const global: number[] = [];
  for (let r = 0; r < m; r++) {
    if (!cand[r] || size[find(r)]! > MAX_GROUP) { global.push(r); continue; }
    const root = find(r);
    const g = members.get(root);
    if (g) g.push(r); else members.set(root, [r]);
  }
  if (global.length * 4 > m) return null;
  const groupList = [...members.values()].sort((a, b) => a[0]! - b[0]!);
  const local: number[] = [], groups: number[] = [];
  for (const g of groupList) { groups.push(local.length); local.push(...g); }
  groups.push(local.length);
  return { local: Int32Array.from(local), groups: Int32Array.from(groups), global: Int32Array.from(global) };
}

/** The local block D: its groups' dense blocks (1 x 1 for most), factorised (Cholesky) or inverted,
 *  in one flat array; `apply` multiplies a group's slice of a vector by D_g⁻¹ in place. */
class LocalBlocks {
  readonly count: number;
  private readonly data: Float64Array;
  private readonly at: Int32Array;
  private readonly chol: boolean;
  private readonly groups: Int32Array;
  private readonly tmp = new Float64Array(MAX_GROUP);
  constructor(h: Float64Array, m: number, plan: ArrowPlan, shift: Float64Array | undefined, chol: boolean) {
    const { local, groups } = plan;
    this.chol = chol; this.groups = groups; this.count = groups.length - 1;
    this.at = new Int32Array(this.count + 1);
    for (let g = 0; g < this.count; g++) { const n = groups[g + 1]! - groups[g]!; this.at[g + 1] = this.at[g]! + n * n; }
    this.data = new Float64Array(this.at[this.count]!);
    for (let g = 0; g < this.count; g++) {
      const a = groups[g]!, n = groups[g + 1]! - a, o = this.at[g]!;
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) this.data[o + r * n + c] = h[local[a + r]! * m + local[a + c]!]!;
        if (shift) this.data[o + r * n + r]! += shift[local[a + r]!]!;
      }
    }
  }
  /** factorise or invert every block; false when one fails (not positive definite, or singular) */
  prepare(): boolean {
    for (let g = 0; g < this.count; g++) {
      const n = this.size(g), o = this.at[g]!;
      if (n === 1) {
        const v = this.data[o]!;
        if (this.chol ? !(v > 0) : v === 0 || !Number.isFinite(v)) return false;
        this.data[o] = 1 / v;
        continue;
      }
      const blk = this.data.subarray(o, o + n * n);
      if (this.chol) { if (!cholesky(blk, n)) return false; continue; }
      const inv = invert(blk, n);
      if (!inv) return false;
      blk.set(inv);
    }
    return true;
  }
  size(g: number): number { return this.groups[g + 1]! - this.groups[g]!; }
  /** x[off .. off + n) := D_g⁻¹ x[off .. off + n) */
  apply(g: number, x: Float64Array, off: number): void {
    const n = this.size(g), o = this.at[g]!;
    if (n === 1) { x[off]! *= this.data[o]!; return; }
    const blk = this.data.subarray(o, o + n * n);
    if (this.chol) { choleskySolve(blk, n, x.subarray(off, off + n)); return; }
    const t = this.tmp;
    for (let r = 0; r < n; r++) t[r] = x[off + r]!;
    for (let r = 0; r < n; r++) { let v = 0; for (let c = 0; c < n; c++) v += blk[r * n + c]! * t[c]!; x[off + r] = v; }
  }
}

export interface ArrowFactor {
  /** solves (H + shift) x = b in place */
  solve(b: Float64Array): void;
}

/** Factorises H + diag(shift) (shift: per-index additions, e.g. Levenberg damping); null when it is
 *  not positive definite. */
export function arrowFactor(h: Float64Array, m: number, plan: ArrowPlan, shift?: Float64Array): ArrowFactor | null {
  const { local, groups, global } = plan;
  const nl = local.length, p = global.length;
  const d = new LocalBlocks(h, m, plan, shift, true);
  if (!d.prepare()) return null;
  const s = schur(h, m, plan, d, shift);
  if (!cholesky(s, p)) return null;
  const y = new Float64Array(nl), bg = new Float64Array(p);
  return {
    solve(b: Float64Array) {
      // x_G = S^-1 (b_G - B D^-1 b_L), x_L = D^-1 (b_L - B^T x_G)
      for (let a = 0; a < nl; a++) y[a] = b[local[a]!]!;
      for (let g = 0; g < d.count; g++) d.apply(g, y, groups[g]!);
      for (let r = 0; r < p; r++) {
        const row = global[r]! * m;
        let v = b[global[r]!]!;
        for (let a = 0; a < nl; a++) { const hv = h[row + local[a]!]!; if (hv !== 0) v -= hv * y[a]!; }
        bg[r] = v;
      }
      choleskySolve(s, p, bg);
      for (let a = 0; a < nl; a++) {
        const li = local[a]!;
        let v = b[li]!;
        for (let r = 0; r < p; r++) v -= h[li * m + global[r]!]! * bg[r]!;
        y[a] = v;
      }
      for (let g = 0; g < d.count; g++) d.apply(g, y, groups[g]!);
      for (let a = 0; a < nl; a++) b[local[a]!] = y[a]!;
      for (let r = 0; r < p; r++) b[global[r]!] = bg[r]!;
    },
  };
}

/** The full inverse of H by blocks (H need not be positive definite); null if singular. */
export function arrowInverse(h: Float64Array, m: number, plan: ArrowPlan): Float64Array | null {
  const { local, groups, global } = plan;
  const nl = local.length, p = global.length;
  const d = new LocalBlocks(h, m, plan, undefined, false);
  if (!d.prepare()) return null;
  const sInv = invert(schur(h, m, plan, d), p);
  if (!sInv) return null;
  // W = D^-1 B^T (local x global), and the blocks S^-1, -W S^-1, D^-1 + W S^-1 W^T
  const w = new Float64Array(nl * p), col = new Float64Array(nl);
  for (let c = 0; c < p; c++) {
    for (let a = 0; a < nl; a++) col[a] = h[global[c]! * m + local[a]!]!;
    for (let g = 0; g < d.count; g++) d.apply(g, col, groups[g]!);
    for (let a = 0; a < nl; a++) w[a * p + c] = col[a]!;
  }
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
      inv[li * m + local[b]!] = v;
      inv[local[b]! * m + li] = v;
    }
  }
  // D^-1 on the groups' diagonal blocks
  const e = new Float64Array(MAX_GROUP);
  for (let g = 0; g < d.count; g++) {
    const a = groups[g]!, n = d.size(g);
    for (let c = 0; c < n; c++) {
      e.fill(0); e[c] = 1;
      d.apply(g, e, 0);
      for (let r = 0; r < n; r++) inv[local[a + r]! * m + local[a + c]!]! += e[r]!;
    }
  }
  return inv;
}

/** S = H_GG + shift_G - H_GL D^-1 H_LG */
function schur(h: Float64Array, m: number, plan: ArrowPlan, d: LocalBlocks, shift?: Float64Array): Float64Array {
  const { global } = plan;
  const p = global.length;
  const s = new Float64Array(p * p);
  for (let r = 0; r < p; r++) {
    for (let c = 0; c < p; c++) s[r * p + c] = h[global[r]! * m + global[c]!]!;
    if (shift) s[r * p + r]! += shift[global[r]!]!;
  }
  // per group: the globals coupled to it (rows of H_GL) and D_g^-1 applied to each
  const { local, groups } = plan;
  const rows = new Int32Array(p), cpl = new Float64Array(p * MAX_GROUP), solved = new Float64Array(p * MAX_GROUP);
  for (let g = 0; g < d.count; g++) {
    const a = groups[g]!, n = d.size(g);
    let nr = 0;
    for (let r = 0; r < p; r++) {
      const row = global[r]! * m;
      let any = false;
      for (let q = 0; q < n; q++) { const v = h[row + local[a + q]!]!; cpl[nr * n + q] = v; solved[nr * n + q] = v; if (v !== 0) any = true; }
      if (any) { d.apply(g, solved, nr * n); rows[nr++] = r; }
    }
    for (let i = 0; i < nr; i++) {
      const ri = rows[i]! * p;
      for (let j = 0; j < nr; j++) {
        let v = 0;
        for (let q = 0; q < n; q++) v += cpl[i * n + q]! * solved[j * n + q]!;
        s[ri + rows[j]!]! -= v;
      }
    }
  }
  return s;
}
