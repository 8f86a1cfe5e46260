// select / fill / merge node kinds run directly (as the engine's worker would) on generated chunks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import selectKind from '../nodes/select.ts';
import fillKind from '../nodes/fill.ts';
import mergeKind from '../nodes/merge.ts';
import { mergeHistograms } from '../src/analysis/merge-histograms.ts';
import type { ChunkContext, FileInfo } from '../src/engine/node-kind.ts';
import { Events, Rng } from '../src/columnar/index.ts';
import { agcAxes, agcFillFn, agcSelectFn, agcProcess, agcHistogram } from '../src/analysis/agc.ts';
import { hzzFill, hzzHistogram, hzzSelect } from '../src/analysis/hzz.ts';
import { fromData, regular, strCategory, type HistogramsArtifact } from '../src/hist/index.ts';
import type { ColumnBatch } from '../src/columns.ts';

function file(sample: string, variation = 'nominal', extra: Partial<FileInfo> = {}): FileInfo {
  return { path: `/data/${sample}.root`, sample, process: sample, variation, xsec: 100, nevts: 1000, fingerprint: { kind: 'local', path: `/data/${sample}.root`, size: 1, mtimeMs: 0 }, ...extra };
}
function ctx(f: FileInfo, start: number, stop: number, node = 'n'): ChunkContext {
  return { graph: 'g', node, log() {}, warn() {}, signal: new AbortController().signal, seed: 99, chunk: { id: `${f.path}:${start}`, file: f, tree: 'Events', start, stop } };
}

function genEvents(n: number, seed: number): ColumnBatch {
  const r = new Rng(seed);
  const cols: Record<string, number[][]> = {};
  const push = (k: string, v: number[]) => { (cols[k] ??= []).push(v); };
  for (let i = 0; i < n; i++) {
    const nj = Math.floor(r.uniform() * 8), ne = r.uniform() < 0.5 ? 1 : 0, nm = ne ? 0 : Math.floor(r.uniform() * 2);
    const arr = (k: number, f: () => number) => Array.from({ length: k }, f);
    push('Jet_pt', arr(nj, () => Math.fround(20 + 60 * r.uniform())));
    push('Jet_eta', arr(nj, () => Math.fround(r.uniform() * 4 - 2)));
    push('Jet_phi', arr(nj, () => Math.fround(r.uniform() * 6 - 3)));
    push('Jet_mass', arr(nj, () => Math.fround(5 + 10 * r.uniform())));
    push('Jet_btagCSVV2', arr(nj, () => Math.fround(r.uniform())));
    push('Electron_pt', arr(ne, () => Math.fround(20 + 30 * r.uniform())));
    push('Muon_pt', arr(nm, () => Math.fround(20 + 30 * r.uniform())));
  }
  const columns: ColumnBatch['columns'] = {};
  for (const [k, rows] of Object.entries(cols)) {
    const offsets = new Int32Array(n + 1);
    rows.forEach((x, i) => { offsets[i + 1] = offsets[i]! + x.length; });
    const content = new Float32Array(offsets[n]!);
    rows.forEach((x, i) => content.set(x, offsets[i]));
    columns[k] = { offsets, content };
  }
  return { entries: n, columns };
}

const selectParams = selectKind.params.parse({ select: agcSelectFn, options: {} });
const fillParams = (bins = 25) => fillKind.params.parse({ histograms: { agc: agcAxes(bins) }, fill: agcFillFn, lumi: 3378 });

