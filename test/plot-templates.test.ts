// Template figures and the modifier grid, read back out of the SVG: the drawn bin heights of the
// nominal / up / down templates and of their ratios equal the workspace's numbers (the up template
// = histosys hi_data x normsys hi = the raw up histogram of the AGC reference), and the coloured
// cells of the grid are the modifiers of the AGC workspace, cell by cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildWorkspace } from '../src/stats/build/workspace-builder.ts';
import { readCabinetryConfig } from '../src/stats/build/cabinetry-config.ts';
import { buildModel } from '../src/stats/model.ts';
import { modifierGrid, systematicTemplates, MODIFIER_CATEGORIES } from '../src/report/systematic-templates.ts';
import { ratioRange, relative, templatesPlot, templatesRange, TEMPLATE_COLORS } from '../src/plot/templates.ts';
import { CATEGORY_COLORS, modifierGridPlot } from '../src/plot/modifier-grid.ts';
import { framesOf, pathPoints, pathsWithStyle, type Frame } from './svg-read.ts';
import { AGC_CONFIG_PATH, AGC_REFERENCE_HISTOS } from './stats-build-fixtures.ts';

type Raw = Record<string, { contents: number[]; edges: number[] }>;
const raw = JSON.parse(readFileSync(AGC_REFERENCE_HISTOS, 'utf8')) as Raw;
const EDGES = [110, 150, 190, 230, 270, 310, 350, 390, 430, 470, 510, 550];
/** the reference histogram on the config's binning (the 20 GeV bins from 110 GeV merged pairwise) */
const merged = (name: string) => { const v = raw[name]!.contents.slice(1, -1); return Array.from({ length: 11 }, (_, k) => v[3 + 2 * k]! + v[4 + 2 * k]!); };
function agc() {
  const ws = buildWorkspace(readCabinetryConfig(AGC_CONFIG_PATH), (n) => raw[n] && { edges: raw[n].edges, values: raw[n].contents.slice(1, -1), variances: raw[n].contents.slice(1, -1).map(Math.abs) });
  return { ...ws, hepflow: { binning: { '4j1b CR': EDGES, '4j2b SR': EDGES }, xLabels: { '4j1b CR': 'H_{T} [GeV]', '4j2b SR': 'm_{bjj} [GeV]' } } };
}

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

/** Bin heights of a step path drawn inside a frame: the flat segment over each bin's centre. */
function binHeights(d: string, f: Frame, n: number, [lo, hi]: [number, number]): number[] {
  const pts = pathPoints(d);
  return Array.from({ length: n }, (_, i) => {
    const xc = ((i + 0.5) * f.width) / n;
    for (let k = 1; k < pts.length; k++) {
      const [x0, y0] = pts[k - 1]!, [x1, y1] = pts[k]!;
      if (y0 === y1 && Math.min(x0, x1) <= xc && xc <= Math.max(x0, x1)) return lo + (1 - y0 / f.height) * (hi - lo);
    }
    return NaN;
  });
}

test('template figure: nominal, up, down and the ratios drawn at the workspace\'s (and the raw histograms\') values', async () => {
  const all = systematicTemplates(agc());
  const t = all.find((x) => x.channel === '4j2b SR' && x.sample === 'ttbar' && x.systematic === 'Jet energy scale')!;
  assert.deepEqual(t.edges, EDGES);
  // NormPlusShape, Up from pt_scale_up (Down symmetrised): histosys hi_data x normsys hi is the raw up histogram
  const up = merged('4j2b_ttbar_pt_scale_up');
  t.up.forEach((v, i) => assert.ok(Math.abs(v - up[i]!) < 1e-9 * up[i]!, `up[${i}] ${v} vs ${up[i]}`));
  assert.deepEqual(t.nominal, merged('4j2b_ttbar'));
  // only template systematics: no figure for the normalisation-only Luminosity
  assert.ok(!all.some((x) => x.systematic === 'Luminosity'));

  const svg = await templatesPlot(t);
  const [top, bottom] = framesOf(svg);
  const range = templatesRange(t);
  // drawing order: the three templates (top pad), the legend's lines, the two ratios (bottom pad)
  const drawn = (hex: string, which: 'first' | 'last') => {
    const paths = pathsWithStyle(svg, new RegExp(`stroke: ${rgb(hex).replace(/[()]/g, '\\$&')}`));
    return which === 'first' ? paths[0]! : paths.at(-1)!;
  };
  const px = (r: [number, number], f: Frame) => (1.5 * (r[1] - r[0])) / f.height; // 1.5 pixels in data units
  for (const [key, values] of [['nominal', t.nominal], ['up', t.up], ['down', t.down]] as const) {
    const got = binHeights(drawn(TEMPLATE_COLORS[key], 'first'), top!, 11, range);
    got.forEach((v, i) => assert.ok(Math.abs(v - values[i]!) <= px(range, top!), `${key} bin ${i}: drawn ${v}, value ${values[i]}`));
  }
  const rr = ratioRange(t);
  for (const key of ['up', 'down'] as const) {
    const got = binHeights(drawn(TEMPLATE_COLORS[key], 'last'), bottom!, 11, rr);
    const want = relative(t[key], t.nominal);
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= px(rr, bottom!), `${key}/nominal bin ${i}: drawn ${v}, value ${want[i]}`));
  }
});

