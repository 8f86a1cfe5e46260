// histosys: a per-bin shift of the sample interpolated between lo_data and hi_data (code0 or code4p),
// Gaussian constraint (auxdata 0, sigma 1), bounds [-5, 5], start 0. All histosys of one sample block
// are evaluated as one term.
import { code0, code0Deriv, code4p, code4pDeriv } from '../interpolation.ts';
import { byBlock, firstUse } from './types.ts';
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
  const f = code === 'code4p' ? code4p : code0;
  const df = code === 'code4p' ? code4pDeriv : code0Deriv;
  return {
    kind: 'delta',
    rows,
    params,
    evaluate(pars, value, deriv, at) {
      for (let r = 0, j = 0; r < rows; r++) {
        const a = pars[par[r]!]!;
        for (let i = 0; i < n; i++, j++) {
          value[at + j] = f(a, hi[j]!, nom[j]!, lo[j]!);
          deriv[at + j] = df(a, hi[j]!, nom[j]!, lo[j]!);
        }
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
      terms: (offset) => byBlock(occs).map((group) => ({ occ: group[0]!, term: histosysTerm(group, offset, opts.histosys) })),
    };
  },
};
