// Named 1D templates from a Histograms artifact, for the workspace and datacard builders: cabinetry
// names `{region}_{process}[_{variation}]` from the category axes, plus weighted sums (pseudodata).
import { z } from 'zod';
import { strictParams } from '../engine/strict-params.ts';
import { UserError } from '../errors.ts';
import type { HistogramsArtifact, Hist1D } from '../hist/index.ts';

export const templateSelection = strictParams({
  /** histograms of the artifact to use (default: all) */
  histograms: z.array(z.string()).min(1).optional(),
  /** names of the category axes (histograms without a region axis use their own name as region) */
  axes: strictParams({ region: z.string().optional(), process: z.string().optional(), variation: z.string().optional() }).optional(),
  /** extra templates as weighted sums of others: name -> [{name, factor}] (e.g. the AGC pseudodata) */
  sums: z.record(z.string(), z.array(strictParams({ name: z.string(), factor: z.number().default(1) })).min(1)).optional(),
});
export type TemplateSelection = z.infer<typeof templateSelection>;

export async function namedTemplates(a: HistogramsArtifact, o: TemplateSelection): Promise<Map<string, Hist1D>> {
  // src/hist (and the ROOT writer behind it) loads only when a node runs, not when a graph is validated
  const { combine, fromData, toNamedHistograms } = await import('../hist/index.ts');
  const out = new Map<string, Hist1D>();
  const region = o.axes?.region ?? 'region';
  for (const name of o.histograms ?? Object.keys(a.hists)) {
    const d = a.hists[name];
    if (!d) throw new Error(`histograms: no histogram '${name}' in the input (have: ${Object.keys(a.hists).join(', ')})`);
    const h = fromData(d);
    const perRegion = h.axes.some((x) => x.name === region) ? h : { [name]: h };
    for (const [k, v] of toNamedHistograms(perRegion, { region, process: o.axes?.process, variation: o.axes?.variation })) out.set(k, v);
  }
  for (const [name, terms] of Object.entries(o.sums ?? {})) out.set(name, combine(out, terms, name));
  return out;
}

/** A builder's "missing histogram" error, completed with what the Histograms input does have. */
export function explainMissing(err: unknown, where: string, names: Iterable<string>): unknown {
  if (err instanceof UserError && err.message.includes('missing histogram')) {
    return new UserError(`${where}: ${err.message}; the Histograms input has ${someNames(names)}`, { cause: err });
  }
  return err;
}

/** For error messages: a few of the available names. */
export function someNames(names: Iterable<string>, max = 12): string {
  const all = [...names];
  return all.length <= max ? all.join(', ') : `${all.slice(0, max).join(', ')}, ... (${all.length} in all)`;
}
