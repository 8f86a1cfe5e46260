// Upper limits anywhere relative to the POI range (issue 16, item 10): a limit far below the upper
// bound (seed 004's datacard gave 0.095 for every expected band: a coarse scan), well inside it, and
// past it, each against an independent log-space bisection of CLs(mu) = 0.05 with plain fits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../src/stats/model.ts';
import { limitNotes, upperLimit } from '../src/stats/infer/upper-limit.ts';
import { syntheticWorkspace } from '../src/stats/synthetic.ts';
import { loadWorkspace } from '../src/stats/workspace.ts';
import type { Model } from '../src/stats/model.ts';
import { bisectLimit } from './limit-bisection.ts';

const RANGE = 10;

/** A 3-bin synthetic model with mu in [0, RANGE] and the signal scaled by `scale`. */
function model(scale: number): Model {
  const ws = syntheticWorkspace({ channels: 1, bins: 3, normsys: 1, histosys: 1, seed: 7 });
  for (const ch of ws.channels) for (const s of ch.samples) if (s.name === 'signal') s.data = s.data.map((v) => v * scale);
  ws.measurements[0]!.config.parameters.push({ name: 'mu', bounds: [[0, RANGE]] });
  return buildModel(loadWorkspace(ws));
}

const bisect = (m: Model, band: number) => bisectLimit(m, band, 1e-12 * RANGE, 1e9 * RANGE);

test('limits at 1e-5 .. 1e3 times the POI range agree with a bisection within 1% and say when they are past the bound', () => {
  // the limit scales as 1 / signal (mu only multiplies the signal): place the median at f x RANGE
  const median1 = bisect(model(1), 2);
  for (const f of [1e-5, 1e-3, 1e-1, 10, 1e3]) {
    const m = model(median1 / (f * RANGE));
    const ul = upperLimit(m);
    assert.equal(ul.method, 'root');
    const got = [ul.obs, ...ul.exp];
    got.forEach((v, k) => {
      const want = bisect(m, k - 1);
      assert.ok(Math.abs(v / want - 1) < 0.01, `f = ${f}, band ${k}: ${v} vs bisection ${want}`);
      assert.ok(ul.resolution[k]! <= 1e-4 * v, `resolution ${ul.resolution[k]}`);
      assert.equal(ul.outside[k], want > RANGE ? 'above' : null, `f = ${f}, band ${k}: outside flag`);
    });
    assert.ok(Math.abs(ul.exp[2]! / (f * RANGE) - 1) < 0.01, `f = ${f}: median ${ul.exp[2]} vs ${f * RANGE}`);
    const notes = limitNotes(ul, m.poiName, 0, RANGE);
    assert.equal(notes.length, ul.outside.filter((o) => o === 'above').length);
    if (f > 1) assert.match(notes[0]!, /above the upper bound 10 of mu/);
  }
});

test("pyhf's scan over the bounds reports its resolution and clamps a limit past the bound", () => {
  const m = model(0.05); // limits of a few x RANGE
  const ul = upperLimit(m, { method: 'scan' });
  assert.equal(ul.method, 'scan');
  assert.ok(ul.outside.every((o) => o === 'above'), ul.outside.join());
  assert.ok([ul.obs, ...ul.exp].every((v) => v === RANGE));
  assert.ok(Math.abs(ul.resolution[0]! - RANGE / 200) < 1e-12);
  assert.match(limitNotes(ul, 'mu', 0, RANGE).at(-1)!, /201-point scan over \[0, 10\].*resolution 0\.0500/);
});
