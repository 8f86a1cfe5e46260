import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDatacard } from '../src/stats/build/datacard-parse.ts';
import { writeDatacard } from '../src/stats/build/datacard-write.ts';
import { convertDatacard, datacardToWorkspace } from '../src/stats/build/datacard-to-workspace.ts';
import { combineDatacards } from '../src/stats/build/datacard-combine-cards.ts';
import { shapeLocation } from '../src/stats/build/datacard-shapes.ts';
import type { TemplateHistogram } from '../src/stats/build/template-histograms.ts';
import { UserError } from '../src/errors.ts';

const CARDS = ['simple-counting-experiment', 'realistic-counting-experiment', 'template-analysis-datacard'];
const readCard = (name: string): string => readFileSync(new URL(`../../shared/data/combine/${name}.txt`, import.meta.url), 'utf8');

test('the Combine tutorial cards round-trip: parse -> write -> parse gives the same model', () => {
  for (const name of CARDS) {
    const card = parseDatacard(readCard(name), name);
    const again = parseDatacard(writeDatacard(card), `${name} (rewritten)`);
    assert.deepEqual(again, card, name);
  }
});

test('realistic counting card: columns, rates, lnN and gmN entries as written in the text', () => {
  const card = parseDatacard(readCard('realistic-counting-experiment'));
  assert.deepEqual([card.imax, card.jmax, card.kmax], [1, 3, 5]);
  assert.deepEqual(card.bins, ['bin1']);
  assert.deepEqual(card.observations, [0]);
  assert.deepEqual(card.columns.map((c) => [c.process, c.id, c.rate]), [['ggH', 0, 1.47], ['qqWW', 1, 0.64], ['ggWW', 2, 0.06], ['others', 3, 0.22]]);
  assert.deepEqual(card.uncertainties.map((u) => u.name), ['lumi', 'xs_ggH', 'WW_norm', 'xs_ggWW', 'bg_others']);
  assert.deepEqual(card.uncertainties[0]!.effects, [1.11, null, 1.11, null]);
  assert.deepEqual(card.uncertainties[2], { name: 'WW_norm', type: 'gmN', gmN: 4, effects: [null, 0.16, null, null] });
});

test('template card: shapes line, shape nuisances with scale, trailing comments dropped', () => {
  const card = parseDatacard(readCard('template-analysis-datacard'));
  assert.deepEqual(card.shapes, [{ process: '*', channel: '*', file: 'template-analysis-datacard-input.root', histogram: '$PROCESS', histogramWithSystematics: '$PROCESS_$SYSTEMATIC' }]);
  assert.deepEqual(card.observations, [85]);
  assert.deepEqual(card.uncertainties.map((u) => [u.name, u.type, u.effects]), [
    ['lumi', 'lnN', [1.1, 1]], ['bgnorm', 'lnN', [null, 1.3]], ['alpha', 'shape', [null, 1]], ['sigma', 'shape', [0.5, null]],
  ]);
});

const RICH_CARD = `
# two channels, process ids before names, every directive type
imax 2
jmax *
kmax *
---
shapes * * FAKE
---
bin          SR   CR
observation  10   200.5
---
bin      SR     SR    CR     CR
process  -1     1     -1     1
process  sig    bkg   sig    bkg
rate     2.5    7     0.1    190
---
eff      lnN    0.9/1.12  0.95/1.05  -   -
bkgunc   lnU    -         2          -   2
---
bkgSF rateParam CR bkg 1 [0,5]
bkgSF rateParam SR bkg 1 [0,5]
prod rateParam * sig (@0*@1) bkgSF,eff
eff param 0 1
* autoMCStats 10 1 2
sys group = eff bkgunc
sys group += bkgSF
nuisance edit freeze bkgunc
`;

