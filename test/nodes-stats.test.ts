// build-workspace -> fit -> limit -> plot through the engine (in process): the written outputs
// against independent computations (the synthetic yields themselves, src/stats directly, pyhf's
// reference numbers), the cache on a second run, and a limit scan that resumes after an interrupt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkspace, type Workspace } from '../src/stats/workspace.ts';
import { buildModel } from '../src/stats/model.ts';
import { fit } from '../src/stats/fit.ts';
import { hypotestAt, hypotestContext } from '../src/stats/infer/hypotest.ts';
import { upperLimit } from '../src/stats/infer/upper-limit.ts';
import { AGC_CENTERS, REFS, ROOT, agcYield, runInProcess, syntheticYields, withTempDir, writeGraph } from './nodes-fixtures.ts';
import { formatMeasurement } from '../src/report/html.ts';

const AGC_CONFIG = join(ROOT, '../shared/data/agc/cabinetry_config.yml');

const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tol ${tol})`);
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
/** A limit as talks quote it: 3 significant digits from 1 up, 2 decimals below. */
const limitNumber = (x: number) => String(Number(x >= 1 ? x.toPrecision(3) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2)));

const FULL_GRAPH = `
  const h = g.node(histogramsKind, 'hists', [], { signalScale: 1 });
  const ws = g.buildWorkspace('ws', h, CONFIG);
  const fit = g.fit('fit', ws);
  const lim = g.limit('limit', ws, { scan: { lo: 0, hi: 4, points: 9 } });
  g.plot('figures', [fit, lim], { labels: ['Synthetic', '√s = 13 TeV'], correlation: { threshold: 0.1 } });
