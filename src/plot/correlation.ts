// Correlation matrix of the fitted parameters as a colour map with the values printed in the cells,
// pruned as cabinetry's visualize.correlation_matrix prunes it, sized from the parameter count.
import * as jsroot from 'jsroot';
import { canvas, setBinLabels, th2 } from './root-objects.ts';
import { DEFAULT_EXPERIMENT, headerLatex, type ExperimentLabel } from './label.ts';
import { renderSvg } from './render.ts';

export interface CorrelationSpec {
  names: string[];
  matrix: ArrayLike<ArrayLike<number>>;
  /** Drop parameters whose largest off-diagonal |correlation| is below this (cabinetry's pruning). */
  threshold?: number;
  experiment?: ExperimentLabel;
}

export interface PruneOptions {
  /** cabinetry's pruning_threshold (default 0: nothing but fixed parameters goes) */
  threshold?: number;
  /** at most this many, the most correlated ones */
  max?: number;
  /** left out whatever their correlations (staterror parameters, by default) */
  drop?: (index: number) => boolean;
}

/** The parameters the figure shows, in their order: without fixed ones (no correlation at all),
 *  without dropped ones, then those with some |correlation| >= threshold with another one shown,
 *  at most `max` of them (the largest |correlation| first). All of them if none would be left. */
export function correlationKeep(matrix: ArrayLike<ArrayLike<number>>, o: PruneOptions = {}): number[] {
  const n = matrix.length;
  const all = Array.from({ length: n }, (_, i) => i);
  const strength = (i: number, among: number[]) => Math.max(0, ...among.map((j) => (j === i ? 0 : Math.abs(matrix[i]![j]!))));
  const fixed = (i: number) => all.every((j) => matrix[i]![j] === 0);
  let keep = all.filter((i) => !fixed(i) && !o.drop?.(i));
  const candidates = keep;
  if (o.threshold) keep = keep.filter((i) => strength(i, candidates) >= o.threshold!);
  if (o.max !== undefined && keep.length > o.max) {
    const ranked = keep.map((i) => [i, strength(i, candidates)] as const).sort((a, b) => b[1] - a[1]);
    const strongest = new Set(ranked.slice(0, o.max).map(([i]) => i));
    keep = keep.filter((i) => strongest.has(i));
  }
  return keep.length ? keep : all;
}

/** Pixel layout: cells of 20-56 px (smaller as parameters add up), label margins from the longest name. */
export function correlationLayout(names: string[]): { width: number; height: number; cell: number; label: number; left: number; bottom: number; top: number; right: number } {
  const n = Math.max(1, names.length);
  const cell = Math.max(20, Math.min(56, Math.round(640 / n)));
  const label = Math.max(9, Math.min(15, Math.round(cell * 0.6)));
  const longest = Math.max(4, ...names.map((s) => s.length));
  const text = Math.round(longest * label * 0.52) + 16;
  const left = text, bottom = text, top = 40, right = 120;
  return { width: left + n * cell + right, height: top + n * cell + bottom, cell, label, left, bottom, top, right };
}

/** Labels drawn vertically (ROOT's TAxis::LabelsOption("v")). */
const K_LABELS_VERT = 1 << 19;

export async function correlationPlot(spec: CorrelationSpec): Promise<string> {
  const keep = spec.threshold ? correlationKeep(spec.matrix, { threshold: spec.threshold }) : spec.names.map((_, i) => i);
  const n = keep.length;
  const names = keep.map((i) => spec.names[i]!);
  const L = correlationLayout(names);
  const margins = { left: L.left / L.width, right: L.right / L.width, top: L.top / L.height, bottom: L.bottom / L.height };
  const c = canvas('correlation', margins);
  // colours from every value, text only where |rho| > 0.005 (cabinetry's rule): zeros print nothing
  const colours = th2('corr', n, 0, n, n, 0, n);
  const values = th2('values', n, 0, n, n, 0, n);
  setBinLabels(colours.fXaxis, names);
  setBinLabels(colours.fYaxis, [...names].reverse());
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      // TH2 storage: bin (ix, iy) at ix + (nx + 2) * iy; rows drawn top-down in parameter order.
      const v = spec.matrix[keep[a]!]![keep[b]!]!;
      const bin = (b + 1) + (n + 2) * (n - a);
      colours.fArray[bin] = v === 0 ? 1e-12 : v;
      values.fArray[bin] = Math.abs(v) > 5e-3 ? Math.round(v * 100) / 100 : 0; // 0.9999 prints as 1, as the diagonal
    }
  }
  colours.fMinimum = -1;
  colours.fMaximum = 1;
  const ref = Math.min(L.width, L.height);
  // alphanumeric labels are drawn at 2/3 of the axis' label size (TGaxis)
  const labelSize = (1.5 * L.label) / ref;
  Object.assign(colours.fXaxis, { fLabelSize: labelSize, fLabelFont: 42, fLabelOffset: 0.01 });
  colours.fXaxis.fBits |= K_LABELS_VERT;
  Object.assign(colours.fYaxis, { fLabelSize: labelSize, fLabelFont: 42 });
  colours.fZaxis.fLabelSize = 13 / ref;
  colours.fContour = Array.from({ length: 41 }, (_, i) => -1 + i * 0.05);
  c.fPrimitives.Add(colours, 'colz');
  if (L.cell >= 20) c.fPrimitives.Add(values, 'text same');
  for (const t of headerLatex(spec.experiment ?? DEFAULT_EXPERIMENT, margins, 15 / ref)) c.fPrimitives.Add(t, '');
  (jsroot.gStyle as Record<string, unknown>).fPaintTextFormat = '.2f';
  (jsroot.settings as Record<string, unknown>).Palette = 87; // kLightTemperature: diverging blue-white-red for signed values
  return renderSvg(c, { width: L.width, height: L.height });
}
