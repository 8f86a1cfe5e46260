// datacard node through the engine: cards, shapes, script and workspace under --out/datacards,
// checked against the synthetic yields that were filled (not against our own writer's output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDatacard } from '../src/stats/build/index.ts';
import { runInProcess, syntheticYields, withTempDir, writeGraph } from './nodes-fixtures.ts';

const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
const SPEC = {
  years: ['2018'],
  processes: [{ name: 'signal', isSignal: true }, { name: 'bkg', isSignal: false, hasRateParam: true }],
  data: { samples: ['data'] },
  systematics: [
    { name: 'lumi', type: 'lnN', processes: ['signal', 'bkg'], value: 1.025 },
    { name: 'shape', type: 'shape', processes: ['bkg'] },
  ],
  categories: [{ name: 'SR' }],
  label: 'test',
};

test('datacard node writes a Combine card, JSON shapes, the script and the pyhf workspace', async () => {
  await withTempDir(async (dir) => {
    const spec = { ...SPEC, shapesFormat: 'json', variations: { shapeUp: 'shape_up', shapeDown: 'shape_down' } };
    const file = writeGraph(dir, 'dc', `
  const h = g.node(histogramsKind, 'hists', [], {});
  g.datacard('cards', h, ${JSON.stringify(spec)});
`);
    const r = await runInProcess(file, dir);
    assert.ok(r.summary?.ok, String(r.error));
    const out = join(dir, 'out', 'datacards');
    const y = syntheticYields(1);
    const card = parseDatacard(readFileSync(join(out, 'datacard_SR_test.txt'), 'utf8'), 'card');
    const rate = (p: string) => card.columns.find((c) => c.process === p)!.rate;
    // rates and observations to 8 significant digits (a card is read by people)
    assert.ok(Math.abs(rate('signal_2018') - sum(y.signal!)) <= 5e-8 * sum(y.signal!));
    assert.ok(Math.abs(rate('bkg_2018') - sum(y.bkg!)) <= 5e-8 * sum(y.bkg!));
    assert.ok(Math.abs(card.observations![0]! - sum(y.data!)) <= 5e-8 * sum(y.data!));
    const text = readFileSync(join(out, 'datacard_SR_test.txt'), 'utf8');
    const numbers = /^rate\s+(.*)$/m.exec(text)![1]!.trim().split(/\s+/);
    const digits = (n: string) => n.replace(/e.*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').length;
    for (const n of numbers) assert.ok(digits(n) <= 8, `rate ${n}`);
    assert.deepEqual(card.uncertainties.map((u) => [u.name, u.type]), [['lumi', 'lnN'], ['shape', 'shape']]);
    const shapes = JSON.parse(readFileSync(join(out, 'shapes_SR_test.json'), 'utf8'));
    const up = shapes.histograms['bkg_2018_shapeUp'].values as number[];
    up.forEach((v, i) => assert.ok(Math.abs(v - y.bkg_shape_up![i]!) < 1e-9 * v, `shapeUp bin ${i}`));
    const script = join(out, 'combine_datacards_test.sh');
    assert.match(readFileSync(script, 'utf8'), /combineCards\.py SR_2018=datacard_SR_test\.txt/);
    assert.ok(statSync(script).mode & 0o100, 'the script is executable');
    const ws = JSON.parse(readFileSync(join(out, 'workspace_test.json'), 'utf8'));
    assert.equal(ws.channels.length, 1);

    const again = await runInProcess(file, dir);
    assert.equal(again.summary!.nodes.cards!.status, 'cached');
  });
});

test('datacard node: a missing histogram names what the input has; bad specs fail validation', async () => {
  await withTempDir(async (dir) => {
    const missing = writeGraph(dir, 'missing', `
  const h = g.node(histogramsKind, 'hists', [], {});
  g.datacard('cards', h, ${JSON.stringify({ ...SPEC, processes: [{ name: 'ttbar', isSignal: false }], systematics: [] })});
`);
    const r = await runInProcess(missing, dir);
    assert.equal(r.summary?.ok, false);
    const failed = r.events.find((e) => e.type === 'node-failed');
    assert.ok(failed && failed.type === 'node-failed');
    assert.match(JSON.stringify(failed), /missing histogram \\"SR_ttbar\\".*SR_bkg/);

    const bad = writeGraph(dir, 'bad', `
  const h = g.node(histogramsKind, 'hists', [], {});
  g.datacard('cards', h, ${JSON.stringify({ ...SPEC, systematics: [{ name: 'x', type: 'lnN', processes: ['nope'], value: 1.1 }] })});
`);
    const b = await runInProcess(bad, dir);
    assert.match(String(b.error), /node 'cards' \(datacard\): .*unknown process "nope"/);
  });
});

test('datacard node: several years need {year} in the histogram names', async () => {
  await withTempDir(async (dir) => {
    const file = writeGraph(dir, 'years', `
  const h = g.node(histogramsKind, 'hists', [], {});
  g.datacard('cards', h, ${JSON.stringify({ ...SPEC, years: ['2017', '2018'] })});
`);
    assert.match(String((await runInProcess(file, dir)).error), /node 'cards' \(datacard\): names\.nominal: 2 years need \{year\} in the histogram names/);
  });
});
