// lumi: a scale of the whole sample with a Gaussian constraint whose auxdata and sigma come from the
// measurement's parameter config (no default, as in pyhf).
import { constantParams, firstUse, linearFactor } from './types.ts';
import type { ModifierKind } from './types.ts';

export const lumi: ModifierKind = {
  type: 'lumi',
  build(occs) {
    return {
      paramSets: firstUse(occs, (o) => ({
        name: o.mod.name, n: 1, scalar: true, inits: [1], bounds: [[0, 10]], fixed: [false],
        constraint: 'normal', auxdata: [NaN], sigmas: [NaN], factors: [], origin: o.path,
      }), true),
      terms: (offset) => occs.map((occ) => ({ occ, term: linearFactor(constantParams(occ.nom.length, offset(occ.mod.name))) })),
    };
  },
};
