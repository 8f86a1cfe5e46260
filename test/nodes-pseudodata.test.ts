import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hist, regular, strCategory } from '../src/hist/index.ts';
import { addPseudodata } from '../nodes/pseudodata.ts';
import kind from '../nodes/pseudodata.ts';

function book(): Hist {
  const h = new Hist([regular(4, 0, 4, { name: 'x' }), strCategory([], { name: 'process', growth: true }), strCategory(['nominal', 'up'], { name: 'variation' })]);
  h.fill({ x: [0.5, 1.5, 1.5, 2.5], process: 'sig', variation: 'nominal' }, [1, 2, 3, 4]);
  h.fill({ x: [0.5, 3.5], process: 'bkg', variation: 'nominal' }, [10, 20]);
  h.fill({ x: [0.5], process: 'bkg', variation: 'up' }, [100]);
  return h;
}

const defaults = kind.params.parse({});

test('pseudodata is the sum of the nominal templates, bin by bin', () => {
  const h = addPseudodata(book(), defaults, 'h');
  const data = h.slice({ process: 'data', variation: 'nominal' }).toBinned();
  assert.deepEqual(Array.from(data.values), [11, 5, 4, 20]);
  // nothing filed under other variations
  assert.equal(h.slice({ process: 'data', variation: 'up' }).sum(), 0);
});

test('terms pick variations and factors (signal injection)', () => {
  const p = kind.params.parse({ terms: [{ process: 'sig', factor: 2 }, { process: 'bkg', variation: 'up' }] });
  const data = addPseudodata(book(), p, 'h').slice({ process: 'data', variation: 'nominal' }).toBinned();
  assert.deepEqual(Array.from(data.values), [102, 10, 8, 0]);
});

test('Poisson pseudodata is integer, seeded and scatters around the sum', () => {
  const big = new Hist([regular(200, 0, 1, { name: 'x' }), strCategory([], { name: 'process', growth: true })]);
  const xs = Float64Array.from({ length: 200 }, (_, i) => (i + 0.5) / 200);
  big.fill({ x: xs, process: 'bkg' }, 50);
  const p = kind.params.parse({ poisson: true, seed: 7 });
  const a = addPseudodata(big, p, 'big').slice({ process: 'data' }).toBinned().values;
  const b = addPseudodata(big, p, 'big').slice({ process: 'data' }).toBinned().values;
  assert.deepEqual(Array.from(a), Array.from(b));
  assert.ok(Array.from(a).every((v) => Number.isInteger(v)));
  const mean = Array.from(a).reduce((s, v) => s + v, 0) / a.length;
  const variance = Array.from(a).reduce((s, v) => s + (v - mean) ** 2, 0) / (a.length - 1);
  assert.ok(Math.abs(mean - 50) < 2, `mean ${mean}`);
  assert.ok(variance > 30 && variance < 75, `variance ${variance}`);
});

test('an unknown process in terms names the histogram', () => {
  const p = kind.params.parse({ terms: [{ process: 'nope' }] });
  assert.throws(() => addPseudodata(book(), p, 'm4l'), /histogram 'm4l' has no process 'nope'/);
});

// Binned events with the same underlying x values at two binnings: 34 bins and 17 (pairs merged).
function binned(bins: number, xs: Float64Array, w: Float64Array, process = 'bkg'): Hist {
  const h = new Hist([regular(bins, 80, 250, { name: 'm' }), strCategory([], { name: 'process', growth: true }), strCategory(['nominal'], { name: 'variation' })]);
  h.fill({ m: xs, process, variation: 'nominal' }, w);
  return h;
}

test('Poisson pseudodata is the same fluctuation at every binning: 17-bin data are sums of 34-bin data', () => {
  const n = 3000;
  const xs = Float64Array.from({ length: n }, (_, i) => 70 + ((i * 7919) % 1900) / 10); // also under/overflow
  const w = Float64Array.from({ length: n }, (_, i) => 0.05 + (i % 13) / 40);
  const p = kind.params.parse({ poisson: true, seed: 2024 });
  const data = (bins: number) => addPseudodata(binned(bins, xs, w), p, 'Signal_region').slice({ process: 'data', variation: 'nominal' }).withFlow().values;
  const fine = Array.from(data(34)), coarse = Array.from(data(17));
  assert.equal(fine.length, 36);
  assert.equal(coarse[0], fine[0], 'underflow');
  assert.equal(coarse[18], fine[35], 'overflow');
  for (let b = 0; b < 17; b++) assert.equal(coarse[b + 1], fine[2 * b + 1]! + fine[2 * b + 2]!, `bin ${b}`);
  // and it is a fluctuation: not the expectation, and a new seed draws new data
  const expected = Array.from(binned(34, xs, w).slice({ process: 'bkg', variation: 'nominal' }).withFlow().values);
  assert.ok(fine.some((v, i) => Math.abs(v - expected[i]!) > 1));
  const other = Array.from(addPseudodata(binned(34, xs, w), kind.params.parse({ poisson: true, seed: 2025 }), 'Signal_region').slice({ process: 'data', variation: 'nominal' }).withFlow().values);
  assert.notDeepEqual(other, fine);
});

test('each bin of the Poisson process is Poisson(mean): mean, variance and no correlation over seeds', () => {
  const h = new Hist([regular(3, 0, 3, { name: 'x' }), strCategory([], { name: 'process', growth: true })]);
  h.fill({ x: [0.5, 1.5, 2.5], process: 'bkg' }, [2.5, 40, 0.3]);
  const means = [2.5, 40, 0.3];
  const draws: number[][] = [];
  const runs = 3000;
  for (let seed = 0; seed < runs; seed++) {
    draws.push(Array.from(addPseudodata(h, kind.params.parse({ poisson: true, seed }), 'h').slice({ process: 'data' }).toBinned().values));
  }
  means.forEach((m, b) => {
    const xs = draws.map((d) => d[b]!);
    const mean = xs.reduce((s, v) => s + v, 0) / runs;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (runs - 1);
    assert.ok(Math.abs(mean - m) < 5 * Math.sqrt(m / runs), `bin ${b}: mean ${mean} vs ${m}`);
    assert.ok(Math.abs(variance / m - 1) < 0.12, `bin ${b}: variance ${variance} vs ${m}`);
  });
  // neighbouring bins are independent (a Poisson process has independent increments)
  const a = draws.map((d) => d[0]!), b = draws.map((d) => d[1]!);
  const ma = a.reduce((s, v) => s + v, 0) / runs, mb = b.reduce((s, v) => s + v, 0) / runs;
  const cov = a.reduce((s, v, i) => s + (v - ma) * (b[i]! - mb), 0) / (runs - 1);
  assert.ok(Math.abs(cov / Math.sqrt(2.5 * 40)) < 0.08, `correlation ${cov / Math.sqrt(100)}`);
});
