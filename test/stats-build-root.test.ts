import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectTemplates, readRootHistograms } from '../src/stats/build/root-histograms.ts';
import { buildWorkspace } from '../src/stats/build/workspace-builder.ts';
import { writeCombineOutputs } from '../src/stats/build/datacard-combine-outputs.ts';
import { loadDatacardShapes } from '../src/stats/build/datacard-shapes.ts';
import { datacardToWorkspace } from '../src/stats/build/datacard-to-workspace.ts';
import { createRootFile } from '../src/root/write/index.ts';
import type { TemplateHistogram } from '../src/stats/build/template-histograms.ts';
import { AGC_CONFIG_PATH, AGC_REFERENCE_HISTOS } from './stats-build-fixtures.ts';

const shared = (p: string): string => new URL(`../../shared/${p}`, import.meta.url).pathname;

test('TH1s read through jsroot match the uproot reference (edges, in-range contents)', async () => {
  const ref = JSON.parse(readFileSync(shared('refs/root/uproot-histograms.json'), 'utf8')) as {
    histograms: Record<string, { edges: number[]; values: number[] }>;
  };
  const hists = await readRootHistograms(shared('data/root/uproot-histograms.root'));
  assert.deepEqual([...hists.keys()].sort(), Object.keys(ref.histograms).sort());
  for (const [name, r] of Object.entries(ref.histograms)) {
    const h = hists.get(name)!;
    assert.equal(h.values.length, r.values.length, name);
    r.edges.forEach((e, i) => assert.ok(Math.abs(h.edges[i]! - e) < 1e-12, `${name} edge ${i}`));
    assert.deepEqual(Array.from(h.values), r.values, name);
  }
});

test('AGC: templates collected from a histograms.root give the same workspace as the in-memory histograms', async () => {
  const raw = JSON.parse(readFileSync(AGC_REFERENCE_HISTOS, 'utf8')) as Record<string, { contents: number[]; edges: number[] }>;
  const dir = await mkdtemp(join(tmpdir(), 'hepflow-cabinetry-'));
  try {
    const f = await createRootFile(join(dir, 'histograms.root'));
    const inMemory = new Map<string, TemplateHistogram>();
    for (const [name, h] of Object.entries(raw)) {
      const sumw2 = h.contents.map((v) => Math.abs(v) * 0.01);
      f.putHist(name, { edges: h.edges, values: h.contents, sumw2 });
      inMemory.set(name, { edges: h.edges, values: h.contents.slice(1, -1), variances: sumw2.slice(1, -1) });
    }
    await f.close();
    const collected = await collectTemplates(readFileSync(AGC_CONFIG_PATH, 'utf8'), { baseDir: dir });
    // every reference histogram is a template of this config: per region 1 data + 15 ttbar + 13 W+jets + 3 x 11 single top
    assert.equal(collected.size, 124);
    assert.deepEqual([...collected.keys()].sort(), Object.keys(raw).sort());
    const fromRoot = buildWorkspace(readFileSync(AGC_CONFIG_PATH, 'utf8'), collected);
    const fromMemory = buildWorkspace(readFileSync(AGC_CONFIG_PATH, 'utf8'), inMemory);
    assert.deepEqual(fromRoot, fromMemory);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('Combine shapes written as ROOT read back to the same pyhf workspace as the JSON shapes', async () => {
  const e = [0, 1, 2, 3];
  const hists: Record<string, TemplateHistogram> = {
    SR_sig_2024: { edges: e, values: [1, 2, 1], variances: [0.1, 0.2, 0.1] },
    SR_sig_2024_jesUp: { edges: e, values: [1.2, 2.1, 1], variances: [0.1, 0.2, 0.1] },
    SR_sig_2024_jesDown: { edges: e, values: [0.9, 1.9, 1], variances: [0.1, 0.2, 0.1] },
    SR_bkg_2024: { edges: e, values: [10, 8, 6], variances: [1, 1, 1] },
    SR_data_2024: { edges: e, values: [11, 9, 8], variances: [11, 9, 8] },
  };
  const spec = {
    years: ['2024'],
    processes: [{ name: 'sig', isSignal: true }, { name: 'bkg', isSignal: false, hasRateParam: true }],
    data: { samples: ['data'] },
    systematics: [{ name: 'jes', type: 'shape' as const, processes: ['sig'] }, { name: 'lumi', type: 'lnN' as const, processes: ['sig', 'bkg'], value: 1.016 }],
    categories: [{ name: 'SR' }],
  };
  const dir = await mkdtemp(join(tmpdir(), 'hepflow-shapes-'));
  try {
    const rootOut = await writeCombineOutputs(join(dir, 'root'), spec, hists);
    const jsonOut = await writeCombineOutputs(join(dir, 'json'), spec, hists, { shapesFormat: 'json' });
    const rootCard = rootOut.cards[0]!.card;
    const jsonCard = jsonOut.cards[0]!.card;
    const wsRoot = datacardToWorkspace(rootCard, await loadDatacardShapes(rootCard, join(dir, 'root')));
    const wsJson = datacardToWorkspace(jsonCard, await loadDatacardShapes(jsonCard, join(dir, 'json')));
    assert.deepEqual(wsRoot, wsJson);
    assert.deepEqual(wsRoot.observations[0]!.data, [11, 9, 8]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('unreadable inputs are named in the error', async () => {
  await assert.rejects(readRootHistograms('/nonexistent/histograms.root'), /cannot open ROOT file \/nonexistent\/histograms\.root: no such file/);
  await assert.rejects(collectTemplates(readFileSync(AGC_CONFIG_PATH, 'utf8'), { baseDir: '/nonexistent' }), /\/nonexistent\/histograms\.root/);
});
