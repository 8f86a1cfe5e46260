// Workspace validation (errors name the JSON path), pyhf's parameter rules for staterror / shapesys /
// lumi, twice_nll constants computed by hand, and prune / rename / combine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineWorkspaces, loadWorkspace, pruneWorkspace, renameWorkspace } from '../src/stats/workspace.ts';
import type { Workspace } from '../src/stats/workspace.ts';
import { buildModel } from '../src/stats/model.ts';
import { UserError } from '../src/errors.ts';

function ws(): Workspace {
  return {
    version: '1.0.0',
    channels: [
      {
        name: 'SR',
        samples: [
          { name: 'sig', data: [3, 1, 2], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
          {
            name: 'bkg', data: [10, 0, 4],
            modifiers: [
              { name: 'stat_SR', type: 'staterror', data: [1, 0, 0] },
              { name: 'norm', type: 'normsys', data: { hi: 1.1, lo: 0.9 } },
              { name: 'shape', type: 'shapesys', data: [2, 1, 0] },
            ],
          },
          { name: 'other', data: [5, 0, 0], modifiers: [{ name: 'stat_SR', type: 'staterror', data: [2, 0, 0] }] },
        ],
      },
    ],
    observations: [{ name: 'SR', data: [17, 2, 5] }],
    measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
  };
}

function logFactorial(n: number): number {
  let s = 0;
  for (let k = 2; k <= n; k++) s += Math.log(k);
  return s;
}

test('zod errors name the JSON path', () => {
  const bad = ws() as unknown as { channels: Array<{ samples: Array<{ modifiers: unknown[] }> }> };
  bad.channels[0]!.samples[1]!.modifiers[1] = { name: 'norm', type: 'normsys', data: { hi: '1.1', lo: 0.9 } };
  assert.throws(() => loadWorkspace(bad), (e: Error) => e instanceof UserError && e.message.includes('channels[0].samples[1].modifiers[1].data.hi'));
  const noType = ws() as unknown as { channels: Array<{ samples: Array<{ modifiers: unknown[] }> }> };
  noType.channels[0]!.samples[0]!.modifiers[0] = { name: 'mu', type: 'nosuchmodifier', data: null };
  assert.throws(() => loadWorkspace(noType), /channels\[0\]\.samples\[0\]\.modifiers\[0\]/);
});

test('bin-count mismatches name the JSON path and the counts', () => {
  const bad = ws();
  (bad.channels[0]!.samples[1]!.modifiers[0]!.data as number[]).pop();
  assert.throws(() => loadWorkspace(bad), /channels\[0\]\.samples\[1\]\.modifiers\[0\]\.data: expected 3 numbers, got 2/);
  const h = ws();
  h.channels[0]!.samples[0]!.modifiers.push({ name: 'jes', type: 'histosys', data: { hi_data: [1, 2, 3], lo_data: [1, 2] } });
  assert.throws(() => loadWorkspace(h), /modifiers\[1\]\.data\.lo_data: expected 3 numbers, got 2/);
  const o = ws();
  o.observations[0]!.data.push(1);
  assert.throws(() => loadWorkspace(o), /observations\[0\]\.data \(channel 'SR'\): expected 3 numbers, got 4/);
  const p = ws();
  p.measurements[0]!.config.poi = 'nope';
  assert.throws(() => loadWorkspace(p), /measurements\[0\]\.config\.poi/);
});

test('parameter layout follows pyhf: types in registry order, staterror and shapesys zero bins fixed', () => {
  const m = buildModel(loadWorkspace(ws()));
  assert.deepEqual(m.parNames, ['mu', 'norm', 'shape[0]', 'shape[1]', 'shape[2]', 'stat_SR[0]', 'stat_SR[1]', 'stat_SR[2]']);
  // shapesys: bins with zero nominal or zero uncertainty are fixed; staterror: bins with zero sigma
  assert.deepEqual([...m.fixed], [0, 0, 0, 1, 1, 0, 1, 1]);
  assert.deepEqual([...m.init], [1, 0, 1, 1, 1, 1, 1, 1]);
});

test('twice_nll at the suggested init equals the hand-computed -2 log L with all constants', () => {
  const m = buildModel(loadWorkspace(ws()));
  const obs = [17, 2, 5], exp = [3 + 10 + 5, 1 + 0 + 0, 2 + 4 + 0];
  let t = 0;
  for (let b = 0; b < 3; b++) t += 2 * (exp[b]! - obs[b]! * Math.log(exp[b]!) + logFactorial(obs[b]!));
  // normsys: Gaussian(0 | 0, 1)
  t += Math.log(2 * Math.PI);
  // shapesys bin 0: Poisson(tau | tau) with tau = (10/2)^2 = 25; fixed bins: Poisson(1 | 1)
  const tau = 25;
  t += 2 * (tau - tau * Math.log(tau) + logFactorial(tau)) + 2 * 2 * (1 - 0 + 0);
  // staterror bin 0: sigma = sqrt(1^2 + 2^2) / (10 + 5); bins without content: sigma 1
  const sigma = Math.sqrt(5) / 15;
  t += Math.log(2 * Math.PI) + 2 * Math.log(sigma) + 2 * Math.log(2 * Math.PI);
  assert.ok(Math.abs(m.twiceNll(m.init, m.observed) - t) < 1e-9, `${m.twiceNll(m.init, m.observed)} vs ${t}`);
});

test('lumi needs auxdata and sigmas from the measurement', () => {
  const w = ws();
  w.channels[0]!.samples[0]!.modifiers.push({ name: 'lumi', type: 'lumi', data: null });
  assert.throws(() => buildModel(loadWorkspace(w)), /parameter 'lumi': needs "auxdata" and "sigmas"/);
  w.measurements[0]!.config.parameters.push({ name: 'lumi', auxdata: [1], sigmas: [0.02], bounds: [[0.9, 1.1]], inits: [1] });
  const m = buildModel(loadWorkspace(w));
  assert.equal(m.parNames[0], 'lumi');
  assert.deepEqual([m.lower[0], m.upper[0]], [0.9, 1.1]);
});

test('measurement config overrides inits, bounds and fixed, checking lengths', () => {
  const w = ws();
  w.measurements[0]!.config.parameters.push({ name: 'norm', fixed: true, inits: [0.5] });
  const m = buildModel(loadWorkspace(w));
  assert.equal(m.fixed[1], 1);
  assert.equal(m.init[1], 0.5);
  const bad = ws();
  bad.measurements[0]!.config.parameters.push({ name: 'stat_SR', inits: [1, 1] });
  assert.throws(() => buildModel(loadWorkspace(bad)), /stat_SR': inits has 2 values, expected 3/);
  assert.throws(() => buildModel(loadWorkspace(ws()), 'missing'), /measurement 'missing' not found/);
});

test('prune, rename and combine', () => {
  const pruned = pruneWorkspace(loadWorkspace(ws()), { samples: ['other'], modifierTypes: ['shapesys'] });
  assert.deepEqual(pruned.channels[0]!.samples.map((s) => s.name), ['sig', 'bkg']);
  assert.ok(!pruned.channels[0]!.samples[1]!.modifiers.some((m) => m.type === 'shapesys'));
  const renamed = renameWorkspace(loadWorkspace(ws()), { channels: { SR: 'CR' }, modifiers: { mu: 'mu_sig' }, measurements: { m: 'm2' } });
  assert.equal(renamed.channels[0]!.name, 'CR');
  assert.equal(renamed.observations[0]!.name, 'CR');
  assert.equal(renamed.measurements[0]!.config.poi, 'mu_sig');
  const both = combineWorkspaces(loadWorkspace(ws()), renamed);
  assert.equal(both.channels.length, 2);
  assert.deepEqual(both.measurements.map((m) => m.name), ['m', 'm2']);
  assert.throws(() => combineWorkspaces(loadWorkspace(ws()), loadWorkspace(ws())), /channel\(s\) SR appear in both/);
});
