// Builders of the jsroot object graphs (TH1, THStack, TLegend, TPad, TCanvas) that the plot
// functions compose. jsroot paints them to SVG the way ROOT would, so figures look like what
// physicists are used to; we only fill in the objects.
import * as jsroot from 'jsroot';
import { addColor } from 'jsroot/colors';

/** Qualitative palette (colour-blind safe, after Petroff 2021) for stacked samples. */
export const samplePalette = ['#5790fc', '#f89c20', '#e42536', '#964a8b', '#9c9ca1', '#7a21dd', '#3f90da', '#ffa90e', '#bd1f01', '#94a4a2'];

let styled = false;
/** Physicist's defaults: no stat box, no title box, sans-serif (font 42), ticks on all sides. */
export function applyStyle(): void {
  if (styled) return;
  const s = jsroot.gStyle as Record<string, unknown>;
  Object.assign(s, { fOptStat: 0, fOptTitle: 0, fPadTickX: 1, fPadTickY: 1, fLegendFont: 42, fTextFont: 42, fStatFont: 42, fTitleFont: 42, fLabelFont: 42 });
  styled = true;
}

export function color(hex: string): number {
  return addColor(hex);
}

export interface TH1Spec {
  name: string;
  title?: string;
  edges: ArrayLike<number>;
  values: ArrayLike<number>;
  /** Per-bin variances (sum w^2); omitted: no errors. */
  variances?: ArrayLike<number>;
}

function isRegular(edges: ArrayLike<number>): boolean {
  const n = edges.length - 1;
  const w = (edges[n]! - edges[0]!) / n;
  for (let i = 0; i < n; i++) if (Math.abs(edges[i + 1]! - edges[i]! - w) > 1e-9 * Math.abs(w)) return false;
  return true;
}

export function th1(spec: TH1Spec): any {
  const n = spec.edges.length - 1;
  const h: any = jsroot.createHistogram('TH1D', n);
  h.fName = spec.name;
  h.fTitle = spec.title ?? spec.name;
  h.fXaxis.fXmin = spec.edges[0];
  h.fXaxis.fXmax = spec.edges[n];
  if (!isRegular(spec.edges)) h.fXaxis.fXbins = Array.from(spec.edges);
  for (let i = 0; i < n; i++) h.fArray[i + 1] = spec.values[i];
  if (spec.variances) {
    h.fSumw2 = new Array(n + 2).fill(0);
    for (let i = 0; i < n; i++) h.fSumw2[i + 1] = spec.variances[i];
  }
  h.fEntries = n;
  return h;
}

export function setAxes(h: any, x: string, y: string, opts: { labelSize?: number; titleSize?: number; yOffset?: number } = {}): void {
  const size = opts.labelSize ?? 0.04;
  for (const axis of [h.fXaxis, h.fYaxis]) {
    axis.fLabelSize = size;
    axis.fTitleSize = opts.titleSize ?? size * 1.15;
    axis.fLabelFont = 42;
    axis.fTitleFont = 42;
  }
  h.fXaxis.fTitle = x;
  h.fYaxis.fTitle = y;
  h.fYaxis.fTitleOffset = opts.yOffset ?? 1.3;
}

export interface LegendEntry { object: any; label: string; option: string }

export function legend(entries: LegendEntry[], box: [number, number, number, number], opts: { textSize?: number; columns?: number } = {}): any {
  const leg: any = jsroot.create('TLegend');
  Object.assign(leg, {
    fX1NDC: box[0], fY1NDC: box[1], fX2NDC: box[2], fY2NDC: box[3],
    fBorderSize: 0, fFillStyle: 0, fTextFont: 42, fTextAlign: 12, fMargin: 0.3, fTextSize: opts.textSize ?? 0.035, fNColumns: opts.columns ?? 1,
  });
  for (const e of entries) {
    const le: any = jsroot.create('TLegendEntry');
    le.fObject = e.object;
    le.fLabel = e.label;
    le.fOption = e.option;
    le.fTextFont = 42;
    leg.fPrimitives.Add(le);
  }
  return leg;
}

export function latex(text: string, x: number, y: number, opts: { size?: number; font?: number; align?: number } = {}): any {
  const t: any = jsroot.create('TLatex');
  Object.assign(t, { fTitle: text, fX: x, fY: y, fTextSize: opts.size ?? 0.04, fTextFont: opts.font ?? 42, fTextAlign: opts.align ?? 11 });
  t.fBits = (t.fBits ?? 0) | (1 << 14); // kTextNDC: coordinates in pad fractions
  return t;
}

export interface Margins { left?: number; right?: number; top?: number; bottom?: number }

