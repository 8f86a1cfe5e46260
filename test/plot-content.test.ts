// What the figures contain (issue 17, "Figures fit for a talk"), read back out of the SVG and PDF:
// Poisson error bars (against scipy's chi2 quantiles), the ratio panel's adaptive range and arrows,
// empty data bins, data-only figures, the legend order, the pruned and sized correlation matrix,
// the CLs figure's limit sentence, the experiment label, the PDF's page and text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brazilPlot, correlationPlot, pullsPlot, stackPlot, svgToPdf } from '../src/plot/index.ts';
import { correlationKeep, correlationLayout } from '../src/plot/correlation.ts';
import { limitSentence } from '../src/plot/brazil.ts';
import { offScale, poissonErrors, ratioPoints, ratioRange } from '../src/plot/ratio.ts';
import { experimentOf } from '../src/report/experiment.ts';
import { cutflowTable } from '../src/report/html.ts';
import { listedOutputs } from '../src/ui/outputs.ts';
import { framesOf } from './svg-read.ts';
import { readPdf } from './pdf-read.ts';

const EXPERIMENT = { text: 'CMS Open Data', sqrts: 13, lumi: 3.378 };

test('Poisson error bars are the Garwood 68.27% interval (scipy.stats.chi2.ppf)', () => {
  // python: lo = chi2.ppf(a/2, 2n)/2, hi = chi2.ppf(1-a/2, 2(n+1))/2, a = 1 - 0.6826894921370859
  const scipy: Array<[number, number, number]> = [
    [0, 0, 1.8410216450092634], [1, 0.17275377902344996, 3.299526559115855], [2, 0.7081854398189713, 4.637859623455245],
    [5, 2.8403088555932205, 8.382472652146888], [10, 6.891305560638357, 14.266949761009391], [100, 90.0167451771134, 111.03336094114967],
  ];
  for (const [n, lo, hi] of scipy) {
    const [down, up] = poissonErrors(n);
    assert.ok(Math.abs(n - down - lo) < 1e-9 * Math.max(1, lo), `n=${n} lower ${n - down} vs ${lo}`);
    assert.ok(Math.abs(n + up - hi) < 1e-9 * hi, `n=${n} upper ${n + up} vs ${hi}`);
  }
});

test('ratio range: the narrowest nice range holding every central value and the band; empty bins do not squash it', () => {
  const pts = (values: number[]) => values.map((value, bin) => ({ bin, value, lower: 0, upper: 0 }));
  assert.deepEqual(ratioRange(pts([0.97, 1.04, 1.0])), [0.9, 1.1]);
  assert.deepEqual(ratioRange(pts([0.97, 1.25])), [0.6, 1.4]);
  assert.deepEqual(ratioRange(pts([1, 1]), [0.15, 0.1]), [0.8, 1.2], 'the band counts');
  assert.deepEqual(ratioRange(pts([1.02, 0, 0.99])), [0.9, 1.1], 'an empty bin (ratio 0) is an arrow, not a reason to reach 0');
  assert.deepEqual(ratioRange(pts([1.02, 7])), [0, 2], 'the widest range; the 7 becomes an arrow');
  assert.deepEqual(offScale(pts([1.02, 7, 0]), [0.9, 1.1]), [{ bin: 1, direction: 'up' }, { bin: 2, direction: 'down' }]);
  // no point where nothing is predicted; an empty data bin is a point at 0 with the Poisson upper error
  const r = ratioPoints([5, 0, 3], [4, 2, 0]);
  assert.deepEqual(r.map((p) => p.bin), [0, 1]);
  assert.equal(r[1]!.value, 0);
  assert.ok(Math.abs(r[1]!.upper - 1.8410216450092634 / 2) < 1e-9);
});

const edges = Array.from({ length: 11 }, (_, i) => 100 + 10 * i);
const bkg = edges.slice(1).map((_, i) => 20 - i);
const sig = edges.slice(1).map((_, i) => (i === 4 ? 8 : 0.5));

