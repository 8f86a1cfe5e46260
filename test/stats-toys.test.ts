// Toy-based CLs (issue 16, item 5) against pyhf's ToyCalculator definitions: on a low-count counting
// model every toy's qtilde equals its closed form and CLs+b, CLb, CLs and the expected band follow
// from the two distributions as pyhf computes them; on a high-count model toy CLs agrees with the
// asymptotic one within the toys' statistical error; toys are seeded; the sampler has Poisson moments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../src/stats/model.ts';
import { hypotest } from '../src/stats/infer/hypotest.ts';
import { batchSeed, batches, toyDataset, toyHypotest, toyParameters, BAND_PERCENTILES } from '../src/stats/infer/toys.ts';
import { rng } from '../src/stats/random.ts';
import { loadWorkspace } from '../src/stats/workspace.ts';
import { toyHistogram, toysPlot, toysRange } from '../src/plot/toys.ts';
import { frameOf, pathPoints, pathsWithStyle } from './svg-read.ts';

const S = 4, B = 3, N_OBS = 5, HI = 10;
const counting = () => buildModel(loadWorkspace({
  version: '1.0.0',
  channels: [{ name: 'c', samples: [
    { name: 's', data: [S], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
    { name: 'b', data: [B], modifiers: [] },
  ] }],
  observations: [{ name: 'c', data: [N_OBS] }],
  measurements: [{ name: 'm', config: { poi: 'mu', parameters: [{ name: 'mu', bounds: [[0, HI]] }] } }],
}));

/** qtilde of n events by hand: muhat = (n - b) / s within [0, HI], 0 when muhat > mu. */
function qtildeByHand(n: number, mu: number): number {
  const muhat = Math.min(HI, Math.max(0, (n - B) / S));
  if (muhat > mu) return 0;
  const nll = (m: number) => { const lam = m * S + B; return lam - (n === 0 ? 0 : n * Math.log(lam)); };
  return Math.max(0, 2 * (nll(mu) - nll(muhat)));
}

const frac = (xs: ArrayLike<number>, t: number) => Array.from(xs).filter((x) => x >= t).length / xs.length;
function numpyPercentile(values: number[], q: number): number {
  const v = [...values].sort((a, b) => a - b), pos = (q / 100) * (v.length - 1), i = Math.floor(pos);
  return i + 1 < v.length ? v[i]! + (pos - i) * (v[i + 1]! - v[i]!) : v[i]!;
}

test("low-count model: per-toy qtilde by hand, CLs and the expected band by pyhf's definitions", () => {
  const model = counting(), mu = 1.5, ntoys = 600, seed = 11;
  const r = toyHypotest(model, mu, { ntoys, seed });
  // regenerate the same toys and compute each statistic in closed form
  for (const h of ['sb', 'b'] as const) {
    const pars = toyParameters(model, mu, h);
    assert.ok(Math.abs(pars[model.poiIndex]! - (h === 'sb' ? mu : 0)) < 1e-12);
    const byHand = batches(ntoys).flatMap(([k, n]) => {
      const g = rng(batchSeed(seed, h, k));
      return Array.from({ length: n }, () => qtildeByHand(toyDataset(model, pars, g).main[0]!, mu));
    }).sort((a, b) => a - b);
    const got = Array.from(h === 'sb' ? r.sb : r.b);
    assert.equal(got.length, ntoys);
    got.forEach((q, i) => assert.ok(Math.abs(q - byHand[i]!) < 1e-6, `${h} toy ${i}: ${q} vs ${byHand[i]}`));
  }
  const qObs = qtildeByHand(N_OBS, mu);
  assert.ok(Math.abs(r.qObs - qObs) < 1e-6);
  // CLs+b, CLb: fractions of toys with q >= q_obs (EmpiricalDistribution.pvalue)
  assert.equal(r.clsbObs, frac(r.sb, r.qObs));
  assert.equal(r.clbObs, frac(r.b, r.qObs));
  assert.equal(r.clsObs, r.clsbObs / r.clbObs);
  // expected: percentiles over the b-only toys of CLs at each toy's statistic
  const perToy = Array.from(r.b, (t) => frac(r.sb, t) / frac(r.b, t));
  BAND_PERCENTILES.forEach((q, k) => assert.ok(Math.abs(r.clsExp[k]! - numpyPercentile(perToy, q)) < 1e-12, `band ${k}`));
  // seeded: the same seed reproduces, another one differs
  assert.deepEqual(toyHypotest(model, mu, { ntoys, seed }).sb, r.sb);
  assert.notDeepEqual(toyHypotest(model, mu, { ntoys, seed: seed + 1 }).sb, r.sb);
});

test('high-count model: toy CLs agrees with the asymptotic CLs within the statistical error', () => {
  const model = buildModel(loadWorkspace({
    version: '1.0.0',
    channels: [{ name: 'c', samples: [
      { name: 's', data: [60], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
      { name: 'b', data: [1000], modifiers: [{ name: 'u', type: 'normsys', data: { hi: 1.02, lo: 0.98 } }] },
    ] }],
    observations: [{ name: 'c', data: [1010] }],
    measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
  }));
  for (const mu of [1, 1.5]) {
    const t = toyHypotest(model, mu, { ntoys: 1500, seed: 5 });
    const a = hypotest(model, mu);
    assert.ok(Math.abs(t.clsObs - a.clsObs) < 3 * t.clsObsError + 0.005, `mu ${mu}: toys ${t.clsObs} ± ${t.clsObsError} vs asymptotic ${a.clsObs}`);
    // the median expected CLs too (its spread is that of a quantile: generous)
    assert.ok(Math.abs(t.clsExp[2]! - a.clsExp[2]!) < 0.25 * a.clsExp[2]! + 0.01, `mu ${mu}: median ${t.clsExp[2]} vs ${a.clsExp[2]}`);
  }
});

test('Poisson and normal samplers: mean and variance', () => {
  const g = rng(1);
  for (const lam of [0.5, 3, 29.5, 30, 100, 5000]) {
    const n = 40_000, xs = Array.from({ length: n }, () => g.poisson(lam));
    assert.ok(xs.every((x) => Number.isInteger(x) && x >= 0));
    const m = xs.reduce((a, b) => a + b, 0) / n, v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1);
    assert.ok(Math.abs(m - lam) < 5 * Math.sqrt(lam / n), `lambda ${lam}: mean ${m}`);
    assert.ok(Math.abs(v / lam - 1) < 0.05, `lambda ${lam}: variance ${v}`);
  }
  const zs = Array.from({ length: 40_000 }, () => g.normal());
  const m = zs.reduce((a, b) => a + b, 0) / zs.length;
  assert.ok(Math.abs(m) < 0.02 && Math.abs(zs.reduce((a, b) => a + (b - m) ** 2, 0) / zs.length - 1) < 0.03);
});

test('toys figure: the histograms read back out of the SVG are the toy fractions', async () => {
  const model = counting();
  const r = toyHypotest(model, 1.5, { ntoys: 400, seed: 2 });
  const spec = { poi: 'mu', mu: 1.5, qObs: r.qObs, sb: r.sb, b: r.b, bins: 20 };
  const svg = await toysPlot(spec);
  const f = frameOf(svg);
  const hi = toysRange(spec);
  const [sbPath] = pathsWithStyle(svg, /stroke: rgb\(228, 37, 54\)/);
  // log y: the first bin's top in pixels -> fraction
  const pts = pathPoints(sbPath!);
  const want = toyHistogram(r.sb, 20, hi)[0]!;
  const lowest = 0.5 / 400;
  const yTop = pts[1]![1]; // after the move to (0, bottom): up to the first bin's height
  const got = 10 ** (Math.log10(lowest) + (1 - yTop / f.height) * (Math.log10(2) - Math.log10(lowest)));
  assert.ok(Math.abs(Math.log10(got / want)) < 0.01 * (Math.log10(2) - Math.log10(lowest)) + 0.01, `first s+b bin ${got} vs ${want}`);
});

test("limit node calculator 'toys': batches on the worker pool equal the library's toys; limit.json and toys.svg", async () => {
  const { runInProcess, withTempDir, writeGraph } = await import('./nodes-fixtures.ts');
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  await withTempDir(async (dir) => {
    const ws = {
      version: '1.0.0',
      channels: [{ name: 'c', samples: [
        { name: 's', data: [S], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
        { name: 'b', data: [B], modifiers: [{ name: 'u', type: 'normsys', data: { hi: 1.1, lo: 0.9 } }] },
      ] }],
      observations: [{ name: 'c', data: [N_OBS] }],
      measurements: [{ name: 'm', config: { poi: 'mu', parameters: [{ name: 'mu', bounds: [[0, HI]] }] } }],
    };
    const file = writeGraph(dir, 'toys', `
  const ws = g.node(workspaceKind, 'ws', [], { workspace: ${JSON.stringify(ws)} });
  g.limit('limit', ws, { poiValue: 1.5, calculator: 'toys', toys: { ntoys: 450, seed: 4, points: 4, range: [0.5, 3] }, scan: { lo: 0, hi: 2, points: 0 } });
`);
    const r = await runInProcess(file, dir, { workers: 2 });
    assert.ok(r.summary?.ok, String(r.error));
    const out = JSON.parse(readFileSync(join(dir, 'out', 'limit.json'), 'utf8'));
    const want = toyHypotest(buildModel(loadWorkspace(ws)), 1.5, { ntoys: 450, seed: 4 });
    assert.equal(out.calculator, 'toys');
    assert.equal(out.cls_obs, want.clsObs);
    assert.deepEqual(out.cls_exp, want.clsExp);
    assert.equal(out.toys.sb.length, 450);
    // the toy upper limits: the library's scan of the same seeded batches, interpolated
    const { linearGrid, runHere, toyLimitFromScan, toyScan } = await import('../src/stats/infer/toy-limit.ts');
    const model = buildModel(loadWorkspace(ws));
    const lim = toyLimitFromScan(await toyScan(model, linearGrid(0.5, 3, 4), { ntoys: 450, seed: 4 }, runHere(model)));
    assert.equal(out.upper_limit_method, 'toys');
    assert.equal(out.upper_limit_obs, lim.obs);
    assert.deepEqual(out.upper_limit_exp, lim.exp);
    assert.deepEqual(out.toy_scan.map((q: { poi: number }) => q.poi), [0.5, 1.33333333333, 2.16666666667, 3]);
    assert.ok(Number.isFinite(out.upper_limit_obs_asymptotic));
    assert.ok(readFileSync(join(dir, 'out', 'toys.svg'), 'utf8').startsWith('<svg'));
    const again = await runInProcess(file, dir);
    assert.equal(again.summary!.nodes.limit!.status, 'cached');
  });
});
