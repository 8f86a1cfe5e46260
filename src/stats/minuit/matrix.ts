// Small dense symmetric-matrix helpers for the Minuit emulation (row-major n x n, full storage).
import { invert } from '../linalg.ts';
import { EPS, EPS2 } from './precision.ts';

export function matVec(m: Float64Array, v: Float64Array, out = new Float64Array(v.length)): Float64Array {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += m[i * n + j]! * v[j]!;
    out[i] = s;
  }
  return out;
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** vᵀ M v */
export function similarity(v: Float64Array, m: Float64Array): number {
  return dot(v, matVec(m, v));
}

/** Minuit's sum_of_elements of a symmetric matrix: sum of |m_ij| over the packed lower triangle. */
export function sumOfElements(m: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) s += Math.abs(m[i * n + j]!);
  return s;
}

/** Inverse of a symmetric positive matrix scaled to unit diagonal first (as Minuit's mnvert);
 *  null when a diagonal element is not positive or a pivot vanishes. */
export function invertSymmetric(m: Float64Array, n: number): Float64Array | null {
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = m[i * n + i]!;
    if (!(d > 0)) return null;
    s[i] = 1 / Math.sqrt(d);
  }
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = m[i * n + j]! * s[i]! * s[j]!;
  const inv = invert(a, n);
  if (!inv) return null;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) inv[i * n + j]! *= s[i]! * s[j]!;
  // symmetrise (rounding)
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) {
    const v = 0.5 * (inv[i * n + j]! + inv[j * n + i]!);
    inv[i * n + j] = v; inv[j * n + i] = v;
  }
  return inv;
}

/** Eigenvalues of a symmetric matrix, ascending (cyclic Jacobi). */
export function eigenvalues(m: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(m);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!, akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq; a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!, aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk; a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Float64Array.from({ length: n }, (_, i) => a[i * n + i]!).sort();
}

/** Minuit2's MnPosDef: the matrix, or a copy with its diagonal raised until positive definite. */
export function makePosDef(m: Float64Array, n: number): { matrix: Float64Array; madePosDef: boolean } {
  const err = Float64Array.from(m);
  if (n === 1) {
    if (err[0]! < EPS) { err[0] = 1; return { matrix: err, madePosDef: true }; }
    return { matrix: err, madePosDef: false };
  }
  const epspdf = Math.max(1e-6, EPS2);
  let dgmin = err[0]!;
  for (let i = 0; i < n; i++) if (err[i * n + i]! < dgmin) dgmin = err[i * n + i]!;
  const dg = dgmin <= 0 ? 0.5 + epspdf - dgmin : 0;
  const s = new Float64Array(n), p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    err[i * n + i]! += dg;
    if (err[i * n + i]! < 0) err[i * n + i] = 1;
    s[i] = 1 / Math.sqrt(err[i * n + i]!);
    for (let j = 0; j <= i; j++) {
      const v = err[i * n + j]! * s[i]! * s[j]!;
      p[i * n + j] = v; p[j * n + i] = v;
    }
  }
  const ev = eigenvalues(p, n);
  const pmin = ev[0]!;
  const pmax = Math.max(Math.abs(ev[n - 1]!), 1);
  if (pmin > epspdf * pmax) return { matrix: err, madePosDef: false };
  const padd = 0.001 * pmax - pmin;
  for (let i = 0; i < n; i++) err[i * n + i]! *= 1 + padd;
  return { matrix: err, madePosDef: true };
}
