// Synthetic ATLAS Open Data 13 TeV 4-lepton events (tree `mini`, energies in MeV) with the branch
// names and types the H -> ZZ* -> 4l analysis reads (seed 000): flat Int_t/Float_t/Bool_t event
// branches, `lep_n` (UInt_t) and the lepton collections as std::vector<float>, <int>,
// <unsigned int> and <bool> branches (TBranchElement), as in the real ntuples.
//
// Physics: H (125 GeV) -> Z Z* -> 4l with ~2 GeV m4l resolution; ZZ -> 4l continuum from ~180 GeV
// plus the resonant Z -> 4l peak at 91 GeV; Z+jets and ttbar with two prompt and two non-prompt
// (non-isolated, displaced) leptons; data a mixture. Every event has at least four reconstructed
// leptons (the "4lep" skim). XSection and SumWeights are per-sample constants, SumWeights being
// the sum of mcWeight over the file's events divided by the sample's skim efficiency (the weight
// sum of the whole generated sample, as in the real ntuples).
import type { ColumnBatch, DType } from '../columns.ts';
import type { BranchSpec } from '../root/write/index.ts';
import { Chunk } from './chunk.ts';
import { Particles } from './kinematics.ts';
import { breitWigner, cumulative, exponential, pick, streamRng, type Rng } from './random.ts';

export const atlas4lepProcesses = ['data', 'signal', 'ggH', 'VBFH', 'WH', 'ZH', 'zz', 'zee', 'zmumu', 'zjets', 'ttbar'] as const;
export type Atlas4lepProcess = (typeof atlas4lepProcesses)[number];

/** Sample metadata as in the ATLAS Open Data file names (mc_<DSID>.<name>.4lep.root); cross
 *  sections in pb, approximate. */
export const atlas4lepSamples: Record<Exclude<Atlas4lepProcess, 'data' | 'signal' | 'zjets'>, { dsid: number; name: string; xsec: number }> = {
  ggH: { dsid: 345060, name: 'ggH125_ZZ4lep', xsec: 0.0060239 },
  VBFH: { dsid: 344235, name: 'VBFH125_ZZ4lep', xsec: 0.0004633012 },
  WH: { dsid: 341964, name: 'WH125_ZZ4lep', xsec: 0.0003769 },
  ZH: { dsid: 341947, name: 'ZH125_ZZ4lep', xsec: 0.0000021424784 },
  zz: { dsid: 363490, name: 'llll', xsec: 1.2578 },
  zee: { dsid: 361106, name: 'Zee', xsec: 1950.5295 },
  zmumu: { dsid: 361107, name: 'Zmumu', xsec: 1950.6321 },
  ttbar: { dsid: 410000, name: 'ttbar_lep', xsec: 452.693559 },
};

type Spec = [name: string, dtype: DType, jagged?: boolean];
const branches: Spec[] = [
  ['runNumber', 'int32'], ['eventNumber', 'int32'], ['channelNumber', 'int32'], ['mcWeight', 'float32'],
  ['scaleFactor_PILEUP', 'float32'], ['scaleFactor_ELE', 'float32'], ['scaleFactor_MUON', 'float32'], ['scaleFactor_PHOTON', 'float32'],
  ['scaleFactor_TAU', 'float32'], ['scaleFactor_BTAG', 'float32'], ['scaleFactor_LepTRIGGER', 'float32'], ['scaleFactor_PhotonTRIGGER', 'float32'],
  ['trigE', 'bool'], ['trigM', 'bool'], ['trigP', 'bool'],
  ['lep_n', 'uint32'],
  ['lep_truthMatched', 'bool', true], ['lep_trigMatched', 'bool', true],
  ['lep_pt', 'float32', true], ['lep_eta', 'float32', true], ['lep_phi', 'float32', true], ['lep_E', 'float32', true],
  ['lep_z0', 'float32', true], ['lep_charge', 'int32', true], ['lep_type', 'uint32', true], ['lep_isTightID', 'bool', true],
  ['lep_ptcone30', 'float32', true], ['lep_etcone20', 'float32', true],
  ['lep_trackd0pvunits', 'float32', true], ['lep_tracksigd0pvunits', 'float32', true],
  ['met_et', 'float32'], ['met_phi', 'float32'],
  ['XSection', 'float32'], ['SumWeights', 'float32'],
];

export function atlas4lepSchema(): BranchSpec[] {
  return branches.map(([name, dtype, vector]) => (vector ? { name, dtype, vector: true } : { name, dtype }));
}

export interface Atlas4lepOptions {
  events: number;
  seed?: number;
  process?: Atlas4lepProcess;
  chunkSize?: number;
}

