import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hist, regular, strCategory } from '../src/hist/index.ts';
import { Rng } from '../src/columnar/random.ts';
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
  const h = addPseudodata(book(), defaults, new Rng(1), 'h');
  const data = h.slice({ process: 'data', variation: 'nominal' }).toBinned();
  assert.deepEqual(Array.from(data.values), [11, 5, 4, 20]);
  // nothing filed under other variations
  assert.equal(h.slice({ process: 'data', variation: 'up' }).sum(), 0);
});

test('terms pick variations and factors (signal injection)', () => {
  const p = kind.params.parse({ terms: [{ process: 'sig', factor: 2 }, { process: 'bkg', variation: 'up' }] });
  const data = addPseudodata(book(), p, new Rng(1), 'h').slice({ process: 'data', variation: 'nominal' }).toBinned();
  assert.deepEqual(Array.from(data.values), [102, 10, 8, 0]);
});

test('Poisson pseudodata is integer, seeded and scatters around the sum', () => {
  const big = new Hist([regular(200, 0, 1, { name: 'x' }), strCategory([], { name: 'process', growth: true })]);
  const xs = Float64Array.from({ length: 200 }, (_, i) => (i + 0.5) / 200);
  big.fill({ x: xs, process: 'bkg' }, 50);
  const p = kind.params.parse({ poisson: true, seed: 7 });
  const a = addPseudodata(big, p, new Rng(7), 'big').slice({ process: 'data' }).toBinned().values;
  const b = addPseudodata(big, p, new Rng(7), 'big').slice({ process: 'data' }).toBinned().values;
  assert.deepEqual(Array.from(a), Array.from(b));
  assert.ok(Array.from(a).every((v) => Number.isInteger(v)));
  const mean = Array.from(a).reduce((s, v) => s + v, 0) / a.length;
  const variance = Array.from(a).reduce((s, v) => s + (v - mean) ** 2, 0) / (a.length - 1);
  assert.ok(Math.abs(mean - 50) < 2, `mean ${mean}`);
  assert.ok(variance > 30 && variance < 75, `variance ${variance}`);
});

test('an unknown process in terms names the histogram', () => {
  const p = kind.params.parse({ terms: [{ process: 'nope' }] });
  assert.throws(() => addPseudodata(book(), p, new Rng(1), 'm4l'), /histogram 'm4l' has no process 'nope'/);
});
