// plot node on a workspace alone (pre-fit figures, log scale, labels from params) and the report's
// helpers (unique SVG ids, measurement formatting).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatMeasurement, uniqueSvgIds } from '../src/report/html.ts';
import { REFS, runInProcess, withTempDir, writeGraph } from './nodes-fixtures.ts';

test('plot node: pre-fit figure from a workspace with the given x label, bin edges and log scale', async () => {
  await withTempDir(async (dir) => {
    const file = writeGraph(dir, 'prefit', `
  const h = g.node(histogramsKind, 'hists', [], {});
  const ws = g.buildWorkspace('ws', h, CONFIG);
  g.node(plotKind(['Workspace']), 'figures', ws, {
    xLabels: { SR: 'm_{4l} [TeV]' }, binning: { SR: [0, 1, 2, 3, 4, 5, 6, 7, 8] }, logy: ['SR'], png: false, title: 'Pre-fit only',
    sampleLabels: { Background: 'ZZ*' }, labels: ['ATLAS Open Data'],
  });
`);
    const r = await runInProcess(file, dir);
    assert.ok(r.summary?.ok, String(r.error));
    const out = join(dir, 'out');
    const svg = readFileSync(join(out, 'figures', 'prefit_SR.svg'), 'utf8');
    for (const text of ['TeV', 'ZZ*', 'ATLAS Open Data', 'Events / 1 TeV', 'SR, pre-fit']) assert.ok(svg.includes(text), `figure shows ${text}`);
    assert.ok(!existsSync(join(out, 'figures', 'prefit_SR.png')), 'png: false writes no PNG');
    assert.ok(!existsSync(join(out, 'figures', 'postfit_SR.svg')), 'no fit, no post-fit figure');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.ok(html.includes('<title>Pre-fit only</title>'));
    assert.ok(html.includes('figures/prefit_SR.svg'));
  });
});

test('uniqueSvgIds prefixes ids and their references only', () => {
  const svg = '<svg><clipPath id="c1"/><g clip-path="url(#c1)" fill="#ff0000"/><use href="#c1"/></svg>';
  assert.equal(uniqueSvgIds(svg, 'f0-'), '<svg><clipPath id="f0-c1"/><g clip-path="url(#f0-c1)" fill="#ff0000"/><use href="#f0-c1"/></svg>');
});

test('formatMeasurement rounds to two significant digits of the error', () => {
  assert.equal(formatMeasurement(0.97234, 0.04412), '0.972 ± 0.044');
  assert.equal(formatMeasurement(1234.5, 56.7), '1235 ± 57');
  assert.equal(formatMeasurement(2, 0), '2.000');
});

test('plot node: the correlation figure keeps the most correlated parameters up to `max`', async () => {
  await withTempDir(async (dir) => {
    const file = writeGraph(dir, 'corr', `
  const h = g.node(histogramsKind, 'hists', [], {});
  const ws = g.buildWorkspace('ws', h, CONFIG);
  g.node(plotKind(['FitResult']), 'figures', g.fit('fit', ws), { correlation: { max: 3 }, prefit: false, postfit: false, pulls: false, png: false, report: false });
`);
    const r = await runInProcess(file, dir);
    assert.ok(r.summary?.ok, String(r.error));
    const f = JSON.parse(readFileSync(join(dir, 'out', 'fit.json'), 'utf8'));
    const svg = readFileSync(join(dir, 'out', 'figures', 'correlation.svg'), 'utf8');
    const shown = (f.par_names as string[]).filter((n) => svg.includes(`>${n}<`));
    assert.equal(shown.length, 3, `shown: ${shown.join(', ')}`);
    // the kept ones are the three with the largest off-diagonal |correlation| among the parameters
    // shown at all: staterror ones are left out by default
    const staterror = new Set(f.pulls.filter((x: { type: string }) => x.type === 'staterror').map((x: { parameter: string }) => x.parameter));
    assert.ok(staterror.size > 0, 'the fixture has staterror parameters');
    const candidates = [...(f.par_names as string[]).keys()].filter((i) => !staterror.has(f.par_names[i]));
    const strength = (i: number) => Math.max(...candidates.map((j) => (i === j ? 0 : Math.abs(f.correlation[i][j]))));
    const top = [...candidates].sort((a, b) => strength(b) - strength(a)).slice(0, 3).map((i) => f.par_names[i]);
    assert.deepEqual(shown.sort(), top.sort());
    assert.ok(!existsSync(join(dir, 'out', 'report.html')));
  });
});

