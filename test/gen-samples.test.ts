// `flow gen` samples: real schemas (compared with the shipped CMS NanoAOD file through jsroot),
// determinism, physically shaped distributions computed independently here from the written
// leptons and jets, and files that jsroot and our reader read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as jsroot from 'jsroot';
import { writeSample, nanoaodSchema, atlas4lepSchema, generateNanoAODSync } from '../src/gen/index.ts';
import { skimEfficiency } from '../src/gen/atlas4lep.ts';
import { main as genMain } from '../src/cli/gen.ts';
import { openRootFile } from '../src/root/read/index.ts';
import { UserError } from '../src/errors.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hepflow-gen-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const realNano = path.join(import.meta.dirname, '../../shared/data/root/nanoAOD_2015_CMS_Open_Data_ttbar.root');

/** name -> "TLeafF unsigned? [counter]" for every branch of a tree, as jsroot sees the leaves. */
async function leafTypes(file: string, treeName: string): Promise<Map<string, string>> {
  const f = await jsroot.openFile(file);
  const t = await f.readObject(treeName);
  const out = new Map<string, string>();
  for (const b of t.fBranches.arr) {
    const leaf = b.fLeaves.arr[0];
    out.set(b.fName, `${leaf._typename}${leaf.fIsUnsigned ? ' unsigned' : ''}${leaf.fLeafCount ? ` [${leaf.fLeafCount.fName}]` : ''}`);
  }
  return out;
}

test('NanoAOD branches have the names and exact types of the real CMS file', async () => {
  const out = path.join(dir, 'nano-schema.root');
  await writeSample({ kind: 'nanoaod', out, events: 50, seed: 3 });
  const real = await leafTypes(realNano, 'Events');
  const ours = await leafTypes(out, 'Events');
  assert.equal(ours.size, nanoaodSchema('ttbar').length);
  for (const [name, type] of ours) assert.equal(type, real.get(name), `branch ${name}`);
  // Everything the AGC seeds read is there.
  for (const b of ['run', 'luminosityBlock', 'event', 'genWeight', 'nJet', 'Jet_pt', 'Jet_eta', 'Jet_phi', 'Jet_mass', 'Jet_btagCSVV2',
    'Jet_btagDeepFlavB', 'Jet_jetId', 'Jet_puId', 'nElectron', 'Electron_pt', 'Electron_eta', 'Electron_phi', 'Electron_mass',
    'Electron_cutBased', 'Electron_sip3d', 'nMuon', 'Muon_pt', 'Muon_eta', 'Muon_phi', 'Muon_mass', 'Muon_tightId', 'Muon_sip3d',
    'Muon_pfRelIso04_all', 'PV_npvs']) assert.ok(ours.has(b), `missing ${b}`);
  // Data has no generator-level branches.
  const dataOut = path.join(dir, 'nano-data.root');
  await writeSample({ kind: 'nanoaod', out: dataOut, events: 20, process: 'data' });
  const data = await leafTypes(dataOut, 'Events');
  assert.ok(!data.has('genWeight') && !data.has('Jet_hadronFlavour') && data.has('Jet_btagCSVV2'));
});

test('the same seed gives the same bytes, another seed different ones', async () => {
  const a = path.join(dir, 'a', 's.root'), b = path.join(dir, 'b', 's.root'), c = path.join(dir, 'c', 's.root');
  for (const f of [a, b, c]) fs.mkdirSync(path.dirname(f));
  await writeSample({ kind: 'atlas4lep', out: a, events: 3000, seed: 7, process: 'data', compression: { algorithm: 'zstd' } });
  await writeSample({ kind: 'atlas4lep', out: b, events: 3000, seed: 7, process: 'data', compression: { algorithm: 'zstd' } });
  await writeSample({ kind: 'atlas4lep', out: c, events: 3000, seed: 8, process: 'data', compression: { algorithm: 'zstd' } });
  assert.equal(Buffer.compare(fs.readFileSync(a), fs.readFileSync(b)), 0);
  assert.notEqual(Buffer.compare(fs.readFileSync(a), fs.readFileSync(c)), 0);
});