test('a card with asymmetric lnN, lnU, rateParams, param, autoMCStats, groups round-trips', () => {
  const card = parseDatacard(RICH_CARD, 'rich.txt');
  assert.deepEqual(card.columns.map((c) => `${c.bin}/${c.process}/${c.id}/${c.rate}`), ['SR/sig/-1/2.5', 'SR/bkg/1/7', 'CR/sig/-1/0.1', 'CR/bkg/1/190']);
  assert.deepEqual(card.uncertainties[0]!.effects, [{ down: 0.9, up: 1.12 }, { down: 0.95, up: 1.05 }, null, null]);
  assert.deepEqual(card.rateParams, [
    { name: 'bkgSF', bin: 'CR', process: 'bkg', value: 1, range: [0, 5] },
    { name: 'bkgSF', bin: 'SR', process: 'bkg', value: 1, range: [0, 5] },
    { name: 'prod', bin: '*', process: 'sig', value: '(@0*@1)', args: 'bkgSF,eff' },
  ]);
  assert.deepEqual(card.params, [{ name: 'eff', mean: 0, sigma: 1 }]);
  assert.deepEqual(card.autoMCStats, [{ channel: '*', threshold: 10, includeSignal: true, histMode: 2 }]);
  assert.deepEqual(card.groups, [{ name: 'sys', members: ['eff', 'bkgunc', 'bkgSF'] }]);
  assert.deepEqual(card.other, ['nuisance edit freeze bkgunc']);
  assert.deepEqual(parseDatacard(writeDatacard(card)), card);
});

test('malformed cards name the file, line and entry', () => {
  const short = readCard('simple-counting-experiment').replace(/deltaB .*/, 'deltaB  lnN      -');
  assert.throws(() => parseDatacard(short, 'simple.txt'), (err: unknown) => err instanceof UserError && /^simple\.txt:\d+: lnN "deltaB": 1 entries for 2 columns/.test(err.message));
  const badRate = readCard('simple-counting-experiment').replace('4.76', 'four');
  assert.throws(() => parseDatacard(badRate, 'simple.txt'), /simple\.txt:\d+: rate of column 1: expected a number, got "four"/);
});

test('counting cards convert: lnN -> normsys (hi=kappa, lo=1/kappa), gmN -> shapesys 1/sqrt(N), signal gets r', () => {
  const ws = datacardToWorkspace(parseDatacard(readCard('simple-counting-experiment')));
  assert.deepEqual(ws.channels, [{
    name: 'bin1',
    samples: [
      { name: 'ggh4G', data: [4.76], modifiers: [{ name: 'r', type: 'normfactor', data: null }, { name: 'deltaS', type: 'normsys', data: { hi: 1.2, lo: 1 / 1.2 } }] },
      { name: 'Bckg', data: [1.47], modifiers: [{ name: 'deltaB', type: 'normsys', data: { hi: 1.5, lo: 1 / 1.5 } }] },
    ],
  }]);
  assert.deepEqual(ws.observations, [{ name: 'bin1', data: [0] }]);
  assert.deepEqual(ws.measurements[0]!.config, { poi: 'r', parameters: [{ name: 'r', inits: [1], bounds: [[0, 20]] }] });

  const real = datacardToWorkspace(parseDatacard(readCard('realistic-counting-experiment')));
  const qqWW = real.channels[0]!.samples.find((s) => s.name === 'qqWW')!;
  // rate 0.64 = 4 x 0.16; relative uncertainty 1/sqrt(4) -> sigma 0.32
  assert.deepEqual(qqWW.modifiers, [{ name: 'WW_norm', type: 'shapesys', data: [0.32] }]);
});

