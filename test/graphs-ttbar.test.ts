// graphs/ttbar.ts end to end through `flow run`: on small generated samples (outputs named as the
// AGC cabinetry config in ../shared requires, the workspace the same as one built from that YAML
// file, ttbar_norm recovered, caching per node), and on the real CMS 2015 NanoAOD file (per-region
// counts and histogram contents equal to a plain per-event loop written here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openRootFile } from '../src/root/read/index.ts';
import type { Jagged } from '../src/columns.ts';
import { buildWorkspace, collectTemplates, readCabinetryConfig, readRootHistograms, requiredHistogramNames } from '../src/stats/build/index.ts';
import { checkConsistency, loadWorkspace } from '../src/stats/workspace.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const GRAPH = join(ROOT, 'graphs/ttbar.ts');
const AGC_CONFIG = join(ROOT, '../shared/data/agc/cabinetry_config.yml');
const NANOAOD = join(ROOT, '../shared/data/root/nanoAOD_2015_CMS_Open_Data_ttbar.root');

interface NodeSummary { status: string; reason?: string }
interface RunDone { type: string; ok: boolean; nodes: Record<string, NodeSummary> }

function flowRun(dir: string, sets: string[]): RunDone {
  const args = [join(ROOT, 'cli.ts'), 'run', GRAPH, '--ui', 'json', '--cache-dir', join(dir, 'cache'), '--out', join(dir, 'out'), '--workers', '2'];
  for (const s of sets) args.push('--set', s);
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `flow run ${sets.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}${r.stdout.slice(-2000)}`);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as RunDone;
  assert.equal(last.type, 'run-done');
  assert.ok(last.ok, r.stdout.slice(-2000));
  return last;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

