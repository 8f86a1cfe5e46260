// Correlation matrix of the fitted parameters as a colour map with the values printed in the cells.
import * as jsroot from 'jsroot';
import { canvas, setBinLabels, th2 } from './root-objects.ts';
import { renderSvg } from './render.ts';

export interface CorrelationSpec {
  names: string[];
  matrix: ArrayLike<ArrayLike<number>>;
  /** Drop parameters whose largest off-diagonal |correlation| is below this (cabinetry's pruning). */
  threshold?: number;
}

export async function correlationPlot(spec: CorrelationSpec): Promise<string> {
  let keep = spec.names.map((_, i) => i);
  if (spec.threshold) {
    keep = keep.filter((i) => keep.some((j) => j !== i && Math.abs(spec.matrix[i]![j]!) >= spec.threshold!));
    if (keep.length === 0) keep = spec.names.map((_, i) => i);
  }
  const n = keep.length;
  const names = keep.map((i) => spec.names[i]!);
  const longest = Math.max(6, ...names.map((s) => s.length));
  const margin = Math.min(0.4, 0.05 + longest * 0.011);
  const c = canvas('correlation', { left: margin, bottom: margin * 0.8, right: 0.13, top: 0.04 });
  const h = th2('corr', n, 0, n, n, 0, n);
  setBinLabels(h.fXaxis, names);
  setBinLabels(h.fYaxis, [...names].reverse());
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      // TH2 storage: bin (ix, iy) at ix + (nx + 2) * iy; rows drawn top-down in parameter order.
      const v = spec.matrix[keep[a]!]![keep[b]!]!;
      h.fArray[(b + 1) + (n + 2) * (n - a)] = Math.abs(v) < 5e-3 ? 1e-9 * Math.sign(v || 1) : v;
    }
  }
  h.fMinimum = -1;
  h.fMaximum = 1;
  h.fMarkerSize = n > 15 ? 0.6 : 1.0;
  const label = Math.min(0.035, 0.9 / Math.max(n, 1));
  Object.assign(h.fXaxis, { fLabelSize: label, fLabelFont: 42 });
  Object.assign(h.fYaxis, { fLabelSize: label, fLabelFont: 42 });
  h.fContour = Array.from({ length: 41 }, (_, i) => -1 + i * 0.05);
  c.fPrimitives.Add(h, n <= 25 ? 'colz text' : 'colz');
  (jsroot.gStyle as Record<string, unknown>).fPaintTextFormat = '.2f';
  (jsroot.settings as Record<string, unknown>).Palette = 87; // kLightTemperature: diverging blue-white-red for signed values
  return renderSvg(c, { width: 800, height: 760 });
}
