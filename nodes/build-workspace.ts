// build-workspace: Histograms + a cabinetry config -> pyhf workspace (JSON 1.0.0), as
// cabinetry.workspace.build does; writes workspace.json. The config is validated at graph
// validation time (errors name the config key), and read from YAML when given as a path (relative
// to the working directory), so its content, not its path, is part of the cache key.
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { blobJsonCodec } from '../src/report/blob-codec.ts';
import { defineNodeKind, type NodeContext, type OutputContext } from '../src/engine/node-kind.ts';
import { UserError } from '../src/errors.ts';
import type { Hist1D, HistogramsArtifact } from '../src/hist/index.ts';
import { readCabinetryConfig, validateCabinetryConfig, type CabinetryConfig } from '../src/stats/build/cabinetry-config.ts';
import { templateLocation, lookupHistogram, type TemplateRef } from '../src/stats/build/template-histograms.ts';
import { pyhfWorkspace, type WorkspaceArtifact, type WorkspaceMeta } from '../src/report/artifacts.ts';
import { explainMissing, namedTemplates, templateSelection } from '../src/report/template-source.ts';

const cabinetryConfig = z.union([z.string(), z.record(z.string(), z.unknown())], { error: 'expected a cabinetry config object or the path of its YAML file' })
  .transform((v, ctx): CabinetryConfig => {
    try {
      return typeof v === 'string' ? readCabinetryConfig(v) : validateCabinetryConfig(v);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      ctx.issues.push({ code: 'custom', message: err.message, input: v });
      return z.NEVER;
    }
  });

const naming = strictParams({
  /** cabinetry Region Name -> region category (or histogram name); default RegionPath, else Name */
  regions: z.record(z.string(), z.string()).optional(),
  /** cabinetry Sample Name -> process category; default SamplePath, else Name */
  samples: z.record(z.string(), z.string()).optional(),
  /** Systematic Name -> variation categories; default the template's VariationPath without a leading '_' */
  variations: z.record(z.string(), strictParams({ up: z.string().optional(), down: z.string().optional() })).optional(),
});

/** The options object (the builder also takes the config, or its path, in place of it). */
export const workspaceOptions = strictParams({
  ...templateSelection.shape,
  config: cabinetryConfig,
  /** look templates up by category instead of by the config's InputPath */
  naming: naming.optional(),
  /** merge template bins onto each Region's Binning (default true) */
  rebinToRegionBinning: z.boolean().default(true),
  output: z.union([z.string(), z.literal(false)]).default('workspace.json'),
});

const params = z.preprocess(
  // g.buildWorkspace(name, hists, config) may pass the cabinetry config (or its path) itself
  (v) => (typeof v === 'string' || (typeof v === 'object' && v !== null && 'General' in v) ? { config: v } : v),
  workspaceOptions,
);
type Params = z.infer<typeof params>;

type Naming = z.infer<typeof naming>;

/** Histogram name of a template from category mappings: cabinetryName(region, process, variation). */
export function mappedName(n: Naming, cabinetryName: (region: string, sample: string, variation: string) => string): (ref: TemplateRef) => string {
  return ({ region, sample, systematic, template }) => {
    const r = n.regions?.[region.Name] ?? region.RegionPath ?? region.Name;
    let s = n.samples?.[sample.Name] ?? (typeof sample.SamplePath === 'string' ? sample.SamplePath : sample.Name);
    if (systematic === null || template === 'Nominal') return cabinetryName(r, s, 'nominal');
    const side = systematic[template];
    if (typeof side.SamplePath === 'string' && !n.samples?.[sample.Name]) s = side.SamplePath;
    const key = template === 'Up' ? 'up' : 'down';
    const v = n.variations?.[systematic.Name]?.[key] ?? side.VariationPath?.replace(/^_/, '');
    if (!v) throw new UserError(`naming.variations."${systematic.Name}".${key}: no variation category for ${template} (and no VariationPath in the config)`);
    return cabinetryName(r, s, v);
  };
}

/** Bin edges and axis titles per channel, for the figures (the workspace itself has none). */
function channelMeta(config: CabinetryConfig, templates: Map<string, Hist1D>, nameOf: (ref: TemplateRef) => string, rebin: boolean): WorkspaceMeta {
  const meta: WorkspaceMeta = { binning: {}, xLabels: {} };
  for (const region of config.Regions) {
    const sample = config.Samples.find((s) => s.Data === true) ?? config.Samples[0]!;
    const h = lookupHistogram(templates, nameOf({ region, sample, systematic: null, template: 'Nominal' }));
    const edges = rebin && region.Binning ? region.Binning : h?.edges;
    if (edges) meta.binning[region.Name] = Array.from(edges);
    // cabinetry's Variable is matplotlib mathtext ('$H_T$ [GeV]'); TLatex reads it without the dollars
    const label = (h as Hist1D | undefined)?.xTitle || region.Variable?.replaceAll('$', '');
    if (label) meta.xLabels[region.Name] = label;
  }
  return meta;
}

export default defineNodeKind({
  kind: 'build-workspace',
  level: 'global',
  version: '3',
  description: 'pyhf workspace from histograms and a cabinetry config',
  params,
  inputs: ['Histograms'],
  output: 'Workspace',
  codec: blobJsonCodec<WorkspaceArtifact>(),
  async run(inputs: [HistogramsArtifact], p: Params, ctx: NodeContext): Promise<WorkspaceArtifact> {
    const [{ buildWorkspace }, { cabinetryName }] = await Promise.all([import('../src/stats/build/workspace-builder.ts'), import('../src/hist/collection.ts')]);
    const templates = await namedTemplates(inputs[0], p);
    const nameOf = p.naming ? mappedName(p.naming, cabinetryName) : (ref: TemplateRef) => templateLocation(p.config, ref).object;
    let ws;
    try {
      ws = buildWorkspace(p.config, templates, { histogramName: nameOf, rebinToRegionBinning: p.rebinToRegionBinning });
    } catch (err) {
      throw explainMissing(err, `build-workspace node '${ctx.node}'`, templates.keys());
    }
    const nBins = ws.channels.reduce((a, c) => a + (c.samples[0]?.data.length ?? 0), 0);
    ctx.log(`${ws.channels.length} channel(s), ${nBins} bins, ${new Set(ws.channels.flatMap((c) => c.samples.map((s) => s.name))).size} samples`);
    return { ...ws, hepflow: channelMeta(p.config, templates, nameOf, p.rebinToRegionBinning) };
  },
  async writeOutputs(value: WorkspaceArtifact, p: Params, ctx: OutputContext) {
    if (p.output !== false) await ctx.writeFile(p.output, `${JSON.stringify(pyhfWorkspace(value), null, 1)}\n`);
  },
});
