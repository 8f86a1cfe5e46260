// Models of any size (issues 13.7, 18.5): the diagonal-plus-low-rank Hessian against dense algebra and
// the model's dense Hessian, and a 3000-normsys model against its exact one-parameter reduction.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fit } from '../src/stats/fit.ts';
import { cholesky, choleskySolve, invert } from '../src/stats/linalg.ts';
import { lowRankDense, lowRankFactor, lowRankInverse, type LowRank } from '../src/stats/lowrank.ts';
import { buildModel, type Model } from '../src/stats/model.ts';
import { scalingWorkspace, syntheticWorkspace } from '../src/stats/synthetic.ts';
import { loadWorkspace, type Workspace } from '../src/stats/workspace.ts';

function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

function randomLowRank(m: number, k: number, seed: number, negDiag: number): LowRank {
  const rnd = lcg(seed);
  const d = Float64Array.from({ length: m }, (_, r) => (r < negDiag ? -0.5 * rnd() : 1 + rnd()));
  const w = Float64Array.from({ length: m * k }, () => rnd() - 0.5);
  // mostly positive weights, a few negative ones (as w2 < 0 gives)
  const s = Float64Array.from({ length: k }, (_, c) => (c % 4 === 3 ? -0.05 : 2 + rnd()));
  return { m, k, d, w, s };
}

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * (1 + Math.abs(b));

test('diagonal plus low rank: solve, positive-definiteness and inverse agree with dense algebra', () => {
  for (const [m, k, neg, seed] of [[60, 8, 0, 1], [200, 20, 3, 2], [50, 12, 5, 3]] as const) {
    const h = randomLowRank(m, k, seed, neg);
    const dense = lowRankDense(h);
    const l = Float64Array.from(dense);
    const pd = cholesky(l, m);
    const fac = lowRankFactor(h);
    assert.equal(fac !== null, pd, `positive definiteness of case ${seed}`);
    if (fac && pd) {
      const b = Float64Array.from({ length: m }, (_, i) => Math.cos(i));
      const x = Float64Array.from(b), y = Float64Array.from(b);
      fac.solve(x);
      choleskySolve(l, m, y);
      for (let i = 0; i < m; i++) assert.ok(close(x[i]!, y[i]!, 1e-9), `solve ${seed}: x[${i}] ${x[i]} vs ${y[i]}`);
    }
    const inv = lowRankInverse(h)!, ref = invert(dense, m)!;
    for (let i = 0; i < m * m; i++) assert.ok(close(inv[i]!, ref[i]!, 1e-8), `inverse ${seed}: entry ${i}`);
  }
  // a shift (Levenberg damping) makes an indefinite matrix definite
  const h = randomLowRank(40, 10, 4, 6);
  assert.equal(lowRankFactor(h), null);
  assert.ok(lowRankFactor(h, new Float64Array(40).fill(50)));
});

function models(): Array<[string, Model]> {
  const out: Array<[string, Model]> = [
    ['synthetic', buildModel(loadWorkspace(syntheticWorkspace({ channels: 3, bins: 4, staterror: true })))],
    ['scaling', buildModel(loadWorkspace(scalingWorkspace({ channels: 2, bins: 3, normsys: 4, histosys: 3, channelNorms: true, shapesys: true, shapefactor: true })))],
  ];
  const dir = join(import.meta.dirname, '..', '..', 'shared', 'refs', 'pyhf');
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
      const c = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      out.push([f, buildModel(loadWorkspace(c.workspace), c.measurement)]);
    }
  }
  return out;
}

test('the model\'s low-rank Hessian equals its dense Hessian (random points, zero factors, working subsets)', () => {
  for (const [name, model] of models()) {
    const rnd = lcg(11);
    for (const mode of ['init', 'random', 'poi at 0', 'two factors at 0']) {
      const x = Float64Array.from(model.init);
      if (mode !== 'init') for (let i = 0; i < x.length; i++) x[i] = model.lower[i]! + (0.3 + 0.4 * rnd()) * (Math.min(model.upper[i]!, 5) - model.lower[i]!);
      if (mode !== 'init' && mode !== 'random') x[model.poiIndex] = 0;
      if (mode === 'two factors at 0') {
        // a second multiplicative parameter (shapefactor or normfactor) at 0 on a sample with the POI's
        const other = model.paramSets.find((p) => (p.type === 'shapefactor' || p.type === 'normfactor') && p.offset !== model.poiIndex);
        if (!other) continue;
        for (let i = 0; i < other.n; i++) x[other.offset + i] = 0;
      }
      if (!Number.isFinite(model.twiceNll(x, model.observed))) continue; // an empty bin with data
      const work = Array.from({ length: model.nPars }, (_, i) => i).filter((i) => mode === 'init' || i % 5 !== 2);
      const dense = model.twiceNllHessian(x, model.observed, work);
      const low = lowRankDense(model.twiceNllHessianLowRank(x, model.observed, work));
      let scale = 0;
      for (const v of dense) scale = Math.max(scale, Math.abs(v));
      for (let i = 0; i < dense.length; i++) {
        assert.ok(Math.abs(dense[i]! - low[i]!) <= 1e-12 * scale, `${name} (${mode}): entry ${i} ${dense[i]} vs ${low[i]}`);
      }
    }
  }
});

