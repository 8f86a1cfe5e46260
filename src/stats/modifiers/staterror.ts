// staterror: one factor per bin of every channel the modifier appears in, shared by the samples carrying
// it, Gaussian constraint around 1 with sigma = sqrt(sum of the samples' squared uncertainties) / (sum of
// their nominals) per bin (0 where the nominal sum is 0). As pyhf does, bins with sigma 0 get sigma 1
// and are fixed. Their parameter sets come in name order (pyhf builds them after collecting all names).
import type { ModifierKind, Occurrence, ParamSetSpec } from './types.ts';
import { linearFactor } from './types.ts';

interface Group {
  name: string;
  occs: Occurrence[];
  /** channel index -> first parameter (relative to the set) and bin count */
  channels: Map<number, { start: number; nbins: number }>;
  spec: ParamSetSpec;
}

function groupByName(occs: Occurrence[]): Group[] {
  const groups = new Map<string, Occurrence[]>();
  for (const o of occs) {
    const g = groups.get(o.mod.name);
    if (g) g.push(o); else groups.set(o.mod.name, [o]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, list]) => {
    // every sample carrying it must carry it in the same channels (pyhf's mask consistency)
    const channelsOf = new Map<string, Set<number>>();
    for (const o of list) {
      const s = channelsOf.get(o.sample) ?? new Set<number>();
      s.add(o.channelIndex);
      channelsOf.set(o.sample, s);
    }
    const sets = [...channelsOf.values()].map((s) => [...s].sort((a, b) => a - b).join(','));
    if (new Set(sets).size > 1) {
      throw new Error(`${list[0]!.path}: staterror '${name}' must be carried by the same samples in every channel it appears in`);
    }
    const chanIdx = [...new Set(list.map((o) => o.channelIndex))].sort((a, b) => a - b);
    const channels = new Map<number, { start: number; nbins: number }>();
    const sigmas: number[] = [];
    for (const c of chanIdx) {
      const inChannel = list.filter((o) => o.channelIndex === c);
      const nbins = inChannel[0]!.nom.length;
      channels.set(c, { start: sigmas.length, nbins });
      for (let i = 0; i < nbins; i++) {
        let nomSum = 0;
        for (const o of inChannel) nomSum += o.nom[i]!;
        let rel2 = 0;
        if (nomSum > 0) for (const o of inChannel) rel2 += ((o.mod.data as number[])[i]! / nomSum) ** 2;
        sigmas.push(Math.sqrt(rel2));
      }
    }
    const n = sigmas.length;
    const fixed = sigmas.map((s) => s === 0);
    const spec: ParamSetSpec = {
      name, n, scalar: false, inits: Array(n).fill(1), bounds: Array.from({ length: n }, () => [1e-10, 10] as [number, number]),
      fixed, constraint: 'normal', auxdata: Array(n).fill(1), sigmas: sigmas.map((s) => (s === 0 ? 1 : s)), factors: [],
      origin: list[0]!.path,
    };
    return { name, occs: list, channels, spec };
  });
}

export const staterror: ModifierKind = {
  type: 'staterror',
  build(occs) {
    const groups = groupByName(occs);
    return {
      paramSets: groups.map((g) => g.spec),
      terms: (offset) => groups.flatMap((g) => {
        const base = offset(g.name);
        return g.occs.map((occ) => {
          const ch = g.channels.get(occ.channelIndex)!;
          return { occ, term: linearFactor(Int32Array.from(occ.nom, (_, i) => base + ch.start + i)) };
        });
      }),
    };
  },
};
