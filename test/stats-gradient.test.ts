// The analytic gradient of twice_nll against central finite differences, on every reference model
// and both sets of interpolation codes, at points spread over the parameter bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkspace } from '../src/stats/workspace.ts';
import { buildModel } from '../src/stats/model.ts';
import type { ModelOptions } from '../src/stats/model.ts';

const dir = join(import.meta.dirname, '..', '..', 'shared', 'refs', 'pyhf');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

const codeSets: ModelOptions[] = [{}, { normsys: 'code1', histosys: 'code0' }];

for (const file of files) {
  for (const codes of codeSets) {
    test(`gradient matches finite differences: ${file} ${JSON.stringify(codes)}`, () => {
      const c = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const model = buildModel(loadWorkspace(c.workspace), c.measurement, codes);
      const rand = rng(file.length * 7919);
      const n = model.nPars;
      for (let trial = 0; trial < 3; trial++) {
        // a point near the suggested init, moved by up to +-0.8 (alphas) or +-20% (factors), inside bounds
        const x = Float64Array.from(model.init, (v, i) => {
          const span = model.lower[i]! < 0 ? 0.8 : 0.2 * Math.max(v, 0.5);
          return Math.min(model.upper[i]!, Math.max(model.lower[i]! + 1e-3, v + (2 * rand() - 1) * span));
        });
        const g = new Float64Array(n);
        const f0 = model.twiceNllGrad(x, model.observed, g);
        assert.ok(Math.abs(f0 - model.twiceNll(x, model.observed)) < 1e-9 * Math.max(1, Math.abs(f0)));
        if (!Number.isFinite(f0)) continue;
        for (let i = 0; i < n; i++) {
          const h = 1e-4 * Math.max(1, Math.abs(x[i]!));
          const xp = Float64Array.from(x); xp[i] = x[i]! + h;
          const xm = Float64Array.from(x); xm[i] = x[i]! - h;
          const fd = (model.twiceNll(xp, model.observed) - model.twiceNll(xm, model.observed)) / (2 * h);
          // twice_nll sums large constant terms, so rounding limits the finite difference to ~1e-6
          const tol = 2e-5 * Math.max(1, Math.abs(fd));
          assert.ok(Math.abs(fd - g[i]!) <= tol, `${model.parNames[i]}: analytic ${g[i]} vs numeric ${fd}`);
        }
      }
    });
  }
}

for (const file of files) {
  test(`exact Hessian matches finite differences of the gradient: ${file}`, () => {
    const c = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const model = buildModel(loadWorkspace(c.workspace), c.measurement);
    const rand = rng(file.length * 104729);
    const n = model.nPars;
    const work = Array.from({ length: n }, (_, i) => i);
    for (let trial = 0; trial < 2; trial++) {
      const x = Float64Array.from(model.init, (v, i) => {
        const span = model.lower[i]! < 0 ? 0.8 : 0.2 * Math.max(v, 0.5);
        return Math.min(model.upper[i]! - 1e-3, Math.max(model.lower[i]! + 1e-3, v + (2 * rand() - 1) * span));
      });
      const h = model.twiceNllHessian(x, model.observed, work);
      const gp = new Float64Array(n), gm = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        const step = 1e-5 * Math.max(1, Math.abs(x[j]!));
        const xp = Float64Array.from(x); xp[j] = x[j]! + step;
        const xm = Float64Array.from(x); xm[j] = x[j]! - step;
        model.twiceNllGrad(xp, model.observed, gp);
        model.twiceNllGrad(xm, model.observed, gm);
        for (let r = 0; r < n; r++) {
          const fd = (gp[r]! - gm[r]!) / (2 * step);
          const scale = Math.sqrt(Math.abs(h[r * n + r]! * h[j * n + j]!)) + 1e-6;
          assert.ok(Math.abs(fd - h[r * n + j]!) <= 1e-4 * scale, `H[${model.parNames[r]}, ${model.parNames[j]}]: exact ${h[r * n + j]} vs numeric ${fd}`);
        }
      }
    }
  });
}