test('the two-zero-factors case of the low-rank Hessian is exercised', () => {
  // a shapefactor and the POI on one sample, both at 0: only their cross term survives
  const ws: Workspace = {
    version: '1.0.0',
    channels: [{ name: 'c', samples: [
      { name: 's', data: [5, 6], modifiers: [{ name: 'mu', type: 'normfactor', data: null }, { name: 'sf', type: 'shapefactor', data: null }, { name: 'n', type: 'normsys', data: { hi: 1.1, lo: 0.9 } }] },
      { name: 'b', data: [50, 40], modifiers: [{ name: 'n', type: 'normsys', data: { hi: 1.05, lo: 0.95 } }] },
    ] }],
    observations: [{ name: 'c', data: [52, 47] }],
    measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
  };
  const model = buildModel(loadWorkspace(ws));
  const x = Float64Array.from(model.init);
  x[model.poiIndex] = 0;
  const sf = model.paramSets.find((p) => p.type === 'shapefactor')!;
  x[sf.offset] = 0;
  const work = Array.from({ length: model.nPars }, (_, i) => i);
  const dense = model.twiceNllHessian(x, model.observed, work);
  const low = lowRankDense(model.twiceNllHessianLowRank(x, model.observed, work));
  const m = work.length;
  assert.notEqual(dense[model.poiIndex * m + sf.offset], 0, 'the cross term is there');
  for (let i = 0; i < dense.length; i++) assert.ok(close(low[i]!, dense[i]!, 1e-12), `entry ${i}`);
});

/** N normsys with code1 and lo = 1/hi multiply the background by exp(c·α) with a unit Gaussian on
 *  each α: profiling every direction orthogonal to c leaves one normsys with hi = exp(|c|). */
function normsysWorkspace(effects: number[]): Workspace {
  const bkg = [120, 100, 80, 60, 45, 30, 20, 12];
  const sig = [2, 4, 8, 12, 12, 8, 4, 2];
  return {
    version: '1.0.0',
    channels: [{ name: 'sr', samples: [
      { name: 'signal', data: sig, modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
      { name: 'bkg', data: bkg, modifiers: effects.map((c, k) => ({ name: `sys_${k}`, type: 'normsys' as const, data: { hi: Math.exp(c), lo: Math.exp(-c) } })) },
    ] }],
    observations: [{ name: 'sr', data: [128, 109, 93, 76, 58, 41, 26, 15] }],
    measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
  };
}

test('a 3000-normsys model fits, with Hesse, and agrees with its exact one-parameter reduction', () => {
  const rnd = lcg(5);
  const effects = Array.from({ length: 3000 }, () => (rnd() < 0.5 ? -1 : 1) * (0.0005 + 0.003 * rnd()));
  const norm = Math.hypot(...effects);
  const big = buildModel(loadWorkspace(normsysWorkspace(effects)), undefined, { normsys: 'code1' });
  const small = buildModel(loadWorkspace(normsysWorkspace([norm])), undefined, { normsys: 'code1' });
  const rb = fit(big), rs = fit(small);
  assert.ok(rb.converged, rb.message);
  assert.ok(rs.converged, rs.message);
  const mu = big.poiIndex;
  assert.ok(close(rb.bestfit[mu]!, rs.bestfit[small.poiIndex]!, 1e-6), `mu ${rb.bestfit[mu]} vs ${rs.bestfit[small.poiIndex]}`);
  assert.ok(close(rb.uncertainty[mu]!, rs.uncertainty[small.poiIndex]!, 1e-6), `sigma(mu) ${rb.uncertainty[mu]} vs ${rs.uncertainty[small.poiIndex]}`);
  // the 2999 extra unit Gaussians at 0 add only their normalisation, (N - 1) log 2π
  assert.ok(close(rb.twiceNll, rs.twiceNll + 2999 * Math.log(2 * Math.PI), 1e-9), `twice_nll ${rb.twiceNll} vs ${rs.twiceNll}`);
  const beta = rs.bestfit[small.paramSets.find((p) => p.name === 'sys_0')!.offset]!;
  const sys0 = big.paramSets.find((p) => p.name === 'sys_0')!.offset;
  assert.ok(close(rb.bestfit[sys0]!, (effects[0]! / norm) * beta, 1e-5), `alpha_0 ${rb.bestfit[sys0]} vs ${(effects[0]! / norm) * beta}`);
  // the covariance of mu with each alpha_i is c_i/|c| times its covariance with beta
  const n = big.nPars, ns = small.nPars, b0 = small.paramSets.find((p) => p.name === 'sys_0')!.offset;
  const covMuA = rb.covariance![mu * n + sys0]!;
  const expect = (effects[0]! / norm) * rs.covariance![small.poiIndex * ns + b0]!;
  assert.ok(Math.abs(covMuA - expect) < 1e-6 * Math.abs(expect) + 1e-12, `cov(mu, alpha_0) ${covMuA} vs ${expect}`);
});
