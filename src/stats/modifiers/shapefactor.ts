// shapefactor: one free factor per bin, shared by name across samples and channels (bin i of every
// channel it appears in uses parameter i), bounds [0, 10], start 1.
import { firstUse, linearFactor } from './types.ts';
import type { ModifierKind } from './types.ts';

export const shapefactor: ModifierKind = {
  type: 'shapefactor',
  build(occs) {
    return {
      paramSets: firstUse(occs, (o) => {
        const n = o.nom.length;
        return {
          name: o.mod.name, n, scalar: false, inits: Array(n).fill(1), bounds: Array.from({ length: n }, () => [0, 10] as [number, number]),
          fixed: Array(n).fill(false), constraint: null, auxdata: [], sigmas: [], factors: [], origin: o.path,
        };
      }, true),
      terms: (offset) => occs.map((occ) => {
        const base = offset(occ.mod.name);
        return { occ, term: linearFactor(Int32Array.from(occ.nom, (_, i) => base + i)) };
      }),
    };
  },
};