/** Mode (bin center) of values in [lo, hi) with bins of `width`. */
function mode(values: number[], lo: number, hi: number, width: number): number {
  const n = Math.round((hi - lo) / width);
  const h = new Array<number>(n).fill(0);
  for (const v of values) { const b = Math.floor((v - lo) / width); if (b >= 0 && b < n) h[b]!++; }
  return lo + (h.indexOf(Math.max(...h)) + 0.5) * width;
}

function massOf(px: number, py: number, pz: number, e: number): number {
  return Math.sqrt(Math.max(0, e * e - px * px - py * py - pz * pz));
}

test('ATLAS 4-lepton signal peaks at 125 GeV in m4l, ZZ has the Z peak and the continuum above 180 (read back from the file)', async () => {
  const m4lOf = async (process: string): Promise<{ m4l: number[]; sumW: number; sumWeights: number; xsec: number }> => {
    const out = path.join(dir, `a4l-${process}.root`);
    await writeSample({ kind: 'atlas4lep', out, events: 4000, seed: 11, process });
    const rf = await openRootFile(out);
    const t = await rf.tree('mini');
    const b = await t.read(['lep_pt', 'lep_eta', 'lep_phi', 'lep_E', 'lep_charge', 'lep_type', 'mcWeight', 'SumWeights', 'XSection']);
    await rf.close();
    const c = b.columns as any;
    const off: Int32Array = c.lep_pt.offsets;
    const m4l: number[] = [];
    let sumW = 0;
    for (let i = 0; i < b.entries; i++) {
      sumW += c.mcWeight[i];
      if (off[i + 1]! - off[i]! !== 4) continue;
      let q = 0, type = 0, px = 0, py = 0, pz = 0, e = 0;
      for (let k = off[i]!; k < off[i + 1]!; k++) {
        const pt = c.lep_pt.content[k], eta = c.lep_eta.content[k], phi = c.lep_phi.content[k];
        q += c.lep_charge.content[k]; type += c.lep_type.content[k];
        px += pt * Math.cos(phi); py += pt * Math.sin(phi); pz += pt * Math.sinh(eta); e += c.lep_E.content[k];
      }
      if (q !== 0 || ![44, 48, 52].includes(type)) continue; // seed 000's lepton filter
      m4l.push(massOf(px, py, pz, e) / 1000); // MeV -> GeV
    }
    return { m4l, sumW, sumWeights: c.SumWeights[0], xsec: c.XSection[0] };
  };
  const sig = await m4lOf('signal');
  assert.ok(sig.m4l.length > 3000, `signal events passing the filter: ${sig.m4l.length}`);
  assert.ok(Math.abs(mode(sig.m4l, 100, 150, 1) - 125) <= 1, `signal m4l mode ${mode(sig.m4l, 100, 150, 1)}`);
  const window = sig.m4l.filter((m) => Math.abs(m - 125) < 10);
  const mean = window.reduce((a, b) => a + b, 0) / window.length;
  const rms = Math.sqrt(window.reduce((a, b) => a + (b - mean) ** 2, 0) / window.length);
  assert.ok(Math.abs(mean - 125) < 0.5 && rms > 1 && rms < 3.5, `signal m4l mean ${mean}, resolution ${rms}`);
  // SumWeights is the sum of mcWeight over the file over the skim efficiency; XSection the ggH cross section.
  const full = sig.sumW / skimEfficiency.ggH;
  assert.ok(Math.abs(sig.sumWeights - full) < 1e-6 * full, `SumWeights ${sig.sumWeights} vs sum/eff ${full}`);
  assert.ok(sig.xsec > 0 && sig.xsec < 0.01);

  const zz = await m4lOf('zz');
  assert.ok(Math.abs(mode(zz.m4l, 70, 110, 2) - 91) <= 2, `ZZ low peak at ${mode(zz.m4l, 70, 110, 2)}`);
  const high = zz.m4l.filter((m) => m > 150);
  assert.ok(high.length > 0.6 * zz.m4l.length, 'ZZ mostly continuum');
  // The on-shell ZZ continuum starts near 2 m_Z: little below 175 GeV, the mode just above 180.
  assert.ok(high.filter((m) => m < 175).length < 0.05 * high.length, 'ZZ continuum starts near 180 GeV');
  assert.ok(mode(high, 150, 400, 10) >= 180 && mode(high, 150, 400, 10) <= 215, `ZZ continuum mode ${mode(high, 150, 400, 10)}`);
});

