// `flow prune|rename|combine` as pyhf's CLI: the printed workspace (JSON, keys sorted) against the
// expected edits of a small hand-written workspace, pyhf's join rules, one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, withTempDir } from './nodes-fixtures.ts';

const flow = (...a: string[]) => spawnSync(process.execPath, [join(ROOT, 'cli.ts'), ...a], { cwd: ROOT, encoding: 'utf8' });

const workspace = (channel = 'SR', measurement = 'meas') => ({
  version: '1.0.0',
  channels: [{ name: channel, samples: [
    { name: 'signal', data: [5, 10], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
    { name: 'bkg', data: [50, 60], modifiers: [
      { name: 'unc', type: 'shapesys', data: [5, 6] },
      { name: 'norm', type: 'normsys', data: { hi: 1.1, lo: 0.9 } },
    ] },
  ] }],
  observations: [{ name: channel, data: [55, 70] }],
  measurements: [{ name: measurement, config: { poi: 'mu', parameters: [{ name: 'norm', auxdata: [0], sigmas: [1] }, { name: 'mu', bounds: [[0, 5]] }] } }],
});

test('flow prune: modifiers by name and type, samples; measurement configs follow; keys sorted', async () => {
  await withTempDir(async (dir) => {
    const ws = join(dir, 'ws.json');
    writeFileSync(ws, JSON.stringify(workspace()));
    const r = flow('prune', ws, '-m', 'norm', '-t', 'shapesys');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['channels', 'measurements', 'observations', 'version']);
    assert.deepEqual(Object.keys(out.channels[0].samples[0]), ['data', 'modifiers', 'name']);
    assert.deepEqual(out.channels[0].samples.find((s: { name: string }) => s.name === 'bkg').modifiers, []);
    assert.deepEqual(out.measurements[0].config.parameters.map((p: { name: string }) => p.name), ['mu']);
    assert.match(r.stdout, /^\{\n {4}"channels": \[/); // indent 4, as pyhf prints
    const s = flow('prune', ws, '-s', 'bkg', '--output-file', join(dir, 'out.json'));
    assert.equal(s.status, 0, s.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')).channels[0].samples.map((x: { name: string }) => x.name), ['signal']);
    const bad = flow('prune', ws, '-t', 'nosuch');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr.trim(), /^[^\n]*unknown modifier type 'nosuch'[^\n]*$/);
  });
});

test('flow rename: OLD NEW pairs for channels (with observations), modifiers (with POI and configs), measurements', async () => {
  await withTempDir(async (dir) => {
    const ws = join(dir, 'ws.json');
    writeFileSync(ws, JSON.stringify(workspace()));
    const r = flow('rename', ws, '-c', 'SR', 'signal_region', '-m', 'mu', 'r', '-m', 'norm', 'lumi_like', '--measurement', 'meas', 'm2');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.channels[0].name, 'signal_region');
    assert.equal(out.observations[0].name, 'signal_region');
    assert.equal(out.measurements[0].name, 'm2');
    assert.equal(out.measurements[0].config.poi, 'r');
    assert.deepEqual(out.measurements[0].config.parameters.map((p: { name: string }) => p.name).sort(), ['lumi_like', 'r']);
    assert.deepEqual(out.channels[0].samples.flatMap((s: { modifiers: Array<{ name: string }> }) => s.modifiers.map((m) => m.name)).sort(), ['lumi_like', 'r', 'unc']);
    const bad = flow('rename', ws, '-c', 'SR');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr.trim(), /^[^\n]*-c takes two values[^\n]*$/);
  });
});

test("flow combine: join 'none' needs distinct channels and measurements; 'outer' keeps an identical channel once", async () => {
  await withTempDir(async (dir) => {
    const write = (name: string, v: unknown) => { const p = join(dir, name); writeFileSync(p, JSON.stringify(v)); return p; };
    const a = write('a.json', workspace('SR', 'meas'));
    const b = write('b.json', workspace('CR', 'meas2'));
    const c = write('c.json', workspace('CR', 'meas'));
    const ab = flow('combine', a, b);
    assert.equal(ab.status, 0, ab.stderr);
    const out = JSON.parse(ab.stdout);
    assert.deepEqual(out.channels.map((ch: { name: string }) => ch.name).sort(), ['CR', 'SR']);
    assert.deepEqual(out.measurements.map((m: { name: string }) => m.name).sort(), ['meas', 'meas2']);
    const ac = flow('combine', a, c);
    assert.notEqual(ac.status, 0);
    assert.match(ac.stderr.trim(), /^[^\n]*measurement\(s\) meas appear in both[^\n]*$/);
    const outer = flow('combine', a, c, '--join', 'outer');
    assert.equal(outer.status, 0, outer.stderr);
    assert.equal(JSON.parse(outer.stdout).measurements.length, 1);
    const aa = flow('combine', a, a, '--join', 'outer');
    assert.equal(aa.status, 0, aa.stderr);
    assert.equal(JSON.parse(aa.stdout).channels.length, 1);
    const changed = workspace('SR', 'meas'); changed.observations[0]!.data = [1, 2];
    const diff = flow('combine', a, write('d.json', changed), '--join', 'outer');
    assert.notEqual(diff.status, 0);
    assert.match(diff.stderr, /channel\(s\) SR appear in both with different contents/);
  });
});
