// Block elimination for arrow-shaped Hessians (many per-bin parameters): against dense algebra, and
// the model's static sparsity pattern against its actual Hessians.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { arrowFactor, arrowInverse, arrowPlan, arrowPlanFromBins } from '../src/stats/arrow.ts';
import { fit, hesse } from '../src/stats/fit.ts';
import { cholesky, choleskySolve, invert } from '../src/stats/linalg.ts';
import { buildModel } from '../src/stats/model.ts';
import { scalingWorkspace, syntheticWorkspace } from '../src/stats/synthetic.ts';
import { loadWorkspace } from '../src/stats/workspace.ts';

/** m x m SPD matrix: `p` dense rows/columns at random positions, the rest diagonal. */
function arrowMatrix(m: number, p: number, seed: number): { h: Float64Array; globals: number[] } {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const globals: number[] = [];
  while (globals.length < p) { const g = Math.floor(rnd() * m); if (!globals.includes(g)) globals.push(g); }
  const h = new Float64Array(m * m);
  for (let i = 0; i < m; i++) h[i * m + i] = 5 + rnd();
  for (const g of globals) {
    for (let k = 0; k < m; k++) {
      if (k === g) continue;
      const v = rnd() < 0.7 ? (rnd() - 0.5) * 0.3 : 0;
      h[g * m + k] = v; h[k * m + g] = v;
    }
    h[g * m + g] = 3 * m; // dominant: positive definite
  }
  return { h, globals };
}

test('arrow plan, solve and inverse agree with dense algebra', () => {
  const m = 400;
  const { h, globals } = arrowMatrix(m, 6, 7);
  const plan = arrowPlan(h, m);
  assert.ok(plan, 'structure found');
  assert.deepEqual(Array.from(plan.global), [...globals].sort((a, b) => a - b));
  const b = Float64Array.from({ length: m }, (_, i) => Math.sin(i));
  const x = Float64Array.from(b);
  arrowFactor(h, m, plan)!.solve(x);
  const l = Float64Array.from(h);
  assert.ok(cholesky(l, m));
  const y = Float64Array.from(b);
  choleskySolve(l, m, y);
  for (let i = 0; i < m; i++) assert.ok(Math.abs(x[i]! - y[i]!) < 1e-12 * (1 + Math.abs(y[i]!)), `x[${i}]`);
  const inv = arrowInverse(h, m, plan)!, dense = invert(h, m)!;
  for (let k = 0; k < m * m; k++) assert.ok(Math.abs(inv[k]! - dense[k]!) < 1e-12, `inverse entry ${k}`);
  // with a shift (Levenberg damping) and when not positive definite
  const shift = new Float64Array(m).fill(0.5);
  const xs = Float64Array.from(b);
  arrowFactor(h, m, plan, shift)!.solve(xs);
  const hs = Float64Array.from(h);
  for (let i = 0; i < m; i++) hs[i * m + i]! += 0.5;
  const ys = Float64Array.from(b);
  assert.ok(cholesky(hs, m));
  choleskySolve(hs, m, ys);
  for (let i = 0; i < m; i++) assert.ok(Math.abs(xs[i]! - ys[i]!) < 1e-12 * (1 + Math.abs(ys[i]!)));
  const neg = Float64Array.from(h);
  neg[plan.local[3]! * m + plan.local[3]!] = -1;
  assert.equal(arrowFactor(neg, m, plan), null);
  // dense matrices and small ones keep the dense path
  assert.equal(arrowPlan(new Float64Array(200 * 200).fill(1), 200), null);
  assert.equal(arrowPlan(h.subarray(0, 100 * 100), 100), null);
});

const refDir = join(import.meta.dirname, '..', '..', 'shared', 'refs', 'pyhf');
test('the model\'s per-bin parameters cover every nonzero of its Hessian', { skip: !existsSync(refDir) }, () => {
  const models = readdirSync(refDir).filter((f) => f.endsWith('.json')).map((f) => {
    const c = JSON.parse(readFileSync(join(refDir, f), 'utf8'));
    return buildModel(loadWorkspace(c.workspace), c.measurement);
  });
  models.push(buildModel(loadWorkspace(syntheticWorkspace({ channels: 3, bins: 5, staterror: true }))));
  for (const model of models) {
    const n = model.nPars;
    const coupled = Array.from({ length: n }, () => new Set<number>());
    for (const ps of model.paramsPerBin()) for (const a of ps) for (const b of ps) coupled[a]!.add(b);
    const work = Array.from({ length: n }, (_, i) => i);
    const x = Float64Array.from(model.init, (v, i) => Math.min(model.upper[i]!, Math.max(model.lower[i]!, v * (1 + 0.05 * Math.sin(i + 1)))));
    const h = model.twiceNllHessian(x, model.observed, work);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
      if (r !== c && h[r * n + c] !== 0) assert.ok(coupled[r]!.has(c), `${model.parNames[r]} x ${model.parNames[c]} couple but share no bin`);
    }
  }
});

/** Hesse at the best fit with dense algebra and with the model's block plan: their covariances. */
function denseAndBlockHesse(model: ReturnType<typeof buildModel>, best: Float64Array, plan: ReturnType<typeof arrowPlanFromBins>) {
  const free = Int32Array.from({ length: model.nPars }, (_, i) => i).filter((i) => !model.fixed[i]);
  const fg = (x: Float64Array, g: Float64Array) => model.twiceNllGrad(x, model.observed, g);
  const hess = (x: Float64Array, w: ArrayLike<number>) => model.twiceNllHessian(x, model.observed, w);
  return { dense: hesse(fg, best, free, model.lower, model.upper, hess, null)!, block: hesse(fg, best, free, model.lower, model.upper, hess, plan)! };
}

test('a fit with 811 parameters (per-bin staterror) takes the block path and matches the dense Hesse', () => {
  const model = buildModel(loadWorkspace(syntheticWorkspace({ channels: 40, bins: 20, staterror: true })));
  const free = Array.from({ length: model.nPars }, (_, i) => i).filter((i) => !model.fixed[i]);
  const plan = arrowPlanFromBins(model.paramsPerBin(), free, model.nPars);
  assert.ok(plan, 'block structure');
  const r = fit(model);
  assert.ok(r.converged, r.message);
  const { dense, block } = denseAndBlockHesse(model, r.bestfit, plan);
  for (let k = 0; k < model.nPars * model.nPars; k++) assert.ok(Math.abs(dense.covariance[k]! - block.covariance[k]!) < 1e-12, `covariance entry ${k}`);
  for (const i of free) assert.equal(r.uncertainty[i], block.uncertainty[i]);
});

test('staterror and shapesys on the same bins: grouped blocks give the dense Hesse', () => {
  const model = buildModel(loadWorkspace(scalingWorkspace({ channels: 10, bins: 10, staterror: true, shapesys: true, normsys: 3 })));
  const free = Array.from({ length: model.nPars }, (_, i) => i).filter((i) => !model.fixed[i]);
  const plan = arrowPlanFromBins(model.paramsPerBin(), free, model.nPars);
  assert.ok(plan, 'block structure');
  assert.ok(plan.groups.length - 1 < plan.local.length, 'groups of more than one parameter');
  const r = fit(model);
  assert.ok(r.converged, r.message);
  const { dense, block } = denseAndBlockHesse(model, r.bestfit, plan);
  for (let k = 0; k < model.nPars * model.nPars; k++) assert.ok(Math.abs(dense.covariance[k]! - block.covariance[k]!) < 1e-10, `covariance entry ${k}`);
});
