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
  // candidates: rows with few couplings; rows coupled to more than MAX_GROUP + a few of them are
  // global, then the candidates' couplings among themselves form the groups (connected components)
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

/** The local block D (its groups' dense blocks, each factorised or inverted) and products with it. */
class LocalBlocks {
  private readonly blocks: Float64Array[] = [];
  private readonly chol: boolean;
  private readonly plan: ArrowPlan;
  constructor(h: Float64Array, m: number, plan: ArrowPlan, shift: Float64Array | undefined, chol: boolean) {
    this.chol = chol; this.plan = plan;
    const { local, groups } = plan;
    for (let g = 0; g + 1 < groups.length; g++) {
      const a = groups[g]!, n = groups[g + 1]! - a;
      const blk = new Float64Array(n * n);
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) blk[r * n + c] = h[local[a + r]! * m + local[a + c]!]!;
        if (shift) blk[r * n + r]! += shift[local[a + r]!]!;
      }
      this.blocks.push(blk);
    }
  }
  /** factorise (Cholesky) or invert every block; false when one fails */
  prepare(): boolean {
    for (let g = 0; g < this.blocks.length; g++) {
      const n = this.size(g);
      if (this.chol) { if (!cholesky(this.blocks[g]!, n)) return false; } else {
        const inv = invert(this.blocks[g]!, n);
        if (!inv) return false;
        this.blocks[g] = inv;
      }
    }
    return true;
  }
  size(g: number): number { return this.plan.groups[g + 1]! - this.plan.groups[g]!; }
  get count(): number { return this.blocks.length; }
  /** x (length of group g) := D_g⁻¹ x */
  apply(g: number, x: Float64Array): void {
    const n = this.size(g), blk = this.blocks[g]!;
    if (this.chol) { choleskySolve(blk, n, x); return; }
    const y = Float64Array.from(x);
    for (let r = 0; r < n; r++) { let v = 0; for (let c = 0; c < n; c++) v += blk[r * n + c]! * y[c]!; x[r] = v; }
  }
}

export interface ArrowFactor {
  /** solves (H + shift) x = b in place */
  solve(b: Float64Array): void;
}

/** H_GL restricted to group g, as p columns of the group's rows: out[c * n + r] = H[global[c], local[a + r]] */
function couplings(h: Float64Array, m: number, plan: ArrowPlan, g: number): Float64Array {
  const { local, groups, global } = plan;
  const a = groups[g]!, n = groups[g + 1]! - a, p = global.length;
  const out = new Float64Array(p * n);
  for (let c = 0; c < p; c++) for (let r = 0; r < n; r++) out[c * n + r] = h[global[c]! * m + local[a + r]!]!;
  return out;
}

/** Factorises H + diag(shift) (shift: per-index additions, e.g. Levenberg damping); null when it is
 *  not positive definite. */
export function arrowFactor(h: Float64Array, m: number, plan: ArrowPlan, shift?: Float64Array): ArrowFactor | null {
  const { local, groups, global } = plan;
  const p = global.length;
  const d = new LocalBlocks(h, m, plan, shift, true);
  if (!d.prepare()) return null;
  const s = schur(h, m, plan, d, shift);
  if (!cholesky(s, p)) return null;
  return {
    solve(b: Float64Array) {
      // x_G = S^-1 (b_G - B D^-1 b_L), x_L = D^-1 (b_L - B^T x_G)
      const bg = Float64Array.from(global, (gi) => b[gi]!);
      for (let g = 0; g < d.count; g++) {
        const a = groups[g]!, n = d.size(g);
        const y = Float64Array.from({ length: n }, (_, r) => b[local[a + r]!]!);
        d.apply(g, y);
        for (let r = 0; r < p; r++) {
          const row = global[r]! * m;
          let v = 0;
          for (let q = 0; q < n; q++) v += h[row + local[a + q]!]! * y[q]!;
          bg[r]! -= v;
        }
      }
      choleskySolve(s, p, bg);
      for (let g = 0; g < d.count; g++) {
        const a = groups[g]!, n = d.size(g);
        const y = new Float64Array(n);
        for (let q = 0; q < n; q++) {
          const li = local[a + q]!;
          let v = b[li]!;
          for (let r = 0; r < p; r++) v -= h[li * m + global[r]!]! * bg[r]!;
          y[q] = v;
        }
        d.apply(g, y);
        for (let q = 0; q < n; q++) b[local[a + q]!] = y[q]!;
      }
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
  const w = new Float64Array(nl * p);
  for (let g = 0; g < d.count; g++) {
    const a = groups[g]!, n = d.size(g);
    const cpl = couplings(h, m, plan, g);
    for (let c = 0; c < p; c++) {
      const y = cpl.subarray(c * n, (c + 1) * n);
      d.apply(g, y);
      for (let r = 0; r < n; r++) w[(a + r) * p + c] = y[r]!;
    }
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
  for (let g = 0; g < d.count; g++) {
    const a = groups[g]!, n = d.size(g);
    for (let c = 0; c < n; c++) {
      const e = new Float64Array(n);
      e[c] = 1;
      d.apply(g, e);
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
  for (let g = 0; g < d.count; g++) {
    const n = d.size(g);
    const cpl = couplings(h, m, plan, g);
    // rows of globals coupled to this group, and D_g^-1 applied to each
    const rows: number[] = [];
    for (let r = 0; r < p; r++) for (let q = 0; q < n; q++) if (cpl[r * n + q] !== 0) { rows.push(r); break; }
    if (rows.length === 0) continue;
    const solved = rows.map((r) => { const y = Float64Array.from(cpl.subarray(r * n, (r + 1) * n)); d.apply(g, y); return y; });
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!, x = cpl.subarray(r * n, (r + 1) * n);
      for (let j = 0; j < rows.length; j++) {
        const y = solved[j]!;
        let v = 0;
        for (let q = 0; q < n; q++) v += x[q]! * y[q]!;
        s[r * p + rows[j]!]! -= v;
      }
    }
  }
  return s;
}
