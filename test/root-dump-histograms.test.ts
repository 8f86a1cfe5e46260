// `flow root dump` reads histograms: TH1F against uproot's reads (../shared/refs/root), and hsimple's
// TH1F/TH2F/TProfile against the ntuple they were filled from (same file, same events).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { flow, ROOT } from './engine/harness.ts';
import { openRootFile } from '../src/root/read/index.ts';

const DATA = resolve(ROOT, '../shared/data/root');
const REFS = resolve(ROOT, '../shared/refs/root');

async function dumpJson(file: string, extra: string[] = []): Promise<Record<string, any>> {
  const r = await flow(['root', 'dump', join(DATA, file), '--json', ...extra], ROOT);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).histograms;
}

const bin = (x: number, lo: number, hi: number, n: number) => (x < lo ? 0 : x >= hi ? n + 1 : 1 + Math.floor(((x - lo) / (hi - lo)) * n));

test('TH1F as uproot reads it: edges, values, under/overflow, entries', async () => {
  const ref = JSON.parse(readFileSync(join(REFS, 'uproot-histograms.json'), 'utf8')).histograms as Record<string, any>;
  const got = await dumpJson('uproot-histograms.root'); // no tree in the file: its histograms
  assert.deepEqual(Object.keys(got).sort(), Object.keys(ref).sort());
  for (const [name, h] of Object.entries(ref)) {
    assert.equal(got[name].class, h.class, name);
    assert.equal(got[name].entries, h.entries, name);
    got[name].edges.forEach((e: number, i: number) => assert.ok(Math.abs(e - h.edges[i]) <= 1e-12, `${name} edge ${i}`));
    assert.deepEqual([got[name].values, got[name].underflow, got[name].overflow], [h.values, h.underflow, h.overflow], name);
  }
});

test('hsimple TH1F, TH2F and TProfile agree with the ntuple filled alongside them', async () => {
  const got = await dumpJson('uproot-hepdata-example.root', ['--hist', 'hpx,hpxpy,hprof']);
  const f = await openRootFile(join(DATA, 'uproot-hepdata-example.root'));
  const { px, py, pz } = (await (await f.tree('ntuple')).read(['px', 'py', 'pz'])).columns as { px: Float32Array; py: Float32Array; pz: Float32Array };
  await f.close();
  const n = px.length;
  // hpx: 100 bins over [-4, 4) of px
  const hpx = new Array(102).fill(0);
  for (let i = 0; i < n; i++) hpx[bin(px[i]!, -4, 4, 100)]++;
  assert.equal(got.hpx.entries, n);
  assert.deepEqual([got.hpx.underflow, ...got.hpx.values, got.hpx.overflow], hpx);
  // hpxpy: 40 x 40 over [-4, 4)^2 of (px, py)
  const grid = Array.from({ length: 40 }, () => new Array(40).fill(0));
  let outside = 0;
  for (let i = 0; i < n; i++) {
    const bx = bin(px[i]!, -4, 4, 40), by = bin(py[i]!, -4, 4, 40);
    if (bx === 0 || bx === 41 || by === 0 || by === 41) outside++;
    else grid[bx - 1]![by - 1]++;
  }
  assert.deepEqual(got.hpxpy.values, grid);
  assert.equal(got.hpxpy.flow, outside);
  assert.equal(got.hpxpy.edges[1].length, 41);
  // hprof: mean of pz per px bin, the fill count per bin (hsimple books it with y in [0, 20]: ROOT
  // fills a TProfile only with ylow <= y <= yup)
  const sum = new Array(102).fill(0), cnt = new Array(102).fill(0);
  for (let i = 0; i < n; i++) { if (pz[i]! < 0 || pz[i]! > 20) continue; const b = bin(px[i]!, -4, 4, 100); sum[b] += pz[i]!; cnt[b]++; }
  assert.equal(got.hprof.entries, cnt.reduce((a, b) => a + b, 0));
  assert.equal(got.hprof.class, 'TProfile');
  assert.deepEqual(got.hprof.binEntries, cnt.slice(1, 101));
  got.hprof.values.forEach((m: number, i: number) => {
    const want = cnt[i + 1] ? sum[i + 1] / cnt[i + 1] : 0;
    assert.ok(Math.abs(m - want) <= 1e-5 * Math.max(1, Math.abs(want)), `hprof bin ${i}: ${m} vs ${want}`);
  });
  assert.equal(got.hprof.variances.length, 100);
});

test('--hist of a name that is not a histogram says what it is', async () => {
  const r = await flow(['root', 'dump', join(DATA, 'uproot-hepdata-example.root'), '--hist', 'ntuple'], ROOT);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no histogram 'ntuple' \('ntuple' is a TNtuple\) \(histograms: hpx, hpxpy, hprof\)/);
});
