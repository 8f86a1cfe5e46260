// Dense symmetric linear algebra on row-major Float64Arrays (n up to a few hundred).

/** In-place Cholesky factorisation A = L L^T (lower triangle); false if A is not positive definite. */
export function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! * a[j * n + k]!;
    if (!(d > 0)) return false;
    d = Math.sqrt(d);
    a[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / d;
    }
  }
  return true;
}

/** Solve L L^T x = b given the factor from `cholesky`; b is overwritten with x. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

/** Inverse of a symmetric matrix by Gauss-Jordan with partial pivoting (works when not positive
 *  definite); null if singular. */
export function invert(m: Float64Array, n: number): Float64Array | null {
  const a = Float64Array.from(m);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]!) > Math.abs(a[p * n + c]!)) p = r;
    const piv = a[p * n + c]!;
    if (piv === 0 || !Number.isFinite(piv)) return null;
    if (p !== c) {
      for (let j = 0; j < n; j++) {
        let t = a[c * n + j]!; a[c * n + j] = a[p * n + j]!; a[p * n + j] = t;
        t = inv[c * n + j]!; inv[c * n + j] = inv[p * n + j]!; inv[p * n + j] = t;
      }
    }
    const f = 1 / piv;
    for (let j = 0; j < n; j++) { a[c * n + j]! *= f; inv[c * n + j]! *= f; }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const g = a[r * n + c]!;
      if (g === 0) continue;
      for (let j = 0; j < n; j++) { a[r * n + j]! -= g * a[c * n + j]!; inv[r * n + j]! -= g * inv[c * n + j]!; }
    }
  }
  return inv;
}