test('plot node on Histograms: per region the nominal processes stacked, data points, MC stat band', async () => {
  await withTempDir(async (dir) => {
    const file = writeGraph(dir, 'hists', `
  const h = g.node(histogramsKind, 'hists', [], {});
  g.node(plotKind(['Histograms']), 'figures', h, { histograms: { data: ['data'], signal: ['signal'] }, sampleLabels: { bkg: 'Background' }, png: false });
`);
    const r = await runInProcess(file, dir);
    assert.ok(r.summary?.ok, String(r.error));
    const svg = readFileSync(join(dir, 'out', 'figures', 'hist_SR.svg'), 'utf8');
    for (const text of ['Background', 'signal', 'Data', 'Uncertainty', 'SR, pre-fit, MC stat. unc.', 'Events / 10 GeV']) assert.ok(svg.includes(text), `figure shows ${text}`);
    assert.ok(readFileSync(join(dir, 'out', 'report.html'), 'utf8').includes('figures/hist_SR.svg'));
  });
});

test('histogramPrediction: nominal MC summed, data apart, band = sqrt of the summed sum w^2', async () => {
  const { histogramPrediction } = await import('../src/report/histogram-prediction.ts');
  const { histogramsKind, syntheticYields } = await import('./nodes-fixtures.ts');
  const a = histogramsKind.run([], histogramsKind.params.parse({ signalScale: 1 }), undefined as never) as Parameters<typeof histogramPrediction>[0];
  const pred = await histogramPrediction(a, { data: ['data'], signal: ['signal'] });
  const y = syntheticYields(1);
  const ch = pred.channels[0]!;
  assert.equal(ch.name, 'SR');
  assert.deepEqual(ch.samples.map((s) => [s.name, s.signal]), [['bkg', false], ['signal', true]]);
  ch.total.forEach((v, i) => assert.ok(Math.abs(v - (y.bkg![i]! + y.signal![i]!)) < 1e-9 * v, `total bin ${i}`));
  ch.data.forEach((v, i) => assert.ok(Math.abs(v - y.data![i]!) < 1e-9 * v, `data bin ${i}`));
  // each yield was filled as ten entries of w/10: sum w^2 = w^2 / 10
  ch.uncertainty.forEach((u, i) => assert.ok(Math.abs(u - Math.sqrt((y.bkg![i]! ** 2 + y.signal![i]! ** 2) / 10)) < 1e-9 * u, `sigma bin ${i}`));
});

test('plot node: a scan point with undefined CLs (NaN at POI = 0) is left out of the Brazil plot', async () => {
  const { default: plot } = await import('../nodes/plot.ts');
  const c = (mu: number, s: number) => Math.exp(-mu / (1 + 0.2 * s));
  const scan = [0, 1, 2, 3].map((mu) => ({ poi: mu, cls_obs: mu === 0 ? NaN : c(mu, 0), cls_exp: [-2, -1, 0, 1, 2].map((s) => c(mu, s)) }));
  const limit = {
    cls_obs: c(1, 0), cls_exp: scan[1]!.cls_exp, upper_limit_obs: 2.99, upper_limit_exp: [1, 2, 3, 4, 5], p0_obs: 0.5, p0_exp: 0.5,
    significance_obs: 0, significance_exp: 0, poi: 'mu', poi_value: 1, upper_limit_method: 'root', measurement: 'm', cl: 0.95, scan,
  };
  const ctx = { node: 'figures', graph: 'g', log() {}, warn() {}, signal: new AbortController().signal, progress() {}, memo: async (_k: unknown, f: () => unknown) => f(), workers: 1 };
  const out = await plot.run([limit], plot.params.parse({ png: false }), ctx as never);
  const fig = out.figures.find((f) => f.name === 'cls_scan');
  assert.ok(fig && fig.svg.includes('upper limit on mu: 2.99 (expected 3)'), 'the limit in words');
  assert.ok(out.report?.includes('2.99'));
});

