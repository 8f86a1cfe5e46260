// HistFactory interpolation codes (as in pyhf's interpolators): the value and the derivative with respect
// to the nuisance parameter alpha. Multiplicative codes (1, 4) interpolate a factor with nominal 1;
// additive codes (0, 4p) interpolate a per-bin shift of the nominal.

export type NormsysCode = 'code1' | 'code4';
export type HistosysCode = 'code0' | 'code4p';

/** code1: piecewise exponential, hi^alpha above 0 and lo^-alpha below. */
export function code1(alpha: number, hi: number, lo: number): number {
  return alpha >= 0 ? Math.pow(hi, alpha) : Math.pow(lo, -alpha);
}
export function code1Deriv(alpha: number, hi: number, lo: number): number {
  return alpha >= 0 ? Math.pow(hi, alpha) * Math.log(hi) : -Math.pow(lo, -alpha) * Math.log(lo);
}

export function code1Deriv2(alpha: number, hi: number, lo: number): number {
  if (alpha >= 0) { const l = Math.log(hi); return Math.pow(hi, alpha) * l * l; }
  const l = Math.log(lo);
  return Math.pow(lo, -alpha) * l * l;
}

// code4: exponential outside |alpha| >= 1, a 6th-order polynomial 1 + sum a_i alpha^i inside, matching
// value, slope and curvature of the exponentials at alpha = +-1. The coefficients are A^-1 b where b
// holds those six conditions; A^-1 is fixed, so it is computed once.
const CODE4_AINV: Float64Array = (() => {
  const rows = [
    [1, 1, 1, 1, 1, 1],
    [-1, 1, -1, 1, -1, 1],
    [1, 2, 3, 4, 5, 6],
    [1, -2, 3, -4, 5, -6],
    [0, 2, 6, 12, 20, 30],
    [0, 2, -6, 12, -20, 30],
  ];
  return invertSmall(rows);
})();

function invertSmall(rows: number[][]): Float64Array {
  const n = rows.length;
  const a = rows.map((r, i) => [...r, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const piv = a[c]![c]!;
    for (let j = 0; j < 2 * n; j++) a[c]![j]! /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      if (f !== 0) for (let j = 0; j < 2 * n; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = a[i]![n + j]!;
  return out;
}

/** The six polynomial coefficients a_1..a_6 of code4 for factors hi, lo. */
export function code4Coefficients(hi: number, lo: number): Float64Array {
  const lh = Math.log(hi), ll = Math.log(lo);
  const b = [hi - 1, lo - 1, hi * lh, -lo * ll, hi * lh * lh, lo * ll * ll];
  const out = new Float64Array(6);
  for (let i = 0; i < 6; i++) {
    let s = 0;
    for (let j = 0; j < 6; j++) s += CODE4_AINV[i * 6 + j]! * b[j]!;
    out[i] = s;
  }
  return out;
}

export function code4(alpha: number, hi: number, lo: number, coeffs: Float64Array): number {
  if (alpha >= 1) return Math.pow(hi, alpha);
  if (alpha <= -1) return Math.pow(lo, -alpha);
  let s = 0;
  for (let i = 5; i >= 0; i--) s = (s + coeffs[i]!) * alpha;
  return 1 + s;
}
export function code4Deriv(alpha: number, hi: number, lo: number, coeffs: Float64Array): number {
  if (alpha >= 1) return Math.pow(hi, alpha) * Math.log(hi);
  if (alpha <= -1) return -Math.pow(lo, -alpha) * Math.log(lo);
  let s = 0;
  for (let i = 5; i >= 0; i--) s = s * alpha + (i + 1) * coeffs[i]!;
  return s;
}

export function code4Deriv2(alpha: number, hi: number, lo: number, coeffs: Float64Array): number {
  if (alpha >= 1 || alpha <= -1) return code1Deriv2(alpha, hi, lo);
  let s = 0;
  for (let i = 5; i >= 1; i--) s = s * alpha + (i + 1) * i * coeffs[i]!;
  return s;
}

/** code0: piecewise linear shift. */
export function code0(alpha: number, hi: number, nom: number, lo: number): number {
  return alpha > 0 ? alpha * (hi - nom) : alpha * (nom - lo);
}
export function code0Deriv(alpha: number, hi: number, nom: number, lo: number): number {
  return alpha > 0 ? hi - nom : nom - lo;
}

/** code4p: linear outside |alpha| > 1, a polynomial inside with continuous value, slope and curvature. */
export function code4p(alpha: number, hi: number, nom: number, lo: number): number {
  const up = hi - nom, dn = nom - lo;
  if (alpha > 1) return alpha * up;
  if (alpha < -1) return alpha * dn;
  const s = 0.5 * (up + dn), a = 0.0625 * (up - dn), a2 = alpha * alpha;
  return alpha * (s + alpha * a * (15 + a2 * (3 * a2 - 10)));
}
export function code4pDeriv(alpha: number, hi: number, nom: number, lo: number): number {
  const up = hi - nom, dn = nom - lo;
  if (alpha > 1) return up;
  if (alpha < -1) return dn;
  const s = 0.5 * (up + dn), a = 0.0625 * (up - dn), a2 = alpha * alpha;
  return s + a * alpha * (30 + a2 * (18 * a2 - 40));
}
export function code4pDeriv2(alpha: number, hi: number, nom: number, lo: number): number {
  if (alpha > 1 || alpha < -1) return 0;
  const a = 0.0625 * ((hi - nom) - (nom - lo)), a2 = alpha * alpha;
  return a * (30 + a2 * (90 * a2 - 120));
}