/** The points of a TGraphAsymmErrors in the SVG: translate(x,y) groups with their error-bar path. */
function graphPoints(svgPart: string): Array<{ x: number; y: number; down: number; up: number }> {
  // (a point at 0 has no downward bar: "M0,0V-up" alone)
  return [...svgPart.matchAll(/<g transform="translate\((\d+(?:\.\d+)?),(\d+(?:\.\d+)?)\)"><path d="(?:M0,0V(\d+))?M0,0V-(\d+)"/g)]
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), down: Number(m[3] ?? 0), up: Number(m[4]) }));
}

test('stack plot: off-scale ratios are arrows at their bins, empty data bins have markers, error bars are Poisson', async () => {
  const data = bkg.map((b, i) => Math.round(b + sig[i]!));
  data[2] = 0; // empty bin
  data[7] = 40; // ratio ~3: off the widest scale
  const svg = await stackPlot({ edges, samples: [{ label: 'Background', values: bkg }, { label: 'Signal', values: sig }], data: { values: data }, totalUncertainty: bkg.map((b) => 0.1 * b), xLabel: 'm [GeV]', experiment: EXPERIMENT });
  const [top, ratio] = framesOf(svg);
  assert.ok(top && ratio, 'two panels');
  const bottomPad = svg.slice(svg.indexOf('<svg viewBox', svg.indexOf('<svg viewBox') + 1));
  const binX = (i: number) => ratio.x0 + ((edges[i]! + 5 - 100) / 100) * ratio.width;
  // arrows: '|>' heads, path "M x,y L x,y M ... l ... l ... z", pad coordinates
  const arrows = [...bottomPad.matchAll(/<path d="M(\d+),(\d+)L(\d+),(\d+)M(-?\d+),(-?\d+)l(-?\d+),(-?\d+)l(-?\d+),(-?\d+)z"/g)].map((m) => {
    const [x1, y1, , , hx, hy, dx1, dy1] = m.slice(1).map(Number) as number[];
    return { x: x1!, from: y1!, tip: hy! + dy1!, headX: hx! + dx1! };
  });
  assert.equal(arrows.length, 2, `two arrows, got ${JSON.stringify(arrows)}`);
  const up = arrows.find((a) => a.tip < a.from)!, down = arrows.find((a) => a.tip > a.from)!;
  assert.ok(Math.abs(up.x - binX(7)) <= 1, `the up arrow at bin 7: ${up.x} vs ${binX(7)}`);
  assert.ok(Math.abs(down.x - binX(2)) <= 1, `the down arrow at the empty bin: ${down.x} vs ${binX(2)}`);
  assert.ok(Math.abs(up.tip - ratio.y0) <= 0.06 * ratio.height, 'the up arrow points at the top edge');
  assert.ok(Math.abs(down.tip - (ratio.y0 + ratio.height)) <= 0.06 * ratio.height, 'the down arrow at the bottom edge');
  // the ratio points shown sit at data / prediction in the adapted range [0, 2]
  const shown = graphPoints(bottomPad.slice(bottomPad.indexOf('<svg x="0" y="0" overflow="hidden"')));
  assert.equal(shown.length, 8, 'the eight bins without arrows');
  for (const p of shown) {
    const bin = Math.round(((p.x / ratio.width) * 100 - 5) / 10);
    const want = data[bin]! / (bkg[bin]! + sig[bin]!);
    const got = 2 * (1 - p.y / ratio.height);
    assert.ok(Math.abs(got - want) <= 2 / ratio.height * 1.5, `ratio bin ${bin}: ${got} vs ${want}`);
  }
  // main panel: every bin has a marker, the empty one at 0 with the upper error 1.84
  const main = svg.slice(0, svg.indexOf('<svg viewBox', svg.indexOf('<svg viewBox') + 1));
  const points = graphPoints(main);
  assert.equal(points.length, 10, 'ten data points, the empty bin included');
  const empty = points.find((p) => Math.abs(p.y - top.height) <= 1);
  assert.ok(empty, 'a marker at 0');
  const ref = points.find((p) => Math.abs(p.x - (binX(0) - ratio.x0)) <= 1)!;
  const scale = (top.height - ref.y) / data[0]!; // pixels per event
  assert.ok(Math.abs(empty.up - 1.8410216 * scale) <= 1, `empty bin upper error ${empty.up / scale} events`);
  const [lo, hi] = poissonErrors(data[0]!);
  assert.ok(Math.abs(ref.up - hi * scale) <= 1 && Math.abs(ref.down - lo * scale) <= 1, 'asymmetric Poisson errors');
  // one legend order: data, the stack top down, the band; the experiment label
  const at = (t: string) => svg.indexOf(`>${t}<`);
  assert.ok(at('Data') < at('Signal') && at('Signal') < at('Background') && at('Background') < at('Uncertainty'), 'legend order');
  assert.ok(svg.includes('>CMS Open Data<') && svg.includes('= 13 TeV, 3.38 fb'), 'experiment label');
});