test('limit scan grid: readable default end, given grids as written', async () => {
  const { niceCeil, scanGrid } = await import('../nodes/limit.ts');
  assert.deepEqual([0.034, 4.32, 9.9, 10, 12.5, 730].map(niceCeil), [0.04, 5, 10, 10, 15, 800]);
  const p = { poiValue: 1, cl: 0.95, parallel: 'auto' as const, output: false as const };
  assert.deepEqual(scanGrid({ ...p, scan: { lo: 0, hi: 2, points: 5 } }, 0, [1]), [0, 0.5, 1, 1.5, 2]);
  const auto = scanGrid(p, 0, [1.1, 2.2, 3.6]);
  assert.equal(auto.length, 21);
  assert.equal(auto.at(-1), 5);
  assert.equal(auto[1], 0.25);
});

test('fit result codec: the correlation matrix round-trips through its binary payload', async () => {
  const { fitResultCodec } = await import('../nodes/fit.ts');
  const value = { par_names: ['a', 'b', 'c'], correlation: [[1, -0.25, 0.5], [-0.25, 1, 1 / 3], [0.5, 1 / 3, 1]], bestfit: { a: 1, b: 2, c: 3 }, other: [NaN] };
  const enc = fitResultCodec.encode(value as never);
  assert.equal((enc.meta as { correlation: unknown }).correlation, null);
  assert.equal(enc.payloads[0]!.byteLength, 9 * 8);
  // decode from a copy at an odd offset, as a blob read may hand it over
  const buf = new Uint8Array(enc.payloads[0]!.byteLength + 3);
  buf.set(enc.payloads[0]!, 3);
  assert.deepEqual(fitResultCodec.decode(JSON.parse(JSON.stringify(enc.meta)), [buf.subarray(3)]).correlation, value.correlation);
});

test('plot node with a ranking input: its table in report.html and its figure; experiment label and PDFs on every figure', async () => {
  await withTempDir(async (dir) => {
    const c = JSON.parse(readFileSync(join(REFS, 'validation_2bin_2channel.json'), 'utf8'));
    const file = writeGraph(dir, 'ranked', `
  const ws = g.node(workspaceKind, 'ws', [], { workspace: ${JSON.stringify(c.workspace)} });
  const fit = g.fit('fit', ws);
  const ranking = g.ranking('ranking', ws, { figure: false });
  g.plot('figures', [fit, ranking], { label: 'CMS Open Data', sqrts: 13.6, lumi: 0.5, png: false });
`);
    const r = await runInProcess(file, dir);
    assert.ok(r.summary?.ok, String(r.error));
    const out = join(dir, 'out');
    const ranked = JSON.parse(readFileSync(join(out, 'ranking.json'), 'utf8'));
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const table = /<section id="ranking">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    const rows = [...table.matchAll(/<tr><td>([^<]+)<\/td><td>[^<]*<\/td><td>[^<]*<\/td><td>[^<]*<\/td><td>([^<]*)<\/td>/g)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(rows.map((x) => x[0]), ranked.parameters.map((q: { name: string }) => q.name), 'one row per parameter, in ranking order');
    rows.forEach(([name, up], i) => assert.ok(Math.abs((up as number) - ranked.parameters[i].postfit_up) <= 5e-3 * Math.abs(ranked.parameters[i].postfit_up) + 1e-12, `${name} post-fit up`));
    assert.ok(html.includes('href="ranking.json"') && html.includes('figures/ranking.svg'));
    for (const name of ['pulls', 'correlation', 'ranking']) {
      const svg = readFileSync(join(out, 'figures', `${name}.svg`), 'utf8');
      assert.ok(svg.includes('>CMS Open Data<') && svg.includes('= 13.6 TeV, 500 pb'), `${name} carries the experiment label`);
      assert.equal(readFileSync(join(out, 'figures', `${name}.pdf`)).subarray(0, 5).toString('latin1'), '%PDF-');
    }
  });
});
