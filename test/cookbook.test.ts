// Every recipe of docs/cookbook.md is a graph file (docs/cookbook/*.ts) run here against
// ../shared/data; results are checked against plain loops over the file's columns (the reader
// itself is checked against uproot in root-read-refs.test.ts), not against numbers from a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { flow, ROOT, tempDir } from './engine/harness.ts';
import { openRootFile } from '../src/root/read/index.ts';

const DATA = resolve(ROOT, '../shared/data/root');
const ZMUMU = join(DATA, 'uproot-Zmumu.root');
const NANO = join(DATA, 'nanoAOD_2015_CMS_Open_Data_ttbar.root');

async function columns(path: string, tree: string, names: string[]): Promise<Record<string, any>> {
  const f = await openRootFile(path);
  try {
    return (await (await f.tree(tree)).read(names)).columns;
  } finally {
    await f.close();
  }
}

async function recipe(name: string, sets: string[] = []): Promise<string> {
  const out = tempDir(`cookbook-${name}`);
  const r = await flow(['run', join(ROOT, 'docs/cookbook', `${name}.ts`), '--ui', 'json', '--no-cache', '--out', out, '--workers', '0', ...sets.flatMap((s) => ['--set', s])], ROOT);
  assert.equal(r.code, 0, r.stderr + r.stdout.slice(-1500));
  return out;
}

/** Counts of `values` in `bins` equal bins over [lo, hi), under- and overflow at both ends. */
function histogram(values: number[], bins: number, lo: number, hi: number): number[] {
  const c = new Array(bins + 2).fill(0);
  for (const v of values) c[v < lo ? 0 : v >= hi ? bins + 1 : 1 + Math.floor(((v - lo) / (hi - lo)) * bins)]++;
  return c;
}

const json = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));

test('every recipe in docs/cookbook/ is in docs/cookbook.md and tested here', () => {
  const md = readFileSync(join(ROOT, 'docs/cookbook.md'), 'utf8');
  const me = readFileSync(import.meta.filename, 'utf8');
  for (const f of readdirSync(join(ROOT, 'docs/cookbook')).filter((n) => n.endsWith('.ts'))) {
    assert.ok(md.includes(`docs/cookbook/${f}`), `${f} in cookbook.md`);
    assert.ok(me.includes(`recipe('${f.replace(/\.ts$/, '')}'`), `${f} run by this test`);
  }
});

test('dimuon mass from a flat ntuple: opposite-charge pairs, mass from E/p, as the file\'s own M column', async () => {
  const out = await recipe('dimuon-mass', [`file=${ZMUMU}`]);
  const c = await columns(ZMUMU, 'events', ['Q1', 'Q2', 'M', 'E1', 'px1', 'py1', 'pz1', 'E2', 'px2', 'py2', 'pz2']);
  const mine: number[] = [], stored: number[] = [];
  for (let i = 0; i < c.M.length; i++) {
    if (c.Q1[i] * c.Q2[i] >= 0) continue;
    const E = c.E1[i] + c.E2[i], px = c.px1[i] + c.px2[i], py = c.py1[i] + c.py2[i], pz = c.pz1[i] + c.pz2[i];
    mine.push(Math.sqrt(Math.max(0, E * E - px * px - py * py - pz * pz)));
    stored.push(c.M[i]);
  }
  const h = json(out, 'dimuon-mass.json').mumu.contents as number[];
  assert.deepEqual(h, histogram(mine, 60, 60, 120));
  // the file's M (computed by its producer) puts the same pairs in the same bins but for rounding at edges
  const ref = histogram(stored, 60, 60, 120);
  assert.ok(h.every((n, i) => Math.abs(n - ref[i]!) <= 2), 'close to the stored M');
  assert.ok(h.reduce((a, b) => a + b) === mine.length && mine.length > 1000);
});

