import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hist, regular, variable, strCategory, intCategory, histToBinary, histFromBinary, combine, toNamedHistograms, cabinetryName } from '../src/hist/index.ts';
import { Rng } from '../src/columnar/index.ts';

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

function randomData(n: number, seed: number) {
  const r = new Rng(seed);
  return { x: Float64Array.from({ length: n }, () => r.normal(300, 150)), w: Float64Array.from({ length: n }, () => r.uniform() * 2) };
}

test('regular axis binning matches a hand computation incl. flow and NaN', () => {
  const h = new Hist([regular(25, 50, 550, { name: 'x' })]);
  h.fill({ x: [49.999, 50, 69.99, 70, 549.9, 550, NaN, -1e9] });
  const v = h.sumw;
  assert.equal(v[0], 2); // 49.999, -1e9
  assert.equal(v[1], 2); // 50, 69.99
  assert.equal(v[2], 1); // 70
  assert.equal(v[25], 1); // 549.9
  assert.equal(v[26], 2); // 550, NaN
});

test('variable axis and weights: sum w and sum w^2', () => {
  const h = new Hist([variable([0, 1, 10, 100], { name: 'x' })]);
  h.fill({ x: [0.5, 5, 5, 50, 500] }, [1, 2, 3, 4, 5]);
  assert.deepEqual(Array.from(h.sumw), [0, 1, 5, 4, 5]);
  assert.deepEqual(Array.from(h.sumw2), [0, 1, 13, 16, 25]);
  assert.deepEqual(h.toBinned(), { edges: [0, 1, 10, 100], values: [1, 5, 4], variances: [1, 13, 16] });
});

test('merging per-chunk histograms equals filling once, whatever order categories appear in', () => {
  const { x, w } = randomData(3000, 1);
  const mk = () => new Hist([regular(20, 0, 600, { name: 'obs' }), strCategory([], { name: 'process', growth: true }), strCategory([], { name: 'variation', growth: true })]);
  const once = mk();
  once.fill({ obs: x, process: 'ttbar', variation: 'nominal' }, w);
  once.fill({ obs: x.subarray(0, 1000), process: 'wjets', variation: 'up' }, w.subarray(0, 1000));
  const a = mk(), b = mk();
  b.fill({ obs: x.subarray(0, 1000), process: 'wjets', variation: 'up' }, w.subarray(0, 1000));
  b.fill({ obs: x.subarray(1500), process: 'ttbar', variation: 'nominal' }, w.subarray(1500));
  a.fill({ obs: x.subarray(0, 1500), process: 'ttbar', variation: 'nominal' }, w.subarray(0, 1500));
  const merged = a.plus(b);
  for (const [p, v] of [['ttbar', 'nominal'], ['wjets', 'up']] as const) {
    const m = merged.withFlow({ process: p, variation: v }), o = once.withFlow({ process: p, variation: v });
    m.values.forEach((val, i) => assert.ok(close(val, o.values[i]!), `${p} ${v} bin ${i}`));
    m.variances.forEach((val, i) => assert.ok(close(val, o.variances[i]!)));
  }
  assert.equal(merged.withFlow({ process: 'ttbar', variation: 'up' }).values.every((q) => q === 0), true);
});

test('rebin preserves sums; rebinFrom(110, 2) gives the AGC binning and keeps totals in flow', () => {
  const { x, w } = randomData(5000, 2);
  const h = new Hist([regular(25, 50, 550, { name: 'observable' })]).fill({ observable: x }, w);
  const total = h.sum();
  const r2 = h.rebin('observable', 5);
  assert.ok(close(r2.sum(), total));
  assert.equal(r2.axes[0]!.bins, 5);
  const agc = h.rebinFrom('observable', 110, 2);
  assert.deepEqual(agc.toBinned().edges, [110, 150, 190, 230, 270, 310, 350, 390, 430, 470, 510, 550]);
  assert.ok(close(agc.sum(), total));
  // in-range bin k = old bins 3+2k and 4+2k (0-based over in-range bins)
  const old = h.toBinned().values, nb = agc.toBinned().values;
  nb.forEach((v, k) => assert.ok(close(v, old[3 + 2 * k]! + old[4 + 2 * k]!)));
  // underflow of the sliced histogram holds the old underflow and the bins below 110
  assert.ok(close(agc.sumw[0]!, h.sumw[0]! + old[0]! + old[1]! + old[2]!));
  const re = h.rebinTo('observable', [50, 150, 350, 550]);
  assert.deepEqual(re.toBinned().values.map((v) => +v.toFixed(9)), [old.slice(0, 5), old.slice(5, 15), old.slice(15)].map((s) => +s.reduce((a, b) => a + b, 0).toFixed(9)));
});

