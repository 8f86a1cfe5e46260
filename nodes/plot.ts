// plot: the figures of a talk from a FitResult and/or a LimitResult — stacked pre- and post-fit
// distributions per channel with data and the total uncertainty band, nuisance-parameter pulls,
// the correlation matrix, and the CLs scan with the Brazil band — as SVG + PNG (jsroot, resvg),
// plus report.html showing them all with the key numbers. Rendering happens in `run`, so a cached
// run only writes files.
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
import { experimentOf, experimentParams, experimentText } from '../src/report/experiment.ts';
import type { ExperimentLabel } from '../src/plot/experiment-label.ts';
import { isRankingResult, type RankingResult } from '../src/report/ranking-result.ts';

const channelSet = z.union([z.boolean(), z.array(z.string())]);
const MAX_CORRELATION_PARAMETERS = 50;

export const params = strictParams({
  ...experimentParams,
  /** further lines at the top left of the distributions, under the experiment label (unicode) */
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
  /** threshold: drop parameters whose largest |correlation| with another shown one is below it
   *  (cabinetry's pruning_threshold, default 0); staterror: show the staterror (per-bin MC stat.)
   *  parameters too (default false); max: at most this many parameters, the most correlated ones */
  correlation: z.union([z.boolean(), strictParams({
    threshold: z.number().min(0).max(1).default(0), staterror: z.boolean().default(false), max: z.int().min(2).default(MAX_CORRELATION_PARAMETERS),
  })]).default(true),
  cls: z.boolean().default(true),
  /** folder of the figure files under --out */
  dir: z.string().default('figures'),
  png: z.boolean().default(true),
  /** PDF beside each SVG (vector, for LaTeX) */
  pdf: z.boolean().default(true),
  /** report.html under --out (false: none), and its title (default: the graph name) */
  report: z.union([z.string(), z.literal(false)]).default('report.html'),
  title: z.string().optional(),
});
type Params = z.infer<typeof params>;

export interface Figure { name: string; title: string; section: string; svg: string; png?: Uint8Array; pdf?: Uint8Array }
export interface FiguresArtifact { figures: Figure[]; report?: string }

const readable = (s: string): string => s.replaceAll('_', ' ');

// jsroot and the fitter load only when figures are drawn: a cached run validates this kind but never draws
const plotLib = () => import('../src/plot/index.ts');

/** One stack order (and so one legend order) for every figure of a prediction kind: backgrounds by
 *  their yield summed over all channels, largest at the bottom, the POI's samples on top. A channel
 *  lacking a sample skips it; the order never changes between regions or pre- and post-fit. */
export function sampleOrder(preds: Prediction[]): string[] {
  const total = new Map<string, number>();
  const signal = new Set<string>();
  for (const pred of preds) {
    for (const ch of pred.channels) {
      for (const s of ch.samples) {
        total.set(s.name, (total.get(s.name) ?? 0) + s.yields.reduce((a, b) => a + b, 0));
        if (s.signal) signal.add(s.name);
      }
    }
  }
  const byYield = (a: string, b: string) => total.get(b)! - total.get(a)! || (a < b ? -1 : 1);
  const names = [...total.keys()];
  return [...names.filter((n) => !signal.has(n)).sort(byYield), ...names.filter((n) => signal.has(n)).sort(byYield)];
}

const isHistograms = (v: unknown): v is HistogramsArtifact => typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'hepflow.histograms';

const wants = (set: boolean | string[], channel: string) => (Array.isArray(set) ? set.includes(channel) : set);

/** What every figure of one node shares: the experiment label, the distributions' extra lines. */
interface Look { experiment: ExperimentLabel; lines: string[] }