test('per-chunk fill + reduce equals one chunk; cutflows and nevents add up', async () => {
  const batch = genEvents(3000, 3), f = file('ttbar');
  const whole = await fillKind.runChunk(await selectKind.runChunk(batch, selectParams, ctx(f, 0, 3000)), fillParams(), ctx(f, 0, 3000)) as HistogramsArtifact;
  // two chunks (the JER smearing seed differs per chunk, so compare seed-independent variations)
  const halves = await Promise.all(([[0, 1700], [1700, 3000]] as const).map(async ([a, b]) => {
    const sub = sliceBatch(batch, a, b);
    return await fillKind.runChunk(await selectKind.runChunk(sub, selectParams, ctx(f, a, b)), fillParams(), ctx(f, a, b)) as HistogramsArtifact;
  }));
  const merged = fillKind.reduce!.finish!(fillKind.reduce!.combine(halves[0]!, halves[1]!));
  const hw = fromData(fillKind.reduce!.finish!(whole).hists.agc!), hm = fromData(merged.hists.agc!);
  for (const v of ['nominal', 'pt_scale_up', 'btag_var_2_up']) for (const region of ['4j1b', '4j2b']) {
    const a = hw.withFlow({ region, process: 'ttbar', variation: v }).values, b = hm.withFlow({ region, process: 'ttbar', variation: v }).values;
    a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) < 1e-9 * Math.max(1, x), `${region} ${v} bin ${i}`));
    assert.ok(hw.slice({ region, process: 'ttbar', variation: v }).sum() > 0);
  }
  assert.equal(merged.nevents.ttbar__nominal, 3000);
  assert.equal(merged.cutflows.ttbar__nominal!.all, 3000);
  assert.equal(merged.cutflows.ttbar__nominal!['4j1b__nominal'], whole.cutflows.ttbar__nominal!['4j1b__nominal']);
});

test('a sample split over files is normalised to xsec*lumi / (sum of the files nevts), in any merge order', async () => {
  const batch = genEvents(2400, 6);
  const files = [file('ttbar', 'nominal', { path: '/d/a.root', nevts: 1000 }), file('ttbar', 'nominal', { path: '/d/b.root', nevts: 3000 })];
  const ranges: Array<[FileInfo, number, number]> = [[files[0]!, 0, 500], [files[0]!, 500, 1000], [files[1]!, 1000, 1800], [files[1]!, 1800, 2400]];
  const parts = await Promise.all(ranges.map(async ([f, a, b]) => {
    const sub = sliceBatch(batch, a, b);
    return await fillKind.runChunk(await selectKind.runChunk(sub, selectParams, ctx(f, a, b)), fillParams(), ctx(f, a, b));
  }));
  const r = fillKind.reduce!;
  const orders = [[0, 1, 2, 3], [3, 0, 2, 1], [2, 3, 1, 0]];
  const results = orders.map((o) => r.finish!(o.slice(1).reduce((acc, i) => r.combine(acc, parts[i]!), parts[o[0]!]!)) as HistogramsArtifact);
  // expected: every event weighted xsec*lumi/4000 (file() gives xsec 100)
  const expected = agcProcess(new Events(batch), { process: 'ttbar', variation: 'nominal', xsec: 100, nevts: 4000 }, agcHistogram(), {}, 0);
  for (const res of results) {
    const h = fromData(res.hists.agc!);
    for (const region of ['4j1b', '4j2b']) for (const v of ['nominal', 'btag_var_1_down']) {
      const got = h.withFlow({ region, process: 'ttbar', variation: v }), exp = expected.withFlow({ region, process: 'ttbar', variation: v });
      got.values.forEach((x, i) => assert.ok(Math.abs(x - exp.values[i]!) < 1e-9 * Math.max(1e-9, Math.abs(exp.values[i]!)), `${region} ${v} bin ${i}: ${x} vs ${exp.values[i]}`));
      got.variances.forEach((x, i) => assert.ok(Math.abs(x - exp.variances[i]!) < 1e-9 * Math.max(1e-12, exp.variances[i]!), `${region} ${v} var ${i}`));
    }
    assert.equal(res.nevents.ttbar__nominal, 2400);
    assert.equal((res as { bySample?: unknown }).bySample, undefined);
  }
});

