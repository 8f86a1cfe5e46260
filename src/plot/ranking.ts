// The ranking (impact) figure as Combine's plotImpacts and cabinetry's visualize.ranking draw it:
// one row per parameter, largest post-fit impact on top; left panel the pulls (best fit - centre) /
// pre-fit width with post-fit error bars on the 1 and 2 sigma bands, right panel the POI shifts:
// post-fit impacts as filled bars (up variation red, down blue), pre-fit ones as open boxes.
import * as jsroot from 'jsroot';
import { box, canvas, color, latex, line, pad, setAxes, th1 } from './root-objects.ts';
import { renderSvg } from './render.ts';
import { DEFAULT_EXPERIMENT, headerLatex, type ExperimentLabel } from './label.ts';

export interface RankingFigureSpec {
  poi: string;
  parameters: Array<{ name: string; pull: number | null; uncertainty: number; prefit_uncertainty: number; prefit_up: number; prefit_down: number; postfit_up: number; postfit_down: number }>;
  /** at most this many parameters (default 20) */
  top?: number;
  experiment?: ExperimentLabel;
}

export const RANKING_COLORS = { up: '#e42536', down: '#5790fc' } as const;
export const PULL_RANGE = 2.5;
const WIDTH = 900;

/** The impact axis: symmetric, 1.15 x the largest impact drawn. */
export function impactRange(spec: RankingFigureSpec): number {
  const rows = spec.parameters.slice(0, spec.top ?? 20);
  const m = Math.max(1e-12, ...rows.flatMap((p) => [p.prefit_up, p.prefit_down, p.postfit_up, p.postfit_down].map(Math.abs)));
  return 1.15 * m;
}

export async function rankingPlot(spec: RankingFigureSpec): Promise<string> {
  const rows = spec.parameters.slice(0, spec.top ?? 20);
  const n = Math.max(1, rows.length);
  const height = Math.max(380, 128 + 28 * n);
  const bottom = 70 / height, top = 58 / height;
  const c = canvas('ranking', { left: 0, right: 0, top: 0, bottom: 0 });
  // names | pulls | impacts
  const pulls = pad('pulls', [0, 0, 0.62, 1], { left: 0.48, right: 0.02, top, bottom });
  const impacts = pad('impacts', [0.62, 0, 1, 1], { left: 0.04, right: 0.06, top, bottom });
  c.fPrimitives.Add(pulls, '');
  c.fPrimitives.Add(impacts, '');
  const y = (i: number) => n - i - 0.5;
  // ROOT sizes text relative to the smaller side of a pad
  const px = (size: number, padWidth: number) => size / Math.min(padWidth * WIDTH, height);

  const pf = th1({ name: 'pullframe', edges: [-PULL_RANGE, PULL_RANGE], values: [0] });
  setAxes(pf, '(#hat{#theta} - #theta_{0}) / #Delta#theta', '', { labelSize: px(14, 0.62), titleSize: px(16, 0.62) });
  Object.assign(pf, { fMinimum: 0, fMaximum: n, fLineColor: 0 });
  Object.assign(pf.fYaxis, { fLabelSize: 0, fNdivisions: 0, fTickLength: 0 });
  pulls.fPrimitives.Add(pf, 'axis');
  pulls.fPrimitives.Add(box(-2, 0, 2, n, '#ffe76a'), '');
  pulls.fPrimitives.Add(box(-1, 0, 1, n, '#7fd37f'), '');
  pulls.fPrimitives.Add(line(0, 0, 0, n, { style: 2, width: 1 }), '');
  rows.forEach((p, i) => {
    const t: any = jsroot.create('TText');
    Object.assign(t, { fTitle: p.name, fX: -PULL_RANGE * 1.04, fY: y(i), fTextSize: 15 / height, fTextFont: 42, fTextAlign: 32 });
    pulls.fPrimitives.Add(t, '');
    if (p.pull === null) return; // unconstrained: no pull
    const e = p.prefit_uncertainty > 0 ? p.uncertainty / p.prefit_uncertainty : 0;
    const clip = (v: number) => Math.max(-PULL_RANGE, Math.min(PULL_RANGE, v));
    pulls.fPrimitives.Add(line(clip(p.pull - e), y(i), clip(p.pull + e), y(i), { width: 2 }), '');
    const m: any = jsroot.create('TMarker');
    Object.assign(m, { fX: clip(p.pull), fY: y(i), fMarkerStyle: 20, fMarkerSize: 1.1, fMarkerColor: 1 });
    pulls.fPrimitives.Add(m, '');
  });

  const r = impactRange(spec);
  const f = th1({ name: 'impactframe', edges: [-r, r], values: [0] });
  setAxes(f, `#Delta${spec.poi}`, '', { labelSize: px(14, 0.38), titleSize: px(16, 0.38) });
  impacts.fPrimitives.Add(latex('post-fit filled, pre-fit open; red: +, blue: -', 0.05, 1 - 48 / height, { size: px(12, 0.38) }), '');
  Object.assign(f, { fMinimum: 0, fMaximum: n, fLineColor: 0 });
  Object.assign(f.fYaxis, { fLabelSize: 0, fNdivisions: 0, fTickLength: 0 });
  f.fXaxis.fNdivisions = 505;
  impacts.fPrimitives.Add(f, 'axis');
  rows.forEach((p, i) => {
    const h = 0.35;
    for (const [v, col] of [[p.postfit_up, RANKING_COLORS.up], [p.postfit_down, RANKING_COLORS.down]] as const) {
      if (v !== 0) impacts.fPrimitives.Add(box(Math.min(0, v), y(i) - h, Math.max(0, v), y(i) + h, col), '');
    }
    for (const [v, col] of [[p.prefit_up, RANKING_COLORS.up], [p.prefit_down, RANKING_COLORS.down]] as const) {
      if (v === 0) continue;
      const b = box(Math.min(0, v), y(i) - h, Math.max(0, v), y(i) + h, col);
      Object.assign(b, { fFillStyle: 0, fLineWidth: 2, fLineColor: color(col) });
      impacts.fPrimitives.Add(b, '');
    }
  });
  impacts.fPrimitives.Add(line(0, 0, 0, n, { style: 2, width: 1 }), '');
  for (const t of headerLatex(spec.experiment ?? DEFAULT_EXPERIMENT, { left: 0.02, right: 0.02, top: 24 / height }, 16 / Math.min(WIDTH, height))) c.fPrimitives.Add(t, '');
  return renderSvg(c, { width: WIDTH, height });
}
