// Likelihoods with kinks (issue 16, "Also: the global minimum"): histosys code0 / normsys code1 have a
// kink at alpha = 0, and minima on both sides. The fit restarts across each kink, keeps the lowest and
// lists every minimum; checked on pyhf's validation_2bin_2channel_coupledhistosys (its public
// validation spec, built here) and on one-bin models whose minima are found by bisection.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fit } from '../src/stats/fit.ts';
import { clsFromTeststat, qtildeTeststat } from '../src/stats/infer/hypotest.ts';
import { buildModel } from '../src/stats/model.ts';
import type { Workspace } from '../src/stats/workspace.ts';
import { loadWorkspace } from '../src/stats/workspace.ts';

// pyhf tests/test_validation.py: spec_2bin_2channel_coupledhistosys with validation/data/2bin_2channel_coupledhisto.json
const coupledHistosys: Workspace = {
  version: '1.0.0',
  channels: [
    { name: 'signal', samples: [
      { name: 'signal', data: [30, 35], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
      { name: 'bkg1', data: [100, 100], modifiers: [{ name: 'coupled_histosys', type: 'histosys', data: { lo_data: [90, 90], hi_data: [110, 110] } }] },
      { name: 'bkg2', data: [50, 120], modifiers: [{ name: 'coupled_histosys', type: 'histosys', data: { lo_data: [45, 45], hi_data: [55, 55] } }] },
    ] },
    { name: 'control', samples: [
      { name: 'background', data: [105, 100], modifiers: [{ name: 'coupled_histosys', type: 'histosys', data: { lo_data: [95, 90], hi_data: [110, 115] } }] },
    ] },
  ],
  observations: [{ name: 'signal', data: [170, 220] }, { name: 'control', data: [110, 105] }],
  measurements: [{ name: 'meas', config: { poi: 'mu', parameters: [] } }],
};

const near = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol;

test('coupledhistosys with code0: the free fit finds the global minimum 29.2874 and says there were two', () => {
  const model = buildModel(loadWorkspace(coupledHistosys), undefined, { normsys: 'code1', histosys: 'code0' });
  const free = fit(model);
  assert.ok(free.converged, free.message);
  assert.ok(near(free.twiceNll, 29.2874, 1e-4), `twice_nll ${free.twiceNll}`);
  assert.ok(free.bestfit[model.parNames.indexOf('coupled_histosys')]! > 0, 'on the alpha > 0 side');
  assert.equal(free.minima?.length, 2);
  assert.ok(near(free.minima![1]!, 30.2853, 1e-4), `the local one ${free.minima}`);
  assert.match(free.message, /2 minima across interpolation kinks/);
  // without the restarts the fit stops in the local minimum from the init (as pyhf's minuit does)
  assert.ok(near(fit(model, { kinks: 'ignore' }).twiceNll, 30.2853, 1e-4));
});

test('coupledhistosys with code0: ROOT\'s and pyhf\'s CLs 0.0797 come from the alpha > 0 minima the fits list', () => {
  // the fixed-mu fits' global minima lie at alpha < 0 (CLs 0.138); ROOT and pyhf descend from alpha = 0
  // into the alpha > 0 minima, which the restarts find and list: their test statistics give 0.0797
  const model = buildModel(loadWorkspace(coupledHistosys), undefined, { normsys: 'code1', histosys: 'code0' });
  const free = fit(model), atMu1 = fit(model, { poiValue: 1 });
  assert.ok(near(atMu1.twiceNll, 30.8717, 1e-4), `global at mu = 1: ${atMu1.twiceNll}`);
  assert.equal(atMu1.minima?.length, 2);
  const bOnly = fit(model, { poiValue: 0 });
  const asimov = model.expectedDataset(bOnly.bestfit);
  const freeA = fit(model, { data: asimov }), atMu1A = fit(model, { data: asimov, poiValue: 1 });
  const qmu = atMu1.minima![1]! - free.twiceNll, qmuA = atMu1A.minima![1]! - freeA.twiceNll;
  const cls = clsFromTeststat(qtildeTeststat(qmu, qmuA), Math.sqrt(qmuA)).cls;
  assert.ok(near(cls, 0.07967400132261188, 2e-4), `CLs ${cls} (qmu ${qmu}, qmu_A ${qmuA})`);
});

/** One bin, nominal 100, a code0 histosys lowering the yield on both sides (by `up` per unit alpha
 *  above 0 and `down` below), data 80, the POI fixed: minima on both sides of the kink. */
function oneBin(up: number, down: number): Workspace {
  return {
    version: '1.0.0',
    channels: [{ name: 'c', samples: [
      { name: 's', data: [5], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
      { name: 'b', data: [100], modifiers: [{ name: 'h', type: 'histosys', data: { hi_data: [100 - up], lo_data: [100 - down] } }] },
    ] }],
    observations: [{ name: 'c', data: [80] }],
    measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
  };
}

/** The minimum of twice_nll(alpha) = 2 (lam - n log lam) + alpha² on one side, lam = 100 + slope alpha,
 *  by bisection on its derivative (independent of the fitter). */
function sideMinimum(slope: number, sign: 1 | -1): { alpha: number; f: number } {
  const lam = (a: number) => 100 + slope * a;
  const f = (a: number) => 2 * (lam(a) - 80 * Math.log(lam(a))) + a * a + Math.log(2 * Math.PI);
  const df = (a: number) => 2 * (1 - 80 / lam(a)) * slope + 2 * a;
  let lo = 0, hi = sign * 5;
  for (let k = 0; k < 200; k++) { const mid = 0.5 * (lo + hi); if (Math.sign(df(mid)) === Math.sign(df(hi))) hi = mid; else lo = mid; }
  const alpha = 0.5 * (lo + hi);
  return { alpha, f: f(alpha) + 2 * lgammaInt(80) };
}

/** log(n!) for an integer n */
function lgammaInt(n: number): number { let s = 0; for (let k = 2; k <= n; k++) s += Math.log(k); return s; }

for (const [up, down] of [[15, 20], [20, 15], [18, 6]] as const) {
  test(`a one-bin code0 model with minima on both sides of the kink (slopes -${up} above, ${down} below): the lowest`, () => {
    const model = buildModel(loadWorkspace(oneBin(up, down)), undefined, { histosys: 'code0' });
    const above = sideMinimum(-up, 1), below = sideMinimum(down, -1);
    const best = above.f < below.f ? above : below;
    const r = fit(model, { poiValue: 0 });
    assert.ok(r.converged, r.message);
    const h = model.parNames.indexOf('h');
    assert.ok(near(r.bestfit[h]!, best.alpha, 2e-5), `alpha ${r.bestfit[h]} vs ${best.alpha} (minima ${above.alpha} ${above.f}, ${below.alpha} ${below.f})`);
    assert.ok(near(r.twiceNll, best.f, 1e-8), `twice_nll ${r.twiceNll} vs ${best.f}`);
    assert.equal(r.minima?.length, 2, 'both minima listed');
    assert.ok(near(Math.max(...r.minima!), Math.max(above.f, below.f), 1e-8));
  });
}
