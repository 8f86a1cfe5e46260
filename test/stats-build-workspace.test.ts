import { test } from 'node:test';
import { inspectCounts } from '../src/cli/inspect.ts';
import { buildModel } from '../src/stats/model.ts';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildWorkspace, requiredHistogramNames, systematicUpDownHistogramName } from '../src/stats/build/workspace-builder.ts';
import { readCabinetryConfig } from '../src/stats/build/cabinetry-config.ts';
import type { TemplateHistogram } from '../src/stats/build/template-histograms.ts';
import type { Modifier, Sample, Workspace } from '../src/stats/build/pyhf-types.ts';
import { AGC_CONFIG_PATH, AGC_REFERENCE_HISTOS, HZZ_CONFIG_YAML, TUTORIAL_CONFIG_YAML } from './stats-build-fixtures.ts';

const h = (edges: number[], values: number[], variances?: number[]): TemplateHistogram => ({
  edges, values, variances: variances ?? values.map((v) => v),
});

function closeArray(actual: number[], expected: number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tol * Math.max(1, Math.abs(expected[i]!)), `[${i}] ${a} != ${expected[i]}`));
}

const findSample = (ws: Workspace, channel: string, sample: string): Sample => {
  const c = ws.channels.find((ch) => ch.name === channel);
  assert.ok(c, `channel ${channel}`);
  const s = c.samples.find((x) => x.name === sample);
  assert.ok(s, `sample ${sample} in ${channel}`);
  return s;
};
const mod = (s: Sample, name: string, type: Modifier['type']): Modifier => {
  const m = s.modifiers.find((x) => x.name === name && x.type === type);
  assert.ok(m, `${type} ${name} on ${s.name}`);
  return m;
};

// Two regions, three samples, a Normalization and NormPlusShape systematics (one symmetrised).
// Expected numbers below follow cabinetry's documented rules, computed by hand:
//   normsys hi/lo = yield(variation) / yield(nominal); histosys = variation * yield(nominal)/yield(variation);
//   symmetrised side: ratio 2 - r, template 2*nominal - normalised variation; one bin: no histosys.
const SMALL_CONFIG = {
  General: {
    Measurement: 'small', POI: 'mu', HistogramFolder: 'histograms/',
    InputPath: 'h.root:{RegionPath}_{SamplePath}{VariationPath}', VariationPath: '',
    Fixed: [{ Name: 'bkgnorm', Value: 1.2 }],
  },
  Regions: [
    { Name: 'Signal region', RegionPath: 'SR' },
    { Name: 'CR', RegionPath: 'CR', Binning: [0, 2] },
  ],
  Samples: [
    { Name: 'Data', SamplePath: 'data', Data: true },
    { Name: 'Signal', SamplePath: 'sig', Regions: 'Signal region' },
    { Name: 'Bkg A', SamplePath: 'bkgA' },
    { Name: 'Bkg B', SamplePath: 'bkgB', DisableStaterror: true },
  ],
  NormFactors: [
    { Name: 'mu', Samples: 'Signal', Nominal: 1, Bounds: [0, 5] },
    { Name: 'bkgnorm', Samples: ['Bkg B'], Regions: 'CR' },
  ],
  Systematics: [
    { Name: 'xsec A', Type: 'Normalization', Up: { Normalization: 0.1 }, Down: { Normalization: -0.08 }, Samples: 'Bkg A', ModifierName: 'xsA' },
    { Name: 'jes', Type: 'NormPlusShape', Up: { VariationPath: '_jes_up' }, Down: { VariationPath: '_jes_down' }, Samples: 'Bkg B' },
    { Name: 'jes A', Type: 'NormPlusShape', Up: { VariationPath: '_jes_up' }, Down: { Symmetrize: true }, Samples: 'Bkg A' },
  ],
};
const E3 = [0, 1, 2, 3];
const E2 = [0, 1, 2];
const SMALL_HISTS: Record<string, TemplateHistogram> = {
  SR_data: h(E3, [12, 15, 9]),
  SR_sig: h(E3, [2, 4, 1], [0.04, 0.09, 0.01]),
  SR_bkgA: h(E3, [5, 6, 4], [0.25, 0.36, 0.16]),
  SR_bkgA_jes_up: h(E3, [6, 6, 4.5]),
  SR_bkgB: h(E3, [3, 3, 2]),
  SR_bkgB_jes_up: h(E3, [3.3, 3.3, 2.4]),
  SR_bkgB_jes_down: h(E3, [2.8, 2.7, 2.1]),
  CR_data: h(E2, [20, 21]),
  CR_bkgA: h(E2, [10, 20], [1, 4]),
  CR_bkgA_jes_up: h(E2, [11, 22]),
  CR_bkgB: h(E2, [5, 5]),
  CR_bkgB_jes_up: h(E2, [5, 6]),
  CR_bkgB_jes_down: h(E2, [4.5, 4.5]),
};

