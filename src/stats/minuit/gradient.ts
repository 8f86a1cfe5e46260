// Minuit2's numerical first and second derivatives: the initial estimate from the user's step sizes,
// the two-point gradient Migrad iterates with (step sizes adapted to the curvature), and Hesse's
// refined gradient. Each returns gradient, diagonal second derivatives and step sizes.
import { EPS, EPS2, type Strategy } from './precision.ts';
import type { Fcn, Transform } from './transform.ts';

export interface Gradient { grad: Float64Array; g2: Float64Array; gstep: Float64Array }

/** Minuit2's InitialGradientCalculator: derivatives guessed from the user's step sizes. */
export function initialGradient(fcn: Fcn, tr: Transform, x: Float64Array): Gradient {
  const n = tr.n;
  const grad = new Float64Array(n), g2 = new Float64Array(n), gstep = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i]!, werr = tr.step[i]!, sav = tr.int2ext(i, v);
    let sav2 = sav + werr;
    if (Number.isFinite(tr.upper[i]!) && sav2 > tr.upper[i]!) sav2 = tr.upper[i]!;
    const vplu = tr.ext2int(i, sav2) - v;
    sav2 = sav - werr;
    if (Number.isFinite(tr.lower[i]!) && sav2 < tr.lower[i]!) sav2 = tr.lower[i]!;
    const vmin = tr.ext2int(i, sav2) - v;
    const gsmin = 8 * EPS2 * (Math.abs(v) + EPS2);
    const dirin = Math.max(0.5 * (Math.abs(vplu) + Math.abs(vmin)), gsmin);
    g2[i] = 2 * fcn.up / (dirin * dirin);
    gstep[i] = Math.max(gsmin, 0.1 * dirin);
    grad[i] = g2[i]! * dirin;
    if (tr.hasLimits(i) && gstep[i]! > 0.5) gstep[i] = 0.5;
  }
  return { grad, g2, gstep };
}

/** Minuit2's Numerical2PGradientCalculator, starting from the previous gradient `prev`. */
export function numericalGradient(fcn: Fcn, tr: Transform, st: Strategy, x0: Float64Array, fval: number, prev: Gradient): Gradient {
  const n = tr.n;
  const dfmin = 8 * EPS2 * (Math.abs(fval) + fcn.up);
  const vrysml = 8 * EPS * EPS;
  const grad = Float64Array.from(prev.grad), g2 = Float64Array.from(prev.g2), gstep = Float64Array.from(prev.gstep);
  const x = Float64Array.from(x0);
  for (let i = 0; i < n; i++) {
    const epspri = EPS2 + Math.abs(grad[i]! * EPS2);
    let stepb4 = 0;
    for (let j = 0; j < st.gradientCycles; j++) {
      const optstp = Math.sqrt(dfmin / (Math.abs(g2[i]!) + epspri));
      let step = Math.max(optstp, Math.abs(0.1 * gstep[i]!));
      if (tr.hasLimits(i) && step > 0.5) step = 0.5;
      const stpmax = 10 * Math.abs(gstep[i]!);
      if (step > stpmax) step = stpmax;
      const stpmin = Math.max(vrysml, 8 * Math.abs(EPS2 * x[i]!));
      if (step < stpmin) step = stpmin;
      if (Math.abs((step - stepb4) / step) < st.gradientStepTolerance) break;
      gstep[i] = step;
      stepb4 = step;
      const [fs1, fs2] = fcn.pair(x, i, step);
      const grdb4 = grad[i]!;
      grad[i] = 0.5 * (fs1 - fs2) / step;
      g2[i] = (fs1 + fs2 - 2 * fval) / step / step;
      if (Math.abs(grdb4 - grad[i]!) / (Math.abs(grad[i]!) + dfmin / step) < st.gradientTolerance) break;
    }
  }
  return { grad, g2, gstep };
}

/** Minuit2's HessianGradientCalculator: a refined gradient with shrinking steps (g2 kept). */
export function hessianGradient(fcn: Fcn, st: Strategy, x0: Float64Array, fval: number, prev: Gradient): Gradient {
  const n = x0.length;
  const x = Float64Array.from(x0);
  const grad = Float64Array.from(prev.grad), gstep = Float64Array.from(prev.gstep), g2 = prev.g2;
  const dfmin = 4 * EPS2 * (Math.abs(fval) + fcn.up);
  for (let i = 0; i < n; i++) {
    const xtf = x[i]!;
    // Minuit2 has no fabs on xtf here; kept for identical steps
    const dmin = 4 * EPS2 * (xtf + EPS2);
    const epspri = EPS2 + Math.abs(grad[i]! * EPS2);
    const optstp = Math.sqrt(dfmin / (Math.abs(g2[i]!) + epspri));
    let d = 0.2 * Math.abs(gstep[i]!);
    if (d > optstp) d = optstp;
    if (d < dmin) d = dmin;
    let chgold = 10000;
    for (let j = 0; j < st.hessianGradientCycles; j++) {
      const [fs1, fs2] = fcn.pair(x, i, d);
      const grdold = grad[i]!;
      const grdnew = (fs1 - fs2) / (2 * d);
      const dgmin = EPS * (Math.abs(fs1) + Math.abs(fs2)) / d;
      if (grdnew === 0) break;
      const change = Math.abs((grdold - grdnew) / grdnew);
      if (change > chgold && j > 1) break;
      chgold = change;
      grad[i] = grdnew;
      gstep[i] = d;
      if (change < 0.05) break;
      if (Math.abs(grdold - grdnew) < dgmin) break;
      if (d < dmin) break;
      d *= 0.2;
    }
  }
  return { grad, g2: Float64Array.from(g2), gstep };
}
