// normsys: a scale of the whole sample interpolated between the lo and hi factors (code1 or code4),
// Gaussian constraint (auxdata 0, sigma 1), bounds [-5, 5], start 0.
import { code1, code1Deriv, code4, code4Coefficients, code4Deriv } from '../interpolation.ts';
import { constantParams, firstUse } from './types.ts';
import type { ModifierKind, Term } from './types.ts';

function normsysTerm(params: Int32Array, hi: number, lo: number, code: 'code1' | 'code4'): Term {
  const p = params[0]!;
  const coeffs = code4Coefficients(hi, lo);
  return {
    kind: 'factor',
    params,
    evaluate(pars, value, deriv) {
      const a = pars[p]!;
      const v = code === 'code4' ? code4(a, hi, lo, coeffs) : code1(a, hi, lo);
      const d = code === 'code4' ? code4Deriv(a, hi, lo, coeffs) : code1Deriv(a, hi, lo);
      value.fill(v, 0, params.length);
      deriv.fill(d, 0, params.length);
    },
  };
}

export const normsys: ModifierKind = {
  type: 'normsys',
  build(occs, opts) {
    return {
      paramSets: firstUse(occs, (o) => ({
        name: o.mod.name, n: 1, scalar: true, inits: [0], bounds: [[-5, 5]], fixed: [false],
        constraint: 'normal', auxdata: [0], sigmas: [1], factors: [], origin: o.path,
      }), true),
      terms: (offset) => occs.map((occ) => {
        const d = occ.mod.data as { hi: number; lo: number };
        return { occ, term: normsysTerm(constantParams(occ.nom.length, offset(occ.mod.name)), d.hi, d.lo, opts.normsys) };
      }),
    };
  },
};