function sliceBatch(b: ColumnBatch, start: number, stop: number): ColumnBatch {
  const columns: ColumnBatch['columns'] = {};
  for (const [k, c] of Object.entries(b.columns)) {
    if (ArrayBuffer.isView(c)) { columns[k] = c.subarray(start, stop); continue; }
    const base = c.offsets[start]!;
    columns[k] = { offsets: c.offsets.slice(start, stop + 1).map((o) => o - base), content: c.content.subarray(base, c.offsets[stop]) };
  }
  return { entries: stop - start, columns };
}

test('a variation with factor 1 equals nominal; unit-weight samples sum to xsec*lumi', async () => {
  const n = 2000, batch = genEvents(n, 4), f = file('wjets', 'nominal', { xsec: 250, nevts: n });
  // generic select/fill through the nodes: keep every event, fill a constant with a 'varied' copy scaled by 1
  const sel = selectKind.params.parse({ select: (ev: Events) => ({ keep: new Uint8Array(ev.entries).fill(1), columns: { ht: ev.collection('Jet').get('pt').sum() } }) });
  const out = await selectKind.runChunk(batch, sel, ctx(f, 0, n));
  const fp = fillKind.params.parse({
    histograms: { ht: [regular(10, 0, 500, { name: 'ht' }), strCategory([], { name: 'variation', growth: true })] },
    fill: (ev: Events, h: Record<string, import('../src/hist/index.ts').Hist>, c: { weight: number }) => {
      const ht = ev.col('ht');
      h.ht!.fill({ ht, variation: 'nominal' }, c.weight);
      h.ht!.fill({ ht: Float64Array.from(ht, (x) => x * 1), variation: 'scale1' }, Float64Array.from(ht, () => c.weight * 1));
    },
    lumi: 10,
  });
  const a = await fillKind.runChunk(out, fp, ctx(f, 0, n)) as HistogramsArtifact;
  const h = fromData(a.hists.ht!);
  assert.deepEqual(Array.from(h.withFlow({ variation: 'scale1' }).values), Array.from(h.withFlow({ variation: 'nominal' }).values));
  assert.ok(Math.abs(h.slice({ variation: 'nominal' }).sum() - 250 * 10) < 1e-9 * 2500);
});

test('merge adds artifacts and groups single-top channels into one process', async () => {
  const batch = genEvents(1500, 5);
  const parts = await Promise.all(['single_top_s_chan', 'single_top_t_chan', 'ttbar'].map(async (s) => {
    const f = file(s);
    return await fillKind.runChunk(await selectKind.runChunk(batch, selectParams, ctx(f, 0, 1500)), fillParams(), ctx(f, 0, 1500)) as HistogramsArtifact;
  }));
  const p = mergeKind.params.parse({ groups: { single_top: ['single_top_s_chan', 'single_top_t_chan'] } });
  const m = mergeHistograms(parts, p);
  const h = fromData(m.hists.agc!);
  assert.deepEqual((h.axis('process') as unknown as { values: string[] }).values, ['single_top', 'ttbar']);
  const st = h.slice({ region: '4j1b', process: 'single_top', variation: 'nominal' }).sum();
  const one = fromData(parts[0]!.hists.agc!).slice({ region: '4j1b', process: 'single_top_s_chan', variation: 'nominal' }).sum();
  assert.ok(st > 0 && Math.abs(st - 2 * one) < 1e-9 * st);
  assert.equal(m.nevents.single_top_s_chan__nominal, 1500);
});