test('hand-computed 2-region workspace: yields, staterror, normfactors, normsys, histosys, symmetrisation', () => {
  const ws = buildWorkspace(SMALL_CONFIG, SMALL_HISTS);
  assert.equal(ws.version, '1.0.0');
  assert.deepEqual(ws.channels.map((c) => c.name), ['Signal region', 'CR']);
  assert.deepEqual(ws.channels[0]!.samples.map((s) => s.name), ['Signal', 'Bkg A', 'Bkg B']);
  assert.deepEqual(ws.channels[1]!.samples.map((s) => s.name), ['Bkg A', 'Bkg B']);
  assert.deepEqual(ws.observations, [{ name: 'Signal region', data: [12, 15, 9] }, { name: 'CR', data: [41] }]);

  const sig = findSample(ws, 'Signal region', 'Signal');
  assert.deepEqual(sig.data, [2, 4, 1]);
  assert.deepEqual(sig.modifiers.map((m) => `${m.type}:${m.name}`), ['staterror:staterror_Signal-region', 'normfactor:mu']);
  closeArray(mod(sig, 'staterror_Signal-region', 'staterror').data as number[], [0.2, 0.3, 0.1]);

  const a = findSample(ws, 'Signal region', 'Bkg A');
  assert.deepEqual(a.modifiers.map((m) => `${m.type}:${m.name}`),
    ['staterror:staterror_Signal-region', 'normsys:xsA', 'normsys:jes A', 'histosys:jes A']);
  assert.deepEqual(mod(a, 'xsA', 'normsys').data, { hi: 1.1, lo: 0.92 });
  // up yield 16.5 / nominal 15 = 1.1; symmetrised down = 0.9
  const aNorm = mod(a, 'jes A', 'normsys').data as { hi: number; lo: number };
  assert.ok(Math.abs(aNorm.hi - 1.1) < 1e-12 && Math.abs(aNorm.lo - 0.9) < 1e-12);
  const aShape = mod(a, 'jes A', 'histosys').data as { hi_data: number[]; lo_data: number[] };
  closeArray(aShape.hi_data, [6 / 1.1, 6 / 1.1, 4.5 / 1.1]);
  closeArray(aShape.lo_data, [10 - 6 / 1.1, 12 - 6 / 1.1, 8 - 4.5 / 1.1]);

  const b = findSample(ws, 'Signal region', 'Bkg B');
  assert.deepEqual(b.modifiers.map((m) => `${m.type}:${m.name}`), ['normsys:jes', 'histosys:jes']);
  const bNorm = mod(b, 'jes', 'normsys').data as { hi: number; lo: number };
  assert.ok(Math.abs(bNorm.hi - 9 / 8) < 1e-12 && Math.abs(bNorm.lo - 7.6 / 8) < 1e-12);
  const bShape = mod(b, 'jes', 'histosys').data as { hi_data: number[]; lo_data: number[] };
  closeArray(bShape.hi_data, [3.3 * 8 / 9, 3.3 * 8 / 9, 2.4 * 8 / 9]);
  closeArray(bShape.lo_data, [2.8 * 8 / 7.6, 2.7 * 8 / 7.6, 2.1 * 8 / 7.6]);

  // CR: merged onto Binning [0, 2]; a single bin gets normsys only
  const crA = findSample(ws, 'CR', 'Bkg A');
  assert.deepEqual(crA.data, [30]);
  closeArray(mod(crA, 'staterror_CR', 'staterror').data as number[], [Math.sqrt(5)]);
  assert.deepEqual(crA.modifiers.map((m) => `${m.type}:${m.name}`), ['staterror:staterror_CR', 'normsys:xsA', 'normsys:jes A']);
  const crB = findSample(ws, 'CR', 'Bkg B');
  assert.deepEqual(crB.modifiers.map((m) => `${m.type}:${m.name}`), ['normfactor:bkgnorm', 'normsys:jes']);
  const crBNorm = mod(crB, 'jes', 'normsys').data as { hi: number; lo: number };
  assert.ok(Math.abs(crBNorm.hi - 1.1) < 1e-12 && Math.abs(crBNorm.lo - 0.9) < 1e-12);

  assert.deepEqual(ws.measurements, [{
    name: 'small',
    config: {
      parameters: [
        { name: 'mu', inits: [1], bounds: [[0, 5]] },
        { name: 'bkgnorm', inits: [1.2], fixed: true },
      ],
      poi: 'mu',
    },
  }]);
});