`;

test('histograms -> workspace -> fit -> limit -> figures and report; a second run is all cached', async () => {
  await withTempDir(async (dir) => {
    const file = writeGraph(dir, 'synthetic', FULL_GRAPH);
    const r = await runInProcess(file, dir);
    assert.equal(r.error, undefined, String(r.error));
    assert.ok(r.summary?.ok, JSON.stringify(r.summary));
    const out = join(dir, 'out');

    // workspace.json: valid pyhf JSON (no hepflow extras) holding the yields that were filled
    const raw = readJson(join(out, 'workspace.json')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(raw).sort(), ['channels', 'measurements', 'observations', 'version']);
    const ws: Workspace = loadWorkspace(raw, 'workspace.json');
    const y = syntheticYields(1);
    const sample = (name: string) => ws.channels[0]!.samples.find((s) => s.name === name)!;
    sample('Signal').data.forEach((v, i) => close(v, y.signal![i]!, 1e-9 * y.signal![i]! + 1e-12, `signal bin ${i}`));
    sample('Background').data.forEach((v, i) => close(v, y.bkg![i]!, 1e-9 * y.bkg![i]!, `bkg bin ${i}`));
    ws.observations[0]!.data.forEach((v, i) => close(v, y.data![i]!, 1e-9 * v, `data bin ${i}`));
    const shapeNorm = sample('Background').modifiers.find((m) => m.type === 'normsys' && m.name === 'bkg_shape')!.data as { hi: number; lo: number };
    close(shapeNorm.hi, sum(y.bkg_shape_up!) / sum(y.bkg!), 1e-12, 'bkg_shape normsys hi');

    // fit.json: DESIGN section 6 keys, the same numbers as src/stats on the written workspace
    const f = readJson(join(out, 'fit.json'));
    for (const k of ['bestfit', 'uncertainty', 'twice_nll', 'correlation', 'par_names', 'converged']) assert.ok(k in f, `fit.json lacks ${k}`);
    const model = buildModel(ws);
    const direct = fit(model);
    assert.deepEqual(f.par_names, model.parNames);
    model.parNames.forEach((p, i) => {
      assert.equal(f.bestfit[p], direct.bestfit[i], `bestfit ${p}`);
      assert.equal(f.uncertainty[p], direct.uncertainty[i], `uncertainty ${p}`);
    });
    assert.equal(f.twice_nll, direct.twiceNll);
    assert.equal(f.converged, true);
    // post-fit yields are the model at the best fit; pre-fit ones the nominal templates
    const expected = model.expectedMain(direct.bestfit);
    f.postfit.channels[0].total.forEach((v: number, i: number) => close(v, expected[i]!, 1e-9 * expected[i]!, `post-fit total bin ${i}`));
    f.prefit.channels[0].total.forEach((v: number, i: number) => close(v, y.signal![i]! + y.bkg![i]!, 1e-9 * y.bkg![i]!, `pre-fit total bin ${i}`));
    assert.deepEqual(f.postfit.channels[0].edges, [100, 110, 120, 130, 140, 150, 160, 170, 180]);
    assert.ok(f.pulls.some((p: { parameter: string }) => p.parameter === 'bkg_norm'));
    assert.ok(!f.pulls.some((p: { parameter: string }) => p.parameter === 'mu'), 'the POI is not a pull');

    // limit.json: DESIGN keys, CLs and limits as src/stats computes them, the scan for the figure
    const l = readJson(join(out, 'limit.json'));
    for (const k of ['cls_obs', 'cls_exp', 'upper_limit_obs', 'upper_limit_exp']) assert.ok(k in l, `limit.json lacks ${k}`);
    const hctx = hypotestContext(model);
    const h1 = hypotestAt(hctx, 1);
    close(l.cls_obs, h1.clsObs, 1e-12, 'cls_obs');
    l.cls_exp.forEach((v: number, i: number) => close(v, h1.clsExp[i]!, 1e-12, `cls_exp[${i}]`));
    const ul = upperLimit(model, { context: hctx });
    close(l.upper_limit_obs, ul.obs, 1e-9, 'upper_limit_obs');
    assert.equal(l.upper_limit_exp.length, 5);
    assert.deepEqual(l.scan.map((p: { poi: number }) => p.poi), [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
    close(l.scan[2].cls_obs, h1.clsObs, 1e-12, 'scan point at mu = 1');
    const scanLog = r.events.find((e) => e.type === 'log' && e.node === 'limit' && e.message.startsWith('CLs scan'));
    assert.ok(scanLog?.type === 'log' && !scanLog.message.includes('reused'), 'a first run reuses nothing');

    // figures: SVG + PNG each, report.html shows them and the key numbers
    for (const name of ['prefit_SR', 'postfit_SR', 'pulls', 'correlation', 'cls_scan']) {
      const svg = readFileSync(join(out, 'figures', `${name}.svg`), 'utf8');
      assert.match(svg, /^<svg/, name);
      const png = readFileSync(join(out, 'figures', `${name}.png`));
      assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], `${name}.png is a PNG`);
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const name of ['prefit_SR', 'postfit_SR', 'pulls', 'correlation', 'cls_scan']) assert.ok(html.includes(`figures/${name}.png`), `report links ${name}`);
    assert.equal(html.match(/<figure id="[^"]+"><div class="svg"><svg/g)?.length, 5, 'the five figures are inline');
    assert.ok(html.includes('Best-fit mu'));
    // the full parameter table (every parameter with its best fit), links to the JSON results, PDFs
    const table = /<section id="parameters">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    for (const p of f.par_names as string[]) assert.ok(table.includes(`<td>${p}</td>`), `parameter table lists ${p}`);
    assert.ok(table.includes(formatMeasurement(f.bestfit.bkg_norm, f.uncertainty.bkg_norm)), 'with its best fit and error');
    for (const file of ['workspace.json', 'fit.json', 'limit.json']) assert.ok(html.includes(`href="${file}"`), `report links ${file}`);
    for (const name of ['prefit_SR', 'pulls', 'cls_scan']) {
      assert.equal(readFileSync(join(out, 'figures', `${name}.pdf`)).subarray(0, 5).toString('latin1'), '%PDF-', `${name}.pdf is a PDF`);
      assert.ok(html.includes(`figures/${name}.pdf`), `report links ${name}.pdf`);
    }
    // the CLs figure states the limit it shows
    assert.ok(readFileSync(join(out, 'figures', 'cls_scan.svg'), 'utf8').includes(`upper limit on mu: ${limitNumber(l.upper_limit_obs)} (expected ${limitNumber(l.upper_limit_exp[2])})`));
    assert.ok(html.includes(l.upper_limit_obs.toPrecision(3).replace(/0+$/, '').replace(/\.$/, '')), 'report shows the observed limit');

    // nothing changed: every node is served from the cache; deleted outputs are rewritten from it
    const before = ['workspace.json', 'fit.json', 'report.html', 'figures/pulls.png'].map((f) => readFileSync(join(out, f)));
    for (const f of ['workspace.json', 'fit.json', 'report.html', 'figures/pulls.png']) rmSync(join(out, f));
    const again = await runInProcess(file, dir);
    for (const [name, n] of Object.entries(again.summary!.nodes)) assert.equal(n.status, 'cached', name);
    ['workspace.json', 'fit.json', 'report.html', 'figures/pulls.png'].forEach((f, i) => assert.deepEqual(readFileSync(join(out, f)), before[i], `${f} rewritten from the cache`));
  });
});

test('pre- and post-fit uncertainties: a 10% normalisation and a free normfactor', async () => {
  // signal with a free normfactor, background with a 10% normsys and no other uncertainty
  const workspace = {
    channels: [{ name: 'ch', samples: [
      { name: 'sig', data: [5, 20, 5], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
      { name: 'bkg', data: [100, 80, 60], modifiers: [{ name: 'norm', type: 'normsys', data: { hi: 1.1, lo: 0.9 } }] },
    ] }],
    observations: [{ name: 'ch', data: [104, 103, 66] }],
    measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
    version: '1.0.0',
  };
  await withTempDir(async (dir) => {
    const file = writeGraph(dir, 'unc', `
  const ws = g.node(workspaceKind, 'ws', [], { workspace: ${JSON.stringify(workspace)} });
  g.fit('fit', ws);
