import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCategoryDatacard, writeCombineOutputs } from '../src/stats/build/datacard-combine-outputs.ts';
import type { CombineSpec } from '../src/stats/build/datacard-combine-outputs.ts';
import { parseDatacard } from '../src/stats/build/datacard-parse.ts';
import { loadDatacardShapes } from '../src/stats/build/datacard-shapes.ts';
import { datacardToWorkspace } from '../src/stats/build/datacard-to-workspace.ts';
import type { TemplateHistogram } from '../src/stats/build/template-histograms.ts';
import { checkConsistency, loadWorkspace } from '../src/stats/workspace.ts';

const YEARS = ['2022', '2023'];
// seed 004's pattern: per-year columns, lumi decorrelated by year, xsec per process, a shape
// correlated across years, one decorrelated per year reading the year-agnostic variation
const SPEC: CombineSpec = {
  years: YEARS,
  processes: [
    { name: 'signal', samples: ['SigA', 'SigB'], isSignal: true },
    { name: 'ttbar', samples: ['TTbar'], isSignal: false, hasRateParam: true },
    { name: 'vjets', isSignal: false },
  ],
  data: { samples: ['DATA_Mu'] },
  systematics: [
    { name: 'lumi_2022', type: 'lnN', processes: ['signal', 'ttbar', 'vjets'], years: ['2022'], value: 1.014 },
    { name: 'lumi_2023', type: 'lnN', processes: ['signal', 'ttbar', 'vjets'], years: ['2023'], value: 1.013 },
    { name: 'xsec', type: 'lnN', processes: { ttbar: 1.06, vjets: [0.95, 1.08] } },
    { name: 'jes', type: 'shape', processes: ['signal', 'ttbar', 'vjets'], value: 1 },
    { name: 'pileup_2023', type: 'shape', processes: ['ttbar'], years: ['2023'], variationAlias: 'pileup' },
  ],
  categories: [{ name: 'SR', binEdges: [0, 2, 4] }, { name: 'CR' }],
  label: 'run3',
  binSuffix: 'run3',
};

const EDGES = [0, 1, 2, 3, 4];
function makeHists(): Record<string, TemplateHistogram> {
  const out: Record<string, TemplateHistogram> = {};
  const put = (name: string, values: number[]) => (out[name] = { edges: EDGES, values, variances: values.map((v) => v / 10) });
  for (const cat of ['SR', 'CR']) {
    for (const [y, year] of YEARS.entries()) {
      const k = 1 + y;
      put(`${cat}_SigA_${year}`, [1, 2, 3, 4].map((v) => v * k));
      put(`${cat}_SigB_${year}`, [0.5, 0.5, 0.5, 0.5]);
      put(`${cat}_TTbar_${year}`, [10, 20, 30, 40].map((v) => v * k));
      put(`${cat}_vjets_${year}`, [5, 5, 5, 5]);
      put(`${cat}_DATA_Mu_${year}`, [20, 30, 40, 50]);
      for (const s of ['SigA', 'SigB', 'TTbar']) {
        out[`${cat}_${s}_${year}_jesUp`] = { ...out[`${cat}_${s}_${year}`]!, values: Array.from(out[`${cat}_${s}_${year}`]!.values, (v) => v * 1.1) };
        out[`${cat}_${s}_${year}_jesDown`] = { ...out[`${cat}_${s}_${year}`]!, values: Array.from(out[`${cat}_${s}_${year}`]!.values, (v) => v * 0.9) };
      }
      put(`${cat}_TTbar_${year}_pileupUp`, [11, 21, 31, 41].map((v) => v * k));
      put(`${cat}_TTbar_${year}_pileupDown`, [9, 19, 29, 39].map((v) => v * k));
      // vjets has no jes variation: PocketCoffea falls back to nominal and says so
    }
  }
  return out;
}

test('PocketCoffea-style card: per-year columns, ids, rates, correlations by year, rateParams, autoMCStats', () => {
  const { card, bin, shapes, notices } = buildCategoryDatacard(SPEC, 'SR', makeHists());
  assert.equal(bin, 'SR_run3');
  assert.deepEqual(card.columns.map((c) => [c.process, c.id]), [
    ['signal_2022', 0], ['signal_2023', -1], ['ttbar_2022', 1], ['ttbar_2023', 2], ['vjets_2022', 3], ['vjets_2023', 4],
  ]);
  // rates: in-range sums of the summed samples after merging onto [0, 2, 4]
  assert.deepEqual(card.columns.map((c) => c.rate), [10 + 2, 20 + 2, 100, 200, 20, 20]);
  assert.deepEqual([card.imax, card.jmax, card.kmax], [1, 5, 5]);
  assert.deepEqual(card.observations, [2 * 140]);
  const effects = Object.fromEntries(card.uncertainties.map((u) => [u.name, u.effects]));
  assert.deepEqual(effects.lumi_2022, [1.014, null, 1.014, null, 1.014, null]);
  assert.deepEqual(effects.lumi_2023, [null, 1.013, null, 1.013, null, 1.013]);
  assert.deepEqual(effects.xsec, [null, null, 1.06, 1.06, { down: 0.95, up: 1.08 }, { down: 0.95, up: 1.08 }]);
  assert.deepEqual(effects.jes, [1, 1, 1, 1, 1, 1]);
  assert.deepEqual(effects.pileup_2023, [null, null, null, 1, null, null]);
  assert.deepEqual(card.rateParams, [
    { name: 'SF_ttbar', bin: '*', process: 'ttbar_2022', value: 1, range: [0, 5] },
    { name: 'SF_ttbar', bin: '*', process: 'ttbar_2023', value: 1, range: [0, 5] },
  ]);
  assert.deepEqual(card.autoMCStats, [{ channel: 'SR_run3', threshold: 0, includeSignal: false, histMode: 1 }]);
  assert.deepEqual(card.shapes, [{ process: '*', channel: 'SR_run3', file: 'shapes_SR_run3.root', histogram: '$PROCESS_nominal', histogramWithSystematics: '$PROCESS_$SYSTEMATIC' }]);

  assert.deepEqual(Array.from(shapes.get('ttbar_2023_nominal')!.yields), [60, 140]);
  assert.deepEqual(Array.from(shapes.get('ttbar_2023_pileup_2023Up')!.yields), [64, 144]);
  assert.ok(!shapes.has('ttbar_2022_pileup_2023Up'));
  assert.deepEqual(Array.from(shapes.get('vjets_2022_jesUp')!.yields), [10, 10]);
  assert.deepEqual(Array.from(shapes.get('data_obs_nominal')!.yields), [100, 180]);
  assert.ok(notices.some((n) => n.includes('"jesUp" to the nominal variation for sample vjets')));
});

