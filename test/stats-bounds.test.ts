// Uncertainties when parameters end on a bound (issue 16, "Also: uncertainties when a parameter ends
// on its bound"): the other parameters' covariance is the one with those parameters held at their
// bounds, for every Hessian path (dense, arrow blocks, low rank), checked against numerical Hessians
// of twice_nll (or of its gradient, for the large ones) with the bounded parameters fixed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fit, type FitResult } from '../src/stats/fit.ts';
import { invert } from '../src/stats/linalg.ts';
import { buildModel, type Model } from '../src/stats/model.ts';
import { scalingWorkspace, type ScalingOptions } from '../src/stats/synthetic.ts';
import { loadWorkspace, type Workspace } from '../src/stats/workspace.ts';

/** A scaling workspace whose first two channels see 15% less than their main background: their
 *  free normalisations of the second background (and the POI) end on their lower bound 0. */
function drivenToBounds(o: ScalingOptions): Workspace {
  const ws = scalingWorkspace(o);
  for (const c of [0, 1]) {
    const bkg = ws.channels[c]!.samples[1]!.data;
    ws.observations[c]!.data = bkg.map((v) => Math.round(0.85 * v));
  }
  return ws;
}

function onBounds(model: Model, r: FitResult): number[] {
  const out: number[] = [];
  for (let i = 0; i < model.nPars; i++) if (!model.fixed[i] && (r.bestfit[i] === model.lower[i] || r.bestfit[i] === model.upper[i])) out.push(i);
  return out;
}

/** 2 x inverse of a numerical Hessian over `idx`: central differences of twice_nll, or of the
 *  analytic gradient (`byGradient`, for many parameters). */
function numericalCovariance(model: Model, x: Float64Array, idx: number[], byGradient: boolean): Float64Array {
  const k = idx.length, h = new Float64Array(k * k), n = model.nPars;
  const f = (y: Float64Array) => model.twiceNll(y, model.observed);
  const y = Float64Array.from(x);
  if (byGradient) {
    const gp = new Float64Array(n), gm = new Float64Array(n);
    for (let a = 0; a < k; a++) {
      const i = idx[a]!, s = 1e-5 * Math.max(1, Math.abs(x[i]!));
      y[i] = x[i]! + s; model.twiceNllGrad(y, model.observed, gp);
      y[i] = x[i]! - s; model.twiceNllGrad(y, model.observed, gm);
      y[i] = x[i]!;
      for (let b = 0; b < k; b++) h[b * k + a] = (gp[idx[b]!]! - gm[idx[b]!]!) / (2 * s);
    }
  } else {
    const f0 = f(y);
    const step = idx.map((i) => 2e-3 * Math.max(1, Math.abs(x[i]!)));
    const at = (a: number, da: number, b: number, db: number) => { y[idx[a]!]! += da; y[idx[b]!]! += db; const v = f(y); y.set(x); return v; };
    for (let a = 0; a < k; a++) {
      for (let b = a; b < k; b++) {
        const ha = step[a]!, hb = step[b]!;
        const v = a === b ? (at(a, ha, a, 0) - 2 * f0 + at(a, -ha, a, 0)) / (ha * ha)
          : (at(a, ha, b, hb) - at(a, ha, b, -hb) - at(a, -ha, b, hb) + at(a, -ha, b, -hb)) / (4 * ha * hb);
        h[a * k + b] = v; h[b * k + a] = v;
      }
    }
  }
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) { const v = 0.5 * (h[a * k + b]! + h[b * k + a]!); h[a * k + b] = v; h[b * k + a] = v; }
  const inv = invert(h, k)!;
  return inv.map((v) => 2 * v);
}

function checkHeldAtBounds(model: Model, minBound: number, byGradient: boolean, tol: number): FitResult {
  const r = fit(model);
  assert.ok(r.converged, r.message);
  const held = onBounds(model, r);
  assert.ok(held.length >= minBound, `parameters on a bound: ${held.map((i) => model.parNames[i])}`);
  assert.match(r.message, /on a bound/);
  const rest = Array.from({ length: model.nPars }, (_, i) => i).filter((i) => !model.fixed[i] && !held.includes(i));
  const cov = numericalCovariance(model, r.bestfit, rest, byGradient);
  const k = rest.length, n = model.nPars;
  for (let a = 0; a < k; a++) {
    const i = rest[a]!;
    const got = Math.sqrt(r.covariance![i * n + i]!), want = Math.sqrt(cov[a * k + a]!);
    assert.ok(Math.abs(got / want - 1) < tol, `${model.parNames[i]}: ${got} vs ${want} with ${held.map((j) => model.parNames[j])} held`);
    // and the correlations among the others (every 7th pair)
    for (let b = 0; b < a; b += 7) {
      const j = rest[b]!;
      const rho = cov[a * k + b]! / Math.sqrt(cov[a * k + a]! * cov[b * k + b]!);
      assert.ok(Math.abs(r.correlation![i * n + j]! - rho) < 10 * tol, `correlation ${model.parNames[i]} x ${model.parNames[j]}`);
    }
  }
  return r;
}

test('parameters on a bound (126 parameters, dense): the others\' covariance is the one with them held', () => {
  const model = buildModel(loadWorkspace(drivenToBounds({ channels: 20, bins: 5, normsys: 5, channelNorms: true, staterror: true })));
  checkHeldAtBounds(model, 3, false, 5e-5);
});

test('parameters on a bound in a 214-parameter model with per-bin parameters (arrow blocks)', () => {
  const model = buildModel(loadWorkspace(drivenToBounds({ channels: 30, bins: 6, normsys: 3, channelNorms: true, staterror: true })));
  checkHeldAtBounds(model, 3, true, 1e-5);
});

test('parameters on a bound in a 300-normsys model (low-rank Hessian)', () => {
  const model = buildModel(loadWorkspace(drivenToBounds({ channels: 2, bins: 8, normsys: 300, channelNorms: true })));
  checkHeldAtBounds(model, 2, true, 1e-5);
});