test('shape card converts with templates: rate normalisation, shape -> normsys + normalised histosys, scale 0.5, autoMCStats', () => {
  const card = parseDatacard(readCard('template-analysis-datacard') + 'ch1 autoMCStats 0\n');
  const e = [0, 1, 2, 3];
  const hists: Record<string, TemplateHistogram> = {
    data_obs: { edges: e, values: [30, 35, 20], variances: [30, 35, 20] },
    signal: { edges: e, values: [2, 8, 2], variances: [0.5, 1, 0.5] },        // integral 12, rate 24 -> x2
    signal_sigmaUp: { edges: e, values: [1, 10, 1], variances: [1, 1, 1] },   // same yield, narrower
    signal_sigmaDown: { edges: e, values: [3, 6, 3], variances: [1, 1, 1] },
    background: { edges: e, values: [40, 35, 25], variances: [4, 4, 4] },     // integral 100 = rate
    background_alphaUp: { edges: e, values: [44, 38.5, 27.5], variances: [4, 4, 4] }, // x1.1
    background_alphaDown: { edges: e, values: [40, 30, 20], variances: [4, 4, 4] },   // 90 -> 0.9
  };
  assert.throws(() => datacardToWorkspace(card), /pass the shapes/);
  const { data_obs: _obs, ...noData } = hists;
  assert.throws(() => datacardToWorkspace(card, (_f, o) => noData[o]), /channel "ch1": 3 bins but no data_obs histogram/);
  const { workspace: ws, notes } = convertDatacard(card, (file, object) => (file === 'template-analysis-datacard-input.root' ? hists[object] : undefined));
  assert.deepEqual(ws.observations, [{ name: 'ch1', data: [30, 35, 20] }]);
  const [sig, bkg] = ws.channels[0]!.samples as [typeof ws.channels[0]['samples'][0], typeof ws.channels[0]['samples'][0]];
  assert.deepEqual(sig.data, [4, 16, 4]);
  assert.deepEqual(sig.modifiers.map((m) => `${m.type}:${m.name}`), ['normfactor:r', 'normsys:lumi', 'normsys:sigma', 'histosys:sigma']);
  // signal templates have the nominal yield: kappa 1; scale 0.5 halves the shift: 4 + 0.5*(2-4) = 3, ...
  assert.deepEqual(sig.modifiers[2]!.data, { hi: 1, lo: 1 });
  assert.deepEqual(sig.modifiers[3]!.data, { hi_data: [3, 18, 3], lo_data: [5, 14, 5] });
  assert.deepEqual(bkg.data, [40, 35, 25]);
  assert.deepEqual(bkg.modifiers.map((m) => `${m.type}:${m.name}`), ['normsys:lumi', 'normsys:bgnorm', 'normsys:alpha', 'histosys:alpha', 'staterror:staterror_ch1']);
  const alphaNorm = bkg.modifiers[2]!.data as { hi: number; lo: number };
  assert.ok(Math.abs(alphaNorm.hi - 1.1) < 1e-12 && Math.abs(alphaNorm.lo - 0.9) < 1e-12);
  const alphaShape = bkg.modifiers[3]!.data as { hi_data: number[]; lo_data: number[] };
  [40, 35, 25].forEach((v, i) => assert.ok(Math.abs(alphaShape.hi_data[i]! - v) < 1e-9));
  [40 / 0.9, 30 / 0.9, 20 / 0.9].forEach((v, i) => assert.ok(Math.abs(alphaShape.lo_data[i]! - v) < 1e-9));
  assert.deepEqual(bkg.modifiers[4]!.data, [2, 2, 2]);
  // signal excluded from autoMCStats by default (include_signal 0)
  assert.ok(!sig.modifiers.some((m) => m.type === 'staterror'));
  assert.ok(notes.some((n) => /scale other than 1/.test(n)));
});

test('rich card conversion: rateParams become normfactors with inits and bounds, unsupported pieces are noted', () => {
  const { workspace: ws, notes } = convertDatacard(parseDatacard(RICH_CARD));
  const bkgSR = ws.channels.find((c) => c.name === 'SR')!.samples.find((s) => s.name === 'bkg')!;
  assert.deepEqual(bkgSR.modifiers.map((m) => `${m.type}:${m.name}`), ['normsys:eff', 'normfactor:bkgunc', 'normfactor:bkgSF']);
  assert.deepEqual(bkgSR.modifiers[0]!.data, { hi: 1.05, lo: 0.95 });
  const params = ws.measurements[0]!.config.parameters;
  assert.deepEqual(params.find((p) => p.name === 'bkgSF'), { name: 'bkgSF', inits: [1], bounds: [[0, 5]] });
  assert.deepEqual(params.find((p) => p.name === 'bkgunc'), { name: 'bkgunc', inits: [1], bounds: [[0.5, 2]] });
  assert.ok(notes.some((n) => /formula/.test(n)));
  assert.ok(notes.some((n) => /groups/.test(n)));
  assert.ok(notes.some((n) => /lnU/.test(n)));
});