`);
    const r = await runInProcess(file, dir);
    assert.ok(r.summary?.ok, String(r.error));
    const f = readJson(join(dir, 'out', 'fit.json'));
    const pre = f.prefit.channels[0];
    // pre-fit: only the normsys contributes (the normfactor is unconstrained): sigma = 10% of bkg
    pre.uncertainty.forEach((u: number, i: number) => close(u, 0.1 * workspace.channels[0]!.samples[1]!.data[i]!, 1e-9, `pre-fit sigma bin ${i}`));
    close(pre.sumUncertainty, 24, 1e-9, 'pre-fit channel sigma');
    const preBkg = pre.samples.find((x: { name: string }) => x.name === 'bkg');
    close(preBkg.sum, 240, 1e-9, 'pre-fit bkg yield');
    close(preBkg.sumUncertainty, 24, 1e-9, 'pre-fit bkg sigma');
    assert.equal(pre.samples.find((x: { name: string }) => x.name === 'sig').sumUncertainty, 0, 'a free normfactor has no pre-fit width');
    // post-fit, per sample: sig scales linearly with mu, so its sigma is sigma_mu * nominal
    const post = f.postfit.channels[0];
    const sig = post.samples.find((s: { name: string }) => s.name === 'sig');
    sig.uncertainty.forEach((u: number, i: number) => close(u, f.uncertainty.mu * workspace.channels[0]!.samples[0]!.data[i]!, 1e-6, `post-fit sig sigma bin ${i}`));
    assert.equal(sig.signal, true);
    close(sig.sumUncertainty, f.uncertainty.mu * 30, 1e-6, 'post-fit sig channel sigma');
    // total: mu and norm are anti-correlated, so the total is tighter than the two in quadrature
    const bkg = post.samples.find((s: { name: string }) => s.name === 'bkg');
    const quad = Math.sqrt(sig.uncertainty[1] ** 2 + bkg.uncertainty[1] ** 2);
    const rho = f.correlation[f.par_names.indexOf('mu')][f.par_names.indexOf('norm')];
    assert.ok(rho < 0);
    close(post.uncertainty[1], Math.sqrt(quad ** 2 + 2 * rho * sig.uncertainty[1] * bkg.uncertainty[1]), 1e-6, 'post-fit total sigma (bin 1)');
  });
});

for (const name of ['docs_2bin_1channel', 'validation_2bin_2channel_coupledhistosys', 'syn_allmods_3ch']) {
  test(`fit and limit nodes agree with pyhf on ${name}`, { skip: !existsSync(join(REFS, `${name}.json`)) }, async () => {
    const ref = readJson(join(REFS, `${name}.json`));
    await withTempDir(async (dir) => {
      const file = writeGraph(dir, 'ref', `
  const ws = g.node(workspaceKind, 'ws', [], { workspace: ${JSON.stringify(ref.workspace)} });
  g.fit('fit', ws, { measurement: ${JSON.stringify(ref.measurement)} });
  g.limit('limit', ws, { measurement: ${JSON.stringify(ref.measurement)}, scan: { lo: 0, hi: 1, points: 0 } });