test('H->ZZ: selection and m4l against a per-event loop; m4l and SF variations', () => {
  const r = new Rng(8), n = 500;
  const rows = Array.from({ length: n }, () => {
    const k = 3 + Math.floor(r.uniform() * 3);
    return {
      pt: Array.from({ length: k }, () => 10e3 + 50e3 * r.uniform()), eta: Array.from({ length: k }, () => r.uniform() * 4 - 2),
      phi: Array.from({ length: k }, () => r.uniform() * 6 - 3), charge: Array.from({ length: k }, () => (r.uniform() < 0.5 ? -1 : 1)),
      type: Array.from({ length: k }, () => (r.uniform() < 0.5 ? 11 : 13)), sf: 0.9 + 0.2 * r.uniform(), mcw: r.uniform() < 0.1 ? -1 : 1,
    };
  }).map((x) => ({ ...x, E: x.pt.map((p, i) => Math.sqrt((p * Math.cosh(x.eta[i]!)) ** 2 + (x.type[i] === 11 ? 0.511 : 105.7) ** 2)) }));
  const jag = (f: (x: (typeof rows)[number]) => number[]) => {
    const offsets = new Int32Array(n + 1);
    rows.forEach((x, i) => { offsets[i + 1] = offsets[i]! + f(x).length; });
    return { offsets, content: Float64Array.from(rows.flatMap(f)) };
  };
  const batch: ColumnBatch = { entries: n, columns: {
    lep_pt: jag((x) => x.pt), lep_eta: jag((x) => x.eta), lep_phi: jag((x) => x.phi), lep_E: jag((x) => x.E),
    lep_charge: jag((x) => x.charge), lep_type: jag((x) => x.type), mcWeight: Float64Array.from(rows, (x) => x.mcw),
    scaleFactor_ELE: Float64Array.from(rows, (x) => x.sf), scaleFactor_MUON: new Float64Array(n).fill(1),
    scaleFactor_LepTRIGGER: new Float64Array(n).fill(1), scaleFactor_PILEUP: new Float64Array(n).fill(1),
  } };
  const expected: Array<{ m: number; w: number }> = [];
  for (const x of rows) {
    if (x.pt.length < 4) continue;
    const q = x.charge.reduce((a, b) => a + b, 0), t = x.type.reduce((a, b) => a + b, 0);
    if (q !== 0 || ![44, 48, 52].includes(t)) continue;
    let px = 0, py = 0, pz = 0, E = 0;
    for (let i = 0; i < 4; i++) { px += x.pt[i]! * Math.cos(x.phi[i]!); py += x.pt[i]! * Math.sin(x.phi[i]!); pz += x.pt[i]! * Math.sinh(x.eta[i]!); E += x.E[i]!; }
    expected.push({ m: Math.sqrt(E * E - px * px - py * py - pz * pz) / 1000, w: x.mcw * x.sf });
  }
  const sel = hzzSelect(new Events(batch));
  assert.equal(sel.entries, expected.length);
  assert.ok(expected.length > 10);
  const m = sel.columns.mllll as Float64Array;
  expected.forEach((e, i) => assert.ok(Math.abs(m[i]! - e.m) < 1e-9 * e.m));
  const h = hzzFill(sel, { process: 'signal', xsec: 2, sumw: 4, lumi: 10 }, hzzHistogram());
  const norm = (10 * 2) / 4;
  const tot = expected.filter((e) => e.m >= 80 && e.m < 250).reduce((s, e) => s + e.w * norm, 0);
  assert.ok(Math.abs(h.slice({ process: 'signal', variation: 'nominal' }).sum(false) - tot) < 1e-9 * Math.abs(tot));
  assert.ok(Math.abs(h.slice({ process: 'signal', variation: 'scaleFactorUP' }).sum() - 1.1 * h.slice({ process: 'signal', variation: 'nominal' }).sum()) < 1e-9);
  const up = expected.filter((e) => e.m * 1.01 >= 80 && e.m * 1.01 < 250).reduce((s, e) => s + e.w * norm, 0);
  assert.ok(Math.abs(h.slice({ process: 'signal', variation: 'm4lUP' }).sum(false) - up) < 1e-9 * Math.abs(up));
});

