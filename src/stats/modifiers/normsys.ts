// normsys: a scale of the whole sample interpolated between the lo and hi factors (code1 or code4),
// Gaussian constraint (auxdata 0, sigma 1), bounds [-5, 5], start 0. All normsys of one sample block
// are evaluated as one term.
import { code1, code1Deriv, code1Deriv2, code4, code4Coefficients, code4Deriv, code4Deriv2 } from '../interpolation.ts';
import { alphaParameters, byBlock } from './types.ts';
import type { ModifierKind, Occurrence, Term } from './types.ts';

function normsysTerm(occs: Occurrence[], offset: (name: string) => number, code: 'code1' | 'code4'): Term {
  const rows = occs.length, n = occs[0]!.nom.length;
  const par = Int32Array.from(occs, (o) => offset(o.mod.name));
  const params = new Int32Array(rows * n);
  occs.forEach((_, r) => params.fill(par[r]!, r * n, (r + 1) * n));
  const hi = Float64Array.from(occs, (o) => (o.mod.data as { hi: number }).hi);
  const lo = Float64Array.from(occs, (o) => (o.mod.data as { lo: number }).lo);
  const coeffs = occs.map((_, r) => code4Coefficients(hi[r]!, lo[r]!));
  return {
    kind: 'factor',
    rows,
    params,
    evaluate(pars, value, deriv, at, second) {
      for (let r = 0; r < rows; r++) {
        const a = pars[par[r]!]!;
        const v = code === 'code4' ? code4(a, hi[r]!, lo[r]!, coeffs[r]!) : code1(a, hi[r]!, lo[r]!);
        const d = code === 'code4' ? code4Deriv(a, hi[r]!, lo[r]!, coeffs[r]!) : code1Deriv(a, hi[r]!, lo[r]!);
        for (let i = 0, j = at + r * n; i < n; i++, j++) { value[j] = v; deriv[j] = d; }
        if (second) {
          const d2 = code === 'code4' ? code4Deriv2(a, hi[r]!, lo[r]!, coeffs[r]!) : code1Deriv2(a, hi[r]!, lo[r]!);
          second.fill(d2, at + r * n, at + (r + 1) * n);
        }
      }
    },
  };
}

export const normsys: ModifierKind = {
  type: 'normsys',
  build(occs, opts) {
    return {
      paramSets: alphaParameters(occs),
      terms: (offset) => byBlock(occs).map((group) => ({ occ: group[0]!, term: normsysTerm(group, offset, opts.normsys) })),
    };
  },
};
