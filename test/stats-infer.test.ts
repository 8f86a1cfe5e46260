// Ranking and post-fit yields against independent relations: impacts ~ cov(POI, theta) / sigma_theta
// (linear regime), yield uncertainties from the covariance of a model linear in its parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel } from '../src/stats/model.ts';
import { fit } from '../src/stats/fit.ts';
import { rank } from '../src/stats/infer/ranking.ts';
import { yieldsWithUncertainty } from '../src/stats/infer/yields.ts';
import { memoryPointCache, upperLimit } from '../src/stats/infer/upper-limit.ts';
import type { PointCache } from '../src/stats/infer/upper-limit.ts';
import { loadWorkspace } from '../src/stats/workspace.ts';

const ref = join(import.meta.dirname, '..', '..', 'shared', 'refs', 'pyhf', 'syn_allmods_3ch.json');

test('post-fit impacts follow cov(POI, theta) / sigma(theta) in the linear regime', { skip: !existsSync(ref) }, () => {
  const c = JSON.parse(readFileSync(ref, 'utf8'));
  const model = buildModel(loadWorkspace(c.workspace), c.measurement);
  const nominal = fit(model);
  const impacts = rank(model, { nominal });
  assert.ok(impacts.length > 10);
  const n = model.nPars, p = model.poiIndex;
  for (const imp of impacts.slice(0, 5)) {
    const i = imp.index;
    const linear = nominal.covariance![p * n + i]! / Math.sqrt(nominal.covariance![i * n + i]!);
    const mid = 0.5 * (imp.postfitUp - imp.postfitDown);
    assert.ok(Math.abs(mid - linear) <= 0.15 * Math.abs(linear) + 1e-3, `${imp.name}: impact ${mid} vs linear ${linear}`);
  }
  // sorted by the size of the post-fit impact
  const size = (x: (typeof impacts)[number]) => Math.max(Math.abs(x.postfitUp), Math.abs(x.postfitDown));
  for (let k = 1; k < impacts.length; k++) assert.ok(size(impacts[k - 1]!) >= size(impacts[k]!));
});

test('yield uncertainties equal the analytic propagation for a model linear in its parameters', () => {
  const ws = loadWorkspace({
    version: '1.0.0',
    channels: [{
      name: 'c',
      samples: [
        { name: 's', data: [4, 8], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
        { name: 'b', data: [20, 10], modifiers: [{ name: 'k', type: 'normfactor', data: null }] },
      ],
    }, {
      name: 'cr', samples: [{ name: 'b', data: [100], modifiers: [{ name: 'k', type: 'normfactor', data: null }] }],
    }],
    observations: [{ name: 'c', data: [27, 17] }, { name: 'cr', data: [103] }],
    measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
  });
  const model = buildModel(ws);
  const r = fit(model);
  const n = model.nPars;
  const iMu = model.parNames.indexOf('mu'), iK = model.parNames.indexOf('k');
  const cov = r.covariance!;
  const ys = yieldsWithUncertainty(model, r.bestfit, cov);
  const c = ys.find((y) => y.channel === 'c')!;
  const s = [4, 8], b = [20, 10];
  for (let bin = 0; bin < 2; bin++) {
    const expTotal = r.bestfit[iMu]! * s[bin]! + r.bestfit[iK]! * b[bin]!;
    assert.ok(Math.abs(c.total[bin]! - expTotal) < 1e-9);
    const v = s[bin]! ** 2 * cov[iMu * n + iMu]! + b[bin]! ** 2 * cov[iK * n + iK]! + 2 * s[bin]! * b[bin]! * cov[iMu * n + iK]!;
    assert.ok(Math.abs(c.totalUncertainty[bin]! - Math.sqrt(v)) < 1e-6 * Math.sqrt(v), `${c.totalUncertainty[bin]} vs ${Math.sqrt(v)}`);
    const sig = c.samples.find((x) => x.sample === 's')!;
    assert.ok(Math.abs(sig.uncertainty[bin]! - s[bin]! * Math.sqrt(cov[iMu * n + iMu]!)) < 1e-6);
  }
});

test('a band crossing past the POI upper bound is found past it and flagged, the others unchanged', () => {
  const ws = loadWorkspace({
    version: '1.0.0',
    channels: [{ name: 'c', samples: [
      { name: 's', data: [5, 10], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
      { name: 'b', data: [50, 60], modifiers: [{ name: 'u', type: 'shapesys', data: [5, 12] }] },
    ] }],
    observations: [{ name: 'c', data: [55, 65] }],
    measurements: [{ name: 'm', config: { poi: 'mu', parameters: [{ name: 'mu', bounds: [[0, 10]] }] } }],
  });
  const wide = upperLimit(buildModel(ws));
  assert.equal(wide.method, 'root');
  assert.deepEqual(wide.outside, [null, null, null, null, null, null]);
  const narrowTo = (wide.exp[3]! + wide.exp[4]!) / 2; // the +2 sigma band crosses beyond this
  ws.measurements[0]!.config.parameters[0]!.bounds = [[0, narrowTo]];
  const narrow = upperLimit(buildModel(ws));
  assert.equal(narrow.method, 'root');
  assert.deepEqual(narrow.outside, [null, null, null, null, null, 'above']);
  // the expected bands come from the background-only Asimov data: the POI bound does not change them
  for (let k = 0; k < 5; k++) assert.ok(Math.abs(narrow.exp[k]! / wide.exp[k]! - 1) < 1e-4, `${narrow.exp[k]} vs ${wide.exp[k]}`);
  // pyhf's scan clamps the band at the last grid point and agrees elsewhere up to its interpolation error
  const scan = upperLimit(buildModel(ws), { method: 'scan' });
  assert.ok(Math.abs(scan.exp[4]! - narrowTo) < 1e-12);
  assert.equal(scan.outside[5], 'above');
  for (let k = 0; k < 4; k++) assert.ok(Math.abs(scan.exp[k]! / wide.exp[k]! - 1) < 0.01, `${scan.exp[k]} vs ${wide.exp[k]}`);
});

test('a limit scan resumes from its point cache without refitting', () => {
  const ws = loadWorkspace({
    version: '1.0.0',
    channels: [{ name: 'c', samples: [
      { name: 's', data: [5, 10], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
      { name: 'b', data: [50, 60], modifiers: [{ name: 'u', type: 'shapesys', data: [5, 12] }] },
    ] }],
    observations: [{ name: 'c', data: [52, 63] }],
    measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
  });
  const model = buildModel(ws);
  const inner = memoryPointCache();
  let stored = 0;
  const counting: PointCache = { get: inner.get, set: (k, mu, v) => { stored++; inner.set(k, mu, v); } };
  const first = upperLimit(model, { cache: counting });
  assert.ok(stored > 0);
  stored = 0;
  const again = upperLimit(model, { cache: counting });
  assert.equal(stored, 0);
  assert.deepEqual([again.obs, ...again.exp], [first.obs, ...first.exp]);
});