test('leading-jet pT in NanoAOD with an isolated-muon requirement', async () => {
  const out = await recipe('leading-jet-pt', [`file=${NANO}`]);
  const c = await columns(NANO, 'Events', ['Jet_pt', 'Muon_pt', 'Muon_eta', 'Muon_pfRelIso04_all']);
  const lead: number[] = [];
  const mu = c.Muon_pt, jet = c.Jet_pt;
  for (let e = 0; e < jet.offsets.length - 1; e++) {
    let good = false;
    for (let k = mu.offsets[e]; k < mu.offsets[e + 1]; k++) good ||= mu.content[k] > 25 && c.Muon_pfRelIso04_all.content[k] < 0.15 && Math.abs(c.Muon_eta.content[k]) < 2.4;
    if (!good || jet.offsets[e + 1] === jet.offsets[e]) continue;
    let m = -Infinity;
    for (let k = jet.offsets[e]; k < jet.offsets[e + 1]; k++) m = Math.max(m, jet.content[k]);
    lead.push(m);
  }
  assert.ok(lead.length > 10, `${lead.length} events`);
  assert.deepEqual(json(out, 'leading-jet-pt.json').leadJetPt.contents, histogram(lead, 20, 0, 400));
});

test('a cutflow: events passing each cut in turn', async () => {
  const out = await recipe('cutflow', [`file=${NANO}`]);
  const c = await columns(NANO, 'Events', ['Jet_pt', 'Muon_pt', 'Muon_pfRelIso04_all', 'MET_pt']);
  let one = 0, two = 0, met = 0;
  for (let e = 0; e < c.MET_pt.length; e++) {
    let m = 0, j = 0;
    for (let k = c.Muon_pt.offsets[e]; k < c.Muon_pt.offsets[e + 1]; k++) if (c.Muon_pt.content[k] > 20 && c.Muon_pfRelIso04_all.content[k] < 0.15) m++;
    for (let k = c.Jet_pt.offsets[e]; k < c.Jet_pt.offsets[e + 1]; k++) if (c.Jet_pt.content[k] > 30) j++;
    if (m < 1) continue;
    one++;
    if (j < 2) continue;
    two++;
    if (c.MET_pt[e] > 20) met++;
  }
  assert.deepEqual(json(out, 'cutflow.json'), { ttbar__nominal: { all: c.MET_pt.length, one_muon: one, two_jets: two, met } });
  assert.ok(one > two && two > 0);
});

test('a systematic variation: the momentum scale shifts the mass by the same factor, up and down', async () => {
  const out = await recipe('systematic-variation', [`file=${ZMUMU}`, 'scale=0.02']);
  const c = await columns(ZMUMU, 'events', ['E1', 'px1', 'py1', 'pz1', 'E2', 'px2', 'py2', 'pz2']);
  const m: number[] = [];
  for (let i = 0; i < c.E1.length; i++) {
    const E = c.E1[i] + c.E2[i], px = c.px1[i] + c.px2[i], py = c.py1[i] + c.py2[i], pz = c.pz1[i] + c.pz2[i];
    m.push(Math.sqrt(Math.max(0, E * E - px * px - py * py - pz * pz)));
  }
  const h = json(out, 'systematic-variation.json');
  assert.deepEqual(Object.keys(h).sort(), ['mumu_zmumu', 'mumu_zmumu_scale_down', 'mumu_zmumu_scale_up']);
  assert.deepEqual(h.mumu_zmumu.contents, histogram(m, 60, 60, 120));
  assert.deepEqual(h.mumu_zmumu_scale_up.contents, histogram(m.map((x) => x * 1.02), 60, 60, 120));
  assert.deepEqual(h.mumu_zmumu_scale_down.contents, histogram(m.map((x) => x * 0.98), 60, 60, 120));
  assert.ok(existsSync(join(out, 'systematic-variation.root')));
});

test('a data/MC plot from histograms alone: data as points, the simulated processes stacked', async () => {
  const out = await recipe('data-mc-plot', ['events=1500']);
  const svg = readFileSync(join(out, 'figures', 'hist_leading_lepton.svg'), 'utf8');
  for (const label of ['Data', 'ZZ', 'H']) assert.match(svg, new RegExp(`>${label}<`), label);
  assert.ok(existsSync(join(out, 'figures', 'hist_leading_lepton.png')));
  assert.ok(existsSync(join(out, 'report.html')));
});