test('workspace output is plain JSON (no typed arrays) and requiredHistogramNames lists the inputs', () => {
  const ws = buildWorkspace(SMALL_CONFIG, SMALL_HISTS);
  assert.deepEqual(JSON.parse(JSON.stringify(ws)), ws);
  assert.deepEqual(new Set(requiredHistogramNames(SMALL_CONFIG)), new Set(Object.keys(SMALL_HISTS)));
});

test('missing histogram and non-nesting binning name the histogram, region and sample', () => {
  const { SR_bkgB_jes_down: _drop, ...partial } = SMALL_HISTS;
  assert.throws(() => buildWorkspace(SMALL_CONFIG, partial), /missing histogram "SR_bkgB_jes_down".*region "Signal region".*sample "Bkg B".*systematic "jes" Down\); similar names: SR_bkgB_jes_up, /);
  const badBinning = { ...SMALL_CONFIG, Regions: [SMALL_CONFIG.Regions[0]!, { ...SMALL_CONFIG.Regions[1]!, Binning: [0, 1.5] }] };
  assert.throws(() => buildWorkspace(badBinning, SMALL_HISTS), /"CR_bkgA".*cannot be merged into the region Binning \[0, 1\.5\]/);
});

test('Up symmetrised from Down mirrors the ratios; Luminosity extension adds lumi with its measurement config', () => {
  const cfg = structuredClone(SMALL_CONFIG) as typeof SMALL_CONFIG & { General: Record<string, unknown> };
  cfg.Systematics[2] = { Name: 'jes A', Type: 'NormPlusShape', Up: { Symmetrize: true }, Down: { VariationPath: '_jes_up' }, Samples: 'Bkg A' } as never;
  cfg.General.Luminosity = { Uncertainty: 0.02 };
  const ws = buildWorkspace(cfg, SMALL_HISTS);
  const a = findSample(ws, 'Signal region', 'Bkg A');
  const n = mod(a, 'jes A', 'normsys').data as { hi: number; lo: number };
  assert.ok(Math.abs(n.lo - 1.1) < 1e-12 && Math.abs(n.hi - 0.9) < 1e-12);
  const s = mod(a, 'jes A', 'histosys').data as { hi_data: number[]; lo_data: number[] };
  closeArray(s.lo_data, [6 / 1.1, 6 / 1.1, 4.5 / 1.1]);
  closeArray(s.hi_data, [10 - 6 / 1.1, 12 - 6 / 1.1, 8 - 4.5 / 1.1]);
  mod(a, 'lumi', 'lumi');
  const lumiPar = ws.measurements[0]!.config.parameters.find((p) => p.name === 'lumi');
  assert.deepEqual(lumiPar?.auxdata, [1]);
  assert.deepEqual(lumiPar?.sigmas, [0.02]);
});