`);
      const r = await runInProcess(file, dir);
      assert.ok(r.summary?.ok, String(r.error));
      const f = readJson(join(dir, 'out', 'fit.json'));
      const mle = ref.reference.mle;
      assert.deepEqual(f.par_names, ref.reference.par_names);
      ref.reference.par_names.forEach((p: string, i: number) => {
        close(f.bestfit[p], mle.bestfit[i], Math.max(0.01 * mle.uncertainty[i], 1e-4), `bestfit ${p}`);
        close(f.uncertainty[p], mle.uncertainty[i], 0.01 * mle.uncertainty[i], `uncertainty ${p}`);
      });
      close(f.twice_nll, mle.twice_nll, 1e-3, 'twice_nll');
      const l = readJson(join(dir, 'out', 'limit.json'));
      const h = ref.reference.hypotest_mu1;
      if (!h.error) {
        close(l.cls_obs, h.cls_obs, 1e-3, 'cls_obs');
        h.cls_exp.forEach((v: number, i: number) => close(l.cls_exp[i], v, 1e-3, `cls_exp[${i}]`));
      }
      const u = ref.reference.upper_limit;
      if (!u.error) {
        close(l.upper_limit_obs, u.obs, 0.01 * u.obs, 'upper_limit_obs');
        u.exp.forEach((v: number, i: number) => close(l.upper_limit_exp[i], v, 0.01 * v, `upper_limit_exp[${i}]`));
      }
      assert.deepEqual(l.scan, []);
    });
  });
}

for (const parallel of [false, true]) test(`an interrupted CLs scan resumes from its memoised points (${parallel ? 'worker pool' : 'serial'})`, async () => {
  await withTempDir(async (dir) => {
    const file = writeGraph(dir, 'resume', `
  const h = g.node(histogramsKind, 'hists', [], { signalScale: 1 });
  const ws = g.buildWorkspace('ws', h, CONFIG);
  g.limit('limit', ws, { scan: { lo: 0, hi: 5, points: 30 }, parallel: ${parallel} });
