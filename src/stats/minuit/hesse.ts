// Minuit2's numerical Hesse (MnHesse with a numerical gradient): diagonal second derivatives with
// iterated step sizes, a refined gradient (strategy >= 1), forward-difference mixed derivatives, forced
// positive definite, inverted. At a parameter near its limit the internal-coordinate function is far
// from quadratic and the result depends on these exact steps: that is why it is reproduced here.
import { hessianGradient } from './gradient.ts';
import { invertSymmetric, makePosDef } from './matrix.ts';
import { EPS2, type Strategy } from './precision.ts';
import { diagonalFromG2, estimateEdm, type MinState } from './state.ts';
import type { Fcn, Transform } from './transform.ts';

export function hesse(fcn: Fcn, tr: Transform, st: Strategy, state: MinState, maxcalls = 0): MinState {
  const n = state.x.length;
  const amin = fcn.eval(state.x);
  const aimsag = Math.sqrt(EPS2) * (Math.abs(amin) + fcn.up);
  if (maxcalls === 0) maxcalls = 200 + 100 * n + 5 * n * n;
  const vh = new Float64Array(n * n);
  const g2 = Float64Array.from(state.gradient.g2);
  let gst: Float64Array = Float64Array.from(state.gradient.gstep);
  let grd: Float64Array = Float64Array.from(state.gradient.grad);
  const dirin = Float64Array.from(state.gradient.gstep);
  const yy = new Float64Array(n);
  const x = Float64Array.from(state.x);
  const failed = (status: 'hesseFailed' | 'callLimit'): MinState => ({
    ...state, error: { inv: diagonalFromG2(g2, EPS2, true), dcovar: 1, status }, nfcn: fcn.calls,
  });

  for (let i = 0; i < n; i++) {
    const xtf = x[i]!;
    const dmin = 8 * EPS2 * (Math.abs(xtf) + EPS2);
    let d = Math.abs(gst[i]!);
    if (d < dmin) d = dmin;
    for (let icyc = 0; icyc < st.hessianCycles; icyc++) {
      let sag = 0, fs1 = 0, fs2 = 0;
      let found = false;
      for (let multpy = 0; multpy < 5; multpy++) {
        [fs1, fs2] = fcn.pair(x, i, d);
        sag = 0.5 * (fs1 + fs2 - 2 * amin);
        if (sag !== 0) { found = true; break; }
        if (tr.hasLimits(i)) {
          if (d > 0.5) break;
          d *= 10;
          if (d > 0.5) d = 0.51;
          continue;
        }
        d *= 10;
      }
      if (!found) return failed('hesseFailed');
      const g2bfor = g2[i]!;
      g2[i] = 2 * sag / (d * d);
      grd[i] = (fs1 - fs2) / (2 * d);
      gst[i] = d;
      dirin[i] = d;
      yy[i] = fs1;
      const dlast = d;
      d = Math.sqrt(2 * aimsag / Math.abs(g2[i]!));
      if (tr.hasLimits(i)) d = Math.min(0.5, d);
      if (d < dmin) d = dmin;
      if (Math.abs((d - dlast) / d) < st.hessianStepTolerance) break;
      if (Math.abs((g2[i]! - g2bfor) / g2[i]!) < st.hessianG2Tolerance) break;
      d = Math.min(d, 10 * dlast);
      d = Math.max(d, 0.1 * dlast);
    }
    vh[i * n + i] = g2[i]!;
    if (fcn.calls > maxcalls) return failed('callLimit');
  }

  if (st.level > 0) {
    const gr = hessianGradient(fcn, st, state.x, state.fval, { grad: grd, g2, gstep: gst });
    grd = gr.grad;
    gst = gr.gstep;
  }

  for (let i = 0; i < n; i++) {
    x[i]! += dirin[i]!;
    for (let j = i + 1; j < n; j++) {
      x[j]! += dirin[j]!;
      const fs1 = fcn.eval(x);
      const elem = (fs1 + amin - yy[i]! - yy[j]!) / (dirin[i]! * dirin[j]!);
      vh[i * n + j] = elem; vh[j * n + i] = elem;
      x[j]! -= dirin[j]!;
    }
    x[i]! -= dirin[i]!;
  }

  const pd = makePosDef(vh, n);
  const inv = invertSymmetric(pd.matrix, n);
  const gradient = { grad: grd, g2, gstep: gst };
  if (!inv) return { ...state, error: { inv: diagonalFromG2(g2, EPS2, true), dcovar: 1, status: 'invertFailed' }, nfcn: fcn.calls };
  const error = { inv, dcovar: 0, status: pd.madePosDef ? 'madePosDef' as const : 'posDef' as const };
  return { x: state.x, fval: state.fval, error, gradient, edm: estimateEdm(gradient, error), nfcn: fcn.calls };
}
