// Adding Histograms artifacts and grouping categories (the merge node's work).
import { emptyArtifact, fromData, mergeInto, toData, type HistogramsArtifact } from '../hist/index.ts';

export function mergeHistograms(inputs: HistogramsArtifact[], p: { groups: Record<string, string[]>; axis: string }): HistogramsArtifact {
  const acc = emptyArtifact();
  for (const a of inputs) mergeInto(acc, structuredClone(a));
  if (Object.keys(p.groups).length) {
    for (const [name, d] of Object.entries(acc.hists)) {
      const h = fromData(d);
      if (h.axes.some((x) => x.name === p.axis)) acc.hists[name] = toData(h.groupCategories(p.axis, p.groups));
    }
  }
  return acc;
}