test('H->ZZ through the select/fill nodes on generated ATLAS 4-lepton events: per-event loop and the 125 GeV peak', async () => {
  const { generateAtlas4lepSync } = await import('../src/gen/atlas4lep.ts');
  const { hzzSelectFn, hzzFillFn, hzzAxes } = await import('../src/analysis/hzz.ts');
  const n = 20000;
  const batch = generateAtlas4lepSync({ events: n, process: 'ggH', chunkSize: n }).next().value as ColumnBatch;
  const f = file('ggH', 'nominal', { xsec: 0.028, sumw: 1000, metadata: { red_eff: 0.5 } });
  const selected = await selectKind.runChunk(batch, selectKind.params.parse({ select: hzzSelectFn }), ctx(f, 0, n));
  const a = await fillKind.runChunk(selected, fillKind.params.parse({ histograms: { m4l: hzzAxes() }, fill: hzzFillFn, options: { lumi: 10000 } }), ctx(f, 0, n)) as HistogramsArtifact;
  // independent loop over the raw arrays
  const J = (k: string) => batch.columns[k] as { offsets: Int32Array; content: ArrayLike<number> };
  const F = (k: string) => batch.columns[k] as ArrayLike<number>;
  const bins = new Array(36).fill(0);
  const norm = (10000 * 0.028) / (1000 * 0.5);
  let nsel = 0;
  for (let e = 0; e < n; e++) {
    const o = J('lep_pt').offsets, s = o[e]!, len = o[e + 1]! - s;
    if (len < 4) continue;
    let q = 0, t = 0;
    for (let k = s; k < s + len; k++) { q += J('lep_charge').content[k]!; t += J('lep_type').content[k]!; }
    if (q !== 0 || ![44, 48, 52].includes(t)) continue;
    let px = 0, py = 0, pz = 0, E = 0;
    for (let k = s; k < s + 4; k++) {
      const pt = J('lep_pt').content[k]!, eta = J('lep_eta').content[k]!, phi = J('lep_phi').content[k]!;
      px += pt * Math.cos(phi); py += pt * Math.sin(phi); pz += pt * Math.sinh(eta); E += J('lep_E').content[k]!;
    }
    const m = Math.sqrt(E * E - px * px - py * py - pz * pz) / 1000;
    const w = norm * F('mcWeight')[e]! * F('scaleFactor_ELE')[e]! * F('scaleFactor_MUON')[e]! * F('scaleFactor_LepTRIGGER')[e]! * F('scaleFactor_PILEUP')[e]!;
    bins[m < 80 ? 0 : m >= 250 ? 35 : 1 + Math.floor((m - 80) / 5)] += w;
    nsel++;
  }
  assert.ok(nsel > 1000, `${nsel} events selected`);
  assert.equal(selected.entries, nsel);
  const h = fromData(a.hists.m4l!).withFlow({ process: 'ggH', variation: 'nominal' }).values;
  bins.forEach((b, i) => assert.ok(Math.abs(h[i]! - b) <= 1e-9 * Math.max(1, Math.abs(b)), `bin ${i}: ${h[i]} vs ${b}`));
  const peak = bins.indexOf(Math.max(...bins.slice(1, 35)));
  assert.ok(80 + 5 * (peak - 1) >= 115 && 80 + 5 * (peak - 1) <= 130, `m4l peak at ${80 + 5 * (peak - 1)} GeV`);
});

test('fillWeightVariations: weights are base x factor per row, nominal untouched', async () => {
  const { fillWeightVariations } = await import('../src/analysis/variations.ts');
  const { Hist } = await import('../src/hist/index.ts');
  const h = new Hist([regular(2, 0, 2, { name: 'x' }), strCategory([], { name: 'variation', growth: true })]);
  fillWeightVariations(h, { x: [0.5, 1.5] }, 2, { nominal: 1, up: Float64Array.of(1.5, 3), flat: 0.5 });
  assert.deepEqual(h.toBinned({ variation: 'nominal' }).values, [2, 2]);
  assert.deepEqual(h.toBinned({ variation: 'up' }).values, [3, 6]);
  assert.deepEqual(h.toBinned({ variation: 'up' }).variances, [9, 36]);
  assert.deepEqual(h.toBinned({ variation: 'flat' }).values, [1, 1]);
});