test('stack plot of data alone: no ratio panel, no band, no uncertainty legend', async () => {
  const svg = await stackPlot({ edges, samples: [], data: { values: bkg }, totalUncertainty: bkg.map(() => 0), xLabel: 'm [GeV]' });
  assert.equal(framesOf(svg).length, 1, 'one panel');
  for (const t of ['Uncertainty', 'Data / Pred.']) assert.ok(!svg.includes(t), `no ${t}`);
  assert.ok(svg.includes('>Data<'));
});

test('correlation: pruned as cabinetry (fixed, dropped, threshold, max), labels vertical, size from the count', async () => {
  const m = [
    [1, 0.6, 0.05, 0, 0.3],
    [0.6, 1, 0.02, 0, 0.1],
    [0.05, 0.02, 1, 0, 0.01],
    [0, 0, 0, 0, 0], // fixed: no correlations at all
    [0.3, 0.1, 0.01, 0, 1],
  ];
  assert.deepEqual(correlationKeep(m), [0, 1, 2, 4], 'threshold 0: only the fixed one goes');
  assert.deepEqual(correlationKeep(m, { threshold: 0.2 }), [0, 1, 4]);
  assert.deepEqual(correlationKeep(m, { drop: (i) => i === 1, threshold: 0.2 }), [0, 4], 'dropped ones do not keep others');
  assert.deepEqual(correlationKeep(m, { max: 2 }), [0, 1]);
  const names = (n: number) => Array.from({ length: n }, (_, i) => `alpha_${i}`);
  const small = correlationLayout(names(12)), big = correlationLayout(names(34));
  assert.ok(big.width > small.width && big.cell < small.cell, 'more parameters: a bigger figure of smaller cells');
  const svg = await correlationPlot({ names: ['alpha_one', 'gamma[0]', 'beta'], matrix: [[1, -0.42, 0.001], [-0.42, 1, 0.2], [0.001, 0.2, 1]], experiment: EXPERIMENT });
  assert.match(svg, /<text[^>]*rotate\(270\)[^>]*>alpha_one<\/text>/, 'x labels at 90 degrees');
  assert.ok(svg.includes('>-0.42<') && !svg.includes('>0.00<'), 'values printed, none for |rho| <= 0.005');
  assert.ok(svg.includes('>CMS Open Data<'));
  assert.ok(/width="(\d+)"/.exec(svg)![1] === String(correlationLayout(['alpha_one', 'gamma[0]', 'beta']).width));
});

