// plot: the figures of a talk from a FitResult and/or a LimitResult — stacked pre- and post-fit
// distributions per channel with data and the total uncertainty band, nuisance-parameter pulls,
// the correlation matrix, and the CLs scan with the Brazil band — as SVG + PNG (jsroot, resvg),
// plus report.html showing them all with the key numbers. Rendering happens in `run`, so a cached
// run only writes files. `run` plans the figures (which builder of src/plot, with what spec: plain
// data) and the worker pool draws them, one figure per task (jsroot SVG + resvg PNG): a worker
// loads jsroot and jsdom once and reuses them for every figure it draws.
import { UserError } from '../src/errors.ts';
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { blobJsonCodec } from '../src/report/blob-codec.ts';
import { defineNodeKind, type ArtifactType, type GlobalNodeKind, type InputSpec, type NodeContext, type OutputContext } from '../src/engine/node-kind.ts';
import {
  isFitResult, isLimitResult, isWorkspaceArtifact, type ChannelPrediction, type FitResultArtifact, type LimitResultArtifact, type Prediction,
} from '../src/report/artifacts.ts';
import type { ReportFigure } from '../src/report/html.ts';
import type { HistogramsArtifact } from '../src/hist/index.ts';
import type * as PlotLib from '../src/plot/index.ts';

const channelSet = z.union([z.boolean(), z.array(z.string())]);
const MAX_CORRELATION_PARAMETERS = 50;

