// histosys: a per-bin shift of the sample interpolated between lo_data and hi_data (code0 or code4p),
// Gaussian constraint (auxdata 0, sigma 1), bounds [-5, 5], start 0.
import { code0, code0Deriv, code4p, code4pDeriv } from '../interpolation.ts';
import { constantParams, firstUse } from './types.ts';
import type { ModifierKind, Term } from './types.ts';

function histosysTerm(params: Int32Array, hi: Float64Array, nom: Float64Array, lo: Float64Array, code: 'code0' | 'code4p'): Term {
  const p = params[0]!;
  const f = code === 'code4p' ? code4p : code0;
  const df = code === 'code4p' ? code4pDeriv : code0Deriv;
  return {
    kind: 'delta',
    params,
    evaluate(pars, value, deriv) {
      const a = pars[p]!;
      for (let i = 0; i < nom.length; i++) {
        value[i] = f(a, hi[i]!, nom[i]!, lo[i]!);
        deriv[i] = df(a, hi[i]!, nom[i]!, lo[i]!);
      }
    },
  };
}

export const histosys: ModifierKind = {
  type: 'histosys',
  build(occs, opts) {
    return {
      paramSets: firstUse(occs, (o) => ({
        name: o.mod.name, n: 1, scalar: true, inits: [0], bounds: [[-5, 5]], fixed: [false],
        constraint: 'normal', auxdata: [0], sigmas: [1], factors: [], origin: o.path,
      }), true),
      terms: (offset) => occs.map((occ) => {
        const d = occ.mod.data as { hi_data: number[]; lo_data: number[] };
        return {
          occ,
          term: histosysTerm(
            constantParams(occ.nom.length, offset(occ.mod.name)),
            Float64Array.from(d.hi_data), Float64Array.from(occ.nom), Float64Array.from(d.lo_data), opts.histosys,
          ),
        };
      }),
    };
  },
};
