// The AGC selection on the real CMS 2015 NanoAOD file vs a plain per-event loop written here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Events, Rng } from '../src/columnar/index.ts';
import { agcHistogram, agcProcess, agcSelect, AGC_BRANCHES_V2, type AgcSample } from '../src/analysis/agc.ts';
import { CorrectionSet } from '../src/correctionlib/index.ts';
import { NANOAOD, readWithJsroot } from './helpers/events-read-nanoaod.ts';

const CORRECTIONS = new URL('../../shared/data/agc/corrections.json', import.meta.url).pathname;
const sample: AgcSample = { process: 'ttbar', variation: 'nominal', xsec: 729.84, nevts: 6389801 };
const W = (729.84 * 3378) / 6389801;
const SEED = 1234;

type Row = Record<string, number | number[]>;
interface RefEvent { region: '4j1b' | '4j2b'; obs: number; jetPt: number[] }

/** Straightforward reference: nested loops over one event's raw arrays. */
function refSelect(r: Row, factor: (j: number) => number, v2: boolean): RefEvent | null {
  const arr = (k: string) => r[k] as number[];
  let nlep = 0;
  if (!v2) {
    for (const pt of arr('Electron_pt')) if (pt > 25) nlep++;
    for (const pt of arr('Muon_pt')) if (pt > 25) nlep++;
  } else {
    arr('Electron_pt').forEach((pt, i) => { if (pt > 30 && Math.abs(arr('Electron_eta')[i]!) < 2.1 && arr('Electron_cutBased')[i] === 4 && arr('Electron_sip3d')[i]! < 4) nlep++; });
    arr('Muon_pt').forEach((pt, i) => { if (pt > 30 && Math.abs(arr('Muon_eta')[i]!) < 2.1 && arr('Muon_tightId')[i] && arr('Muon_sip3d')[i]! < 4 && arr('Muon_pfRelIso04_all')[i]! < 0.15) nlep++; });
  }
  const jets: Array<{ pt: number; eta: number; phi: number; m: number; b: number }> = [];
  arr('Jet_pt').forEach((pt0, j) => {
    const pt = pt0 * factor(j);
    const ok = v2 ? pt > 30 && Math.abs(arr('Jet_eta')[j]!) < 2.4 && (arr('Jet_jetId')[j]! & 4) === 4 : pt > 25;
    if (ok) jets.push({ pt, eta: arr('Jet_eta')[j]!, phi: arr('Jet_phi')[j]!, m: arr('Jet_mass')[j]!, b: arr('Jet_btagCSVV2')[j]! });
  });
  if (nlep !== 1 || jets.length < 4) return null;
  const nbStrict = jets.filter((j) => j.b > 0.5).length;
  const nb1 = v2 ? jets.filter((j) => j.b >= 0.5).length : nbStrict;
  const jetPt = jets.map((j) => j.pt);
  if (nb1 === 1) return { region: '4j1b', obs: jetPt.reduce((a, b) => a + b, 0), jetPt };
  if (nbStrict >= 2) {
    let bestPt = -1, bestM = NaN;
    for (let a = 0; a < jets.length; a++) for (let b = a + 1; b < jets.length; b++) for (let c = b + 1; c < jets.length; c++) {
      const t = [jets[a]!, jets[b]!, jets[c]!];
      if (Math.max(...t.map((j) => j.b)) <= 0.5) continue;
      let px = 0, py = 0, pz = 0, E = 0;
      for (const j of t) {
        const x = j.pt * Math.cos(j.phi), y = j.pt * Math.sin(j.phi), z = j.pt * Math.sinh(j.eta);
        px += x; py += y; pz += z; E += Math.sqrt(x * x + y * y + z * z + j.m * j.m);
      }
      const pt = Math.hypot(px, py);
      if (pt > bestPt) { bestPt = pt; bestM = Math.sqrt(E * E - px * px - py * py - pz * pz); }
    }
    return { region: '4j2b', obs: bestM, jetPt };
  }
  return null;
}

function refHist(events: Array<RefEvent | null>, region: string, weight: (e: RefEvent) => number): number[] {
  const bins = new Array(27).fill(0);
  for (const e of events) {
    if (!e || e.region !== region) continue;
    const i = e.obs < 50 ? 0 : e.obs >= 550 ? 26 : 1 + Math.floor((e.obs - 50) / 20);
    bins[i] += weight(e);
  }
  return bins;
}