type Physics = 'ggH' | 'VBFH' | 'WH' | 'ZH' | 'zz' | 'zee' | 'zmumu' | 'ttbar';
const dataMix = cumulative([0.55, 0.15, 0.15, 0.1, 0.04, 0.007, 0.002, 0.001]);
const dataPhysics: Physics[] = ['zz', 'zee', 'zmumu', 'ttbar', 'ggH', 'VBFH', 'WH', 'ZH'];

const MAX_LEP = 8;
const GeV = 1000;
/** Particle tags; for leptons, aux is the charge (+-1 prompt, +-2 non-prompt). */
const TAG_E = 11, TAG_MU = 13, TAG_Z = 23, TAG_H = 25, TAG_NU = 12;
const mE = 0.000511, mMu = 0.10566;

function physicsOf(process: Atlas4lepProcess, rng: Rng): Physics {
  if (process === 'data') return dataPhysics[pick(rng, dataMix)]!;
  if (process === 'signal') return 'ggH';
  if (process === 'zjets') return rng.uniform() < 0.5 ? 'zee' : 'zmumu';
  return process;
}

/** Fraction of each sample's generated events that the real 4-lepton skim keeps. The files hold
 *  only skimmed events, but SumWeights (like the real ntuples') counts the whole generated sample,
 *  so xsec * lumi * sum(w) / SumWeights gives realistic yields at 10 /fb: about 15 signal, 350
 *  ZZ* and a few tens of Z+jets/ttbar events after the selection, as in the seed notebook's plot. */
export const skimEfficiency: Record<Physics, number> = {
  ggH: 0.2, VBFH: 0.2, WH: 0.2, ZH: 0.2, zz: 0.03, zee: 2.5e-6, zmumu: 2.5e-6, ttbar: 3e-6,
};

/** mcWeight of one event from its own stream, so SumWeights can be computed before generating. */
function mcWeight(rng: Rng, process: Atlas4lepProcess): number {
  if (process === 'data') return 1;
  const w = Math.max(0.5, rng.normal(1, 0.05));
  return process === 'zz' && rng.uniform() < 0.05 ? -w : w;
}

