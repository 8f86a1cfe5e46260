// The modifier grid as cabinetry's visualize.modifier_grid draws it: one panel per channel, a row
// per sample and a column per parameter, each cell coloured by the modifier types acting there
// (cabinetry's categories and its Okabe-Ito colours; white: none).
import * as jsroot from 'jsroot';
import { box, canvas, color, latex, pad, th1 } from './root-objects.ts';
import { renderSvg } from './render.ts';
import { MODIFIER_CATEGORIES, type ModifierCategory, type ModifierGrid } from '../report/systematic-templates.ts';

export const CATEGORY_COLORS: Record<ModifierCategory, string> = {
  normfactor: '#d55e00', shapefactor: '#0072b2', shapesys: '#cc79a7', lumi: '#555555', staterror: '#e69f00',
  'normsys + histosys': '#009e73', histosys: '#f0e442', normsys: '#56b4e9', none: '#ffffff',
};

const ROW = 26, COL = 26, LEFT = 170, RIGHT = 190, TITLE = 34, BELOW = 150;

/** Canvas size for a grid: fixed pixels per cell. */
export function gridSize(g: ModifierGrid): { width: number; height: number } {
  return { width: LEFT + RIGHT + COL * Math.max(1, g.parameters.length), height: BELOW + g.channels.length * (TITLE + ROW * Math.max(1, g.samples.length)) };
}

function text(t: string, x: number, y: number, o: { size: number; align: number; angle?: number }): any {
  const tx: any = jsroot.create('TText');
  Object.assign(tx, { fTitle: t, fX: x, fY: y, fTextSize: o.size, fTextFont: 42, fTextAlign: o.align, fTextAngle: o.angle ?? 0 });
  return tx;
}

export async function modifierGridPlot(g: ModifierGrid): Promise<string> {
  const { width, height } = gridSize(g);
  const c = canvas('modifier_grid', { left: 0, right: 0, top: 0, bottom: 0 });
  const np = Math.max(1, g.parameters.length), ns = Math.max(1, g.samples.length);
  const panelH = TITLE + ROW * ns;
  g.channels.forEach((channel, k) => {
    // pads from the top; the last one also holds the parameter names below it
    const top = 1 - (k * panelH) / height, bot = 1 - ((k + 1) * panelH + (k === g.channels.length - 1 ? BELOW : 0)) / height;
    const p = pad(`grid_${k}`, [0, bot, 1, top], {
      left: LEFT / width, right: RIGHT / width, top: TITLE / ((top - bot) * height), bottom: (k === g.channels.length - 1 ? BELOW : 0) / ((top - bot) * height),
    });
    c.fPrimitives.Add(p, '');
    const frame = th1({ name: `frame_${k}`, edges: [0, np], values: [0] });
    Object.assign(frame, { fMinimum: 0, fMaximum: ns, fLineColor: 0 });
    for (const a of [frame.fXaxis, frame.fYaxis]) Object.assign(a, { fLabelSize: 0, fNdivisions: 0, fTickLength: 0 });
    p.fPrimitives.Add(frame, 'axis');
    const size = 13 / Math.min(width, (top - bot) * height);
    g.samples.forEach((sample, j) => {
      const y = ns - j - 1;
      p.fPrimitives.Add(text(sample, -0.15, y + 0.5, { size, align: 32 }), '');
      g.parameters.forEach((_, i) => {
        const cat = g.cells[k]![j]![i]!;
        if (cat !== 'none') p.fPrimitives.Add(box(i + 0.04, y + 0.04, i + 0.96, y + 0.96, CATEGORY_COLORS[cat]), '');
      });
    });
    p.fPrimitives.Add(latex(channel, LEFT / width, 1 - 0.6 * TITLE / ((top - bot) * height), { size: 15 / Math.min(width, (top - bot) * height) }), '');
    if (k === g.channels.length - 1) g.parameters.forEach((par, i) => p.fPrimitives.Add(text(par, i + 0.5, -0.15, { size, align: 32, angle: 60 }), ''));
    // the legend: one swatch per category, right of the first panel
    if (k === 0) {
      MODIFIER_CATEGORIES.forEach((cat, m) => {
        const yy = ns - (m + 0.5) * Math.min(1, ns / MODIFIER_CATEGORIES.length);
        if (yy < -ns * 0.2) return;
        const sw = box(np + 0.4, yy - 0.3, np + 1.0, yy + 0.3, CATEGORY_COLORS[cat]);
        if (cat === 'none') Object.assign(sw, { fLineColor: color('#000000'), fLineWidth: 1 });
        p.fPrimitives.Add(sw, '');
        p.fPrimitives.Add(text(cat, np + 1.2, yy, { size, align: 12 }), '');
      });
    }
  });
  return renderSvg(c, { width, height });
}
