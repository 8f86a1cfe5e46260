// Stacked pre-/post-fit distribution: samples stacked, total-uncertainty band, data points with
// Poisson-style errors, and a data/model ratio panel below — the standard figure of a talk.
import * as jsroot from 'jsroot';
import { canvas, color, graph, latex, legend, pad, samplePalette, setAxes, th1, type LegendEntry } from './root-objects.ts';
import { labelLines, type ExperimentLabel } from './label.ts';
import { offScale, poissonErrors, ratioPoints, ratioRange } from './ratio.ts';
import { renderSvg } from './render.ts';

export interface StackPlotSpec {
  edges: ArrayLike<number>;
  /** Bottom to top of the stack. */
  samples: Array<{ label: string; values: ArrayLike<number>; color?: string }>;
  data?: { label?: string; values: ArrayLike<number> };
  /** Absolute total model uncertainty per bin (symmetric); the band is drawn around the stack total. */
  totalUncertainty?: ArrayLike<number>;
  xLabel: string;
  yLabel?: string;
  /** Lines at the top left under the experiment label, e.g. ['Signal region, pre-fit'] (without
   *  `experiment`, the first line is drawn bold in its place). */
  labels?: string[];
  /** Bold name and energy/luminosity line at the top left. */
  experiment?: ExperimentLabel;
  logy?: boolean;
  ratio?: boolean;
}

function binWidthLabel(edges: ArrayLike<number>, xLabel: string): string {
  const n = edges.length - 1;
  const w = (edges[n]! - edges[0]!) / n;
  const regular = Array.from({ length: n }, (_, i) => edges[i + 1]! - edges[i]!).every((d) => Math.abs(d - w) < 1e-9 * w);
  const unit = /\[(.+)\]/.exec(xLabel)?.[1];
  if (!regular) return 'Events / bin';
  return `Events / ${Number(w.toPrecision(3))}${unit ? ` ${unit}` : ''}`;
}

/** Bin centres. */
const centres = (edges: ArrayLike<number>): number[] => Array.from({ length: edges.length - 1 }, (_, i) => 0.5 * (edges[i]! + edges[i + 1]!));

/** Data as points with Poisson (Garwood) error bars and no horizontal bars; empty bins included
 *  (a marker at 0 with its upper error), except on a log scale where 0 cannot be drawn. */
function dataGraph(edges: ArrayLike<number>, values: ArrayLike<number>, logy: boolean): any {
  const xs: number[] = [], ys: number[] = [], lo: number[] = [], hi: number[] = [];
  centres(edges).forEach((x, i) => {
    const d = values[i]!;
    if (logy && !(d > 0)) return;
    const [l, u] = poissonErrors(Math.max(0, d));
    xs.push(x); ys.push(d); lo.push(l); hi.push(u);
  });
  const g = graph(xs, ys, { name: 'data', eyl: lo, eyh: hi });
  Object.assign(g, { fMarkerStyle: 20, fMarkerSize: 1.1, fMarkerColor: 1, fLineColor: 1, fLineWidth: 2 });
  return g;
}

function arrow(x: number, from: number, to: number): any {
  // a TLine made a TArrow (its base class): jsroot's create() knows no TArrow and leaves it without TestBit
  const a: any = jsroot.create('TLine');
  a._typename = 'TArrow';
  Object.assign(a, { fX1: x, fY1: from, fX2: x, fY2: to, fArrowSize: 0.012, fAngle: 50, fOption: '|>', fLineColor: 1, fLineWidth: 2, fFillColor: 1, fFillStyle: 1001 });
  return a;
}

