// Every reference case in ../shared/refs/pyhf (pyhf 0.7.6 numbers): model layout, MLE fit with Hesse,
// fixed-POI fit, CLs at POI = 1, upper limits and discovery significance, at the published tolerances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkspace } from '../src/stats/workspace.ts';
import { buildModel } from '../src/stats/model.ts';
import { fit } from '../src/stats/fit.ts';
import { hypotestAt, hypotestContext } from '../src/stats/infer/hypotest.ts';
import { upperLimit } from '../src/stats/infer/upper-limit.ts';
import { significance } from '../src/stats/infer/significance.ts';

const dir = join(import.meta.dirname, '..', '..', 'shared', 'refs', 'pyhf');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];

// docs_2bin_1channel's minimum sits on the POI's limit with zero slope: pyhf's 7.36 for mu is set by
// Minuit's own iterates, which fit() then reproduces with the Minuit emulation (src/stats/minuit).

test('reference directory is present', () => {
  assert.ok(files.length > 0, `no reference files in ${dir}`);
});

for (const file of files) {
  test(`pyhf reference ${file}`, async (t) => {
    const c = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const r = c.reference;
    const model = buildModel(loadWorkspace(c.workspace), c.measurement);
    assert.deepEqual(model.parNames, r.par_names);
    assert.deepEqual([...model.init], r.suggested_init);
    assert.deepEqual([...model.lower].map((l, i) => [l, model.upper[i]]), r.suggested_bounds);
    assert.deepEqual([...model.fixed].map(Boolean), r.suggested_fixed);
    if (!r.mle || 'error' in r.mle) return;

    const res = fit(model);
    assert.ok(res.converged, res.message);
    assert.ok(Math.abs(res.twiceNll - r.mle.twice_nll) < 1e-3, `twice_nll ${res.twiceNll} vs ${r.mle.twice_nll}`);
    r.par_names.forEach((name: string, i: number) => {
      const v = r.mle.bestfit[i], u = r.mle.uncertainty[i];
      assert.ok(Math.abs(res.bestfit[i]! - v) <= Math.max(0.01 * u, 1e-4), `bestfit ${name}: ${res.bestfit[i]} vs ${v}`);
    });
    const checkUnc = () => r.par_names.forEach((name: string, i: number) => {
      const u = r.mle.uncertainty[i];
      if (u > 0) assert.ok(Math.abs(res.uncertainty[i]! - u) <= 0.01 * u, `uncertainty ${name}: ${res.uncertainty[i]} vs ${u}`);
    });
    await t.test('Hesse uncertainties', checkUnc);

    if (r.fixed_poi_fit && !('error' in r.fixed_poi_fit)) {
      const fx = fit(model, { poiValue: r.fixed_poi_fit.poi_value, hesse: false });
      assert.ok(Math.abs(fx.twiceNll - r.fixed_poi_fit.twice_nll) < 1e-3, `fixed-POI twice_nll ${fx.twiceNll} vs ${r.fixed_poi_fit.twice_nll}`);
    }
    const ctx = hypotestContext(model);
    if (r.hypotest_mu1?.cls_obs !== undefined) {
      const h = hypotestAt(ctx, 1);
      assert.ok(Math.abs(h.clsObs - r.hypotest_mu1.cls_obs) < 1e-3, `CLs ${h.clsObs} vs ${r.hypotest_mu1.cls_obs}`);
      h.clsExp.forEach((v, k) => assert.ok(Math.abs(v - r.hypotest_mu1.cls_exp[k]) < 1e-3, `CLs exp[${k}] ${v} vs ${r.hypotest_mu1.cls_exp[k]}`));
    }
    if (r.upper_limit?.obs !== undefined) {
      const ul = upperLimit(model, { context: ctx });
      assert.ok(Math.abs(ul.obs - r.upper_limit.obs) <= 0.01 * r.upper_limit.obs, `UL ${ul.obs} vs ${r.upper_limit.obs}`);
      ul.exp.forEach((v, k) => {
        const ref = r.upper_limit.exp[k];
        if (ref !== null) assert.ok(Math.abs(v - ref) <= 0.01 * ref, `UL exp[${k}] ${v} vs ${ref}`);
      });
    }
    if (r.significance?.p0_obs !== undefined) {
      const s = significance(model);
      assert.ok(Math.abs(s.p0Obs - r.significance.p0_obs) < 1e-3, `p0 ${s.p0Obs} vs ${r.significance.p0_obs}`);
      assert.ok(Math.abs(s.p0Exp - r.significance.p0_exp) < 1e-3, `p0 exp ${s.p0Exp} vs ${r.significance.p0_exp}`);
      assert.ok(Math.abs(s.zExp - r.significance.z_exp) < 1e-2 * Math.max(1, r.significance.z_exp), `Z exp ${s.zExp} vs ${r.significance.z_exp}`);
    }
  });
}
