// CLs versus the parameter of interest: observed curve, expected median with the 1 and 2 sigma
// bands (the "Brazil band") and the line at 1 - CL that defines the upper limit.
import { band, canvas, graph, latex, legend, line, th1, setAxes } from './root-objects.ts';
import { renderSvg } from './render.ts';

export interface BrazilSpec {
  poi: ArrayLike<number>;
  clsObs: ArrayLike<number>;
  /** Five curves: -2, -1, 0, +1, +2 sigma. */
  clsExp: [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>, ArrayLike<number>, ArrayLike<number>];
  cl?: number;
  poiLabel?: string;
  upperLimitObs?: number;
  upperLimitExp?: number;
}

export async function brazilPlot(spec: BrazilSpec): Promise<string> {
  const xs = Array.from(spec.poi);
  const lo = xs[0]!;
  const hi = xs[xs.length - 1]!;
  const alpha = 1 - (spec.cl ?? 0.95);
  const c = canvas('cls', { left: 0.12, right: 0.04, top: 0.05, bottom: 0.12 });
  const frame = th1({ name: 'frame', edges: [lo, hi], values: [0] });
  setAxes(frame, spec.poiLabel ?? '#mu', 'CL_{s}');
  frame.fMinimum = 0;
  frame.fMaximum = 1.05;
  frame.fLineColor = 0;
  c.fPrimitives.Add(frame, 'axis');
  const yellow = band(xs, spec.clsExp[0], spec.clsExp[4], '#ffe76a');
  const green = band(xs, spec.clsExp[1], spec.clsExp[3], '#7fd37f');
  c.fPrimitives.Add(yellow, 'F same');
  c.fPrimitives.Add(green, 'F same');
  const exp = graph(xs, spec.clsExp[2], { name: 'exp' });
  Object.assign(exp, { fLineStyle: 2, fLineWidth: 2, fLineColor: 1 });
  c.fPrimitives.Add(exp, 'L same');
  const obs = graph(xs, spec.clsObs, { name: 'obs' });
  Object.assign(obs, { fLineWidth: 3, fLineColor: 1, fMarkerStyle: 20, fMarkerSize: 0.7 });
  c.fPrimitives.Add(obs, 'LP same');
  c.fPrimitives.Add(line(lo, alpha, hi, alpha, { color: '#e42536', width: 2 }), '');
  c.fPrimitives.Add(legend([
    { object: obs, label: 'Observed CLs', option: 'lp' },
    { object: exp, label: 'Expected CLs', option: 'l' },
    { object: green, label: '#pm1#sigma', option: 'f' },
    { object: yellow, label: '#pm2#sigma', option: 'f' },
  ], [0.6, 0.62, 0.93, 0.92]), '');
  const lines: string[] = [];
  if (spec.upperLimitObs !== undefined) lines.push(`Observed limit: ${spec.upperLimitObs.toFixed(3)}`);
  if (spec.upperLimitExp !== undefined) lines.push(`Expected limit: ${spec.upperLimitExp.toFixed(3)}`);
  lines.forEach((t, i) => c.fPrimitives.Add(latex(t, 0.6, 0.55 - i * 0.05, { size: 0.035 }), ''));
  return renderSvg(c);
}
