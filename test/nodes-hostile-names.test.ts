// Names that build paths and scripts are validated at the kind: a datacard label or category cannot
// climb out of --out or inject a command into combine_datacards_<label>.sh (every word of which is
// quoted anyway), and two regions whose names make the same figure file are an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote } from '../src/stats/build/datacard-combine-outputs.ts';
import { runInProcess, withTempDir, writeGraph } from './nodes-fixtures.ts';

const SPEC = {
  years: ['2018'],
  processes: [{ name: 'signal', isSignal: true }, { name: 'bkg', isSignal: false }],
  data: { samples: ['data'] },
  systematics: [],
  categories: [{ name: 'SR' }],
  label: 'test',
};

test('datacard: labels, categories and dirs that would leave --out or run commands are refused at the kind', async () => {
  await withTempDir(async (dir) => {
    const hostile: Array<[string, Record<string, unknown>, RegExp]> = [
      ['label escaping --out', { label: '../../../../outside/x' }, /label: must be letters, digits and _ \. \+ -/],
      ['label injecting a command', { label: 'lbl; touch INJECTED_FILE; echo' }, /label: must be letters/],
      ['category with a slash', { categories: [{ name: '../SR' }] }, /categories\.0\.name: must be letters|categories\[0\]\.name: must be letters/],
      ['process with a space', { processes: [{ name: 'sig nal', isSignal: true }] }, /processes.*name: must be letters/],
      ['dir escaping --out', { dir: '../elsewhere' }, /dir: must be a relative folder/],
      ['absolute dir', { dir: '/tmp/elsewhere' }, /dir: must be a relative folder/],
    ];
    for (const [i, [what, change, want]] of hostile.entries()) {
      const file = writeGraph(dir, `dc${i}`, `
  const h = g.node(histogramsKind, 'hists', [], {});
  g.datacard('cards', h, ${JSON.stringify({ ...SPEC, ...change })});
`);
      const r = await runInProcess(file, dir);
      assert.match(String(r.error), /node 'cards' \(datacard\)/, what);
      assert.match(String(r.error), want, what);
    }
    assert.ok(!existsSync(join(dir, '..', 'outside')) && !existsSync(join(dir, 'INJECTED_FILE')));
    assert.deepEqual(readdirSync(dir).filter((n) => /INJECTED|outside/.test(n)), []);
  });
});

test('shellQuote: every word comes back from sh exactly as given, nothing runs', async () => {
  await withTempDir(async (dir) => {
    const words = ['plain_word.txt', 'SR_2018=datacard_SR_x.txt', "it's", 'a b', '$(touch INJECTED)', '`touch INJECTED`', 'x; touch INJECTED', '"q"', '\\back', '*', ''];
    const script = `printf '%s\\n' ${words.map(shellQuote).join(' ')}`;
    const r = spawnSync('sh', ['-c', script], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').slice(0, -1), words);
    assert.ok(!existsSync(join(dir, 'INJECTED')));
  });
});

test('plot: two regions whose names make the same figure file are an error, not an overwrite', async () => {
  await withTempDir(async (dir) => {
    const file = writeGraph(dir, 'clash', `
  const h = g.node(histogramsKind, 'hists', [], { regions: ['SR 1', 'SR/1'] });
  g.node(plotKind(['Histograms']), 'figures', h, { histograms: { data: ['data'], signal: ['signal'] }, png: false });
`);
    const r = await runInProcess(file, dir);
    assert.equal(r.summary?.ok, false);
    const failed = r.events.find((e) => e.type === 'node-failed');
    assert.match(JSON.stringify(failed), /regions 'SR 1' and 'SR\/1' both make the figure figures\/hist_SR_1\.svg/);
  });
});