/** Every filled cell of the grid's panels: [panel, row from top, column] -> fill colour. */
function gridCells(svg: string, rows: number, cols: number): Map<string, string> {
  const cells = new Map<string, string>();
  // each pad is a nested <svg x= y=>; its frame and boxes are in its own coordinates
  svg.split('<svg viewBox=').slice(1).forEach((part, panel) => {
    const f = framesOf(part)[0]!;
    for (const m of part.matchAll(/<path d="M(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)h[^"]*" style="fill: (rgb\([^)]*\))/g)) {
      const x = Number(m[1]) - f.x0, y = Number(m[2]) - f.y0;
      if (x < 0 || x >= f.width || y < 0 || y >= f.height) continue; // the legend's swatches
      cells.set(`${panel}/${Math.floor((y / f.height) * rows)}/${Math.floor((x / f.width) * cols)}`, m[3]!);
    }
  });
  return cells;
}

test('modifier grid: the coloured cells are the workspace\'s modifiers (cabinetry\'s categories and colours)', async () => {
  const ws = agc();
  const model = buildModel(ws);
  const g = modifierGrid(ws, model.paramSets.map((p) => p.name));
  assert.deepEqual(g.channels, ['4j1b CR', '4j2b SR']);
  assert.equal(g.parameters.length, 14);
  // cells by hand from the config: ttbar_norm is the normfactor of ttbar only, each staterror acts in its own region
  const cell = (ch: string, s: string, p: string) => g.cells[g.channels.indexOf(ch)]![g.samples.indexOf(s)]![g.parameters.indexOf(p)];
  assert.equal(cell('4j1b CR', 'ttbar', 'ttbar_norm'), 'normfactor');
  assert.equal(cell('4j1b CR', 'W+jets', 'ttbar_norm'), 'none');
  assert.equal(cell('4j1b CR', 'tW', 'staterror_4j1b-CR'), 'staterror');
  assert.equal(cell('4j2b SR', 'tW', 'staterror_4j1b-CR'), 'none');
  assert.equal(cell('4j2b SR', 'ttbar', 'ME variation'), 'normsys + histosys');
  assert.equal(cell('4j2b SR', 'W+jets', 'Luminosity'), 'normsys');
  // and from the JSON directly, modifier by modifier
  for (const [c, ch] of g.channels.entries()) {
    const spec = ws.channels.find((x) => x.name === ch)!;
    for (const [s, sample] of g.samples.entries()) {
      const mods = spec.samples.find((x) => x.name === sample)?.modifiers ?? [];
      for (const [p, par] of g.parameters.entries()) {
        const types = new Set(mods.filter((m) => m.name === par).map((m) => m.type));
        const want = types.size === 0 ? 'none' : types.has('histosys') && types.has('normsys') ? 'normsys + histosys' : [...types][0];
        assert.equal(g.cells[c]![s]![p], want, `${ch} / ${sample} / ${par}`);
      }
    }
  }

  const svg = await modifierGridPlot(g);
  const drawn = gridCells(svg, g.samples.length, g.parameters.length);
  let filled = 0;
  for (const [c] of g.channels.entries()) {
    for (const [s] of g.samples.entries()) {
      for (const [p] of g.parameters.entries()) {
        const cat = g.cells[c]![s]![p]!;
        const got = drawn.get(`${c}/${s}/${p}`);
        if (cat === 'none') assert.equal(got, undefined, `cell ${c}/${s}/${p} should be empty`);
        else { filled++; assert.equal(got, rgb(CATEGORY_COLORS[cat]), `cell ${c}/${s}/${p} (${cat})`); }
      }
    }
  }
  assert.equal(drawn.size, filled);
  assert.equal(new Set(Object.values(CATEGORY_COLORS)).size, MODIFIER_CATEGORIES.length, 'one colour per category');
});
