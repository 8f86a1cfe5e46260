// The Minuit2 emulation (--optimizer minuit): pyhf's own references, and closed-form checks.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fit } from '../src/stats/fit.ts';
import { minuitFit } from '../src/stats/minuit/index.ts';
import { lineSearch } from '../src/stats/minuit/line-search.ts';
import { Fcn, Transform } from '../src/stats/minuit/transform.ts';
import { buildModel } from '../src/stats/model.ts';
import { loadWorkspace } from '../src/stats/workspace.ts';

const dir = join(import.meta.dirname, '..', '..', 'shared', 'refs', 'pyhf');
// every case, including docs_2bin_1channel, whose minimum on the POI's limit makes Minuit's errors
// depend on its exact iterates: the emulation follows them
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  test(`minuit optimizer reproduces pyhf: ${file}`, () => {
    const c = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const mle = c.reference.mle;
    const tol = Number(/tolerance=([0-9.e-]+)/.exec(mle.optimizer ?? '')?.[1] ?? 0.1);
    const model = buildModel(loadWorkspace(c.workspace), c.measurement);
    const r = fit(model, { optimizer: 'minuit', minuitTolerance: tol });
    assert.ok(r.converged, r.message);
    assert.ok(Math.abs(r.twiceNll - mle.twice_nll) < 1e-3, `twice_nll ${r.twiceNll} vs ${mle.twice_nll}`);
    for (let i = 0; i < model.nPars; i++) {
      const u = mle.uncertainty[i];
      assert.ok(Math.abs(r.bestfit[i]! - mle.bestfit[i]) <= Math.max(0.01 * u, 1e-4), `${model.parNames[i]} bestfit ${r.bestfit[i]} vs ${mle.bestfit[i]}`);
      if (u > 0) assert.ok(Math.abs(r.uncertainty[i]! - u) <= 0.01 * u, `${model.parNames[i]} uncertainty ${r.uncertainty[i]} vs ${u}`);
      else assert.equal(r.uncertainty[i], 0);
    }
    if (mle.correlation) {
      const n = model.nPars;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        if (mle.uncertainty[i] === 0 || mle.uncertainty[j] === 0) continue; // fixed: pyhf writes 0 even on the diagonal
        assert.ok(Math.abs(r.correlation![i * n + j]! - mle.correlation[i][j]) < 0.01, `correlation ${i},${j}`);
      }
    }
  });
}

test('internal coordinates: round trip, limits, Minuit error mapping', () => {
  const tr = new Transform([0, 0, 0, 0], Int32Array.from([0, 1, 2, 3]), [0, -Infinity, 1, -Infinity], [10, Infinity, Infinity, 5], [0.01, 0.1, 0.1, 0.1]);
  for (const [i, v] of [[0, 3.7], [1, -2.5], [2, 4.2], [3, -7]] as const) assert.ok(Math.abs(tr.int2ext(i, tr.ext2int(i, v)) - v) < 1e-12);
  // an internal error above 1 at a double limit spans the whole range on one side
  const th = tr.ext2int(0, 0.5);
  const e = tr.int2extError(0, th, 2);
  assert.ok(Math.abs(e - 0.5 * (10 + Math.abs(tr.int2ext(0, th - 2) - 0.5))) < 1e-12);
  assert.equal(tr.int2extError(1, 1, 0.3), 0.3);
});

test('line search lands near the minimum of a parabola', () => {
  const tr = new Transform([0], Int32Array.from([0]), [-Infinity], [Infinity], [1]);
  const fcn = new Fcn((x) => (x[0]! - 3) ** 2, tr, 1);
  const x = Float64Array.from([0]);
  // step 1 along +x from 0, slope -6: the minimum is at 3 step lengths
  const p = lineSearch(fcn, x, 9, Float64Array.from([1]), -6);
  assert.ok(Math.abs(p.x - 3) < 0.05 && p.y < 0.01, `slam ${p.x}, f ${p.y}`);
});

test('Migrad + Hesse on a correlated Gaussian give its mean and covariance', () => {
  // twice_nll of a 2D Gaussian with sigmas 2 and 0.5 and correlation 0.6
  const s1 = 2, s2 = 0.5, rho = 0.6;
  const f = (p: Float64Array) => {
    const a = (p[0]! - 1) / s1, b = (p[1]! + 2) / s2;
    return (a * a - 2 * rho * a * b + b * b) / (1 - rho * rho);
  };
  const r = minuitFit(f, [0, 0], [-Infinity, -Infinity], [Infinity, Infinity], [0, 0], { tolerance: 1e-4 });
  assert.ok(r.valid);
  assert.ok(Math.abs(r.x[0]! - 1) < 1e-3 && Math.abs(r.x[1]! + 2) < 1e-3, `x ${Array.from(r.x)}`);
  assert.ok(Math.abs(r.errors[0]! - s1) < 1e-3 * s1 && Math.abs(r.errors[1]! - s2) < 1e-3 * s2, `errors ${Array.from(r.errors)}`);
  assert.ok(Math.abs(r.covariance[1]! / (r.errors[0]! * r.errors[1]!) - rho) < 1e-3);
});