test('Smoothing "353QH, twice" keeps the variation yield and leaves a smooth ratio unchanged', () => {
  const edges = Array.from({ length: 9 }, (_, i) => i);
  const nominal = [10, 12, 14, 13, 11, 9, 7, 5];
  const linearRatio = nominal.map((v, i) => v * (1 + 0.01 * i)); // a linear ratio is a fixed point
  const cfg = {
    General: { Measurement: 'm', POI: 'mu', HistogramFolder: 'h/', InputPath: 'f.root:{SamplePath}{VariationPath}' },
    Regions: [{ Name: 'R' }],
    Samples: [{ Name: 'Data', SamplePath: 'data', Data: true }, { Name: 'S', SamplePath: 's' }],
    NormFactors: [{ Name: 'mu', Samples: 'S' }],
    Systematics: [{ Name: 'v', Type: 'NormPlusShape', Up: { VariationPath: '_up' }, Down: { Symmetrize: true }, Smoothing: { Algorithm: '353QH, twice' } }],
  };
  const ws = buildWorkspace(cfg, { data: h(edges, nominal), s: h(edges, nominal), s_up: h(edges, linearRatio) });
  const hs = mod(findSample(ws, 'R', 'S'), 'v', 'histosys').data as { hi_data: number[] };
  const r = linearRatio.reduce((x, y) => x + y) / nominal.reduce((x, y) => x + y);
  closeArray(hs.hi_data, linearRatio.map((v) => v / r), 1e-9);
});

test('seed 000 (H->ZZ*) config builds with its notebook histogram names', () => {
  const edges = Array.from({ length: 35 }, (_, i) => 80 + 5 * i);
  const bins = (scale: number) => edges.slice(1).map((_, i) => scale * (1 + Math.sin(i / 3) ** 2));
  const hists: Record<string, TemplateHistogram> = { data: h(edges, bins(3).map(Math.round)) };
  for (const [s, k] of [['signal', 0.5], ['ZZ', 2], ['Z_tt', 0.7]] as const) {
    hists[s] = h(edges, bins(k));
    hists[`${s}_SF_up`] = h(edges, bins(k * 1.05));
    hists[`${s}_SF_down`] = h(edges, bins(k * 0.96));
    hists[`${s}_m4l_up`] = h(edges, bins(k * 1.01));
    hists[`${s}_m4l_down`] = h(edges, bins(k * 0.99));
  }
  const ws = buildWorkspace(HZZ_CONFIG_YAML, hists);
  assert.deepEqual(ws.channels.map((c) => c.name), ['Signal_region']);
  assert.equal(ws.observations[0]!.data.length, 34);
  assert.deepEqual(ws.channels[0]!.samples.map((s) => s.name), ['Signal', 'Background ZZ*', 'Background Z, ttbar']);
  const zz = findSample(ws, 'Signal_region', 'Background ZZ*');
  assert.deepEqual(zz.modifiers.map((m) => `${m.type}:${m.name}`), [
    'staterror:staterror_Signal_region', 'normsys:Scalefactor_variation', 'histosys:Scalefactor_variation',
    'normsys:m4l_variation', 'histosys:m4l_variation', 'normsys:ZZ_norm',
  ]);
  assert.deepEqual(mod(zz, 'ZZ_norm', 'normsys').data, { hi: 1.1, lo: 0.9 });
  const sf = mod(zz, 'Scalefactor_variation', 'normsys').data as { hi: number; lo: number };
  assert.ok(Math.abs(sf.hi - 1.05) < 1e-12 && Math.abs(sf.lo - 0.96) < 1e-12);
  // the parameters the notebook's fit reports
  const names = new Set(ws.channels.flatMap((c) => c.samples.flatMap((s) => s.modifiers.map((m) => m.name))));
  assert.deepEqual([...names].sort(), ['Scalefactor_variation', 'Signal_norm', 'ZZ_norm', 'm4l_variation', 'staterror_Signal_region']);
  assert.equal(ws.measurements[0]!.config.poi, 'Signal_norm');
});

interface AgcHist { contents: number[]; edges: number[] }

