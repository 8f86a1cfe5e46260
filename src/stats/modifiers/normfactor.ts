// normfactor: a free scale of the whole sample, bounds [0, 10], start 1.
import { constantParams, firstUse, linearFactor, unconstrainedScalar } from './types.ts';
import type { ModifierKind } from './types.ts';

export const normfactor: ModifierKind = {
  type: 'normfactor',
  build(occs) {
    return {
      paramSets: firstUse(occs, (o) => unconstrainedScalar(o.mod.name, o.path, 1, [0, 10]), true),
      terms: (offset) => occs.map((occ) => ({ occ, term: linearFactor(constantParams(occ.nom.length, offset(occ.mod.name))) })),
    };
  },
};