test('ttbar: 4+ jets with b-tags and a trijet mass peak near the top mass; W+jets has fewer jets and b-tags', () => {
  const stats = (process: 'ttbar' | 'wjets'): { trijet: number[]; fourJets: number; twoB: number; n: number } => {
    const trijet: number[] = [];
    let fourJets = 0, twoB = 0, n = 0;
    for (const b of generateNanoAODSync({ events: 6000, seed: 5, process })) {
      const c = b.columns as any;
      const off: Int32Array = c.Jet_pt.offsets;
      const pt = c.Jet_pt.content, eta = c.Jet_eta.content, phi = c.Jet_phi.content, m = c.Jet_mass.content, csv = c.Jet_btagCSVV2.content;
      for (let i = 0; i < b.entries; i++, n++) {
        const jets: number[] = [];
        for (let k = off[i]!; k < off[i + 1]!; k++) if (pt[k] > 25) jets.push(k);
        const nb = jets.filter((k) => csv[k] > 0.5).length;
        if (jets.length >= 4) fourJets++;
        if (nb >= 2) twoB++;
        if (jets.length < 4 || nb < 2) continue;
        // AGC 4j2b observable: mass of the highest-pT trijet with at least one b-tag.
        let bestPt = -1, bestM = 0;
        for (let x = 0; x < jets.length; x++) for (let y = x + 1; y < jets.length; y++) for (let z = y + 1; z < jets.length; z++) {
          const ids = [jets[x]!, jets[y]!, jets[z]!];
          if (!ids.some((k) => csv[k] > 0.5)) continue;
          let px = 0, py = 0, pz = 0, e = 0;
          for (const k of ids) {
            const jx = pt[k] * Math.cos(phi[k]), jy = pt[k] * Math.sin(phi[k]), jz = pt[k] * Math.sinh(eta[k]);
            px += jx; py += jy; pz += jz; e += Math.sqrt(jx * jx + jy * jy + jz * jz + m[k] * m[k]);
          }
          if (Math.hypot(px, py) > bestPt) { bestPt = Math.hypot(px, py); bestM = massOf(px, py, pz, e); }
        }
        trijet.push(bestM);
      }
    }
    return { trijet, fourJets, twoB, n };
  };
  const tt = stats('ttbar');
  const peak = mode(tt.trijet, 50, 550, 20);
  assert.ok(peak >= 150 && peak <= 200, `trijet mass mode ${peak}`);
  const w = stats('wjets');
  assert.ok(tt.fourJets / tt.n > 3 * (w.fourJets / w.n), `4-jet fraction ttbar ${tt.fourJets / tt.n} vs wjets ${w.fourJets / w.n}`);
  assert.ok(tt.twoB / tt.n > 5 * (w.twoB / w.n), `2-b fraction ttbar ${tt.twoB / tt.n} vs wjets ${w.twoB / w.n}`);
});