test('AGC config builds against the AGC reference histograms (all samples and variations present)', () => {
  const config = readCabinetryConfig(AGC_CONFIG_PATH);
  const raw = JSON.parse(readFileSync(AGC_REFERENCE_HISTOS, 'utf8')) as Record<string, AgcHist>;
  // reference contents carry under- and overflow; the builder takes in-range bins
  const hists = (name: string): TemplateHistogram | undefined => {
    const r = raw[name];
    if (r === undefined) return undefined;
    const values = r.contents.slice(1, -1);
    return { edges: r.edges, values, variances: values.map((v) => Math.abs(v)) };
  };
  const ws = buildWorkspace(config, hists);
  assert.deepEqual(ws.channels.map((c) => c.name), ['4j1b CR', '4j2b SR']);
  // pyhf inspect in seed 003: 2 channels, 5 samples, 14 parameters / modifiers, 11 bins per channel
  const samples = new Set(ws.channels.flatMap((c) => c.samples.map((s) => s.name)));
  assert.equal(samples.size, 5);
  const modifierNames = new Set(ws.channels.flatMap((c) => c.samples.flatMap((s) => s.modifiers.map((m) => m.name))));
  assert.equal(modifierNames.size, 14);
  assert.deepEqual(inspectCounts(ws, buildModel(ws)), { parameters: 14, modifiers: 14 }); // flow inspect's summary
  for (const c of ws.channels) for (const s of c.samples) assert.equal(s.data.length, 11);

  // rebinned onto 110..550 in 40 GeV steps: sum of the 20 GeV bins pairwise, from 110 GeV (input bin 3)
  const merged = (name: string) => {
    const v = raw[name]!.contents.slice(1, -1);
    return Array.from({ length: 11 }, (_, k) => v[3 + 2 * k]! + v[4 + 2 * k]!);
  };
  closeArray(ws.observations[1]!.data, merged('4j2b_pseudodata'), 1e-12);
  const ttbar = findSample(ws, '4j2b SR', 'ttbar');
  closeArray(ttbar.data, merged('4j2b_ttbar'), 1e-12);
  assert.deepEqual(ttbar.modifiers.map((m) => `${m.type}:${m.name}`), [
    'staterror:staterror_4j2b-SR', 'normfactor:ttbar_norm',
    'normsys:ME variation', 'histosys:ME variation', 'normsys:PS variation', 'histosys:PS variation',
    'normsys:ttbar scale variations', 'histosys:ttbar scale variations',
    'normsys:Jet energy scale', 'histosys:Jet energy scale', 'normsys:Jet energy resolution', 'histosys:Jet energy resolution',
    'normsys:b-tag NP 1', 'histosys:b-tag NP 1', 'normsys:b-tag NP 2', 'histosys:b-tag NP 2',
    'normsys:b-tag NP 3', 'histosys:b-tag NP 3', 'normsys:b-tag NP 4', 'histosys:b-tag NP 4',
    'normsys:Luminosity',
  ]);
  const total = (a: number[]) => a.reduce((x, y) => x + y, 0);
  const me = mod(ttbar, 'ME variation', 'normsys').data as { hi: number; lo: number };
  const meRatio = total(merged('4j2b_ttbar_ME_var')) / total(merged('4j2b_ttbar'));
  assert.ok(Math.abs(me.hi - meRatio) < 1e-12 && Math.abs(me.lo - (2 - meRatio)) < 1e-12);
  assert.deepEqual(mod(ttbar, 'Luminosity', 'normsys').data, { hi: 1.03, lo: 0.97 });

  const wjets = findSample(ws, '4j1b CR', 'W+jets');
  assert.deepEqual(wjets.modifiers.map((m) => m.name).filter((n, i, all) => all.indexOf(n) === i), [
    'staterror_4j1b-CR', 'Jet energy scale', 'Jet energy resolution',
    'b-tag NP 1', 'b-tag NP 2', 'b-tag NP 3', 'b-tag NP 4', 'W+jets scale variations', 'Luminosity',
  ]);
  const tW = findSample(ws, '4j1b CR', 'tW');
  assert.ok(!tW.modifiers.some((m) => m.name === 'ttbar_norm' || m.name === 'ME variation' || m.name === 'W+jets scale variations'));
  assert.deepEqual(ws.measurements[0], {
    name: 'CMS_ttbar', config: { parameters: [{ name: 'ttbar_norm', inits: [1], bounds: [[0, 10]] }], poi: 'ttbar_norm' },
  });
});

test('seed 003 tutorial config loads and lists its templates', () => {
  const names = requiredHistogramNames(TUTORIAL_CONFIG_YAML);
  assert.ok(names.includes('4j2b_ttbar_PS_var'));
  assert.ok(names.includes('4j1b_single_atop_t_chan'));
  assert.ok(!names.some((n) => n.endsWith('_down')));
});

