// Minuit2's minimisation state: internal parameters, error matrix (inverse Hessian) with its status,
// gradient and EDM, and the call count when the state was made.
import type { Gradient } from './gradient.ts';
import { similarity } from './matrix.ts';

export type ErrorStatus = 'posDef' | 'madePosDef' | 'hesseFailed' | 'invertFailed' | 'callLimit';

export interface MinError {
  /** inverse Hessian in internal coordinates, n x n */
  inv: Float64Array;
  dcovar: number;
  status: ErrorStatus;
}

export interface MinState {
  x: Float64Array;
  fval: number;
  error: MinError;
  gradient: Gradient;
  edm: number;
  nfcn: number;
}

export function errorIsValid(e: MinError): boolean {
  return e.status === 'posDef' || e.status === 'madePosDef';
}

/** Minuit2's VariableMetricEDMEstimator: 0.5 gᵀ V g */
export function estimateEdm(g: Gradient, e: MinError): number {
  return 0.5 * similarity(g.grad, e.inv);
}

export function diagonalFromG2(g2: Float64Array, eps2: number, guard: boolean): Float64Array {
  const n = g2.length, m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    if (guard) {
      const t = g2[i]! < eps2 ? 1 : 1 / g2[i]!;
      m[i * n + i] = t < eps2 ? 1 : t;
    } else m[i * n + i] = Math.abs(g2[i]!) > eps2 ? 1 / g2[i]! : 1;
  }
  return m;
}
