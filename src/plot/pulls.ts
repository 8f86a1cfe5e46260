// Nuisance-parameter pulls, (theta_hat - theta_0) / sigma_prefit with post-fit error bars, on the
// usual green (1 sigma) and yellow (2 sigma) bands; one row per parameter, as cabinetry draws it.
import { box, canvas, line, th1, setAxes } from './root-objects.ts';
import * as jsroot from 'jsroot';
import { renderSvg } from './render.ts';
import { DEFAULT_EXPERIMENT, headerLatex, type ExperimentLabel } from './label.ts';

export interface PullsSpec {
  names: string[];
  pulls: ArrayLike<number>;
  /** Post-fit uncertainty in units of the pre-fit one. */
  errors: ArrayLike<number>;
  experiment?: ExperimentLabel;
}

export async function pullsPlot(spec: PullsSpec): Promise<string> {
  const n = spec.names.length;
  const height = Math.max(340, 110 + 30 * n);
  const longest = Math.max(8, ...spec.names.map((s) => s.length));
  const left = Math.min(0.5, 0.04 + longest * 0.0105);
  const bottom = 60 / height;
  const top = 34 / height;
  const margins = { left, right: 0.04, top, bottom };
  const c = canvas('pulls', margins);
  const frame = th1({ name: 'frame', edges: [-3, 3], values: [0] });
  setAxes(frame, '(#hat{#theta} - #theta_{0}) / #Delta#theta', '', { labelSize: 18 / height * 1.0, titleSize: 20 / height });
  frame.fYaxis.fLabelSize = 0;
  frame.fYaxis.fNdivisions = 0;
  frame.fYaxis.fTickLength = 0;
  frame.fMinimum = 0;
  frame.fMaximum = n;
  frame.fLineColor = 0;
  c.fPrimitives.Add(frame, 'axis');
  c.fPrimitives.Add(box(-2, 0, 2, n, '#ffe76a'), '');
  c.fPrimitives.Add(box(-1, 0, 1, n, '#7fd37f'), '');
  c.fPrimitives.Add(line(0, 0, 0, n, { style: 2, width: 1 }), '');
  const ys = Array.from({ length: n }, (_, i) => n - i - 0.5);
  spec.names.forEach((name, i) => {
    const y = ys[i]!;
    const p = spec.pulls[i]!;
    const e = spec.errors[i]!;
    c.fPrimitives.Add(line(Math.max(-3, p - e), y, Math.min(3, p + e), y, { width: 2 }), '');
    const m: any = jsroot.create('TMarker');
    Object.assign(m, { fX: Math.max(-3, Math.min(3, p)), fY: y, fMarkerStyle: 20, fMarkerSize: 1.2, fMarkerColor: 1 });
    c.fPrimitives.Add(m, '');
    // TText, not TLatex: parameter names contain '_' and '[i]' that must print as they are.
    const t: any = jsroot.create('TText');
    Object.assign(t, { fTitle: name, fX: -3.1, fY: y, fTextSize: 16 / height, fTextFont: 42, fTextAlign: 32 });
    c.fPrimitives.Add(t, '');
  });
  for (const t of headerLatex(spec.experiment ?? DEFAULT_EXPERIMENT, margins, 16 / Math.min(800, height))) c.fPrimitives.Add(t, '');
  return renderSvg(c, { width: 800, height });
}
