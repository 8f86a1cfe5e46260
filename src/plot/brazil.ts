// CLs versus the parameter of interest: observed curve, expected median with the 1 and 2 sigma
// bands (the "Brazil band") and the line at 1 - CL that defines the upper limit.
import { band, canvas, color, graph, latex, legend, line, th1, setAxes } from './root-objects.ts';
import { renderSvg } from './render.ts';
import { DEFAULT_EXPERIMENT, headerLatex, type ExperimentLabel } from './label.ts';

export interface BrazilSpec {
  poi: ArrayLike<number>;
  clsObs: ArrayLike<number>;
  /** Five curves: -2, -1, 0, +1, +2 sigma. */
  clsExp: [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>, ArrayLike<number>, ArrayLike<number>];
  cl?: number;
  poiLabel?: string;
  upperLimitObs?: number;
  upperLimitExp?: number;
  experiment?: ExperimentLabel;
}

/** '95% CL upper limit on #mu: 1.53 (expected 0.45)', limits as talks quote them (1.53, 0.45, 12.3). */
export function limitSentence(spec: Pick<BrazilSpec, 'cl' | 'poiLabel' | 'upperLimitObs' | 'upperLimitExp'>): string | undefined {
  const f = (x: number) => String(Number(Math.abs(x) >= 1 ? x.toPrecision(3) : Math.abs(x) >= 0.1 ? x.toFixed(2) : x.toPrecision(2)));
  const obs = spec.upperLimitObs, exp = spec.upperLimitExp;
  const head = `${Number(((spec.cl ?? 0.95) * 100).toPrecision(3))}% CL upper limit on ${spec.poiLabel ?? '#mu'}`;
  if (obs !== undefined && Number.isFinite(obs)) return `${head}: ${f(obs)}${exp !== undefined && Number.isFinite(exp) ? ` (expected ${f(exp)})` : ''}`;
  if (exp !== undefined && Number.isFinite(exp)) return `${head}: expected ${f(exp)}`;
  return undefined;
}

export async function brazilPlot(spec: BrazilSpec): Promise<string> {
  const xs = Array.from(spec.poi);
  const lo = xs[0]!;
  const hi = xs[xs.length - 1]!;
  const alpha = 1 - (spec.cl ?? 0.95);
  // two rows above the frame: the experiment label, then the limit in words (never over a curve)
  const margins = { left: 0.12, right: 0.04, top: 0.12, bottom: 0.12 };
  const c = canvas('cls', margins);
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
  const red = '#e42536';
  c.fPrimitives.Add(line(lo, alpha, hi, alpha, { color: red, width: 2 }), '');
  // the line's meaning written on it, at the right end where CLs has fallen below it
  const yLine = margins.bottom + (alpha / 1.05) * (1 - margins.top - margins.bottom);
  const tag = latex(`CL_{s} = ${Number(alpha.toPrecision(3))}`, 1 - margins.right - 0.01, yLine + 0.012, { size: 0.032, align: 31 });
  tag.fTextColor = color(red);
  c.fPrimitives.Add(tag, '');
  c.fPrimitives.Add(legend([
    { object: obs, label: 'Observed CLs', option: 'lp' },
    { object: exp, label: 'Expected CLs', option: 'l' },
    { object: green, label: '#pm1#sigma', option: 'f' },
    { object: yellow, label: '#pm2#sigma', option: 'f' },
  ], [0.6, 0.56, 0.93, 0.85]), '');
  const sentence = limitSentence(spec);
  if (sentence) c.fPrimitives.Add(latex(sentence, margins.left, 1 - margins.top + 0.015, { size: 0.035, align: 11 }), '');
  for (const t of headerLatex(spec.experiment ?? DEFAULT_EXPERIMENT, { ...margins, top: margins.top - 0.055 }, 0.035)) c.fPrimitives.Add(t, '');
  return renderSvg(c);
}
