// Test-statistic distributions of a toy hypothesis test as pyhf's plot_results draws them: the
// s+b and b-only toys' qtilde as normalised histograms (log scale) and the observed value as a line.
import { canvas, color, legend, line, setAxes, th1 } from './root-objects.ts';
import { renderSvg } from './render.ts';

export interface ToysFigureSpec { poi: string; mu: number; qObs: number; sb: ArrayLike<number>; b: ArrayLike<number>; bins?: number }

/** The histogram range: 0 to the 99.5th percentile of both samples and the observed value (at least 1). */
export function toysRange(spec: ToysFigureSpec): number {
  const all = Float64Array.from([...Array.from(spec.sb), ...Array.from(spec.b)]).sort();
  return Math.max(1, 1.05 * Math.max(all[Math.floor(0.995 * (all.length - 1))] ?? 0, spec.qObs));
}

/** Fractions of the samples per bin over [0, hi] (the last bin takes the overflow). */
export function toyHistogram(values: ArrayLike<number>, bins: number, hi: number): number[] {
  const h = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) h[Math.min(bins - 1, Math.max(0, Math.floor((values[i]! / hi) * bins)))]! += 1 / values.length;
  return h;
}

export async function toysPlot(spec: ToysFigureSpec): Promise<string> {
  const bins = spec.bins ?? 40, hi = toysRange(spec);
  const edges = Array.from({ length: bins + 1 }, (_, i) => (hi * i) / bins);
  const c = canvas('toys', { left: 0.12, right: 0.04, top: 0.05, bottom: 0.12 }, { logy: true });
  const sb = th1({ name: 'sb', edges, values: toyHistogram(spec.sb, bins, hi) });
  const b = th1({ name: 'b', edges, values: toyHistogram(spec.b, bins, hi) });
  setAxes(sb, `#tilde{q}_{#mu}  (${spec.poi} = ${spec.mu})`, 'fraction of toys');
  const lowest = 0.5 / Math.max(spec.sb.length, spec.b.length);
  Object.assign(sb, { fMinimum: lowest, fMaximum: 2, fLineColor: color('#e42536'), fLineWidth: 2 });
  Object.assign(b, { fLineColor: color('#5790fc'), fLineWidth: 2 });
  c.fPrimitives.Add(sb, 'hist');
  c.fPrimitives.Add(b, 'hist same');
  const obs = line(spec.qObs, lowest, spec.qObs, 2, { color: '#000000', width: 3 });
  c.fPrimitives.Add(obs, '');
  c.fPrimitives.Add(legend([
    { object: sb, label: 's+b toys', option: 'l' },
    { object: b, label: 'b-only toys', option: 'l' },
    { object: obs, label: 'observed', option: 'l' },
  ], [0.6, 0.72, 0.93, 0.92]), '');
  return renderSvg(c);
}