test('CLs figure: the limit in words, the CLs = 0.05 line labelled, the experiment label', async () => {
  assert.equal(limitSentence({ cl: 0.95, poiLabel: '#mu', upperLimitObs: 1.5312, upperLimitExp: 0.4512 }), '95% CL upper limit on #mu: 1.53 (expected 0.45)');
  assert.equal(limitSentence({ cl: 0.9, upperLimitObs: 12.345 }), '90% CL upper limit on #mu: 12.3');
  const mu = [0, 0.5, 1, 1.5, 2, 2.5];
  const c = (s: number) => mu.map((m) => Math.exp(-2 * m / (1 + 0.2 * s)));
  const svg = await brazilPlot({ poi: mu, clsObs: c(0), clsExp: [c(-2), c(-1), c(0), c(1), c(2)], upperLimitObs: 1.5312, upperLimitExp: 0.4512, experiment: EXPERIMENT });
  assert.ok(svg.includes('95% CL upper limit on') && svg.includes('1.53 (expected 0.45)'));
  assert.ok(svg.includes('= 0.05'), 'the line says what it is');
  assert.ok(svg.includes('>CMS Open Data<'));
});

test('experiment label: from label/sqrts/lumi, else the first of labels, else a neutral default', async () => {
  assert.deepEqual(experimentOf({ label: 'ATLAS Open Data', sqrts: 13, lumi: 10, labels: ['simulated'] }), { experiment: { text: 'ATLAS Open Data', sqrts: 13, lumi: 10 }, lines: ['simulated'] });
  assert.deepEqual(experimentOf({ labels: ['CMS Open Data', 'x'] }), { experiment: { text: 'CMS Open Data' }, lines: ['x'] });
  assert.deepEqual(experimentOf({}).experiment, { text: 'Work in progress' });
  const pulls = await pullsPlot({ names: ['a'], pulls: [0.5], errors: [1] });
  assert.ok(pulls.includes('>Work in progress<'), 'the default on a figure');
});

test('PDF: a valid one-page PDF of the SVG size in points with its text', async () => {
  const mu = [0, 1, 2, 3];
  const c = (s: number) => mu.map((m) => Math.exp(-m / (1 + 0.2 * s)));
  const svg = await brazilPlot({ poi: mu, clsObs: c(0), clsExp: [c(-2), c(-1), c(0), c(1), c(2)], upperLimitObs: 2.5, upperLimitExp: 2.1, experiment: EXPERIMENT });
  const pdf = Buffer.from(await svgToPdf(svg));
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.match(pdf.subarray(-8).toString('latin1'), /%%EOF\s*$/);
  const page = readPdf(pdf);
  assert.deepEqual([page.width, page.height], [600, 450], '800 x 600 px at 0.75 pt/px');
  for (const t of ['95% CL upper limit on μ: 2.5 (expected 2.1)', 'CMS Open Data', 'Observed CLs', '±1σ']) assert.ok(page.texts.includes(t), `PDF text '${t}' in ${JSON.stringify(page.texts)}`);
  assert.ok(Buffer.compare(pdf, Buffer.from(await svgToPdf(svg))) === 0, 'the same figure gives the same bytes');
});

test('report cutflow: one column per sample, rows in cut order, events read first', () => {
  const html = cutflowTable({ ttbar: { all: 100, exactly_1l: 40, atleast_4j: 10 }, wjets: { all: 50, exactly_1l: 20 } }, { ttbar: 120, wjets: 60 });
  const rows = [...html.matchAll(/<tr><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => m.slice(1));
  assert.deepEqual(rows, [['events read', '120', '60'], ['all', '100', '50'], ['exactly_1l', '40', '20'], ['atleast_4j', '10', '']]);
});

test('final screen: report.html listed first, the rest in written order', () => {
  const o = ['fit.json', 'figures/a.svg', 'figures/a.png', 'report.html', 'figures/b.svg'].map((path) => ({ node: 'n', path }));
  assert.deepEqual(listedOutputs(o).map((x) => x.path), ['report.html', 'fit.json', 'figures/a.svg', 'figures/a.png', 'figures/b.svg']);
});