test('histograms given with under/overflow (src/hist Hist1D, ROOT layout) build the same workspace', () => {
  const withFlow: Record<string, TemplateHistogram> = {};
  for (const [name, hist] of Object.entries(SMALL_HISTS)) {
    withFlow[name] = { edges: hist.edges, values: [99, ...Array.from(hist.values), -7], variances: [5, ...Array.from(hist.variances), 3] };
  }
  assert.deepEqual(buildWorkspace(SMALL_CONFIG, withFlow), buildWorkspace(SMALL_CONFIG, SMALL_HISTS));
  const broken = { ...SMALL_HISTS, SR_sig: h(E3, [1, 2]) };
  assert.throws(() => buildWorkspace(SMALL_CONFIG, broken), /histogram "SR_sig".*2 values and 2 variances for 3 bins \(expected 3, or 5 with under\/overflow\)/);
});

// Numbers from cabinetry's own AGC workspace (iris-hep/analysis-grand-challenge,
// analyses/cms-open-data-ttbar/HEPData_Stat_Inference/workspace.json at 87f510c), which cabinetry built
// from the same 1-file reference histograms. Not compared: staterror (the reference JSON has no
// variances) and "Jet energy resolution" (its pt_res_up template is random-smeared and was regenerated).
const CABINETRY_AGC = {
  observations: {
    '4j1b CR': [154.2702725869883, 2016.2648848286144, 4205.617891327876, 5546.205327769944, 4682.976851215033, 3884.7449559862985,
      2867.524384303776, 2475.949957908253, 1753.003234938097, 1525.5167385220973, 1040.2879883781789],
    '4j2b SR': [9064.353615522123, 14086.173821954137, 8468.303479929582, 5470.020715602421, 4066.985788830892, 3007.172066604194,
      2193.468329025823, 1633.9932541027615, 1358.9416531647528, 1003.3083823590479, 769.286802435918],
  },
  ttbar4j1b: {
    data: { 0: 62.81611572898651, 10: 633.7037557365401 },
    normsys: {
      'ME variation': [1.2427926838217078, 0.7572073161782922], 'PS variation': [1.1291504842524729, 0.8708495157475271],
      'ttbar scale variations': [1.005811877269335, 0.9671592598767432], 'Jet energy scale': [1.0360210341805434, 0.9639789658194566],
      'b-tag NP 1': [1.1739908714943037, 0.8260091285056972], 'b-tag NP 2': [1.1173400697031117, 0.8826599302968893],
      'b-tag NP 3': [1.08534658810802, 0.9146534118919811],
    } as Record<string, [number, number]>,
    // hi_data[0], lo_data[0], hi_data[10], lo_data[10]
    histosys: {
      'ME variation': [65.79384964270163, 59.83838181527139, 867.0167297360464, 400.39078173703376],
      'PS variation': [126.64873963159235, -1.0165081736193287, 591.5829285423065, 675.8245829307737],
      'ttbar scale variations': [65.17521873854083, 56.278583515885316, 665.1706147727551, 663.2833057229337],
      'Jet energy scale': [49.932305550681505, 75.69992590729152, 640.2034890248091, 627.2040224482711],
      'b-tag NP 1': [56.9206870876125, 71.1951749544456, 709.6298006146185, 525.7915299276261],
      'b-tag NP 2': [59.26401507235815, 67.31264294070048, 674.725056210265, 581.775780808294],
    } as Record<string, [number, number, number, number]>,
  },
  tW4j2bBtag3: {
    normsys: [1.0991090952327653, 0.9008909047672325],
    hi: [300.1082548719193, 449.84972735643805, 319.26657508742005, 256.5846682254347, 181.60463326924543, 145.0825667314186,
      119.5553217452238, 81.55356851781595, 66.4063927232776, 59.9861970523177, 45.738335278386174],
    lo: [312.9340320004706, 458.3751336536972, 323.11147144292704, 257.32843884585293, 179.03755459790332, 141.05976282543025,
      114.49580382759743, 78.32326626515949, 63.252131823627664, 56.32246139719088, 41.496184179041045],
  },
};

