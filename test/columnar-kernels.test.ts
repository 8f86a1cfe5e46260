import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Jag, Events, P4s, PackedSelection, combinations, cartesian, choose, concat, deltaR, deltaPhi, Rng, identityOffsets } from '../src/columnar/index.ts';

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

test('reductions, masks, filter and per-event picks', () => {
  const j = Jag.fromArrays([[30, 10, 50], [], [20], [5, 60]]);
  assert.deepEqual(Array.from(j.counts()), [3, 0, 1, 2]);
  assert.deepEqual(Array.from(j.sum()), [90, 0, 20, 65]);
  assert.deepEqual(Array.from(j.gt(25).countTrue()), [2, 0, 0, 1]);
  assert.deepEqual(Array.from(j.gt(25).any()), [1, 0, 0, 1]);
  assert.deepEqual(Array.from(j.gt(4).all()), [1, 1, 1, 1]);
  assert.deepEqual(j.filter(j.gt(25)).toArrays(), [[30, 50], [], [], [60]]);
  assert.deepEqual(Array.from(j.argmax()), [2, -1, 0, 1]);
  assert.deepEqual(Array.from(j.max()).map(String), ['50', 'NaN', '20', '60']);
  assert.deepEqual(j.sort(true).toArrays(), [[50, 30, 10], [], [20], [60, 5]]);
  assert.deepEqual(Array.from(j.at(1)).map(String), ['10', 'NaN', 'NaN', '60']);
  assert.deepEqual(j.mul(Float64Array.of(1, 2, 3, 4)).toArrays(), [[30, 10, 50], [], [60], [20, 240]]);
  assert.deepEqual(j.selectEvents(Uint8Array.of(1, 0, 0, 1)).toArrays(), [[30, 10, 50], [5, 60]]);
  assert.deepEqual(j.localIndex().toArrays(), [[0, 1, 2], [], [0], [0, 1]]);
  assert.deepEqual(Jag.broadcast(j.offsets, Float64Array.of(1, 2, 3, 4)).toArrays(), [[1, 1, 1], [], [3], [4, 4]]);
});

test('combinations: n choose k per event, lexicographic like ak.combinations', () => {
  const r = new Rng(5);
  const counts = Array.from({ length: 300 }, () => Math.floor(r.uniform() * 9));
  const off = new Int32Array(counts.length + 1);
  counts.forEach((c, i) => { off[i + 1] = off[i]! + c; });
  for (const k of [2, 3, 4]) {
    const c = combinations(off, k);
    counts.forEach((n, i) => assert.equal(c.offsets[i + 1]! - c.offsets[i]!, choose(n, k)));
  }
  const c3 = combinations(Int32Array.of(0, 4), 3);
  const triples = Array.from({ length: 4 }, (_, t) => c3.slots.map((s) => s[t]));
  assert.deepEqual(triples, [[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]]);
  const cart = cartesian(Int32Array.of(0, 2), Int32Array.of(0, 3));
  assert.equal(cart.offsets[1], 6);
});

test('four-vectors: invariant masses against hand-computed values', () => {
  // two back-to-back massless 45 GeV objects: m = 90
  const off = Int32Array.of(0, 2);
  const p = P4s.fromPtEtaPhiM(off, [45, 45], [0, 0], [0, Math.PI], [0, 0]);
  assert.ok(close(p.sumPerEvent().mass().content[0]!, 90));
  // pt/eta/phi round trip and E for a massive object
  const q = P4s.fromPtEtaPhiM(Int32Array.of(0, 1), [30], [1.2], [-2.0], [10]);
  assert.ok(close(q.pt().content[0]!, 30) && close(q.eta().content[0]!, 1.2) && close(q.phi().content[0]!, -2.0));
  assert.ok(close(q.mass().content[0]!, 10, 1e-7));
  assert.ok(close(q.E[0]!, Math.sqrt((30 * Math.cosh(1.2)) ** 2 + 100)));
  // ptEtaPhiE and sums over combinations
  const e = P4s.fromPxPyPzE(identityOffsets(1), [3], [4], [12], [14]);
  assert.ok(close(e.mass().content[0]!, Math.sqrt(14 * 14 - 9 - 16 - 144)));
  assert.ok(close(deltaPhi(3, -3), 6 - 2 * Math.PI));
  assert.ok(close(deltaR(0, 0.1, 0.3, -0.3), Math.hypot(0.3, 0.4)));
});