export function* generateAtlas4lepSync(opts: Atlas4lepOptions): Generator<ColumnBatch> {
  const process = opts.process ?? 'signal';
  if (!atlas4lepProcesses.includes(process)) throw new RangeError(`unknown atlas4lep process '${process}' (one of ${atlas4lepProcesses.join(', ')})`);
  const seed = opts.seed ?? 1;
  const chunkSize = Math.max(1, Math.min(opts.chunkSize ?? 16384, opts.events || 1));
  let sumWeights = 0;
  if (process !== 'data') {
    const wr = streamRng('atlas4lep', process, seed, 'weights');
    for (let i = 0; i < opts.events; i++) sumWeights += mcWeight(wr, process);
    sumWeights /= skimEfficiency[physicsOf(process, wr)];
  }
  const meta = process === 'data' ? undefined : atlas4lepSamples[process === 'signal' ? 'ggH' : process === 'zjets' ? 'zee' : process];
  const schema = atlas4lepSchema();
  const c = new Chunk(schema, chunkSize, { lep: MAX_LEP }, (s) => (s.vector ? 'lep' : undefined));
  const rng = streamRng('atlas4lep', process, seed, 'events');
  const wrng = streamRng('atlas4lep', process, seed, 'weights');
  const t = new Particles(32);
  const lep = { pt: new Float64Array(16), eta: new Float64Array(16), phi: new Float64Array(16), flav: new Int32Array(16), q: new Int32Array(16), prompt: new Uint8Array(16), order: new Int32Array(16) };
  for (let done = 0; done < opts.events; done += chunkSize) {
    const n = Math.min(chunkSize, opts.events - done);
    const off = c.off('lep');
    off[0] = 0;
    for (let i = 0; i < n; i++) {
      const phys = physicsOf(process, rng);
      // The 4lep skim: regenerate until at least four leptons are reconstructed.
      let nl = 0, metx = 0, mety = 0;
      do {
        t.clear();
        generateTruth(rng, phys, t);
        if (rng.uniform() < 0.06) fakeLeptons(rng, t, 1); // some events carry a fifth, non-prompt lepton
        nl = 0; metx = 0; mety = 0;
        for (let k = 0; k < t.n; k++) {
          const tag = t.tag[k]!;
          if (tag === TAG_NU) { metx += t.p[4 * k]!; mety += t.p[4 * k + 1]!; continue; }
          if (tag !== TAG_E && tag !== TAG_MU) continue;
          const pt = t.pt(k), eta = t.eta(k);
          if (pt < 5 || Math.abs(eta) > (tag === TAG_E ? 2.47 : 2.5) || nl >= MAX_LEP || rng.uniform() > 0.95) continue;
          lep.pt[nl] = pt * (1 + rng.normal(0, tag === TAG_E ? 0.03 : 0.025));
          lep.eta[nl] = eta; lep.phi[nl] = t.phi(k); lep.flav[nl] = tag; lep.q[nl] = Math.sign(t.aux[k]!);
          lep.prompt[nl] = Math.abs(t.aux[k]!) === 1 ? 1 : 0;
          nl++;
        }
      } while (nl < 4);
      // Leptons pT-ordered, as in the Open Data ntuples.
      for (let a = 0; a < nl; a++) {
        let b = a;
        while (b > 0 && lep.pt[lep.order[b - 1]!]! < lep.pt[a]!) { lep.order[b] = lep.order[b - 1]!; b--; }
        lep.order[b] = a;
      }
      let o = off[i]!;
      let trigE = false, trigM = false;
      for (let a = 0; a < nl; a++, o++) {
        const k = lep.order[a]!;
        const e = lep.flav[k] === TAG_E;
        const prompt = lep.prompt[k] === 1;
        const pt = lep.pt[k]!, eta = lep.eta[k]!, m = e ? mE : mMu;
        c.f32('lep_pt')[o] = pt * GeV;
        c.f32('lep_eta')[o] = eta;
        c.f32('lep_phi')[o] = lep.phi[k]!;
        c.f32('lep_E')[o] = Math.sqrt((pt * Math.cosh(eta)) ** 2 + m * m) * GeV;
        c.i32('lep_charge')[o] = lep.q[k]!;
        c.u32('lep_type')[o] = lep.flav[k]!;
        c.f32('lep_z0')[o] = rng.normal(0, prompt ? 0.05 : 0.3);
        c.f32('lep_trackd0pvunits')[o] = rng.normal(0, prompt ? 0.01 : 0.08);
        c.f32('lep_tracksigd0pvunits')[o] = prompt ? Math.abs(rng.normal(0, 1)) : 3 + exponential(rng, 3);
        c.f32('lep_ptcone30')[o] = pt * GeV * (prompt ? exponential(rng, 0.02) : 0.15 + exponential(rng, 0.4));
        c.f32('lep_etcone20')[o] = pt * GeV * (prompt ? rng.normal(0.01, 0.03) : 0.15 + exponential(rng, 0.3));
        c.u8('lep_isTightID')[o] = rng.uniform() < (prompt ? 0.97 : 0.7) ? 1 : 0;
        c.u8('lep_truthMatched')[o] = prompt ? 1 : 0;
        const trig = pt > 25 && rng.uniform() < 0.9;
        c.u8('lep_trigMatched')[o] = trig ? 1 : 0;
        if (trig && e) trigE = true;
        if (trig && !e) trigM = true;
      }
      off[i + 1] = o;
      c.u32('lep_n')[i] = nl;
      const idx = done + i;
      const run = process === 'data' ? 276262 + Math.floor(idx / 200000) : 284500;
      c.i32('runNumber')[i] = run;
      c.i32('eventNumber')[i] = idx + 1;
      c.i32('channelNumber')[i] = meta ? (process === 'zjets' && phys === 'zmumu' ? atlas4lepSamples.zmumu.dsid : meta.dsid) : run;
      c.f32('mcWeight')[i] = mcWeight(wrng, process);
      const sf = (s: number): number => (process === 'data' ? 1 : Math.max(0.8, rng.normal(1, s)));
      c.f32('scaleFactor_PILEUP')[i] = sf(0.05);
      c.f32('scaleFactor_ELE')[i] = sf(0.01);
      c.f32('scaleFactor_MUON')[i] = sf(0.01);
      c.f32('scaleFactor_PHOTON')[i] = 1;
      c.f32('scaleFactor_TAU')[i] = 1;
      c.f32('scaleFactor_BTAG')[i] = 1;
      c.f32('scaleFactor_LepTRIGGER')[i] = sf(0.005);
      c.f32('scaleFactor_PhotonTRIGGER')[i] = 1;
      c.u8('trigE')[i] = trigE ? 1 : 0;
      c.u8('trigM')[i] = trigM ? 1 : 0;
      c.u8('trigP')[i] = 0;
      metx += rng.normal(0, 10); mety += rng.normal(0, 10);
      c.f32('met_et')[i] = Math.hypot(metx, mety) * GeV;
      c.f32('met_phi')[i] = Math.atan2(mety, metx);
      c.f32('XSection')[i] = meta ? meta.xsec : 0;
      c.f32('SumWeights')[i] = sumWeights;
    }
    yield c.batch(n);
  }
}

