// Stacked pre-/post-fit distribution: samples stacked, total-uncertainty band, data points with
// Poisson-style errors, and a data/model ratio panel below — the standard figure of a talk.
import * as jsroot from 'jsroot';
import { canvas, color, latex, legend, pad, samplePalette, setAxes, th1, type LegendEntry } from './root-objects.ts';
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
  /** Lines at the top left, e.g. ['ATLAS Open Data', '#sqrt{s} = 13 TeV, 10 fb^{-1}', 'Pre-fit']. */
  labels?: string[];
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
  const ratio = spec.ratio ?? spec.data !== undefined;
  const c = canvas('c');
  // top margin leaves room for the axis exponent (x10^3) jsroot draws above the frame
  const top = ratio ? pad('top', [0, 0.3, 1, 1], { bottom: 0.02, top: 0.085 }, { logy: spec.logy }) : pad('top', [0, 0, 1, 1], { top: 0.08 }, { logy: spec.logy });

  // The frame histogram fixes the axes and the y range (room for the legend above the tallest bin).
  let ymax = 0;
  for (let i = 0; i < n; i++) ymax = Math.max(ymax, total[i]! + (spec.totalUncertainty?.[i] ?? 0), spec.data ? spec.data.values[i]! + Math.sqrt(Math.max(spec.data.values[i]!, 0)) : 0);
  let ymin = 0;
  if (spec.logy) {
    const positive = [...total].filter((v) => v > 0);
    ymin = positive.length ? Math.min(...positive) * 0.5 : 0.1;
  }
  const frame = th1({ name: 'frame', edges: spec.edges, values: new Float64Array(n) });
  setAxes(frame, ratio ? '' : spec.xLabel, spec.yLabel ?? binWidthLabel(spec.edges, spec.xLabel), { labelSize: ratio ? 0.05 : 0.04, yOffset: ratio ? 1.05 : 1.3 });
  if (ratio) frame.fXaxis.fLabelSize = 0;
  frame.fMinimum = ymin;
  // headroom for the legend and the label lines above the tallest bin
  const textSize = ratio ? 0.045 : 0.035;
  const rowsAbove = Math.max(spec.samples.length + (spec.data ? 1 : 0) + (spec.totalUncertainty ? 1 : 0), (spec.labels ?? []).length);
  const free = Math.max(0.45, 0.92 - rowsAbove * textSize * 1.3);
  frame.fMaximum = spec.logy ? ymin * Math.pow(ymax / ymin, 1 / free) : ymax / free;
  frame.fLineColor = 0;
  top.fPrimitives.Add(frame, 'axis');
  top.fPrimitives.Add(stack, 'hist same');

  const entries: LegendEntry[] = [];
  let band: any;
  if (spec.totalUncertainty) {
    const variances = Array.from(spec.totalUncertainty, (u) => u * u);
    band = th1({ name: 'band', title: 'Uncertainty', edges: spec.edges, values: total, variances });
    band.fFillStyle = 3354;
    band.fFillColor = 1;
    band.fLineColor = 0;
    band.fMarkerSize = 0;
    top.fPrimitives.Add(band, 'E2 same');
  }
  let data: any;
  if (spec.data) {
    data = th1({ name: 'data', title: spec.data.label ?? 'Data', edges: spec.edges, values: spec.data.values, variances: spec.data.values });
    data.fMarkerStyle = 20;
    data.fMarkerSize = 1.1;
    data.fLineColor = 1;
    data.fLineWidth = 2;
    top.fPrimitives.Add(data, 'E1 X0 P same');
    entries.push({ object: data, label: spec.data.label ?? 'Data', option: 'lep' });
  }
  for (let k = hists.length - 1; k >= 0; k--) entries.push({ object: hists[k], label: spec.samples[k]!.label, option: 'f' });
  if (band) entries.push({ object: band, label: 'Uncertainty', option: 'f' });
  const rows = entries.length;
  top.fPrimitives.Add(legend(entries, [0.64, 0.9 - rows * textSize * 1.3, 0.94, 0.9], { textSize }), '');
  (spec.labels ?? []).forEach((text, i) => {
    top.fPrimitives.Add(latex(i === 0 ? `#bf{${text}}` : text, 0.17, 0.86 - i * textSize * 1.3, { size: textSize }), '');
  });
  c.fPrimitives.Add(top, '');

  if (ratio) {
    const bottom = pad('bottom', [0, 0, 1, 0.3], { top: 0.03, bottom: 0.35 }, { gridy: true });
    const rframe = th1({ name: 'rframe', edges: spec.edges, values: new Float64Array(n) });
    setAxes(rframe, spec.xLabel, 'Data / Pred.', { labelSize: 0.11, titleSize: 0.12, yOffset: 0.45 });
    rframe.fXaxis.fTitleOffset = 1.1;
    rframe.fYaxis.fNdivisions = 505;
    rframe.fMinimum = 0.5;
    rframe.fMaximum = 1.5;
    rframe.fLineColor = 0;
    bottom.fPrimitives.Add(rframe, 'axis');
    if (spec.totalUncertainty) {
      const rel = Array.from(spec.totalUncertainty, (u, i) => (total[i]! > 0 ? (u / total[i]!) ** 2 : 0));
      const rband = th1({ name: 'rband', edges: spec.edges, values: new Float64Array(n).fill(1), variances: rel });
      Object.assign(rband, { fFillStyle: 3354, fFillColor: 1, fLineColor: 0, fMarkerSize: 0 });
      bottom.fPrimitives.Add(rband, 'E2 same');
    }
    if (spec.data) {
      const r = Array.from(spec.data.values, (d, i) => (total[i]! > 0 ? d / total[i]! : 0));
      const rv = Array.from(spec.data.values, (d, i) => (total[i]! > 0 ? d / total[i]! ** 2 : 0));
      const rh = th1({ name: 'ratio', edges: spec.edges, values: r, variances: rv });
      Object.assign(rh, { fMarkerStyle: 20, fMarkerSize: 1.1, fLineColor: 1, fLineWidth: 2 });
      bottom.fPrimitives.Add(rh, 'E1 X0 P same');
    }
    c.fPrimitives.Add(bottom, '');
  }
  return renderSvg(c, { width: 800, height: ratio ? 750 : 600 });
}