async function distributions(pred: Prediction, p: Params, look: Look, order: string[], stage = pred.label === 'pre-fit' ? 'prefit' : 'postfit'): Promise<Figure[]> {
  const out: Figure[] = [];
  const what = stage === 'hist' ? 'pre-fit, MC stat. unc.' : pred.label;
  const regionOf = new Map<string, string>(); // figure file -> region, so two regions never share one
  const rank = new Map(order.map((n, i) => [n, i]));
  for (const ch of pred.channels) {
    const n = ch.total.length;
    const given = p.binning[ch.name];
    if (given && given.length !== n + 1) throw new Error(`binning.${ch.name}: ${given.length} edges for ${n} bins`);
    const edges = given ?? ch.edges ?? Array.from({ length: n + 1 }, (_, i) => i);
    const xLabel = p.xLabels[ch.name] ?? ch.xLabel ?? (ch.edges || given ? ch.name : `${readable(ch.name)} bin`);
    const { stackPlot } = await plotLib();
    const samples = [...ch.samples].sort((a, b) => (rank.get(a.name) ?? 0) - (rank.get(b.name) ?? 0));
    const svg = await stackPlot({
      edges,
      samples: samples.map((s) => ({ label: p.sampleLabels[s.name] ?? s.name, values: s.yields, color: p.colors[s.name] })),
      // no data points for a prediction without data (histograms without a data process)
      data: ch.data.some((v) => v !== 0) ? { label: p.dataLabel, values: ch.data } : undefined,
      totalUncertainty: ch.uncertainty,
      xLabel,
      experiment: look.experiment,
      labels: [...look.lines, `${readable(ch.name)}, ${what}`],
      logy: wants(p.logy, ch.name),
    });
    // file names without spaces or slashes: cabinetry region names are free text ('4j1b CR')
    const name = `${stage}_${ch.name.replace(/[^A-Za-z0-9_.+-]+/g, '_')}`;
    const other = regionOf.get(name);
    if (other !== undefined) throw new UserError(`plot: regions '${other}' and '${ch.name}' both make the figure ${p.dir}/${name}.svg; rename one of them`);
    regionOf.set(name, ch.name);
    out.push({ name, title: `${ch.name}: ${what} distribution`, section: 'Distributions', svg });
  }
  return out;
}

/** The correlation figure's parameters: floating ones, staterror dropped unless asked for, then
 *  cabinetry's threshold, then at most `max`. */
function correlationIndices(fit: FitResultArtifact, o: { threshold: number; staterror: boolean; max: number }, prune: typeof import('../src/plot/correlation.ts').correlationKeep): number[] {
  const staterror = new Set(fit.pulls.filter((x) => x.type === 'staterror').map((x) => x.parameter));
  const drop = (i: number) => !(fit.uncertainty[fit.par_names[i]!]! > 0) || (!o.staterror && staterror.has(fit.par_names[i]!));
  return prune(fit.correlation, { threshold: o.threshold, max: o.max, drop });
}

async function fitFigures(fit: FitResultArtifact, p: Params, look: Look): Promise<Figure[]> {
  const out: Figure[] = [];
  const order = sampleOrder([fit.prefit]);
  const pre = p.prefit ? await distributions(fit.prefit, p, look, order) : [];
  const post = p.postfit ? await distributions(fit.postfit, p, look, order) : [];
  // pre- and post-fit of a channel side by side
  for (let i = 0; i < Math.max(pre.length, post.length); i++) out.push(...(pre[i] ? [pre[i]!] : []), ...(post[i] ? [post[i]!] : []));
  if (p.pulls !== false) {
    const o = p.pulls === true ? { staterror: false, exclude: [] } : p.pulls;
    const shown = fit.pulls.filter((x) => (o.staterror || x.type !== 'staterror') && !o.exclude.includes(x.parameter));
    if (shown.length) {
      const { pullsPlot } = await plotLib();
      const svg = await pullsPlot({ names: shown.map((x) => x.parameter), pulls: shown.map((x) => x.pull), errors: shown.map((x) => x.error), experiment: look.experiment });
      out.push({ name: 'pulls', title: 'Nuisance-parameter pulls', section: 'Fit parameters', svg });
    }
  }
  if (p.correlation !== false) {
    const o = p.correlation === true ? { threshold: 0, staterror: false, max: MAX_CORRELATION_PARAMETERS } : p.correlation;
    const { correlationPlot, correlationKeep } = await import('../src/plot/correlation.ts');
    const keep = correlationIndices(fit, o, correlationKeep);
    const svg = await correlationPlot({ names: keep.map((i) => fit.par_names[i]!), matrix: keep.map((i) => keep.map((j) => fit.correlation[i]![j]!)), experiment: look.experiment });
    out.push({ name: 'correlation', title: 'Correlation matrix of the fitted parameters', section: 'Fit parameters', svg });
  }
  return out;
}

async function limitFigures(limit: LimitResultArtifact, p: Params, look: Look): Promise<Figure[]> {
  // a point whose CLs is undefined (e.g. 0/0 at POI = 0) cannot be drawn: leave it out
  const scan = limit.scan.filter((s) => Number.isFinite(s.cls_obs) && s.cls_exp.every(Number.isFinite));
  if (!p.cls || scan.length < 2) return [];
  const col = (k: number) => scan.map((s) => s.cls_exp[k]!);
  const { brazilPlot } = await plotLib();
  const svg = await brazilPlot({
    poi: scan.map((s) => s.poi), clsObs: scan.map((s) => s.cls_obs), clsExp: [col(0), col(1), col(2), col(3), col(4)],
    cl: limit.cl, poiLabel: p.poiLabel ?? readable(limit.poi), upperLimitObs: limit.upper_limit_obs, upperLimitExp: limit.upper_limit_exp[2],
    experiment: look.experiment,
  });
  return [{ name: 'cls_scan', title: `CLs scan over ${limit.poi} (Brazil band)`, section: 'Limit', svg }];
}