test('ttbar graph on generated samples: cabinetry names, workspace, ttbar_norm ~ 1, per-node caching', { skip: !existsSync(AGC_CONFIG) }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hepflow-graphs-ttbar-'));
  try {
    const small = ['events=20000'];
    const first = flowRun(dir, small);
    for (const [name, n] of Object.entries(first.nodes)) assert.equal(n.status, 'computed', `first run: ${name}`);
    const out = join(dir, 'out');

    // every histogram the AGC's own config asks for is in histograms.root (read back through jsroot)
    const config = readCabinetryConfig(AGC_CONFIG);
    const written = await readRootHistograms(join(out, 'histograms.root'));
    const required = requiredHistogramNames(config);
    for (const name of ['4j1b_ttbar', '4j1b_ttbar_pt_scale_up', '4j2b_wjets_scale_var_up', '4j2b_ttbar_btag_var_3_down', '4j1b_pseudodata']) {
      assert.ok(required.includes(name), `the config requires ${name}`);
    }
    for (const name of required) assert.ok(written.has(name), `histograms.root lacks ${name}`);
    // exactly the AGC's own histogram names: no all-zero never-filled combinations (W+jets x ME_var)
    const agcNames = Object.keys(readJson(join(dirname(AGC_CONFIG), 'reference', 'histos_1_file_per_process.json'))).sort();
    assert.deepEqual(Object.keys(readJson(join(out, 'histograms.json'))).sort(), agcNames);
    assert.deepEqual([...written.keys()].sort(), agcNames);
    const ttbar = written.get('4j1b_ttbar')!;
    assert.deepEqual(Array.from(ttbar.edges), [110, 150, 190, 230, 270, 310, 350, 390, 430, 470, 510, 550]);

    // workspace.json: valid, and the workspace cabinetry's YAML config builds from histograms.root
    const ws = loadWorkspace(readJson(join(out, 'workspace.json')), 'workspace.json');
    assert.deepEqual(checkConsistency(ws), []);
    const expected = buildWorkspace(config, await collectTemplates(config, { baseDir: out }));
    assert.deepEqual(ws.channels.map((c) => c.name), expected.channels.map((c) => c.name));
    assert.deepEqual(ws.measurements, expected.measurements);
    const close = (a: unknown, b: unknown, where: string): void => {
      if (typeof a === 'number' && typeof b === 'number') {
        assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${where}: ${a} != ${b}`);
      } else if (Array.isArray(a) && Array.isArray(b)) {
        assert.equal(a.length, b.length, where);
        a.forEach((x, i) => close(x, b[i], `${where}[${i}]`));
      } else if (a && b && typeof a === 'object' && typeof b === 'object') {
        assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), where);
        for (const k of Object.keys(a)) close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${where}.${k}`);
      } else assert.equal(a, b, where);
    };
    close(ws.channels, expected.channels, 'channels');
    close(ws.observations, expected.observations, 'observations');

    // the pseudodata is built from the MC: the fit recovers ttbar_norm = 1 within 2 sigma
    const fit = readJson(join(out, 'fit.json'));
    assert.equal(fit.converged, true);
    const mu = fit.bestfit.ttbar_norm, sigma = fit.uncertainty.ttbar_norm;
    assert.ok(sigma > 0 && sigma < 0.5, `sigma ${sigma}`);
    assert.ok(Math.abs(mu - 1) < 2 * sigma, `ttbar_norm = ${mu} +- ${sigma}`);
    for (const f of ['report.html', 'cutflow.json', 'figures/pulls.svg', 'figures/correlation.png', 'figures/hist_4j2b.png']) assert.ok(existsSync(join(out, f)), f);

    // the ttbar nominal sample (the generate node's file) through the plain loop: both regions
    const generated = join(dir, 'cache', 'generated');
    const ttbarFile = readdirSync(generated).find((f) => f.startsWith('nanoaod-ttbar-20000ev-seed1-') && f.endsWith('.root'));
    assert.ok(ttbarFile, `no generated ttbar file in ${readdirSync(generated).join(', ')}`);
    const loop = await plainLoop(join(generated, ttbarFile), 'v1');
    assert.ok(loop.count['4j2b__nominal']! > 100, `4j2b: ${loop.count['4j2b__nominal']}`);
    assertMatchesLoop(out, 'ttbar__nominal', 20000, loop);

    const again = flowRun(dir, small);
    for (const [name, n] of Object.entries(again.nodes)) assert.equal(n.status, 'cached', `second run: ${name} (${n.reason})`);

    // a new binning re-fills from the cached selections; everything below the fill follows
    const rebinned = flowRun(dir, [...small, 'bins=50']);
    for (const name of ['inputs', 'events', 'agc']) assert.equal(rebinned.nodes[name]!.status, 'cached', `bins=50: ${name}`);
    for (const name of ['fill', 'histograms', 'workspace', 'fit', 'figures']) assert.equal(rebinned.nodes[name]!.status, 'computed', `bins=50: ${name}`);
    assert.equal(loadWorkspace(readJson(join(out, 'workspace.json'))).channels[0]!.samples[0]!.data.length, 22);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- the real CMS file against a plain loop ----------------------------------------------------

interface LoopResult { count: Record<string, number>; observable: Record<string, number[]> }

/** Notebook 001 (v1) and 002 (v2), written as the per-event loop a physicist would write first. */
async function plainLoop(path: string, selection: 'v1' | 'v2'): Promise<LoopResult> {
  const f = await openRootFile(path);
  const t = await f.tree('Events');
  const names = ['Electron_pt', 'Electron_eta', 'Electron_cutBased', 'Electron_sip3d', 'Muon_pt', 'Muon_eta', 'Muon_tightId', 'Muon_sip3d',
    'Muon_pfRelIso04_all', 'Jet_pt', 'Jet_eta', 'Jet_phi', 'Jet_mass', 'Jet_btagCSVV2', 'Jet_jetId'];
  const b = await t.read(names, { start: 0, stop: t.entries });
  await f.close();
  const c = b.columns as Record<string, Jagged>;
  const get = (name: string, e: number): number[] => Array.from(c[name]!.content.subarray(c[name]!.offsets[e]!, c[name]!.offsets[e + 1]!) as ArrayLike<number>, Number);
  const v2 = selection === 'v2';
  const res: LoopResult = { count: {}, observable: {} };
  for (const [variation, factor] of [['nominal', 1], ['pt_scale_up', 1.03]] as const) {
    for (const region of ['4j1b', '4j2b']) { res.count[`${region}__${variation}`] = 0; res.observable[`${region}__${variation}`] = []; }
    for (let e = 0; e < b.entries; e++) {
      let leptons = 0;
      const ePt = get('Electron_pt', e), eEta = get('Electron_eta', e), eId = get('Electron_cutBased', e), eSip = get('Electron_sip3d', e);
      for (let i = 0; i < ePt.length; i++) {
        if (!v2 ? ePt[i]! > 25 : ePt[i]! > 30 && Math.abs(eEta[i]!) < 2.1 && eId[i] === 4 && eSip[i]! < 4) leptons++;
      }
      const mPt = get('Muon_pt', e), mEta = get('Muon_eta', e), mId = get('Muon_tightId', e), mSip = get('Muon_sip3d', e), mIso = get('Muon_pfRelIso04_all', e);
      for (let i = 0; i < mPt.length; i++) {
        if (!v2 ? mPt[i]! > 25 : mPt[i]! > 30 && Math.abs(mEta[i]!) < 2.1 && mId[i] && mSip[i]! < 4 && mIso[i]! < 0.15) leptons++;
      }
      if (leptons !== 1) continue;
      const pt = get('Jet_pt', e).map((x) => x * factor), eta = get('Jet_eta', e), phi = get('Jet_phi', e), mass = get('Jet_mass', e);
      const btag = get('Jet_btagCSVV2', e), jetId = get('Jet_jetId', e);
      const jets: number[] = [];
      for (let i = 0; i < pt.length; i++) {
        if (!v2 ? pt[i]! > 25 : pt[i]! > 30 && Math.abs(eta[i]!) < 2.4 && (jetId[i]! & 4) === 4) jets.push(i);
      }
      if (jets.length < 4) continue;
      const nbStrict = jets.filter((i) => btag[i]! > 0.5).length;
      const nb1 = v2 ? jets.filter((i) => btag[i]! >= 0.5).length : nbStrict;
      if (nb1 === 1) {
        res.count[`4j1b__${variation}`]!++;
        res.observable[`4j1b__${variation}`]!.push(jets.reduce((s, i) => s + pt[i]!, 0));
      }
      if (nbStrict >= 2) {
        res.count[`4j2b__${variation}`]!++;
        let best = -1, m = NaN;
        for (let x = 0; x < jets.length; x++) for (let y = x + 1; y < jets.length; y++) for (let z = y + 1; z < jets.length; z++) {
          const tri = [jets[x]!, jets[y]!, jets[z]!];
          if (!tri.some((i) => btag[i]! > 0.5)) continue;
          let px = 0, py = 0, pz = 0, en = 0;
          for (const i of tri) {
            const jpx = pt[i]! * Math.cos(phi[i]!), jpy = pt[i]! * Math.sin(phi[i]!), jpz = pt[i]! * Math.sinh(eta[i]!);
            px += jpx; py += jpy; pz += jpz; en += Math.sqrt(jpx * jpx + jpy * jpy + jpz * jpz + mass[i]! * mass[i]!);
          }
          if (px * px + py * py > best) { best = px * px + py * py; m = Math.sqrt(Math.max(0, en * en - best - pz * pz)); }
        }
        res.observable[`4j2b__${variation}`]!.push(m);
      }
    }
  }
  return res;
}

/** cutflow.json counts and histograms.json contents of ttbar (weight xsec*lumi/nevts per event,
 *  the fill binning 50..550 by 20 GeV with flow bins, as the AGC reference histograms) against the loop. */
function assertMatchesLoop(out: string, sample: string, nevts: number, loop: LoopResult): void {
  const cutflow = readJson(join(out, 'cutflow.json'))[sample];
  assert.equal(cutflow.events, nevts);
  for (const [key, n] of Object.entries(loop.count)) assert.equal(cutflow[key], n, `${key}: graph ${cutflow[key]}, loop ${n}`);
  const hists = readJson(join(out, 'histograms.json')) as Record<string, { contents: number[]; edges: number[] }>;
  const w = (729.84 * 3378) / nevts;
  for (const [key, values] of Object.entries(loop.observable)) {
    const [region, variation] = key.split('__');
    const h = hists[variation === 'nominal' ? `${region}_ttbar` : `${region}_ttbar_${variation}`]!;
    assert.deepEqual(h.edges, Array.from({ length: 26 }, (_, i) => 50 + 20 * i));
    assert.equal(h.contents.length, 27, 'flow bins included');
    const expected = new Array(h.edges.length + 1).fill(0);
    for (const x of values) expected[x < 50 ? 0 : x >= 550 ? 26 : Math.floor((x - 50) / 20) + 1] += w;
    expected.forEach((v, i) => assert.ok(Math.abs(h.contents[i]! - v) < 1e-6 * w, `${key} bin ${i}: ${h.contents[i]} vs ${v}`));
  }
}

for (const selection of ['v1', 'v2'] as const) {
  test(`ttbar graph on the real CMS NanoAOD file (${selection}): per-region counts and histograms equal a plain loop`, { skip: !existsSync(NANOAOD) }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hepflow-graphs-ttbar-cms-'));
    try {
      const nevts = 200;
      writeFileSync(join(dir, 'fileset.json'), JSON.stringify({ ttbar: { nominal: { files: [{ path: NANOAOD, nevts }] } } }));
      if (selection === 'v1') {
        // without every AGC sample the fit cannot run: one line saying so, before anything runs
        const r = spawnSync(process.execPath, [join(ROOT, 'cli.ts'), 'run', GRAPH, '--ui', 'json', '--cache-dir', join(dir, 'cache'), '--out', join(dir, 'out'), '--set', `fileset=${join(dir, 'fileset.json')}`], { cwd: ROOT, encoding: 'utf8' });
        assert.equal(r.status, 2, r.stderr);
        assert.match(r.stderr, /lacks single_top_s_chan\/nominal.*--set fit=false/);
      }
      flowRun(dir, [`fileset=${join(dir, 'fileset.json')}`, `selection=${selection}`, 'fit=false']);
      const loop = await plainLoop(NANOAOD, selection);
      // this file has events in 4j1b but none in 4j2b (the generated-sample test covers 4j2b)
      if (selection === 'v1') assert.ok(loop.count['4j1b__nominal']! > 0, 'the file has 4j1b events');
      assertMatchesLoop(join(dir, 'out'), 'ttbar__nominal', nevts, loop);
      if (selection === 'v2') return;

      // two files of one sample weigh xsec*lumi / (sum of their nevts), as the AGC's fileset does
      copyFileSync(NANOAOD, join(dir, 'a.root'));
      copyFileSync(NANOAOD, join(dir, 'b.root'));
      writeFileSync(join(dir, 'two.json'), JSON.stringify({ ttbar: { nominal: { files: [{ path: 'a.root', nevts }, { path: 'b.root', nevts }] } } }));
      const one = readJson(join(dir, 'out', 'histograms.json'))['4j1b_ttbar'].contents as number[];
      flowRun(dir, [`fileset=${join(dir, 'two.json')}`, 'fit=false', 'maxFilesPerSample=2']);
      const two = readJson(join(dir, 'out', 'histograms.json'))['4j1b_ttbar'].contents as number[];
      one.forEach((v, i) => assert.ok(Math.abs(two[i]! - v) <= 1e-9 * Math.max(1, v), `two files, bin ${i}: ${two[i]} vs ${v}`));
      assert.equal(readJson(join(dir, 'out', 'cutflow.json'))['ttbar__nominal']['4j1b__nominal'], 2 * loop.count['4j1b__nominal']!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