test('combineDatacards (combineCards.py): channels renamed by label, nuisances merged, ids consistent, conversion per channel unchanged', () => {
  const simple = parseDatacard(readCard('simple-counting-experiment'));
  const realistic = parseDatacard(readCard('realistic-counting-experiment'));
  const rich = parseDatacard(RICH_CARD);
  const combined = combineDatacards([{ label: 'A', card: simple }, { label: 'B', card: realistic }, { label: 'C', card: rich }]);
  assert.deepEqual(combined.bins, ['A', 'B', 'C_SR', 'C_CR']);
  assert.deepEqual(combined.observations, [0, 0, 10, 200.5]);
  assert.deepEqual([combined.imax, combined.jmax, combined.kmax], [4, 7, 10]);
  // same process name -> same id; signals <= 0
  const ids = new Map(combined.columns.map((c) => [c.process, c.id]));
  assert.deepEqual([...ids.entries()], [['ggh4G', 0], ['Bckg', 1], ['ggH', -1], ['qqWW', 2], ['ggWW', 3], ['others', 4], ['sig', -2], ['bkg', 5]]);
  // a nuisance only in one card has '-' in the other cards' columns
  const lumi = combined.uncertainties.find((u) => u.name === 'lumi')!;
  assert.deepEqual(lumi.effects, [null, null, 1.11, null, 1.11, null, null, null, null, null]);
  assert.deepEqual(combined.rateParams.filter((r) => r.name === 'prod').map((r) => r.bin), ['C_SR', 'C_CR']);
  assert.deepEqual(combined.autoMCStats.map((a) => a.channel), ['C_SR', 'C_CR']);
  assert.deepEqual(parseDatacard(writeDatacard(combined)), combined);

  // each channel converts to what its own card gives
  const strip = (ws: ReturnType<typeof datacardToWorkspace>) => ws.channels.map((c) => c.samples);
  const whole = datacardToWorkspace(combined);
  assert.deepEqual(strip(whole).slice(0, 1), strip(datacardToWorkspace(simple)));
  assert.deepEqual(strip(whole).slice(1, 2), strip(datacardToWorkspace(realistic)));
  assert.throws(() => combineDatacards([{ label: 'A', card: simple }, { label: 'A', card: realistic }]), /label "A" used twice/);
});

test('shapes lines: a channel-specific line beats *, then a process-specific one; $CHANNEL and $MASS are filled in', () => {
  const card = parseDatacard(`imax 2
jmax 1
kmax 0
shapes * * all.root $CHANNEL/$PROCESS $CHANNEL/$PROCESS_$SYSTEMATIC
shapes bkg * bkg_$MASS.root $PROCESS_$CHANNEL
shapes * B b.root $PROCESS
shapes data_obs * FAKE
bin A B
observation 1 2
bin A A B B
process sig bkg sig bkg
process 0 1 0 1
rate 1 2 3 4
`);
  assert.deepEqual(shapeLocation(card, 'A', 'sig', undefined, '125'), { file: 'all.root', object: 'A/sig' });
  assert.deepEqual(shapeLocation(card, 'A', 'sig', 'jesUp'), { file: 'all.root', object: 'A/sig_jesUp' });
  assert.deepEqual(shapeLocation(card, 'A', 'bkg', undefined, '125'), { file: 'bkg_125.root', object: 'bkg_A' });
  assert.deepEqual(shapeLocation(card, 'B', 'bkg'), { file: 'b.root', object: 'bkg' });
  assert.equal(shapeLocation(card, 'A', 'data_obs'), undefined);
  assert.throws(() => shapeLocation(card, 'B', 'sig', 'jesUp'), /no histogram pattern for systematics/);
});

test('declared imax / jmax / kmax must match the card, as Combine requires', () => {
  const text = readCard('realistic-counting-experiment');
  assert.throws(() => parseDatacard(text.replace('kmax 5', 'kmax 4'), 'r.txt'), /r\.txt: kmax 4 but the card has 5 nuisance lines/);
  assert.throws(() => parseDatacard(text.replace('jmax 3', 'jmax 2'), 'r.txt'), /jmax 2 but the card has 3 processes minus 1/);
  assert.throws(() => parseDatacard(text.replace('imax 1', 'imax 2'), 'r.txt'), /imax 2 but the card has 1 channels/);
  assert.equal(parseDatacard(text.replace('kmax 5', 'kmax *')).kmax, '*');
});