async function rankingFigures(ranking: RankingResult, look: Look): Promise<Figure[]> {
  if (!ranking.parameters.length) return [];
  const { rankingPlot } = await import('../src/plot/ranking.ts');
  const svg = await rankingPlot({ ...ranking, top: 20, experiment: look.experiment });
  return [{ name: 'ranking', title: `Impacts on ${ranking.poi} (ranking)`, section: 'Fit parameters', svg }];
}

/** The plot kind for a given input signature. */
export function plotKind(inputs: InputSpec): GlobalNodeKind<Params, FiguresArtifact, 'Figures'> {
  return defineNodeKind({
    kind: 'plot',
    level: 'global',
    version: '8',
    description: 'pre/post-fit distributions, pulls, correlations, CLs scan, ranking; SVG, PNG, PDF; report.html',
    params,
    inputs,
    output: 'Figures',
    codec: blobJsonCodec<FiguresArtifact>(),
    async run(values: unknown[], p: Params, ctx: NodeContext): Promise<FiguresArtifact> {
      const fit = values.find(isFitResult);
      const limit = values.find(isLimitResult);
      const ws = values.find(isWorkspaceArtifact);
      const hists = values.find(isHistograms);
      const ranking = values.find(isRankingResult);
      if (!fit && !limit && !ws && !hists && !ranking) throw new Error(`plot node '${ctx.node}': needs a FitResult, LimitResult, Workspace, Histograms or ranking input`);
      const look = experimentOf(p);
      const histPrediction = hists ? await (await import('../src/report/histogram-prediction.ts')).histogramPrediction(hists, p.histograms) : undefined;
      const wsPrediction = !fit && ws && p.prefit ? (await import('../src/report/fit-result.ts')).prefitPrediction(ws, {}, `plot node '${ctx.node}'`) : undefined;
      const figures = [
        ...(histPrediction ? await distributions(histPrediction, p, look, sampleOrder([histPrediction]), 'hist') : []),
        // without a fit, a workspace still gives the pre-fit distributions
        ...(fit ? await fitFigures(fit, p, look) : wsPrediction ? await distributions(wsPrediction, p, look, sampleOrder([wsPrediction])) : []),
        ...(ranking ? await rankingFigures(ranking, look) : []),
        ...(limit ? await limitFigures(limit, p, look) : []),
      ];
      if (p.png || p.pdf) {
        const { svgToPng, svgToPdf } = await plotLib();
        // plain Uint8Arrays: resvg returns a Buffer, which the cache codec does not know
        for (const f of figures) {
          if (p.png) f.png = new Uint8Array(await svgToPng(f.svg));
          if (p.pdf) f.pdf = await svgToPdf(f.svg);
        }
      }
      ctx.log(`${figures.length} figure(s)`);
      const { reportHtml } = await import('../src/report/html.ts');
      const report = p.report === false ? undefined : reportHtml({
        title: p.title ?? ctx.graph, subtitle: [experimentText(look.experiment), ...look.lines], fit, limit, ranking, cutflows: hists?.cutflows, nevents: hists?.nevents,
        formats: [...(p.png ? ['png' as const] : []), ...(p.pdf ? ['pdf' as const] : [])], figuresDir: p.dir, files: { fit: fit ? 'fit.json' : undefined, workspace: fit || ws ? 'workspace.json' : undefined, limit: limit ? 'limit.json' : undefined, ranking: ranking ? 'ranking.json' : undefined },
        figures: figures.map(({ name, title, section, svg }): ReportFigure => ({ name, title, section, svg })),
      });
      return report === undefined ? { figures } : { figures, report };
    },
    async writeOutputs(value: FiguresArtifact, p: Params, ctx: OutputContext) {
      // report.html first: the final screen lists outputs in the order they were written
      if (value.report !== undefined && p.report !== false) await ctx.writeFile(p.report, value.report);
      for (const f of value.figures) {
        await ctx.writeFile(`${p.dir}/${f.name}.svg`, f.svg);
        if (f.png) await ctx.writeFile(`${p.dir}/${f.name}.png`, f.png);
        if (f.pdf) await ctx.writeFile(`${p.dir}/${f.name}.pdf`, f.pdf);
      }
    },
  });
}

/** Input types the plot node reads: any of them, in any number and order. */
export const PLOT_INPUT_TYPES: readonly ArtifactType[] = ['Histograms', 'Workspace', 'FitResult', 'LimitResult', 'Json'];

export default plotKind({ variadic: PLOT_INPUT_TYPES, min: 1 });
