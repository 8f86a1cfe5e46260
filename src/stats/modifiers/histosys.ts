// histosys: a per-bin shift of the sample interpolated between lo_data and hi_data (code0 or code4p),
// Gaussian constraint (auxdata 0, sigma 1), bounds [-5, 5], start 0. All histosys of one sample block
// are evaluated as one term; the formulas are those of interpolation.ts (code0, code4p), unrolled with
// per-bin constants because this is the hot loop of histosys-heavy models.
import { alphaParameters, byBlock } from './types.ts';
import type { ModifierKind, Occurrence, Term } from './types.ts';

function histosysTerm(occs: Occurrence[], offset: (name: string) => number, code: 'code0' | 'code4p'): Term {
  const rows = occs.length, n = occs[0]!.nom.length;
  const par = Int32Array.from(occs, (o) => offset(o.mod.name));
  const params = new Int32Array(rows * n);
  const hi = new Float64Array(rows * n), lo = new Float64Array(rows * n), nom = new Float64Array(rows * n);
  occs.forEach((o, r) => {
    const d = o.mod.data as { hi_data: number[]; lo_data: number[] };
    params.fill(par[r]!, r * n, (r + 1) * n);
    hi.set(d.hi_data, r * n); lo.set(d.lo_data, r * n); nom.set(o.nom, r * n);
  });
  // per-bin constants of the interpolation: up = hi - nom, dn = nom - lo; inside |alpha| <= 1 code4p is
  // alpha * S + A * c2(alpha) with S = (up + dn) / 2, A = (up - dn) / 16 and a per-row polynomial c2
  const up = new Float64Array(rows * n), dn = new Float64Array(rows * n), sum = new Float64Array(rows * n), asym = new Float64Array(rows * n);
  for (let j = 0; j < rows * n; j++) {
    up[j] = hi[j]! - nom[j]!; dn[j] = nom[j]! - lo[j]!;
    sum[j] = 0.5 * (up[j]! + dn[j]!); asym[j] = 0.0625 * (up[j]! - dn[j]!);
  }
  return {
    kind: 'delta',
    rows,
    params,
    evaluate(pars, value, deriv, at, second) {
      for (let r = 0; r < rows; r++) {
        const a = pars[par[r]!]!;
        const j0 = r * n, o = at + j0;
        if (code === 'code4p' && a >= -1 && a <= 1) {
          const a2 = a * a;
          const c2 = a2 * (15 + a2 * (3 * a2 - 10)), c3 = a * (30 + a2 * (18 * a2 - 40));
          for (let i = 0; i < n; i++) {
            value[o + i] = a * sum[j0 + i]! + asym[j0 + i]! * c2;
            deriv[o + i] = sum[j0 + i]! + asym[j0 + i]! * c3;
          }
          if (second) {
            const c4 = 30 + a2 * (90 * a2 - 120);
            for (let i = 0; i < n; i++) second[o + i] = asym[j0 + i]! * c4;
          }
        } else {
          // linear pieces: code0 everywhere, code4p outside |alpha| <= 1
          const side = a > 0 ? up : dn;
          for (let i = 0; i < n; i++) { value[o + i] = a * side[j0 + i]!; deriv[o + i] = side[j0 + i]!; }
          second?.fill(0, o, o + n);
        }
      }
    },
  };
}

export const histosys: ModifierKind = {
  type: 'histosys',
  build(occs, opts) {
    return {
      paramSets: alphaParameters(occs),
      terms: (offset) => byBlock(occs).map((group) => ({ occ: group[0]!, term: histosysTerm(group, offset, opts.histosys) })),
    };
  },
};
