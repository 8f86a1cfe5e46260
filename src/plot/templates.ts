// A systematic's templates as cabinetry's visualize.templates draws them: the nominal template and
// its up/down variations in one region, and below them each variation divided by the nominal with
// a dashed line at 1.
import { canvas, color, latex, legend, line, pad, setAxes, th1 } from './root-objects.ts';
import { renderSvg } from './render.ts';

export interface TemplatesFigureSpec {
  channel: string; sample: string; systematic: string;
  edges: ArrayLike<number>; xLabel?: string;
  nominal: ArrayLike<number>; up: ArrayLike<number>; down: ArrayLike<number>;
}

export const TEMPLATE_COLORS = { nominal: '#000000', up: '#5790fc', down: '#e42536' } as const;

/** The upper panel's y range: 0 to 1.5 x the largest template bin. */
export function templatesRange(spec: TemplatesFigureSpec): [number, number] {
  const m = Math.max(1e-12, ...[spec.nominal, spec.up, spec.down].flatMap((a) => Array.from(a)));
  return [0, 1.5 * m];
}

/** variation / nominal per bin (1 where the nominal is 0). */
export function relative(v: ArrayLike<number>, nominal: ArrayLike<number>): number[] {
  return Array.from(v, (x, i) => (nominal[i] !== 0 ? x / nominal[i]! : 1));
}

/** The ratio panel's y range, symmetric around 1 and at least +-5%. */
export function ratioRange(spec: TemplatesFigureSpec): [number, number] {
  const d = Math.max(0.05, ...[relative(spec.up, spec.nominal), relative(spec.down, spec.nominal)].flat().map((r) => Math.abs(r - 1)));
  return [1 - 1.3 * d, 1 + 1.3 * d];
}

export async function templatesPlot(spec: TemplatesFigureSpec): Promise<string> {
  const c = canvas('templates');
  const top = pad('top', [0, 0.3, 1, 1], { bottom: 0.02, top: 0.06 });
  const bottom = pad('bottom', [0, 0, 1, 0.3], { top: 0.02, bottom: 0.35 });
  c.fPrimitives.Add(top, '');
  c.fPrimitives.Add(bottom, '');
  const [lo, hi] = templatesRange(spec);
  const hists = (['nominal', 'up', 'down'] as const).map((k) => {
    const h = th1({ name: k, title: k, edges: spec.edges, values: spec[k] });
    Object.assign(h, { fLineColor: color(TEMPLATE_COLORS[k]), fLineWidth: 2, fLineStyle: k === 'nominal' ? 1 : 2, fMinimum: lo, fMaximum: hi });
    return h;
  });
  setAxes(hists[0], '', 'events', { labelSize: 0.05, yOffset: 1.0 });
  hists[0].fXaxis.fLabelSize = 0;
  hists.forEach((h, k) => top.fPrimitives.Add(h, k === 0 ? 'hist' : 'hist same'));
  top.fPrimitives.Add(legend(hists.map((h, k) => ({ object: h, label: ['nominal', 'up', 'down'][k]!, option: 'l' })), [0.68, 0.68, 0.93, 0.9]), '');
  [`region: ${spec.channel}`, `sample: ${spec.sample}`, `systematic: ${spec.systematic}`]
    .forEach((t, k) => top.fPrimitives.Add(latex(t, 0.14, 0.87 - 0.065 * k, { size: 0.045 }), ''));

  const [rlo, rhi] = ratioRange(spec);
  const n = spec.edges.length - 1;
  const ratios = (['up', 'down'] as const).map((k) => {
    const h = th1({ name: `${k}_ratio`, edges: spec.edges, values: relative(spec[k], spec.nominal) });
    Object.assign(h, { fLineColor: color(TEMPLATE_COLORS[k]), fLineWidth: 2, fLineStyle: 2, fMinimum: rlo, fMaximum: rhi });
    return h;
  });
  setAxes(ratios[0], spec.xLabel ?? 'observable', 'var. / nom.', { labelSize: 0.11, yOffset: 0.45 });
  ratios[0].fYaxis.fNdivisions = 505;
  ratios.forEach((h, k) => bottom.fPrimitives.Add(h, k === 0 ? 'hist' : 'hist same'));
  bottom.fPrimitives.Add(line(spec.edges[0]!, 1, spec.edges[n]!, 1, { style: 2, width: 1 }), '');
  return renderSvg(c);
}