export function pad(name: string, box: [number, number, number, number], margins: Margins = {}, opts: { logy?: boolean; gridy?: boolean } = {}): any {
  const p: any = jsroot.create('TPad');
  Object.assign(p, {
    fName: name, fTitle: name,
    fXlowNDC: box[0], fYlowNDC: box[1], fWNDC: box[2] - box[0], fHNDC: box[3] - box[1],
    fAbsXlowNDC: box[0], fAbsYlowNDC: box[1], fAbsWNDC: box[2] - box[0], fAbsHNDC: box[3] - box[1],
    fLeftMargin: margins.left ?? 0.13, fRightMargin: margins.right ?? 0.05, fTopMargin: margins.top ?? 0.06, fBottomMargin: margins.bottom ?? 0.13,
    fLogy: opts.logy ? 1 : 0, fGridy: opts.gridy ? 1 : 0, fTickx: 1, fTicky: 1, fFillColor: 0, fBorderMode: 0, fFrameBorderMode: 0,
  });
  return p;
}

export function canvas(name: string, margins: Margins = {}, opts: { logy?: boolean; logz?: boolean } = {}): any {
  const c: any = jsroot.create('TCanvas');
  Object.assign(c, {
    fName: name, fTitle: name,
    fLeftMargin: margins.left ?? 0.13, fRightMargin: margins.right ?? 0.05, fTopMargin: margins.top ?? 0.06, fBottomMargin: margins.bottom ?? 0.13,
    fLogy: opts.logy ? 1 : 0, fLogz: opts.logz ? 1 : 0, fTickx: 1, fTicky: 1, fFillColor: 0, fBorderMode: 0, fFrameBorderMode: 0,
  });
  return c;
}

export function graph(xs: ArrayLike<number>, ys: ArrayLike<number>, opts: { name?: string; title?: string; exl?: ArrayLike<number>; exh?: ArrayLike<number>; eyl?: ArrayLike<number>; eyh?: ArrayLike<number> } = {}): any {
  const withErrors = opts.exl || opts.exh || opts.eyl || opts.eyh;
  const g: any = jsroot.create(withErrors ? 'TGraphAsymmErrors' : 'TGraph');
  const n = xs.length;
  g.fName = opts.name ?? 'graph';
  g.fTitle = opts.title ?? '';
  g.fNpoints = n;
  g.fX = Array.from(xs);
  g.fY = Array.from(ys);
  if (withErrors) {
    const zero = new Array(n).fill(0);
    g.fEXlow = opts.exl ? Array.from(opts.exl) : zero;
    g.fEXhigh = opts.exh ? Array.from(opts.exh) : zero;
    g.fEYlow = opts.eyl ? Array.from(opts.eyl) : zero;
    g.fEYhigh = opts.eyh ? Array.from(opts.eyh) : zero;
  }
  return g;
}

/** A closed polygon (drawn with option 'F'): the band between lower and upper curves. */
export function band(xs: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>, fill: string): any {
  const x = [...Array.from(xs), ...Array.from(xs).reverse()];
  const y = [...Array.from(upper), ...Array.from(lower).reverse()];
  const g = graph(x, y, { name: 'band' });
  g.fFillColor = color(fill);
  g.fFillStyle = 1001;
  g.fLineColor = color(fill);
  return g;
}

export function line(x1: number, y1: number, x2: number, y2: number, opts: { color?: string; style?: number; width?: number } = {}): any {
  const l: any = jsroot.create('TLine');
  Object.assign(l, { fX1: x1, fY1: y1, fX2: x2, fY2: y2, fLineColor: color(opts.color ?? '#000000'), fLineStyle: opts.style ?? 1, fLineWidth: opts.width ?? 2 });
  return l;
}

export function box(x1: number, y1: number, x2: number, y2: number, fill: string): any {
  const b: any = jsroot.create('TBox');
  Object.assign(b, { fX1: x1, fY1: y1, fX2: x2, fY2: y2, fFillColor: color(fill), fFillStyle: 1001, fLineColor: color(fill), fLineWidth: 0 });
  return b;
}

/** Bin labels on a histogram axis (TAxis::SetBinLabel), 1-based bins. */
export function setBinLabels(axis: any, labels: string[]): void {
  const list: any = jsroot.create('THashList');
  labels.forEach((text, i) => {
    const s: any = jsroot.create('TObjString');
    s.fString = text;
    s.fUniqueID = i + 1;
    list.Add(s);
  });
  axis.fLabels = list;
}

export function th2(name: string, nx: number, xlo: number, xhi: number, ny: number, ylo: number, yhi: number): any {
  const h: any = jsroot.createHistogram('TH2D', nx, ny);
  h.fName = name;
  h.fTitle = '';
  Object.assign(h.fXaxis, { fXmin: xlo, fXmax: xhi });
  Object.assign(h.fYaxis, { fXmin: ylo, fXmax: yhi });
  return h;
}
