// Likelihood-scan figures: 1D, twice_nll - min against the parameter with the 1 and 2 sigma lines
// (2 dNLL = 1 and 4); 2D, the 68.3% and 95% contours (2 dNLL = -2 ln(1 - CL) for two degrees of
// freedom: 2.30 and 5.99) around the best fit, as Combine's MultiDimFit plots show them.
import * as jsroot from 'jsroot';
import { canvas, graph, latex, line, setAxes, th1 } from './root-objects.ts';
import { contourSegments } from './contour.ts';
import { renderSvg } from './render.ts';
import { DEFAULT_EXPERIMENT, headerLatex, type ExperimentLabel } from './label.ts';

export interface ScanFigureSpec {
  pars: string[];
  bestfit: number[];
  /** [p, (q,) delta], the first parameter varying slowest (as the scan writes them) */
  points: number[][];
  experiment?: ExperimentLabel;
}

/** Margins of both scan figures: the top one holds the experiment label. */
const MARGINS = { left: 0.12, right: 0.04, top: 0.07, bottom: 0.12 };

function withHeader(c: any, spec: ScanFigureSpec): Promise<string> {
  for (const t of headerLatex(spec.experiment ?? DEFAULT_EXPERIMENT, MARGINS, 0.035)) c.fPrimitives.Add(t, '');
  return renderSvg(c);
}

/** 2 dNLL of the 1 and 2 sigma lines (one parameter) and of the 68.3% / 95% contours (two). */
export const SIGMA_LEVELS_1D = [1, 4] as const;
export const SIGMA_LEVELS_2D = [-2 * Math.log(1 - 0.6827), -2 * Math.log(1 - 0.95)] as const;

export async function scanPlot(spec: ScanFigureSpec): Promise<string> {
  return spec.pars.length === 1 ? scan1d(spec) : scan2d(spec);
}

/** The 1D figure's y axis: 0 up to 1.1 x the largest point, at least 5 (the 2 sigma line shows), at most 25. */
export function scan1dTop(points: number[][]): number {
  return Math.max(5, Math.min(1.1 * Math.max(...points.map((p) => p[1]!).filter(Number.isFinite)), 25));
}

async function scan1d(spec: ScanFigureSpec): Promise<string> {
  const xs = spec.points.map((p) => p[0]!), ys = spec.points.map((p) => p[1]!);
  const lo = xs[0]!, hi = xs.at(-1)!;
  const top = scan1dTop(spec.points);
  const c = canvas('scan', MARGINS);
  const frame = th1({ name: 'frame', edges: [lo, hi > lo ? hi : lo + 1], values: [0] });
  setAxes(frame, spec.pars[0]!, '-2 #Delta ln L');
  Object.assign(frame, { fMinimum: 0, fMaximum: top, fLineColor: 0 });
  c.fPrimitives.Add(frame, 'axis');
  SIGMA_LEVELS_1D.forEach((level, k) => {
    c.fPrimitives.Add(line(lo, level, hi, level, { color: '#9c9ca1', style: 2, width: 2 }), '');
    c.fPrimitives.Add(latex(`${k + 1}#sigma`, 0.9, MARGINS.bottom + ((1 - MARGINS.top - MARGINS.bottom) * level) / top + 0.015, { size: 0.035 }), '');
  });
  const g = graph(xs, ys, { name: 'scan' });
  Object.assign(g, { fLineWidth: 3, fLineColor: 1, fMarkerStyle: 20, fMarkerSize: 0.8 });
  c.fPrimitives.Add(g, 'LP same');
  return withHeader(c, spec);
}

async function scan2d(spec: ScanFigureSpec): Promise<string> {
  const xs = [...new Set(spec.points.map((p) => p[0]!))], ys = [...new Set(spec.points.map((p) => p[1]!))];
  const z = xs.map((_, i) => ys.map((_, j) => spec.points[i * ys.length + j]![2]!));
  const c = canvas('scan2d', MARGINS);
  const frame = th1({ name: 'frame', edges: [xs[0]!, xs.at(-1)!], values: [0] });
  setAxes(frame, spec.pars[0]!, spec.pars[1]!);
  Object.assign(frame, { fMinimum: ys[0]!, fMaximum: ys.at(-1)!, fLineColor: 0 });
  c.fPrimitives.Add(frame, 'axis');
  const styles = [{ color: '#000000', style: 1 }, { color: '#000000', style: 2 }];
  SIGMA_LEVELS_2D.forEach((level, k) => {
    for (const [x1, y1, x2, y2] of contourSegments(xs, ys, z, level)) c.fPrimitives.Add(line(x1, y1, x2, y2, { ...styles[k]!, width: 2 }), '');
  });
  const m: any = jsroot.create('TMarker');
  Object.assign(m, { fX: spec.bestfit[0], fY: spec.bestfit[1], fMarkerStyle: 34, fMarkerSize: 2, fMarkerColor: 1 });
  c.fPrimitives.Add(m, '');
  c.fPrimitives.Add(latex('solid 68.3%, dashed 95% CL', 0.55, 0.88, { size: 0.035 }), '');
  return withHeader(c, spec);
}