test('events view zips collections; filter is lazy but consistent; concat leptons', () => {
  const offs = Int32Array.of(0, 2, 3);
  const ev = new Events({ entries: 2, columns: {
    Jet_pt: { offsets: offs, content: Float32Array.of(40, 20, 35) },
    Jet_eta: { offsets: offs, content: Float32Array.of(0.5, -3, 1) },
    Electron_pt: { offsets: Int32Array.of(0, 1, 1), content: Float32Array.of(30) },
    Muon_pt: { offsets: Int32Array.of(0, 0, 2), content: Float32Array.of(26, 12) },
    run: Uint32Array.of(1, 1),
  } });
  const jets = ev.collection('Jet');
  const good = jets.filter(jets.get('pt').gt(25).and(jets.get('eta').absLt(2.4)));
  assert.deepEqual(good.get('eta').toArrays(), [[0.5], [1]]);
  const replaced = jets.with({ pt: jets.get('pt').mul(2) }).filter(jets.get('pt').gt(30));
  assert.deepEqual(replaced.get('pt').toArrays(), [[80], [70]]);
  const lep = concat('Lepton', [ev.collection('Electron'), ev.collection('Muon')], ['pt']);
  assert.deepEqual(lep.get('pt').toArrays(), [[30], [26, 12]]);
  assert.deepEqual(lep.get('source').toArrays(), [[0], [1, 1]]);
  assert.throws(() => ev.col('Jet_pt'), /jagged/);
  assert.throws(() => ev.col('nope'), /not in the chunk/);
});

test('PackedSelection: all/none/require and cutflow', () => {
  const s = new PackedSelection(5).add('a', [1, 1, 0, 1, 1]).add('b', [1, 0, 0, 1, 0]);
  assert.deepEqual(Array.from(s.all('a', 'b')), [1, 0, 0, 1, 0]);
  assert.deepEqual(Array.from(s.none('a', 'b')), [0, 0, 1, 0, 0]);
  assert.deepEqual(Array.from(s.require({ a: true, b: false })), [0, 1, 0, 0, 1]);
  const cf = s.cutflow();
  assert.deepEqual(cf.cumulative, [4, 2]);
  assert.deepEqual(cf.nMinusOne, [2, 4]);
});

test('the seeded RNG is reproducible and has the right moments', () => {
  const a = new Rng(42).normalArray(20000, 1, 0.05), b = new Rng(42).normalArray(20000, 1, 0.05);
  assert.deepEqual(a, b);
  const mean = a.reduce((s, x) => s + x, 0) / a.length;
  const sd = Math.sqrt(a.reduce((s, x) => s + (x - mean) ** 2, 0) / a.length);
  assert.ok(Math.abs(mean - 1) < 0.002 && Math.abs(sd - 0.05) < 0.002, `${mean} ${sd}`);
});

test('fused AGC trijet kernel equals the generic combinations -> sum -> filter -> argmax chain', async () => {
  const { trijetMass } = await import('../src/analysis/agc.ts');
  const r = new Rng(21), n = 400;
  const counts = Array.from({ length: n }, () => Math.floor(r.uniform() * 9));
  const off = new Int32Array(n + 1);
  counts.forEach((c, i) => { off[i + 1] = off[i]! + c; });
  const m = off[n]!, col = (f: () => number) => ({ offsets: off, content: Float64Array.from({ length: m }, f) });
  const ev = new Events({ entries: n, columns: { Jet_pt: col(() => 20 + 100 * r.uniform()), Jet_eta: col(() => r.uniform() * 4 - 2), Jet_phi: col(() => r.uniform() * 6 - 3), Jet_mass: col(() => 10 * r.uniform()), Jet_btagCSVV2: col(() => r.uniform()) } });
  const jets = ev.collection('Jet');
  const tri = jets.combinations(3), p4 = jets.p4().sumCombinations(tri);
  const hasB = jets.member(tri, 0, 'btagCSVV2').gt(0.5).or(jets.member(tri, 1, 'btagCSVV2').gt(0.5)).or(jets.member(tri, 2, 'btagCSVV2').gt(0.5));
  const generic = p4.mass().filter(hasB).pick(p4.pt().filter(hasB).argmax());
  const fused = trijetMass(jets, 0.5);
  let compared = 0;
  generic.forEach((g, i) => {
    if (Number.isNaN(g)) { assert.ok(Number.isNaN(fused[i])); return; }
    assert.ok(Math.abs(g - fused[i]!) < 1e-9 * g, `event ${i}`); compared++;
  });
  assert.ok(compared > 100);
});

