// shapesys: one factor per bin with a Poisson constraint, auxdata = factor = (nominal / uncertainty)^2,
// bounds [1e-10, 10]; not shared. As pyhf >= 0.7 does, bins where the nominal or the uncertainty is not
// positive still get a parameter, fixed at 1 with factor 1.
import { firstUse, linearFactor } from './types.ts';
import type { ModifierKind, Occurrence } from './types.ts';

function validity(occ: Occurrence): boolean[] {
  const unc = occ.mod.data as number[];
  return occ.nom.map((v, i) => v > 0 && unc[i]! > 0);
}

export const shapesys: ModifierKind = {
  type: 'shapesys',
  build(occs) {
    return {
      paramSets: firstUse(occs, (o) => {
        const unc = o.mod.data as number[];
        const valid = validity(o);
        const n = valid.length;
        const factors = valid.map((ok, i) => (ok ? (o.nom[i]! / unc[i]!) ** 2 : 1));
        return {
          name: o.mod.name, n, scalar: false, inits: Array(n).fill(1),
          bounds: Array.from({ length: n }, () => [1e-10, 10] as [number, number]), fixed: valid.map((ok) => !ok),
          constraint: 'poisson', auxdata: factors, sigmas: [], factors, origin: o.path,
        };
      }, false),
      terms: (offset) => occs.map((occ) => {
        const base = offset(occ.mod.name);
        return { occ, term: linearFactor(Int32Array.from(occ.nom, (_, i) => base + i)) };
      }),
    };
  },
};