test('writeCombineOutputs (JSON shapes): cards parse back, convert to pyhf with the input yields, script runs combine', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hepflow-datacards-'));
  try {
    const out = await writeCombineOutputs(dir, SPEC, makeHists(), { shapesFormat: 'json' });
    assert.deepEqual(out.cards.map((c) => c.bin), ['SR_run3', 'CR_run3']);
    const text = await readFile(join(dir, 'datacard_CR_run3.txt'), 'utf8');
    const card = parseDatacard(text, 'datacard_CR_run3.txt');
    assert.deepEqual(card, out.cards[1]!.card);
    assert.match(text, /^SF_ttbar rateParam \* ttbar_2022 1 \[0,5\]$/m);
    assert.match(text, /^CR_run3 autoMCStats 0 0 1$/m);

    const ws = datacardToWorkspace(card, await loadDatacardShapes(card, dir));
    const ch = ws.channels[0]!;
    assert.deepEqual(ch.samples.find((s) => s.name === 'ttbar_2023')!.data, [20, 40, 60, 80]);
    assert.deepEqual(ws.observations[0]!.data, [40, 60, 80, 100]);
    const ttbar22 = ch.samples.find((s) => s.name === 'ttbar_2022')!;
    assert.deepEqual(ttbar22.modifiers.map((m) => `${m.type}:${m.name}`), [
      'normsys:lumi_2022', 'normsys:xsec', 'normsys:jes', 'histosys:jes', 'normfactor:SF_ttbar', 'staterror:staterror_CR_run3',
    ]);
    const jes = ttbar22.modifiers.find((m) => m.type === 'normsys' && m.name === 'jes')!.data as { hi: number; lo: number };
    assert.ok(Math.abs(jes.hi - 1.1) < 1e-12 && Math.abs(jes.lo - 0.9) < 1e-12);
    assert.deepEqual(ws.measurements[0]!.config.parameters.find((p) => p.name === 'SF_ttbar'), { name: 'SF_ttbar', inits: [1], bounds: [[0, 5]] });

    // the combined model as a pyhf workspace, next to the cards
    const combinedWs = loadWorkspace(JSON.parse(await readFile(out.workspacePath, 'utf8')), out.workspacePath);
    assert.deepEqual(checkConsistency(combinedWs), []);
    assert.deepEqual(combinedWs.channels.map((c) => c.name), ['SR_run3', 'CR_run3']);
    assert.deepEqual(combinedWs.channels[1], ws.channels[0]);
    assert.deepEqual(combinedWs.observations[1], ws.observations[0]);

    const script = await readFile(out.scriptPath, 'utf8');
    assert.match(script, /^combineCards\.py SR_run3=datacard_SR_run3\.txt CR_run3=datacard_CR_run3\.txt > datacard_combined_run3\.txt$/m);
    assert.match(script, /^text2workspace\.py datacard_combined_run3\.txt -o workspace_run3\.root$/m);
    assert.match(script, /^combine -M FitDiagnostics -d workspace_run3\.root/m);
    assert.match(script, /^combine -M AsymptoticLimits -d workspace_run3\.root/m);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('spec errors name the key path', () => {
  assert.throws(() => buildCategoryDatacard({ ...SPEC, processes: [{ name: 'x', isSignal: 'yes' }] } as never, 'SR', {}), /processes\[0\]\.isSignal: expected boolean/);
  assert.throws(() => buildCategoryDatacard({ ...SPEC, systematics: [{ name: 'a', type: 'lnN', processes: ['nope'], value: 1.1 }] }, 'SR', {}), /systematics\[0\]\.processes: unknown process "nope"/);
  assert.throws(() => buildCategoryDatacard(SPEC, 'SR', {}), /missing histogram "SR_SigA_2022"/);
});

test('blinded spec (no data): observation -1, the pyhf workspace gets background-only Asimov data', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hepflow-blind-'));
  try {
    const { data: _data, ...blind } = SPEC;
    const out = await writeCombineOutputs(dir, { ...blind, categories: [{ name: 'CR' }] }, makeHists(), { shapesFormat: 'json' });
    assert.deepEqual(out.cards[0]!.card.observations, [-1]);
    // backgrounds: ttbar (x1 in 2022, x2 in 2023) + vjets in both years
    assert.deepEqual(out.workspace.observations[0]!.data, [10 + 20 + 10, 20 + 40 + 10, 30 + 60 + 10, 40 + 80 + 10]);
    assert.ok(out.conversionNotes.some((n) => /Asimov/.test(n)));
    assert.match(await readFile(out.scriptPath, 'utf8'), /-t -1/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