`);
    let seen = 0;
    // the interrupted run on the worker pool, the resumed one in the main thread: they share the points
    const first = await runInProcess(file, dir, {
      workers: parallel ? 2 : 0,
      onEvent: (e, abort) => {
        if (e.type === 'node-progress' && e.node === 'limit') { seen = e.done; if (e.done === 6) abort(); }
      },
    });
    if (!parallel) assert.equal(seen, 6, 'the scan stopped right after the abort');
    assert.ok(!first.summary?.ok);
    assert.ok(!existsSync(join(dir, 'out', 'limit.json')), 'no output from the interrupted run');

    const second = await runInProcess(file, dir);
    assert.ok(second.summary?.ok, String(second.error));
    assert.equal(second.summary!.nodes.ws!.status, 'cached');
    const log = second.events.find((e) => e.type === 'log' && e.node === 'limit' && e.message.startsWith('CLs scan'));
    assert.ok(log && log.type === 'log');
    const reused = Number(/(\d+) reused from the cache/.exec(log.message)?.[1] ?? 0);
    assert.ok(reused >= 6 && (parallel || reused < 30), `reused ${reused} points: ${log.message}`);

    // the resumed scan equals one computed in one go without any cache
    const resumed = readJson(join(dir, 'out', 'limit.json'));
    const fresh = await runInProcess(file, join(dir, 'fresh'), { noCache: true });
    assert.ok(fresh.summary?.ok);
    assert.deepEqual(resumed, readJson(join(dir, 'fresh', 'out', 'limit.json')));
  });
});

test('build-workspace: config errors name the key; a YAML path is read and its content is the cache key', async () => {
  await withTempDir(async (dir) => {
    const bad = writeGraph(dir, 'bad', `
  const h = g.node(histogramsKind, 'hists', [], {});
  g.buildWorkspace('ws', h, { ...CONFIG, Systematics: [{ Name: 'n', Type: 'Normalization', Up: { Normalization: 'ten' }, Down: { Normalization: -0.1 } }] });
`);
    assert.match(String((await runInProcess(bad, dir)).error), /node 'ws' \(build-workspace\): config: .*Systematics\[0\]\.Up\.Normalization: expected number/);

    const yamlPath = join(dir, 'config.yml');
    const yaml = (bounds: string) => `General:
  Measurement: meas
  POI: mu
  InputPath: "h.root:{RegionPath}_{SamplePath}{VariationPath}"
  HistogramFolder: histograms/
Regions:
  - Name: SR
    RegionPath: SR
Samples:
  - {Name: Data, SamplePath: data, Data: True}
  - {Name: Signal, SamplePath: signal}
  - {Name: Background, SamplePath: bkg}
NormFactors:
  - {Name: mu, Samples: Signal, Nominal: 1, Bounds: ${bounds}}
`;
    writeFileSync(yamlPath, yaml('[0, 10]'));
    const file = writeGraph(dir, 'yaml', `
  const h = g.node(histogramsKind, 'hists', [], {});
  g.buildWorkspace('ws', h, ${JSON.stringify(yamlPath)});
`);
    const r1 = await runInProcess(file, dir);
    assert.ok(r1.summary?.ok, String(r1.error));
    const ws1 = readJson(join(dir, 'out', 'workspace.json'));
    assert.deepEqual(ws1.measurements[0].config.parameters, [{ name: 'mu', inits: [1], bounds: [[0, 10]] }]);
    writeFileSync(yamlPath, yaml('[0, 5]'));
    const r2 = await runInProcess(file, dir);
    assert.equal(r2.summary!.nodes.ws!.status, 'computed');
    assert.equal(r2.summary!.nodes.ws!.reason, 'params');
    assert.deepEqual(readJson(join(dir, 'out', 'workspace.json')).measurements[0].config.parameters[0].bounds, [[0, 5]]);
  });
});

test('the AGC cabinetry config (YAML) builds and fits from AGC-like histograms with pseudodata sums', { skip: !existsSync(AGC_CONFIG) }, async () => {
  await withTempDir(async (dir) => {
    const pseudodata = (r: string) => [{ name: `${r}_ttbar_ME_var`, factor: 0.5 }, { name: `${r}_ttbar_PS_var`, factor: 0.5 }, { name: `${r}_wjets`, factor: 1 }];
    const file = writeGraph(dir, 'agc', `
  const h = g.node(agcLikeKind, 'hists', [], {});
  const ws = g.buildWorkspace('ws', h, { config: ${JSON.stringify(AGC_CONFIG)}, sums: ${JSON.stringify({ '4j1b_pseudodata': pseudodata('4j1b'), '4j2b_pseudodata': pseudodata('4j2b') })} });
  g.fit('fit', ws);