test('jsroot reads a generated NanoAOD file with the generator\'s values', async () => {
  const out = path.join(dir, 'nano-jsroot.root');
  await writeSample({ kind: 'nanoaod', out, events: 300, seed: 21, process: 'wjets', compression: { algorithm: 'zstd' } });
  const [batch] = [...generateNanoAODSync({ events: 300, seed: 21, process: 'wjets' })];
  const c = batch!.columns as any;
  const f = await jsroot.openFile(out);
  const t = await f.readObject('Events');
  assert.equal(t.fEntries, 300);
  const { treeProcess, TSelector } = (await import('jsroot/tree')) as any;
  const sel = new TSelector();
  for (const n of ['nJet', 'Jet_pt', 'Muon_tightId', 'event']) sel.addBranch(n);
  let i = 0;
  sel.Process = function (this: any) {
    const o = this.tgtobj;
    assert.equal(o.nJet, c.nJet[i]);
    assert.deepEqual(Array.from(o.Jet_pt as Float32Array), Array.from(c.Jet_pt.content.subarray(c.Jet_pt.offsets[i], c.Jet_pt.offsets[i + 1])));
    assert.deepEqual(Array.from(o.Muon_tightId as ArrayLike<boolean>, Boolean), Array.from(c.Muon_tightId.content.subarray(c.Muon_tightId.offsets[i], c.Muon_tightId.offsets[i + 1]) as Uint8Array, Boolean));
    assert.equal(o.event, i + 1);
    i++;
  };
  await treeProcess(t, sel);
  assert.equal(i, 300);
});

test('ATLAS file: the fields seed 000 reads, with the Open Data types (std::vector lepton branches), as jsroot sees them', async () => {
  const out = path.join(dir, 'a4l-types.root');
  await writeSample({ kind: 'atlas4lep', out, events: 30, process: 'zz' });
  const f = await jsroot.openFile(out);
  const t = await f.readObject('mini');
  const types = new Map<string, string>();
  for (const b of t.fBranches.arr) types.set(b.fName, b._typename === 'TBranchElement' ? b.fClassName : `${b.fLeaves.arr[0]._typename}${b.fLeaves.arr[0].fIsUnsigned ? ' unsigned' : ''}`);
  assert.equal(types.size, atlas4lepSchema().length);
  assert.equal(types.get('lep_n'), 'TLeafI unsigned');
  for (const n of ['lep_pt', 'lep_eta', 'lep_phi', 'lep_E', 'lep_ptcone30', 'lep_etcone20', 'lep_trackd0pvunits', 'lep_tracksigd0pvunits', 'lep_z0']) assert.equal(types.get(n), 'vector<float>', n);
  assert.equal(types.get('lep_charge'), 'vector<int>');
  assert.equal(types.get('lep_type'), 'vector<unsigned int>');
  assert.equal(types.get('lep_isTightID'), 'vector<bool>');
  for (const n of ['mcWeight', 'scaleFactor_ELE', 'scaleFactor_MUON', 'scaleFactor_LepTRIGGER', 'scaleFactor_PILEUP', 'XSection', 'SumWeights']) assert.equal(types.get(n), 'TLeafF', n);
  for (const n of ['trigE', 'trigM']) assert.equal(types.get(n), 'TLeafO', n);
  for (const n of ['runNumber', 'eventNumber', 'channelNumber']) assert.equal(types.get(n), 'TLeafI', n);
  // jsroot reads the vectors: lep_n agrees with every vector's length.
  const { treeProcess, TSelector } = (await import('jsroot/tree')) as any;
  const sel = new TSelector();
  for (const n of ['lep_n', 'lep_pt', 'lep_type']) sel.addBranch(n);
  let entries = 0;
  sel.Process = function (this: any) {
    entries++;
    assert.equal(this.tgtobj.lep_pt.length, this.tgtobj.lep_n);
    assert.ok(this.tgtobj.lep_n >= 4);
    for (const ty of this.tgtobj.lep_type) assert.ok(ty === 11 || ty === 13);
  };
  await treeProcess(t, sel);
  assert.equal(entries, 30);
});