export async function stackPlot(spec: StackPlotSpec): Promise<string> {
  const n = spec.edges.length - 1;
  const total = new Float64Array(n);
  const stack: any = jsroot.create('THStack');
  stack.fName = 'stack';
  stack.fTitle = '';
  const hists = spec.samples.map((s, k) => {
    const h = th1({ name: `s${k}`, title: s.label, edges: spec.edges, values: s.values });
    h.fFillColor = color(s.color ?? samplePalette[k % samplePalette.length]!);
    h.fFillStyle = 1001;
    h.fLineColor = 1;
    h.fLineWidth = 1;
    for (let i = 0; i < n; i++) total[i]! += s.values[i]!;
    stack.fHists.Add(h, 'hist');
    return h;
  });
  // a figure of data alone (or of an empty prediction) has nothing to divide by and no model band
  const hasModel = total.some((t) => t > 0);
  const ratio = (spec.ratio ?? spec.data !== undefined) && spec.data !== undefined && hasModel;
  const uncertainty = hasModel && spec.totalUncertainty && Array.from(spec.totalUncertainty).some((u) => u > 0) ? spec.totalUncertainty : undefined;
  const c = canvas('c');
  // top margin leaves room for the axis exponent (x10^3) jsroot draws above the frame
  const top = ratio ? pad('top', [0, 0.3, 1, 1], { bottom: 0.02, top: 0.085 }, { logy: spec.logy }) : pad('top', [0, 0, 1, 1], { top: 0.08 }, { logy: spec.logy });

  // The frame histogram fixes the axes and the y range (room for the legend above the tallest bin).
  let ymax = 0;
  for (let i = 0; i < n; i++) {
    const d = spec.data ? spec.data.values[i]! : 0;
    ymax = Math.max(ymax, total[i]! + (uncertainty?.[i] ?? 0), spec.data ? d + poissonErrors(Math.max(0, d))[1] : 0);
  }
  if (!(ymax > 0)) ymax = 1;
  let ymin = 0;
  if (spec.logy) {
    const positive = [...total, ...(spec.data ? Array.from(spec.data.values) : [])].filter((v) => v > 0);
    ymin = positive.length ? Math.min(...positive) * 0.5 : 0.1;
  }
  const frame = th1({ name: 'frame', edges: spec.edges, values: new Float64Array(n) });
  setAxes(frame, ratio ? '' : spec.xLabel, spec.yLabel ?? binWidthLabel(spec.edges, spec.xLabel), { labelSize: ratio ? 0.05 : 0.04, yOffset: ratio ? 1.05 : 1.3 });
  if (ratio) frame.fXaxis.fLabelSize = 0;
  frame.fMinimum = ymin;
  const textSize = ratio ? 0.045 : 0.035;
  const lines = spec.experiment ? [...labelLines(spec.experiment), ...(spec.labels ?? [])] : (spec.labels ?? []).map((t, i) => (i === 0 ? `#bf{${t}}` : t));

  // legend: data, the samples from the top of the stack down, the band
  const entries: LegendEntry[] = [];
  let data: any;
  if (spec.data) {
    data = dataGraph(spec.edges, spec.data.values, spec.logy ?? false);
    entries.push({ object: data, label: spec.data.label ?? 'Data', option: 'lep' });
  }
  for (let k = hists.length - 1; k >= 0; k--) entries.push({ object: hists[k], label: spec.samples[k]!.label, option: 'f' });
  let band: any;
  if (uncertainty) {
    const variances = Array.from(uncertainty, (u) => u * u);
    band = th1({ name: 'band', title: 'Uncertainty', edges: spec.edges, values: total, variances });
    Object.assign(band, { fFillStyle: 3354, fFillColor: 1, fLineColor: 0, fMarkerSize: 0 });
    entries.push({ object: band, label: 'Uncertainty', option: 'f' });
  }
  // headroom for the legend and the label lines above the tallest bin
  const rowsAbove = Math.max(entries.length, lines.length);
  const free = Math.max(0.45, 0.92 - rowsAbove * textSize * 1.3);
  frame.fMaximum = spec.logy ? ymin * Math.pow(ymax / ymin, 1 / free) : ymax / free;
  frame.fLineColor = 0;
  top.fPrimitives.Add(frame, 'axis');
  if (hists.length) top.fPrimitives.Add(stack, 'hist same');
  if (band) top.fPrimitives.Add(band, 'E2 same');
  if (data) top.fPrimitives.Add(data, 'PZ');
  top.fPrimitives.Add(legend(entries, [0.64, 0.9 - entries.length * textSize * 1.3, 0.94, 0.9], { textSize }), '');
  lines.forEach((text, i) => top.fPrimitives.Add(latex(text, 0.17, 0.86 - i * textSize * 1.3, { size: textSize }), ''));
  c.fPrimitives.Add(top, '');
  if (ratio) c.fPrimitives.Add(ratioPad(spec, total, uncertainty), '');
  return renderSvg(c, { width: 800, height: ratio ? 750 : 600 });
}

/** The data / prediction panel: the band around 1, the points, arrows for those off the scale. */
function ratioPad(spec: StackPlotSpec, total: Float64Array, uncertainty: ArrayLike<number> | undefined): any {
  const n = spec.edges.length - 1;
  const bottom = pad('bottom', [0, 0, 1, 0.3], { top: 0.03, bottom: 0.35 }, { gridy: true });
  const rel = Array.from({ length: n }, (_, i) => (uncertainty && total[i]! > 0 ? uncertainty[i]! / total[i]! : 0));
  const points = ratioPoints(spec.data!.values, total);
  // a hair inside the nice range, so neither end's tick label is cut at the pad's edge; a point
  // exactly at an end (an empty bin at 0) is then an arrow
  const [l0, h0] = ratioRange(points, rel);
  const lo = l0 + 1e-3 * (h0 - l0), hi = h0 - 1e-3 * (h0 - l0);
  const rframe = th1({ name: 'rframe', edges: spec.edges, values: new Float64Array(n) });
  setAxes(rframe, spec.xLabel, 'Data / Pred.', { labelSize: 0.11, titleSize: 0.12, yOffset: 0.45 });
  rframe.fXaxis.fTitleOffset = 1.1;
  rframe.fYaxis.fNdivisions = 505;
  Object.assign(rframe, { fMinimum: lo, fMaximum: hi, fLineColor: 0 });
  bottom.fPrimitives.Add(rframe, 'axis');
  if (uncertainty) {
    const rband = th1({ name: 'rband', edges: spec.edges, values: new Float64Array(n).fill(1), variances: rel.map((r) => r * r) });
    Object.assign(rband, { fFillStyle: 3354, fFillColor: 1, fLineColor: 0, fMarkerSize: 0 });
    bottom.fPrimitives.Add(rband, 'E2 same');
  }
  const x = centres(spec.edges);
  const off = offScale(points, [lo, hi]);
  const offBins = new Set(off.map((o) => o.bin));
  const shown = points.filter((p) => !offBins.has(p.bin));
  if (shown.length) {
    const g = graph(shown.map((p) => x[p.bin]!), shown.map((p) => p.value), { name: 'ratio', eyl: shown.map((p) => p.lower), eyh: shown.map((p) => p.upper) });
    Object.assign(g, { fMarkerStyle: 20, fMarkerSize: 1.1, fMarkerColor: 1, fLineColor: 1, fLineWidth: 2 });
    bottom.fPrimitives.Add(g, 'PZ');
  }
  // an arrow from 40% of the way in to the edge it points past
  const span = hi - lo;
  for (const o of off) {
    const edge = o.direction === 'up' ? hi - 0.04 * span : lo + 0.04 * span;
    const from = o.direction === 'up' ? hi - 0.4 * span : lo + 0.4 * span;
    bottom.fPrimitives.Add(arrow(x[o.bin]!, from, edge), '');
  }
  return bottom;
}
