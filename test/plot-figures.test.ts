import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stackPlot, pullsPlot, correlationPlot, brazilPlot, svgToPng } from '../src/plot/index.ts';

const edges = Array.from({ length: 11 }, (_, i) => 100 + 10 * i);
const bkg = edges.slice(1).map((_, i) => 20 - i);
const sig = edges.slice(1).map((_, i) => (i === 4 ? 8 : 0.5));

test('stack plot draws every sample, data, the band and the ratio panel', async () => {
  const svg = await stackPlot({
    edges, samples: [{ label: 'Background', values: bkg }, { label: 'Signal', values: sig }],
    data: { values: bkg.map((b, i) => b + sig[i]!) }, totalUncertainty: bkg.map((b) => 0.1 * b), xLabel: 'm_{4l} [GeV]', labels: ['Test'],
  });
  for (const text of ['Background', 'Signal', 'Data', 'Uncertainty', 'Data / Pred.', 'Events / 10 GeV']) assert.ok(svg.includes(text), `missing ${text}`);
  const png = await svgToPng(svg);
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
});

test('stack plot labels variable bins as "Events / bin"', async () => {
  const svg = await stackPlot({ edges: [0, 1, 3, 10], samples: [{ label: 'A', values: [1, 2, 3] }], xLabel: 'x [GeV]', ratio: false });
  assert.ok(svg.includes('Events / bin'));
});

test('pulls, correlation and CLs figures name their parameters', async () => {
  const names = ['alpha_one', 'gamma[0]'];
  const pulls = await pullsPlot({ names, pulls: [0.5, -1], errors: [1, 0.5] });
  for (const n of names) assert.ok(pulls.includes(n), n);
  const corr = await correlationPlot({ names, matrix: [[1, -0.42], [-0.42, 1]] });
  assert.ok(corr.includes('-0.42'));
  const mu = [0, 1, 2, 3];
  const c = (s: number) => mu.map((m) => Math.exp(-m / (1 + 0.2 * s)));
  const cls = await brazilPlot({ poi: mu, clsObs: c(0), clsExp: [c(-2), c(-1), c(0), c(1), c(2)], upperLimitObs: 2.5 });
  assert.ok(cls.includes('95% CL upper limit on'), 'the limit in words');
});