test('flow gen CLI writes a file and rejects bad input with a one-line reason', async () => {
  const out = path.join(dir, 'cli.root');
  const log = console.log;
  let printed = '';
  console.log = (s: string) => { printed += s; };
  try {
    assert.equal(await genMain(['atlas4lep', '--events', '200', '--out', out, '--seed', '2', '--process', 'zz', '--compression', 'zstd']), 0);
  } finally {
    console.log = log;
  }
  assert.match(printed, /200 events, tree mini/);
  printed = '';
  console.log = (s: string) => { printed += s; };
  try {
    assert.equal(await genMain(['nanoaod', '--events', '50', '--out', path.join(dir, 'cli.json.root'), '--variation', 'ME_var', '--json']), 0);
  } finally {
    console.log = log;
  }
  const summary = JSON.parse(printed);
  assert.equal(summary.events, 50);
  assert.equal(summary.tree, 'Events');
  assert.equal(summary.variation, 'ME_var');
  assert.ok(summary.xsec > 0 && summary.bytes === fs.statSync(path.join(dir, 'cli.json.root')).size);
  const rf = await openRootFile(out);
  assert.equal((await rf.tree('mini')).entries, 200);
  await rf.close();
  await assert.rejects(genMain(['nanoaod', '--out', out]), (e: unknown) => e instanceof UserError && /--events/.test(e.message));
  await assert.rejects(genMain(['nanoaod', '--events', '10', '--out', out, '--process', 'higgs']), (e: unknown) => e instanceof UserError && /unknown nanoaod process 'higgs'/.test(e.message));
  await assert.rejects(genMain(['cms', '--events', '10', '--out', out]), (e: unknown) => e instanceof UserError && /sample kind/.test(e.message));
  await assert.rejects(genMain(['nanoaod', '--events', '10', '--out', path.join(dir, 'no/such/dir/x.root')]), (e: unknown) => e instanceof UserError && /cannot create ROOT file/.test(e.message));
});

test('ttbar variations: scaleup has more jets than scaledown, PS_var a softer jet response; nominal is the default', () => {
  const summary = (variation?: 'nominal' | 'scaleup' | 'scaledown' | 'PS_var'): { jets: number; ptSum: number; first: number } => {
    let jets = 0, ptSum = 0, first = NaN;
    for (const b of generateNanoAODSync({ events: 5000, seed: 9, process: 'ttbar', variation })) {
      const c = b.columns as any;
      if (Number.isNaN(first)) first = c.Jet_pt.content[0];
      for (let k = 0; k < c.Jet_pt.content.length; k++) if (c.Jet_pt.content[k] > 25) { jets++; ptSum += c.Jet_pt.content[k]; }
    }
    return { jets, ptSum, first };
  };
  const nominal = summary(), up = summary('scaleup'), down = summary('scaledown'), ps = summary('PS_var');
  assert.equal(summary('nominal').first, nominal.first);
  assert.ok(up.jets > 1.03 * down.jets, `jets scaleup ${up.jets} vs scaledown ${down.jets}`);
  assert.ok(ps.ptSum / ps.jets < nominal.ptSum / nominal.jets, 'PS_var mean jet pT below nominal');
  assert.throws(() => [...generateNanoAODSync({ events: 1, process: 'wjets', variation: 'scaleup' })], /ttbar only/);
});

test('flow gen --compression lz4 writes the same columns as zlib', async () => {
  const log = console.log;
  console.log = () => {};
  const files = { lz4: path.join(dir, 'lz4.root'), zlib: path.join(dir, 'zlib.root') };
  try {
    for (const [alg, out] of Object.entries(files)) assert.equal(await genMain(['nanoaod', '--events', '400', '--out', out, '--seed', '3', '--compression', alg]), 0);
  } finally {
    console.log = log;
  }
  const cols: Record<string, unknown> = {};
  for (const [alg, out] of Object.entries(files)) {
    const rf = await openRootFile(out);
    cols[alg] = (await (await rf.tree('Events')).read(['nJet', 'Jet_pt', 'genWeight'])).columns;
    await rf.close();
  }
  assert.deepEqual(cols.lz4, cols.zlib);
});