test('normalArray gives the same sequence as repeated normal() calls', () => {
  const a = new Rng(3), b = new Rng(3);
  const one = Array.from({ length: 7 }, () => a.normal(1, 0.05));
  const arr = [...b.normalArray(3, 1, 0.05), ...b.normalArray(4, 1, 0.05)];
  arr.forEach((x, i) => assert.ok(Math.abs(x - one[i]!) < 1e-15, `${i}`));
});

test('minDeltaR cross-cleaning against a hand computation; field getters', () => {
  const ev = new Events({ entries: 2, columns: {
    Jet_eta: { offsets: Int32Array.of(0, 2, 3), content: Float64Array.of(0, 1, 2) },
    Jet_phi: { offsets: Int32Array.of(0, 2, 3), content: Float64Array.of(0, 3, -3) },
    Muon_eta: { offsets: Int32Array.of(0, 1, 1), content: Float64Array.of(0.3) },
    Muon_phi: { offsets: Int32Array.of(0, 1, 1), content: Float64Array.of(-3) },
  } });
  const d = ev.collection('Jet').minDeltaR(ev.collection('Muon'));
  const dphi = 3 - (-3) - 2 * Math.PI; // wrapped
  assert.ok(close(d.content[0]!, Math.hypot(0.3, 3)));
  assert.ok(close(d.content[1]!, Math.hypot(0.7, dphi)));
  assert.equal(d.content[2], Infinity);
  assert.deepEqual(ev.collection('Jet').eta.toArrays(), [[0, 1], [2]]);
});

test('events.filter(mask) is coffea events[mask]: columns and collections of the kept events', () => {
  const offs = Int32Array.of(0, 2, 2, 5);
  const ev = new Events({ entries: 3, columns: {
    Jet_pt: { offsets: offs, content: Float32Array.of(1, 2, 3, 4, 5) },
    Jet_eta: { offsets: offs, content: Float32Array.of(0, 0, 1, 1, 1) },
    MET_pt: Float32Array.of(10, 20, 30),
  } });
  const sel = ev.filter([1, 0, 1]);
  assert.equal(sel.entries, 2);
  assert.deepEqual(Array.from(sel.col('MET_pt')), [10, 30]);
  assert.deepEqual(sel.jag('Jet_pt').toArrays(), [[1, 2], [3, 4, 5]]);
  assert.deepEqual(sel.collection('Jet').eta.toArrays(), [[0, 0], [1, 1, 1]]);
  assert.deepEqual(sel.filter([0, 1]).collection('Jet').pt.toArrays(), [[3, 4, 5]]);
  assert.throws(() => ev.filter([1]), /mask has 1 entries/);
});

test('PackedSelection with more than 32 cuts (several bit words)', () => {
  const n = 50, s = new PackedSelection(n);
  for (let c = 0; c < 40; c++) s.add(`c${c}`, Array.from({ length: n }, (_, i) => +(i % (c + 2) !== 0)));
  const names = ['c0', 'c33', 'c39'];
  const expect = Array.from({ length: n }, (_, i) => +(i % 2 !== 0 && i % 35 !== 0 && i % 41 !== 0));
  assert.deepEqual(Array.from(s.all(...names)), expect);
  assert.deepEqual(Array.from(s.all('c35')), Array.from({ length: n }, (_, i) => +(i % 37 !== 0)));
});