test("AGC workspace agrees with cabinetry's published workspace built from the same histograms", () => {
  const raw = JSON.parse(readFileSync(AGC_REFERENCE_HISTOS, 'utf8')) as Record<string, AgcHist>;
  const ws = buildWorkspace(readCabinetryConfig(AGC_CONFIG_PATH), (name) => {
    const r = raw[name];
    return r === undefined ? undefined : { edges: r.edges, values: r.contents, variances: r.contents.map(Math.abs) };
  });
  const tol = 1e-12;
  for (const o of ws.observations) closeArray(o.data, CABINETRY_AGC.observations[o.name as '4j1b CR'], tol);
  const tt = findSample(ws, '4j1b CR', 'ttbar');
  for (const [bin, v] of Object.entries(CABINETRY_AGC.ttbar4j1b.data)) closeArray([tt.data[Number(bin)]!], [v], tol);
  for (const [name, [hi, lo]] of Object.entries(CABINETRY_AGC.ttbar4j1b.normsys)) {
    const d = mod(tt, name, 'normsys').data as { hi: number; lo: number };
    closeArray([d.hi, d.lo], [hi, lo], tol);
  }
  for (const [name, expected] of Object.entries(CABINETRY_AGC.ttbar4j1b.histosys)) {
    const d = mod(tt, name, 'histosys').data as { hi_data: number[]; lo_data: number[] };
    closeArray([d.hi_data[0]!, d.lo_data[0]!, d.hi_data[10]!, d.lo_data[10]!], expected, tol);
  }
  const tW = findSample(ws, '4j2b SR', 'tW');
  const n3 = mod(tW, 'b-tag NP 3', 'normsys').data as { hi: number; lo: number };
  closeArray([n3.hi, n3.lo], CABINETRY_AGC.tW4j2bBtag3.normsys, tol);
  const h3 = mod(tW, 'b-tag NP 3', 'histosys').data as { hi_data: number[]; lo_data: number[] };
  closeArray(h3.hi_data, CABINETRY_AGC.tW4j2bBtag3.hi, tol);
  closeArray(h3.lo_data, CABINETRY_AGC.tW4j2bBtag3.lo, tol);
});

test('the built workspace is validated: inconsistent binnings and an unknown POI are errors', () => {
  const mixed = { ...SMALL_HISTS, SR_bkgB: h([0, 1, 2], [3, 3]), SR_bkgB_jes_up: h([0, 1, 2], [3, 3]), SR_bkgB_jes_down: h([0, 1, 2], [3, 3]) };
  assert.throws(() => buildWorkspace(SMALL_CONFIG, mixed), /built workspace is not valid: channels\[0\]\.samples\[2\]\.data: expected 3 numbers, got 2/);
  const typo = { ...SMALL_CONFIG, General: { ...SMALL_CONFIG.General, POI: 'mu_sig' } };
  assert.throws(() => buildWorkspace(typo, SMALL_HISTS), /parameter of interest 'mu_sig' is not a modifier/);
  const noPoi = { ...SMALL_CONFIG, General: { ...SMALL_CONFIG.General, POI: undefined } };
  assert.equal(buildWorkspace(noPoi, SMALL_HISTS).measurements[0]!.config.poi, '');
});

test('systematicUpDownHistogramName: `{region}_{sample}_{systematic}_Up|Down` naming gives the same workspace', () => {
  const renamed: Record<string, TemplateHistogram> = {};
  const map: Record<string, string> = { '_jes_up': '_jes_Up', '_jes_down': '_jes_Down' };
  for (const [name, hist] of Object.entries(SMALL_HISTS)) {
    let n = name;
    for (const [from, to] of Object.entries(map)) if (n.endsWith(from)) n = n.slice(0, -from.length) + to;
    renamed[n] = hist;
  }
  // "jes A" is the systematic of Bkg A: its template is SR_bkgA_jes-A_Up
  renamed['SR_bkgA_jes-A_Up'] = renamed['SR_bkgA_jes_Up']!;
  renamed['CR_bkgA_jes-A_Up'] = renamed['CR_bkgA_jes_Up']!;
  const ws = buildWorkspace(SMALL_CONFIG, renamed, { histogramName: systematicUpDownHistogramName });
  assert.deepEqual(ws, buildWorkspace(SMALL_CONFIG, SMALL_HISTS));
  assert.deepEqual(requiredHistogramNames(SMALL_CONFIG, { histogramName: systematicUpDownHistogramName }).filter((n) => n.includes('jes')).sort(),
    ['CR_bkgA_jes-A_Up', 'CR_bkgB_jes_Down', 'CR_bkgB_jes_Up', 'SR_bkgA_jes-A_Up', 'SR_bkgB_jes_Down', 'SR_bkgB_jes_Up']);
});
