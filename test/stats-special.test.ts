// Special functions against values from CPython's math.erfc / math.lgamma (C library implementations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lgamma, normalCdf, normalQuantile } from '../src/stats/special.ts';

const cdf: Array<[number, number]> = [
  [-8, 6.220960574271819e-16], [-5, 2.866515718791946e-07], [-3.5, 0.00023262907903552504], [-3, 0.0013498980316300957],
  [-2.999, 0.0013543365337271066], [-2, 0.02275013194817922], [-1, 0.15865525393145707], [-0.3, 0.3820885778110474],
  [0, 0.5], [0.5, 0.6914624612740131], [1.7, 0.955434537241457], [2.5, 0.9937903346742238], [3, 0.9986501019683699],
  [3.001, 0.998654527174915], [4, 0.9999683287581669], [6, 0.9999999990134123],
];
const lg: Array<[number, number]> = [
  [1, 0], [1.5, -0.12078223763524543], [2, 0], [3.7, 1.4280723266653883], [10, 12.801827480081467],
  [101, 363.73937555556347], [1001, 5912.128178488163], [12345.5, 103958.24296512322],
];

test('normal cdf to ~1e-13 relative in both tails', () => {
  for (const [x, v] of cdf) assert.ok(Math.abs(normalCdf(x) - v) <= 1e-13 * v + 1e-16, `Phi(${x}) = ${normalCdf(x)} vs ${v}`);
});

test('normal quantile inverts the cdf', () => {
  for (const p of [1e-10, 0.0013498980316300957, 0.05, 0.5, 0.975]) {
    const z = normalQuantile(p);
    assert.ok(Math.abs(normalCdf(z) - p) <= 1e-12 * p, `${p}: z = ${z}`);
  }
});

test('lgamma to ~1e-13 relative', () => {
  for (const [x, v] of lg) assert.ok(Math.abs(lgamma(x) - v) <= 1e-13 * Math.max(1, Math.abs(v)), `lgamma(${x}) = ${lgamma(x)} vs ${v}`);
});
