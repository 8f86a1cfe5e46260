// histograms.root / histograms.json written by the fill/merge outputs, read back with jsroot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Hist, regular, strCategory, emptyArtifact, toData } from '../src/hist/index.ts';
import { writeHistogramOutputs } from '../src/analysis/histogram-outputs.ts';
import { AGC_PSEUDODATA } from '../src/analysis/agc.ts';
import type { OutputContext } from '../src/engine/node-kind.ts';

test('histograms.root with cabinetry names, AGC rebinning and pseudodata; jsroot reads the same contents', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-hist-out-'));
  try {
    const h = new Hist([regular(25, 50, 550, { name: 'observable', label: 'HT [GeV]' }), strCategory(['4j1b', '4j2b'], { name: 'region' }),
      strCategory([], { name: 'process', growth: true }), strCategory([], { name: 'variation', growth: true })]);
    const xs = Float64Array.from({ length: 400 }, (_, i) => 40 + ((i * 37) % 540));
    const w = Float64Array.from(xs, (_, i) => 0.5 + (i % 3));
    for (const region of ['4j1b', '4j2b']) {
      h.fill({ observable: xs, region, process: 'ttbar', variation: 'ME_var' }, w);
      h.fill({ observable: xs.map((x) => x * 0.9), region, process: 'ttbar', variation: 'PS_var' }, w);
      h.fill({ observable: xs.map((x) => x * 1.1), region, process: 'wjets', variation: 'nominal' }, 2);
    }
    const a = emptyArtifact();
    a.hists.agc = toData(h);
    const ctx: OutputContext = {
      graph: 'g', node: 'merge', outDir: dir, signal: new AbortController().signal, log() {}, warn() {},
      async writeFile(rel, data) { mkdirSync(dirname(join(dir, rel)), { recursive: true }); writeFileSync(join(dir, rel), data); },
    };
    await writeHistogramOutputs(a, { root: 'histograms.root', json: 'histograms.json', rebinFrom: { axis: 'observable', lo: 110, factor: 2 },
      sums: { '4j1b_pseudodata': AGC_PSEUDODATA('4j1b') } }, ctx);
    const json = JSON.parse(readFileSync(join(dir, 'histograms.json'), 'utf8')) as Record<string, { contents: number[]; edges: number[] }>;
    // expected by hand: rebinned 4j1b wjets from the raw fill values
    const expect = new Array(13).fill(0);
    for (const x of xs.map((v) => v * 1.1)) expect[x < 110 ? 0 : x >= 550 ? 12 : 1 + Math.floor((x - 110) / 40)] += 2;
    json['4j1b_wjets']!.contents.forEach((v, i) => assert.ok(Math.abs(v - expect[i]) < 1e-9, `bin ${i}: ${v} vs ${expect[i]}`));
    const pd = json['4j1b_pseudodata']!.contents, me = json['4j1b_ttbar_ME_var']!.contents, ps = json['4j1b_ttbar_PS_var']!.contents;
    pd.forEach((v, i) => assert.ok(Math.abs(v - (0.5 * me[i]! + 0.5 * ps[i]! + expect[i])) < 1e-9));
    assert.ok(!('4j1b_ttbar' in json) || json['4j1b_ttbar'].contents.every((v) => v === 0));

    const { openFile } = await import('jsroot');
    const f = await openFile(join(dir, 'histograms.root'));
    const th = (await f.readObject('4j1b_wjets')) as { fArray: ArrayLike<number>; fSumw2: ArrayLike<number>; fXaxis: { fXmin: number; fXmax: number; fNbins: number } };
    assert.equal(th.fXaxis.fNbins, 11);
    assert.equal(th.fXaxis.fXmin, 110);
    assert.equal(th.fXaxis.fXmax, 550);
    Array.from(th.fArray).forEach((v, i) => assert.ok(Math.abs(v - expect[i]) < 1e-9, `root bin ${i}`));
    Array.from(th.fSumw2).forEach((v, i) => assert.ok(Math.abs(v - 2 * expect[i]) < 1e-9, `root sumw2 bin ${i}`)); // weight 2: w^2 = 2w
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