`);
    const r = await runInProcess(file, dir);
    assert.ok(r.summary?.ok, String(r.error));
    const ws = loadWorkspace(readJson(join(dir, 'out', 'workspace.json')));
    assert.deepEqual(ws.channels.map((c) => c.name), ['4j1b CR', '4j2b SR']);
    // pseudodata in 40 GeV bins from 110 GeV: sum of the 20 GeV templates, computed here directly
    for (const [k, region] of [[0, '4j1b'], [1, '4j2b']] as const) {
      const expected = Array.from({ length: 11 }, (_, b) => [0, 1].reduce((acc, j) => {
        const x = AGC_CENTERS[3 + 2 * b + j]!;
        return acc + 0.5 * agcYield(region, 'ttbar', 'ME_var', x) + 0.5 * agcYield(region, 'ttbar', 'PS_var', x) + agcYield(region, 'wjets', 'nominal', x);
      }, 0));
      ws.observations[k]!.data.forEach((v, i) => close(v, expected[i]!, 1e-9 * v, `${region} pseudodata bin ${i}`));
    }
    const f = readJson(join(dir, 'out', 'fit.json'));
    assert.equal(f.poi, 'ttbar_norm');
    assert.ok(Number.isFinite(f.bestfit.ttbar_norm) && f.uncertainty.ttbar_norm > 0);
    assert.deepEqual(f.postfit.channels[0].edges, [110, 150, 190, 230, 270, 310, 350, 390, 430, 470, 510, 550]);
    assert.equal(f.postfit.channels[0].xLabel, 'observable [GeV]');
  });
});

test('a CLs scan on the worker pool gives the same points as the serial scan', async () => {
  await withTempDir(async (dir) => {
    const file = writeGraph(dir, 'parallel', `
  const h = g.node(histogramsKind, 'hists', [], { signalScale: 0.5 });
  const ws = g.buildWorkspace('ws', h, CONFIG);
  g.limit('serial', ws, { scan: { lo: 0, hi: 4, points: 9 }, parallel: false, output: 'serial.json' });
  g.limit('threads', ws, { scan: { lo: 0, hi: 4, points: 9 }, parallel: true, output: 'threads.json' });
`);
    const r = await runInProcess(file, dir, { workers: 2 });
    assert.ok(r.summary?.ok, String(r.error));
    const serial = readJson(join(dir, 'out', 'serial.json'));
    const threads = readJson(join(dir, 'out', 'threads.json'));
    assert.equal(threads.scan.length, 9);
    assert.deepEqual(threads.scan, serial.scan);
    assert.ok(r.events.some((e) => e.type === 'log' && e.node === 'threads' && e.message.includes('on the worker pool')), 'the scan ran on the pool');
    const done = r.events.flatMap((e) => (e.type === 'node-progress' && e.node === 'threads' ? [e.done] : []));
    assert.equal(Math.max(...done), 9);
  });
});

test('build-workspace: a missing template names what the Histograms input has', async () => {
  await withTempDir(async (dir) => {
    const file = writeGraph(dir, 'missing', `
  const h = g.node(histogramsKind, 'hists', [], {});
  g.buildWorkspace('ws', h, { config: { ...CONFIG, Samples: [...CONFIG.Samples, { Name: 'ttbar', SamplePath: 'ttbar' }] } });
`);
    const r = await runInProcess(file, dir);
    const failed = r.events.find((e) => e.type === 'node-failed' && e.node === 'ws');
    assert.ok(failed?.type === 'node-failed');
    assert.match(failed.error, /build-workspace node 'ws': missing histogram "SR_ttbar" .*the Histograms input has .*SR_bkg/);
  });
});