export const params = strictParams({
  /** lines at the top left of the distributions, e.g. ['ATLAS Open Data', '√s = 13 TeV, 10 fb⁻¹'] (unicode) */
  labels: z.array(z.string()).default([]),
  /** channel -> x-axis title (default: the histogram axis label, else the channel name) */
  xLabels: z.record(z.string(), z.string()).default({}),
  /** channel -> bin edges (default: those the workspace was built with) */
  binning: z.record(z.string(), z.array(z.number()).min(2)).default({}),
  /** log-scale y axis: all channels (true) or the listed ones */
  logy: channelSet.default(false),
  /** sample -> legend label / colour (#rrggbb) */
  sampleLabels: z.record(z.string(), z.string()).default({}),
  colors: z.record(z.string(), z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected #rrggbb')).default({}),
  /** data legend label */
  dataLabel: z.string().default('Data'),
  /** POI axis title of the CLs scan (default: the POI name) */
  poiLabel: z.string().optional(),
  /** Histograms input: processes that are data (summed into the points) and signal (top of the stack) */
  histograms: strictParams({
    data: z.array(z.string()).default(['data']),
    signal: z.array(z.string()).default([]),
    axes: strictParams({ region: z.string().optional(), process: z.string().optional(), variation: z.string().optional() }).optional(),
  }).default({ data: ['data'], signal: [] }),
  /** which figures */
  prefit: z.boolean().default(true),
  postfit: z.boolean().default(true),
  pulls: z.union([z.boolean(), strictParams({ staterror: z.boolean().default(false), exclude: z.array(z.string()).default([]) })]).default(true),
  /** threshold: drop parameters whose largest |correlation| with another is below it (cabinetry's
   *  pruning); max: at most this many parameters, the most correlated ones (a readable figure) */
  correlation: z.union([z.boolean(), strictParams({ threshold: z.number().min(0).max(1).default(0), max: z.int().min(2).default(MAX_CORRELATION_PARAMETERS) })]).default(true),
  cls: z.boolean().default(true),
  /** folder of the figure files under --out */
  dir: z.string().default('figures'),
  png: z.boolean().default(true),
  /** report.html under --out (false: none), and its title (default: the graph name) */
  report: z.union([z.string(), z.literal(false)]).default('report.html'),
  title: z.string().optional(),
});
type Params = z.infer<typeof params>;

export interface Figure { name: string; title: string; section: string; svg: string; png?: Uint8Array }
export interface FiguresArtifact { figures: Figure[]; report?: string }

type Builders = Pick<typeof PlotLib, 'stackPlot' | 'pullsPlot' | 'correlationPlot' | 'brazilPlot'>;
/** A figure to draw: a builder of src/plot and its spec, plain data (it is drawn in a worker). */
export type Drawing = { [K in keyof Builders]: { plot: K; spec: Parameters<Builders[K]>[0] } }[keyof Builders];
/** A figure before it is drawn. */
export interface PlannedFigure { name: string; title: string; section: string; drawing: Drawing }

const readable = (s: string): string => s.replaceAll('_', ' ');

// jsroot and the fitter load only when figures are drawn: a cached run validates this kind but never draws
const plotLib = () => import('../src/plot/index.ts');

function stackOrder(ch: ChannelPrediction): ChannelPrediction['samples'] {
  // largest background at the bottom, signal on top: the usual look of a HEP distribution
  const sum = (y: number[]) => y.reduce((a, b) => a + b, 0);
  const bkg = ch.samples.filter((s) => !s.signal).sort((a, b) => sum(b.yields) - sum(a.yields));
  return [...bkg, ...ch.samples.filter((s) => s.signal)];
}

const isHistograms = (v: unknown): v is HistogramsArtifact => typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'hepflow.histograms';

const wants = (set: boolean | string[], channel: string) => (Array.isArray(set) ? set.includes(channel) : set);

/** Draws one figure: its SVG and, with `png`, the PNG (a plain Uint8Array: resvg returns a Buffer,
 *  which the cache codec does not know). */
async function draw(d: Drawing, png: boolean): Promise<{ svg: string; png?: Uint8Array }> {
  const lib = await plotLib();
  const svg = await (lib[d.plot] as (spec: Drawing['spec']) => Promise<string>)(d.spec);
  return png ? { svg, png: new Uint8Array(await lib.svgToPng(svg)) } : { svg };
}

/** A small figure with what the distributions use (stack, band, data, legend, TLatex): drawing it
 *  loads jsroot's painters, jsdom and resvg in a worker ahead of the node (the kind's warmUp). */
const WARM_UP_FIGURE: Drawing = {
  plot: 'stackPlot',
  spec: { edges: [0, 1, 2], samples: [{ label: 'b', values: [2, 1] }], data: { values: [2, 1] }, totalUncertainty: [0.5, 0.5], xLabel: 'p_{T} [GeV]', labels: ['x'] },
};

function distributions(pred: Prediction, p: Params, stage = pred.label === 'pre-fit' ? 'prefit' : 'postfit'): PlannedFigure[] {
  const out: PlannedFigure[] = [];
  const what = stage === 'hist' ? 'pre-fit, MC stat. unc.' : pred.label;
  const regionOf = new Map<string, string>(); // figure file -> region, so two regions never share one
  for (const ch of pred.channels) {
    const n = ch.total.length;
    const given = p.binning[ch.name];
    if (given && given.length !== n + 1) throw new Error(`binning.${ch.name}: ${given.length} edges for ${n} bins`);
    const edges = given ?? ch.edges ?? Array.from({ length: n + 1 }, (_, i) => i);
    const xLabel = p.xLabels[ch.name] ?? ch.xLabel ?? (ch.edges || given ? ch.name : `${readable(ch.name)} bin`);
    const drawing: Drawing = { plot: 'stackPlot', spec: {
      edges,
      samples: stackOrder(ch).map((s) => ({ label: p.sampleLabels[s.name] ?? s.name, values: s.yields, color: p.colors[s.name] })),
      // no data points for a prediction without data (histograms without a data process)
      data: ch.data.some((v) => v !== 0) ? { label: p.dataLabel, values: ch.data } : undefined,
      totalUncertainty: ch.uncertainty,
      xLabel,
      labels: [...p.labels, `${readable(ch.name)}, ${what}`],
      logy: wants(p.logy, ch.name),
    } };
    // file names without spaces or slashes: cabinetry region names are free text ('4j1b CR')
    const name = `${stage}_${ch.name.replace(/[^A-Za-z0-9_.+-]+/g, '_')}`;
    const other = regionOf.get(name);
    if (other !== undefined) throw new UserError(`plot: regions '${other}' and '${ch.name}' both make the figure ${p.dir}/${name}.svg; rename one of them`);
    regionOf.set(name, ch.name);
    out.push({ name, title: `${ch.name}: ${what} distribution`, section: 'Distributions', drawing });
  }
  return out;
}

function fitFigures(fit: FitResultArtifact, p: Params): PlannedFigure[] {
  const out: PlannedFigure[] = [];
  const pre = p.prefit ? distributions(fit.prefit, p) : [];
  const post = p.postfit ? distributions(fit.postfit, p) : [];
  // pre- and post-fit of a channel side by side
  for (let i = 0; i < Math.max(pre.length, post.length); i++) out.push(...(pre[i] ? [pre[i]!] : []), ...(post[i] ? [post[i]!] : []));
  if (p.pulls !== false) {
    const o = p.pulls === true ? { staterror: false, exclude: [] } : p.pulls;
    const shown = fit.pulls.filter((x) => (o.staterror || x.type !== 'staterror') && !o.exclude.includes(x.parameter));
    if (shown.length) {
      const spec = { names: shown.map((x) => x.parameter), pulls: shown.map((x) => x.pull), errors: shown.map((x) => x.error) };
      out.push({ name: 'pulls', title: 'Nuisance-parameter pulls', section: 'Fit parameters', drawing: { plot: 'pullsPlot', spec } });
    }
  }
  if (p.correlation !== false) {
    const { threshold, max } = p.correlation === true ? { threshold: 0, max: MAX_CORRELATION_PARAMETERS } : p.correlation;
    // fixed parameters have no correlations: leave them out; beyond `max`, keep the most correlated
    let keep = fit.par_names.map((_, i) => i).filter((i) => fit.uncertainty[fit.par_names[i]!]! > 0);
    if (keep.length > max) {
      const strength = (i: number) => Math.max(...keep.map((j) => (j === i ? 0 : Math.abs(fit.correlation[i]![j]!))));
      const strongest = new Set(keep.map((i) => [i, strength(i)] as const).sort((a, b) => b[1] - a[1]).slice(0, max).map(([i]) => i));
      keep = keep.filter((i) => strongest.has(i));
    }
    const spec = { names: keep.map((i) => fit.par_names[i]!), matrix: keep.map((i) => keep.map((j) => fit.correlation[i]![j]!)), threshold };
    out.push({ name: 'correlation', title: 'Correlation matrix of the fitted parameters', section: 'Fit parameters', drawing: { plot: 'correlationPlot', spec } });
  }
  return out;
}

function limitFigures(limit: LimitResultArtifact, p: Params): PlannedFigure[] {
  // a point whose CLs is undefined (e.g. 0/0 at POI = 0) cannot be drawn: leave it out
  const scan = limit.scan.filter((s) => Number.isFinite(s.cls_obs) && s.cls_exp.every(Number.isFinite));
  if (!p.cls || scan.length < 2) return [];
  const col = (k: number) => scan.map((s) => s.cls_exp[k]!);
  const spec: PlotLib.BrazilSpec = {
    poi: scan.map((s) => s.poi), clsObs: scan.map((s) => s.cls_obs), clsExp: [col(0), col(1), col(2), col(3), col(4)],
    cl: limit.cl, poiLabel: p.poiLabel ?? readable(limit.poi), upperLimitObs: limit.upper_limit_obs, upperLimitExp: limit.upper_limit_exp[2],
  };
  return [{ name: 'cls_scan', title: `CLs scan over ${limit.poi} (Brazil band)`, section: 'Limit', drawing: { plot: 'brazilPlot', spec } }];
}

/** The figures of a plot node with these input values and params, planned but not drawn (the
 *  bench draws them one by one with `drawFigure`). */
export async function planFigures(values: unknown[], p: Params, node: string): Promise<PlannedFigure[]> {
  const fit = values.find(isFitResult);
  const limit = values.find(isLimitResult);
  const ws = values.find(isWorkspaceArtifact);
  const hists = values.find(isHistograms);
  if (!fit && !limit && !ws && !hists) throw new Error(`plot node '${node}': needs a FitResult, LimitResult, Workspace or Histograms input`);
  return [
    ...(hists ? distributions(await (await import('../src/report/histogram-prediction.ts')).histogramPrediction(hists, p.histograms), p, 'hist') : []),
    // without a fit, a workspace still gives the pre-fit distributions
    ...(fit ? fitFigures(fit, p) : ws && p.prefit ? distributions((await import('../src/report/fit-result.ts')).prefitPrediction(ws, {}, `plot node '${node}'`), p) : []),
    ...(limit ? limitFigures(limit, p) : []),
  ];
}

export { draw as drawFigure };

/** The plot kind for a given input signature. */
export function plotKind(inputs: InputSpec): GlobalNodeKind<Params, FiguresArtifact> {
  return defineNodeKind({
    kind: 'plot',
    level: 'global',
    version: '7',
    description: 'pre/post-fit distributions, pulls, correlations, CLs scan; report.html',
    params,
    inputs,
    output: 'Figures',
    codec: blobJsonCodec<FiguresArtifact>(),
    tasks: { figures: (d: Drawing, p: Params) => draw(d, p.png) },
    warmUp: () => draw(WARM_UP_FIGURE, true),
    async run(values: unknown[], p: Params, ctx: NodeContext): Promise<FiguresArtifact> {
      const planned = await planFigures(values, p, ctx.node);
      const fit = values.find(isFitResult);
      const limit = values.find(isLimitResult);
      ctx.progress(0, planned.length, 'figures');
      // local: not on remote workers (--executor), whose queue locks lapse while one loads jsroot and jsdom
      const drawn = await ctx.parallel<Drawing, Awaited<ReturnType<typeof draw>>>('figures', planned.map((f) => f.drawing), { local: true });
      const figures = planned.map(({ name, title, section }, i): Figure => ({ name, title, section, ...drawn[i]! }));
      ctx.log(`${figures.length} figure(s)`);
      const { reportHtml } = await import('../src/report/html.ts');
      const report = p.report === false ? undefined : reportHtml({
        title: p.title ?? ctx.graph, subtitle: p.labels, fit, limit, png: p.png, figuresDir: p.dir,
        figures: figures.map(({ name, title, section, svg }): ReportFigure => ({ name, title, section, svg })),
      });
      return report === undefined ? { figures } : { figures, report };
    },
    async writeOutputs(value: FiguresArtifact, p: Params, ctx: OutputContext) {
      for (const f of value.figures) {
        await ctx.writeFile(`${p.dir}/${f.name}.svg`, f.svg);
        if (f.png) await ctx.writeFile(`${p.dir}/${f.name}.png`, f.png);
      }
      if (value.report !== undefined && p.report !== false) await ctx.writeFile(p.report, value.report);
    },
  });
}

/** Input types the plot node reads: any of them, in any number and order. */
export const PLOT_INPUT_TYPES: readonly ArtifactType[] = ['Histograms', 'Workspace', 'FitResult', 'LimitResult'];

export default plotKind({ variadic: PLOT_INPUT_TYPES, min: 1 });