export async function* generateAtlas4lep(opts: Atlas4lepOptions): AsyncGenerator<ColumnBatch> {
  yield* generateAtlas4lepSync(opts);
}

// ---- generator level (GeV) ---------------------------------------------------------------------

function parent(t: Particles, tag: number, rng: Rng, m: number, meanPt: number, ySigma: number): number {
  const i = t.add(tag);
  t.setPtEtaPhiM(i, exponential(rng, meanPt / 2) + exponential(rng, meanPt / 2), rng.normal(0, ySigma), 2 * Math.PI * rng.uniform(), m);
  return i;
}

/** Z/gamma* of mass m -> l+ l- of a random flavour (prompt: aux = charge). */
function decayToLeptons(rng: Rng, t: Particles, z: number, m: number): void {
  const flav = rng.uniform() < 0.5 ? TAG_E : TAG_MU;
  const ml = flav === TAG_E ? mE : mMu;
  if (m < 2 * ml + 0.01) return;
  const a = t.decay(rng, z, ml, flav, ml, flav);
  const q = rng.uniform() < 0.5 ? 1 : -1;
  t.aux[a] = q;
  t.aux[a + 1] = -q;
}

/** A 4-lepton system of mass M decaying to pairs of masses m1, m2. */
function fourLeptons(rng: Rng, t: Particles, tag: number, M: number, m1: number, m2: number, meanPt: number): void {
  const h = parent(t, tag, rng, M, meanPt, 1.3);
  const z1 = t.decay(rng, h, m1, TAG_Z, m2, TAG_Z);
  decayToLeptons(rng, t, z1, m1);
  decayToLeptons(rng, t, z1 + 1, m2);
}

/** Non-prompt leptons from heavy-flavour decays or fakes (aux = +-2: charge, non-prompt). */
function fakeLeptons(rng: Rng, t: Particles, n: number): void {
  for (let k = 0; k < n; k++) {
    const flav = rng.uniform() < 0.5 ? TAG_E : TAG_MU;
    const i = t.add(flav, rng.uniform() < 0.5 ? 2 : -2);
    t.setPtEtaPhiM(i, 6 + exponential(rng, 9), rng.normal(0, 1.2), 2 * Math.PI * rng.uniform(), flav === TAG_E ? mE : mMu);
  }
}

function generateTruth(rng: Rng, phys: Physics, t: Particles): void {
  switch (phys) {
    case 'ggH': case 'VBFH': case 'WH': case 'ZH': {
      const M = breitWigner(rng, 125, 0.0041, 124.9, 125.1);
      const m1 = breitWigner(rng, 91.19, 2.495, 50, 106);
      const m2 = 12 + (M - m1 - 12 - 0.5) * Math.cbrt(rng.uniform());
      fourLeptons(rng, t, TAG_H, M, m1, m2, phys === 'ggH' ? 25 : 70);
      break;
    }
    case 'zz': {
      if (rng.uniform() < 0.12) {
        // Resonant Z -> 4l: Z -> l l gamma*(-> l l).
        const M = breitWigner(rng, 91.19, 2.495, 80, 100);
        const m1 = 40 + (M - 45 - 40) * Math.sqrt(rng.uniform());
        const m2 = 4 + (M - m1 - 4.5) * rng.uniform();
        fourLeptons(rng, t, TAG_Z, M, m1, m2, 15);
      } else {
        const m1 = breitWigner(rng, 91.19, 2.495, 66, 116), m2 = breitWigner(rng, 91.19, 2.495, 66, 116);
        fourLeptons(rng, t, TAG_Z, m1 + m2 + 2 + exponential(rng, 75), m1, m2, 40);
      }
      break;
    }
    case 'zee': case 'zmumu': {
      const m = breitWigner(rng, 91.19, 2.495, 60, 120);
      const z = parent(t, TAG_Z, rng, m, 20, 1.6);
      const flav = phys === 'zee' ? TAG_E : TAG_MU, ml = flav === TAG_E ? mE : mMu;
      const a = t.decay(rng, z, ml, flav, ml, flav);
      const q = rng.uniform() < 0.5 ? 1 : -1;
      t.aux[a] = q; t.aux[a + 1] = -q;
      fakeLeptons(rng, t, 2);
      break;
    }
    case 'ttbar': {
      for (let k = 0; k < 2; k++) {
        const w = parent(t, 24, rng, breitWigner(rng, 80.38, 2.09, 60, 100), 80, 1.3);
        const flav = rng.uniform() < 0.5 ? TAG_E : TAG_MU;
        const a = t.decay(rng, w, flav === TAG_E ? mE : mMu, flav, 0, TAG_NU);
        t.aux[a] = k === 0 ? 1 : -1;
      }
      fakeLeptons(rng, t, 2);
      break;
    }
  }
}
