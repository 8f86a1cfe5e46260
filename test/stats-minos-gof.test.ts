// MINOS intervals against the crossing of a fine likelihood scan at twice_nll + 1, and the
// saturated-model goodness of fit against a hand computation of the saturated likelihood.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel } from '../src/stats/model.ts';
import { fit } from '../src/stats/fit.ts';
import { scan } from '../src/stats/infer/scan.ts';
import { minosInterval } from '../src/stats/infer/minos.ts';
import { goodnessOfFit } from '../src/stats/infer/goodness-of-fit.ts';
import { chi2Sf, erfc } from '../src/stats/special.ts';
import { loadWorkspace, type Workspace } from '../src/stats/workspace.ts';
import { REFS, ROOT, runInProcess, withTempDir, writeGraph } from './nodes-fixtures.ts';

const CASE = join(REFS, 'validation_2bin_2channel.json');

/** Where a scan's 2 dNLL crosses 1 on one side of its minimum (linear interpolation). */
function crossing(points: number[][], side: 1 | -1): number {
  const pts = side > 0 ? points : [...points].reverse();
  const iMin = pts.reduce((k, p, i) => (p[1]! < pts[k]![1]! ? i : k), 0);
  for (let i = iMin + 1; i < pts.length; i++) {
    const [x0, y0] = pts[i - 1]!, [x1, y1] = pts[i]!;
    if (y1! >= 1) return x0! + ((1 - y0!) * (x1! - x0!)) / (y1! - y0!);
  }
  return NaN;
}

test('MINOS intervals equal the crossings of a fine likelihood scan at twice_nll + 1', { skip: !existsSync(CASE) }, () => {
  const c = JSON.parse(readFileSync(CASE, 'utf8'));
  const model = buildModel(loadWorkspace(c.workspace), c.measurement);
  const nominal = fit(model);
  for (const name of ['mu', 'uncorr_bkguncrt_signal[0]']) {
    const i = model.parNames.indexOf(name);
    const best = nominal.bestfit[i]!, s = nominal.uncertainty[i]!;
    const m = minosInterval(model, i, nominal);
    assert.ok(m.down <= 0 && m.up > 0);
    const lo = Math.max(model.lower[i]!, best - 2 * s), hi = best + 2 * s;
    const r = scan(model, { pars: [name], points: 401, ranges: [[lo, hi]] });
    const step = (hi - lo) / 400;
    const up = crossing(r.points, 1);
    assert.ok(Math.abs(best + m.up - up) < 0.02 * step, `${name} up: ${best + m.up} vs scan ${up}`);
    if (m.atLower) {
      // mu's best fit 0.22 sits within one sigma of its bound 0: the interval stops there
      assert.equal(best + m.down, model.lower[i]);
      assert.ok(r.points[0]![1]! < 1, 'the scan stays below 1 down to the bound');
    } else {
      const down = crossing(r.points, -1);
      assert.ok(Math.abs(best + m.down - down) < 0.02 * step, `${name} down: ${best + m.down} vs scan ${down}`);
    }
  }
});

test('flow fit --minos --json: {"minos": {par: [down, up]}} with down negative; unknown names fail in one line', { skip: !existsSync(CASE) }, async () => {
  await withTempDir(async (dir) => {
    const ws = join(dir, 'ws.json');
    writeFileSync(ws, JSON.stringify(JSON.parse(readFileSync(CASE, 'utf8')).workspace));
    const run = (...a: string[]) => spawnSync(process.execPath, [join(ROOT, 'cli.ts'), 'fit', ws, ...a], { cwd: ROOT, encoding: 'utf8' });
    const r = run('--minos', 'uncorr_bkguncrt_signal[0]', '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const [down, up] = out.minos['uncorr_bkguncrt_signal[0]'];
    assert.ok(down < 0 && up > 0);
    // a nearly Gaussian parameter: MINOS close to Hesse
    const hesse = out.uncertainty['uncorr_bkguncrt_signal[0]'];
    assert.ok(Math.abs(-down / hesse - 1) < 0.05 && Math.abs(up / hesse - 1) < 0.05, `${down} ${up} vs ${hesse}`);
    assert.ok('goodness_of_fit' in out);
    const bad = run('--minos', 'nope');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr.trim(), /^[^\n]*--minos: no parameter 'nope'[^\n]*$/);
  });
});

/** log n! by summing logs (independent of the project's lgamma). */
const logFactorial = (n: number) => { let s = 0; for (let k = 2; k <= n; k++) s += Math.log(k); return s; };