test('project and slice; scale multiplies variances by f^2; groupCategories sums processes', () => {
  const h = new Hist([regular(4, 0, 4, { name: 'x' }), strCategory(['a', 'b', 'c'], { name: 'p' }), intCategory([1, 2], { name: 'q' })]);
  h.fill({ x: [0.5, 1.5, 2.5, 3.5], p: ['a', 'b', 'c', 'a'], q: [1, 2, 1, 2] }, [1, 2, 3, 4]);
  assert.deepEqual(h.project('x').toBinned().values, [1, 2, 3, 4]);
  assert.deepEqual(Array.from(h.project('p').sumw), [5, 2, 3]);
  assert.deepEqual(h.toBinned({ p: 'a', q: 2 }).values, [0, 0, 0, 4]);
  const s = h.copy().scale(3);
  assert.deepEqual(s.toBinned({ p: 'b', q: 2 }).variances, [0, 36, 0, 0]);
  const g = h.groupCategories('p', { ac: ['a', 'c'] });
  assert.deepEqual((g.axis('p') as unknown as { values: string[] }).values, ['ac', 'b']);
  assert.deepEqual(g.project('x', 'p').toBinned({ p: 'ac' }).values, [1, 0, 3, 4]);
});

test('JSON and binary round trips are exact', () => {
  const { x, w } = randomData(500, 3);
  const h = new Hist([regular(10, 0, 600, { name: 'o', label: 'obs [GeV]' }), strCategory([], { name: 'v', growth: true })]);
  h.fill({ o: x, v: 'nominal' }, w).fill({ o: x, v: 'up' }, w.map((q) => q * 1.1));
  const j = Hist.fromJSON(JSON.parse(JSON.stringify(h.toJSON())));
  const b = histFromBinary(histToBinary(h));
  for (const r of [j, b]) {
    assert.deepEqual(Array.from(r.sumw), Array.from(h.sumw));
    assert.deepEqual(Array.from(r.sumw2), Array.from(h.sumw2));
    assert.deepEqual(r.axes.map((a) => a.toJSON()), h.axes.map((a) => a.toJSON()));
  }
});

test('cabinetry naming and pseudodata as a weighted sum', () => {
  const h = new Hist([regular(2, 0, 2, { name: 'observable' }), strCategory(['4j1b'], { name: 'region' }), strCategory([], { name: 'process', growth: true }), strCategory([], { name: 'variation', growth: true })]);
  h.fill({ observable: [0.5], region: '4j1b', process: 'ttbar', variation: 'ME_var' }, 4);
  h.fill({ observable: [1.5], region: '4j1b', process: 'ttbar', variation: 'PS_var' }, 2);
  h.fill({ observable: [1.5], region: '4j1b', process: 'wjets', variation: 'nominal' }, 1);
  const named = toNamedHistograms(h);
  assert.ok(named.has('4j1b_ttbar_ME_var') && named.has('4j1b_wjets') && !named.has('4j1b_wjets_nominal'));
  assert.equal(cabinetryName('4j2b', 'ttbar', 'nominal'), '4j2b_ttbar');
  const pd = combine(named, [{ name: '4j1b_ttbar_ME_var', factor: 0.5 }, { name: '4j1b_ttbar_PS_var', factor: 0.5 }, { name: '4j1b_wjets' }]);
  assert.deepEqual(Array.from(pd.values), [0, 2, 2, 0]);
});

test('positional fill equals named fill; unknown categories on fixed axes are dropped', () => {
  const mk = () => new Hist([regular(5, 0, 5, { name: 'x' }), strCategory(['a', 'b'], { name: 'c' })]);
  const a = mk().fill({ x: [0.5, 1.5, 2.5], c: ['a', 'b', 'zz'] }, [1, 2, 3]);
  const b = mk().fill([[0.5, 1.5, 2.5], ['a', 'b', 'zz']], [1, 2, 3]);
  assert.deepEqual(Array.from(a.sumw), Array.from(b.sumw));
  assert.equal(a.sum(), 3);
  assert.throws(() => mk().fill([[1]]), /values for 2 axes/);
});