function assertClose(actual: ArrayLike<number>, expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= 1e-9 * Math.max(1, Math.abs(expected[i]!)), `${what} bin ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

test('AGC selection on real CMS NanoAOD matches a per-event loop (nominal, JES, JER, b-tag weights)', { skip: !existsSync(NANOAOD) }, async () => {
  const { batch, rows } = await readWithJsroot(NANOAOD, 'Events', AGC_BRANCHES_V2);
  assert.equal(batch.entries, 200);
  const ev = new Events(batch);
  const h = agcProcess(ev, sample, agcHistogram(), {}, SEED);

  // smearing factors: the same seeded stream, consumed in jet order over the chunk
  const smear = new Rng(SEED).normalArray((batch.columns.Jet_pt as { content: ArrayLike<number> }).content.length, 1, 0.05);
  const jetBase: number[] = [];
  let acc = 0;
  for (const r of rows) { jetBase.push(acc); acc += (r.Jet_pt as number[]).length; }
  const variations: Record<string, Array<RefEvent | null>> = {
    nominal: rows.map((r) => refSelect(r, () => 1, false)),
    pt_scale_up: rows.map((r) => refSelect(r, () => 1.03, false)),
    pt_res_up: rows.map((r, i) => refSelect(r, (j) => smear[jetBase[i]! + j]!, false)),
  };
  let selectedSomewhere = 0;
  for (const [name, evs] of Object.entries(variations)) {
    for (const region of ['4j1b', '4j2b']) {
      const expected = refHist(evs, region, () => W);
      const got = h.withFlow({ region, process: 'ttbar', variation: name }).values;
      assertClose(got, expected, `${region} ${name}`);
      selectedSomewhere += evs.filter((e) => e?.region === region).length;
    }
  }
  assert.ok(selectedSomewhere > 0, 'the 200 events must select something for the test to mean anything');
  for (let i = 0; i < 4; i++) {
    for (const [dir, s] of [['up', 1], ['down', -1]] as const) {
      for (const region of ['4j1b', '4j2b']) {
        const expected = refHist(variations.nominal!, region, (e) => W * (1 + (s * 0.075 * (e.jetPt[i] ?? NaN)) / 50));
        assertClose(h.withFlow({ region, process: 'ttbar', variation: `btag_var_${i}_${dir}` }).values, expected, `${region} btag_var_${i}_${dir}`);
      }
    }
  }
  // event counts per region from the selection's cutflow
  const sel = agcSelect(ev, sample, {}, SEED);
  for (const region of ['4j1b', '4j2b']) {
    assert.equal(sel.meta.cutflow[`${region}__nominal`], variations.nominal!.filter((e) => e?.region === region).length, `${region} count`);
  }
});

test('AGC v2 selection with corrections.json matches a per-event loop; wjets gets scale_var', { skip: !existsSync(NANOAOD) }, async () => {
  const { batch, rows } = await readWithJsroot(NANOAOD, 'Events', AGC_BRANCHES_V2);
  const cs = CorrectionSet.fromFile(CORRECTIONS);
  const wj: AgcSample = { process: 'wjets', variation: 'nominal', xsec: 15487.164, nevts: 5913030 };
  const h = agcProcess(new Events(batch), wj, agcHistogram(), { selection: 'v2', eventSystematics: cs.get('event_systematics') }, 7);
  const w = (15487.164 * 3378) / 5913030;
  const nominal = rows.map((r) => refSelect(r, () => 1, true));
  const scale = rows.map((r) => refSelect(r, () => 1.03, true));
  for (const region of ['4j1b', '4j2b']) {
    assertClose(h.withFlow({ region, process: 'wjets', variation: 'nominal' }).values, refHist(nominal, region, () => w), `v2 ${region}`);
    assertClose(h.withFlow({ region, process: 'wjets', variation: 'pt_scale_up' }).values, refHist(scale, region, () => w), `v2 ${region} JES`);
    assertClose(h.withFlow({ region, process: 'wjets', variation: 'scale_var_down' }).values, refHist(nominal, region, () => w * 0.975), `v2 ${region} scale_var_down`);
    assertClose(h.withFlow({ region, process: 'wjets', variation: 'btag_var_1_up' }).values, refHist(nominal, region, (e) => w * (1 + (e.jetPt[1]! * 0.075) / 50)), `v2 ${region} btag_var_1_up`);
  }
});

test('2-point variation samples fill only their variation name, data gets unit weights', { skip: !existsSync(NANOAOD) }, async () => {
  const { batch } = await readWithJsroot(NANOAOD, 'Events', AGC_BRANCHES_V2);
  const ev = new Events(batch);
  const h = agcProcess(ev, { ...sample, variation: 'ME_var' }, agcHistogram(), {}, 1);
  const variations = (h.axis('variation') as unknown as { values: string[] }).values;
  assert.deepEqual(variations, ['ME_var']);
  const hn = agcProcess(ev, sample, agcHistogram(), { systematics: false }, 1);
  const nominalSum = hn.slice({ process: 'ttbar', variation: 'nominal' }).sum();
  assert.ok(Math.abs(h.slice({ process: 'ttbar', variation: 'ME_var' }).sum() - nominalSum) < 1e-9 * nominalSum);
  const hd = agcProcess(ev, { process: 'data', variation: 'nominal', isData: true }, agcHistogram(), {}, 1);
  const nData = hd.slice({ process: 'data', variation: 'nominal' }).sum();
  assert.ok(Math.abs(nData - nominalSum / W) < 1e-9 * nData, 'data events count with weight 1');
});

/** Synthetic NanoAOD-like events (many 4j2b events, which the 200 real ones lack). */
function syntheticRows(n: number, seed: number): Row[] {
  const rng = new Rng(seed);
  const u = (lo: number, hi: number) => lo + (hi - lo) * rng.uniform();
  const int = (lo: number, hi: number) => Math.floor(u(lo, hi + 1));
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const nj = int(0, 9), ne = int(0, 2), nm = int(0, 2);
    const f32 = (x: number) => Math.fround(x);
    rows.push({
      Jet_pt: Array.from({ length: nj }, () => f32(15 - 40 * Math.log(rng.uniform()))),
      Jet_eta: Array.from({ length: nj }, () => f32(u(-3, 3))),
      Jet_phi: Array.from({ length: nj }, () => f32(u(-Math.PI, Math.PI))),
      Jet_mass: Array.from({ length: nj }, () => f32(u(2, 25))),
      Jet_btagCSVV2: Array.from({ length: nj }, () => (rng.uniform() < 0.05 ? 0.5 : f32(u(-0.3, 1)))),
      Jet_jetId: Array.from({ length: nj }, () => [2, 6, 6][int(0, 2)]!),
      Electron_pt: Array.from({ length: ne }, () => f32(u(10, 80))),
      Electron_eta: Array.from({ length: ne }, () => f32(u(-2.5, 2.5))),
      Electron_cutBased: Array.from({ length: ne }, () => int(2, 4)),
      Electron_sip3d: Array.from({ length: ne }, () => f32(u(0, 6))),
      Muon_pt: Array.from({ length: nm }, () => f32(u(10, 80))),
      Muon_eta: Array.from({ length: nm }, () => f32(u(-2.5, 2.5))),
      Muon_tightId: Array.from({ length: nm }, () => int(0, 1)),
      Muon_sip3d: Array.from({ length: nm }, () => f32(u(0, 6))),
      Muon_pfRelIso04_all: Array.from({ length: nm }, () => f32(u(0, 0.3))),
    });
  }
  return rows;
}

function rowsToBatch(rows: Row[]) {
  const columns: Record<string, { offsets: Int32Array; content: Float32Array }> = {};
  for (const b of Object.keys(rows[0]!)) {
    const offsets = new Int32Array(rows.length + 1);
    rows.forEach((r, i) => { offsets[i + 1] = offsets[i]! + (r[b] as number[]).length; });
    const content = new Float32Array(offsets[rows.length]!);
    rows.forEach((r, i) => content.set(r[b] as number[], offsets[i]));
    columns[b] = { offsets, content };
  }
  return { entries: rows.length, columns };
}

for (const selection of ['v1', 'v2'] as const) {
  test(`AGC ${selection} on synthetic events with many 4j2b events matches a per-event loop`, () => {
    const rows = syntheticRows(4000, selection === 'v1' ? 11 : 12);
    const batch = rowsToBatch(rows);
    const h = agcProcess(new Events(batch), sample, agcHistogram(), { selection }, SEED);
    const smear = new Rng(SEED).normalArray(batch.columns.Jet_pt!.content.length, 1, 0.05);
    const base = batch.columns.Jet_pt!.offsets;
    const variations: Record<string, Array<RefEvent | null>> = {
      nominal: rows.map((r) => refSelect(r, () => 1, selection === 'v2')),
      pt_scale_up: rows.map((r) => refSelect(r, () => 1.03, selection === 'v2')),
      pt_res_up: rows.map((r, i) => refSelect(r, (j) => smear[base[i]! + j]!, selection === 'v2')),
    };
    for (const region of ['4j1b', '4j2b']) {
      assert.ok(variations.nominal!.filter((e) => e?.region === region).length >= 20, `enough ${region} events`);
      for (const [name, evs] of Object.entries(variations)) {
        assertClose(h.withFlow({ region, process: 'ttbar', variation: name }).values, refHist(evs, region, () => W), `${selection} ${region} ${name}`);
      }
      const expected = refHist(variations.nominal!, region, (e) => W * (1 - (0.075 * e.jetPt[3]!) / 50));
      assertClose(h.withFlow({ region, process: 'ttbar', variation: 'btag_var_3_down' }).values, expected, `${selection} ${region} btag_var_3_down`);
    }
  });
}

test('AGC object variations with factor 1 (scale 1, resolution 0) equal the nominal histograms', () => {
  const batch = rowsToBatch(syntheticRows(3000, 13));
  const h = agcProcess(new Events(batch), sample, agcHistogram(), { jetScaleUp: 1, jetResolution: 0 }, SEED);
  for (const region of ['4j1b', '4j2b']) {
    const nominal = Array.from(h.withFlow({ region, process: 'ttbar', variation: 'nominal' }).values);
    assert.ok(nominal.some((x) => x > 0));
    for (const v of ['pt_scale_up', 'pt_res_up']) assert.deepEqual(Array.from(h.withFlow({ region, process: 'ttbar', variation: v }).values), nominal, `${region} ${v}`);
  }
});