function gofWorkspace(extraFree: boolean): Workspace {
  return loadWorkspace({
    version: '1.0.0',
    channels: [{ name: 'SR', samples: [
      { name: 'sig', data: [2, 6, 3], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
      { name: 'bkg', data: [100, 100, 100], modifiers: [
        { name: 'norm', type: 'normsys', data: { hi: 1.1, lo: 0.9 } },
        { name: 'stat', type: 'shapesys', data: [10, 10, 10] },
        ...(extraFree ? [{ name: 'free', type: 'shapefactor' as const, data: null }] : []),
      ] },
    ] }],
    observations: [{ name: 'SR', data: [90, 121, 104] }],
    measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
  });
}

test('saturated goodness of fit: chi2 = twice_nll(best) - twice_nll(saturated) by hand, dof as cabinetry counts it', () => {
  const model = buildModel(gofWorkspace(false));
  const best = fit(model);
  const g = goodnessOfFit(model, best.twiceNll);
  const n = [90, 121, 104];
  // saturated: Poisson(n | n) per bin; constraints at the suggested init: normsys alpha = 0 against
  // auxdata 0 (Gaussian, sigma 1), shapesys gamma = 1 against tau = (100 / 10)^2 = 100 (Poisson)
  const poisson = n.reduce((t, k) => t + 2 * (k - k * Math.log(k) + logFactorial(k)), 0);
  const gauss = Math.log(2 * Math.PI);
  const tau = 100;
  const shapesys = 3 * 2 * (tau - tau * Math.log(tau) + logFactorial(tau));
  const saturated = poisson + gauss + shapesys;
  assert.ok(Math.abs(g.saturatedTwiceNll - saturated) < 1e-8 * saturated, `${g.saturatedTwiceNll} vs ${saturated}`);
  assert.ok(Math.abs(g.chi2 - (best.twiceNll - saturated)) < 1e-8 * saturated);
  assert.equal(g.dof, 2); // 3 bins - mu
  assert.ok(Math.abs(g.pValue - Math.exp(-g.chi2 / 2)) < 1e-12, `p ${g.pValue}`); // chi2 sf, 2 dof
  // a shapefactor counts once per bin: 3 - (1 + 3) < 0 and no p-value, as cabinetry
  const over = buildModel(gofWorkspace(true));
  const go = goodnessOfFit(over, fit(over).twiceNll);
  assert.equal(go.dof, -1);
  assert.ok(Number.isNaN(go.pValue));
});

test('chi2 survival function against closed forms', () => {
  for (const x of [0.01, 0.5, 1, 3.84, 10, 40]) {
    assert.ok(Math.abs(chi2Sf(x, 1) - erfc(Math.sqrt(x / 2))) < 1e-12, `k=1 x=${x}`);
    assert.ok(Math.abs(chi2Sf(x, 2) - Math.exp(-x / 2)) < 1e-13, `k=2 x=${x}`);
    assert.ok(Math.abs(chi2Sf(x, 4) - Math.exp(-x / 2) * (1 + x / 2)) < 1e-13, `k=4 x=${x}`);
    assert.ok(Math.abs(chi2Sf(x, 6) - Math.exp(-x / 2) * (1 + x / 2 + x * x / 8)) < 1e-13, `k=6 x=${x}`);
  }
});

test('fit node: minos option and goodness of fit in fit.json and report.html', async () => {
  await withTempDir(async (dir) => {
    const ws = gofWorkspace(false);
    const file = writeGraph(dir, 'minos', `
  const ws = g.node(workspaceKind, 'ws', [], { workspace: ${JSON.stringify(ws)} });
  const f = g.fit('fit', ws, { minos: ['mu'] });
  g.plot('figures', [f], { prefit: false, postfit: false, pulls: false, correlation: false, png: false });
`);
    const r = await runInProcess(file, dir);
    assert.ok(r.summary?.ok, String(r.error));
    const out = JSON.parse(readFileSync(join(dir, 'out', 'fit.json'), 'utf8'));
    const model = buildModel(ws);
    const nominal = fit(model);
    const m = minosInterval(model, model.poiIndex, nominal);
    assert.deepEqual(out.minos, { mu: [m.down, m.up] });
    const g = goodnessOfFit(model, nominal.twiceNll);
    assert.equal(out.goodness_of_fit.dof, g.dof);
    assert.ok(Math.abs(out.goodness_of_fit.p_value - g.pValue) < 1e-12);
    const html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
    assert.match(html, new RegExp(`MINOS ${Number(m.down.toPrecision(3))} / \\+${Number(m.up.toPrecision(3))}`));
    assert.match(html, /goodness of fit \(saturated\): χ² = [\d.]+, dof 2, p = [\d.]+/);
  });
});

test('MINOS of a fixed parameter is refused in one line', async () => {
  const { minosJson } = await import('../src/stats/infer/fit-extras.ts');
  const model = buildModel(gofWorkspace(false));
  const i = model.parNames.indexOf('norm');
  model.fixed[i] = 1;
  assert.throws(() => minosJson(model, fit(model), ['norm'], 'flow fit ws.json: --minos'), /^UserError: flow fit ws\.json: --minos: parameter 'norm' is fixed: it has no interval$/);
});
