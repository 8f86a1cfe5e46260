// Synthetic CMS NanoAOD events (tree `Events`) with the branch names and exact types of the 2015
// CMS Open Data NanoAOD the AGC reads (checked against nanoAOD_2015_CMS_Open_Data_ttbar.root).
// Physics, at generator level then smeared: ttbar decays t -> W b with W -> q q' or l nu, so the
// hadronic top gives a trijet mass peak near 173 GeV and a dijet W peak near 80 GeV; W+jets and
// single top have fewer jets and b's; b-tagging follows the true flavour (CSVV2 > 0.5 for ~80% of
// b, ~35% of c and ~10% of light jets). Data is a mixture of the simulated processes.
import type { ColumnBatch, DType } from '../columns.ts';
import type { BranchSpec } from '../root/write/index.ts';
import { Chunk, truncateMantissa } from './chunk.ts';
import { Particles } from './kinematics.ts';
import { breitWigner, cumulative, exponential, pick, poisson, streamRng, type Rng } from './random.ts';

export const nanoaodProcesses = ['ttbar', 'wjets', 'single_top_s_chan', 'single_top_t_chan', 'single_top_tW', 'data'] as const;
export type NanoAODProcess = (typeof nanoaodProcesses)[number];

type Spec = [name: string, dtype: DType, doc: string, mcOnly?: boolean];

const eventBranches: Spec[] = [
  ['run', 'uint32', 'run/i'], ['luminosityBlock', 'uint32', 'luminosityBlock/i'], ['event', 'uint64', 'event/l'],
  ['btagWeight_CSVV2', 'float32', 'b-tag event weight for CSVV2', true],
  ['genWeight', 'float32', 'generator weight', true],
  ['Pileup_nTrueInt', 'float32', 'the true mean number of the poisson distribution for this event', true],
  ['Pileup_nPU', 'int32', 'the number of pileup interactions that have been added to the event', true],
  ['PV_npvs', 'int32', 'total number of reconstructed primary vertices'],
  ['PV_npvsGood', 'int32', 'number of good reconstructed primary vertices'],
  ['PV_z', 'float32', 'main primary vertex position z coordinate'],
  ['fixedGridRhoFastjetAll', 'float32', 'rho from all PF Candidates, used e.g. for JECs'],
  ['MET_pt', 'float32', 'pt'], ['MET_phi', 'float32', 'phi'], ['MET_sumEt', 'float32', 'scalar sum of Et'],
];
const electronBranches: Spec[] = [
  ['Electron_pt', 'float32', 'pt'], ['Electron_eta', 'float32', 'eta'], ['Electron_phi', 'float32', 'phi'], ['Electron_mass', 'float32', 'mass'],
  ['Electron_charge', 'int32', 'electric charge'], ['Electron_pdgId', 'int32', 'PDG code assigned by the event reconstruction'],
  ['Electron_cutBased', 'int32', 'cut-based ID Fall17 V2 (0:fail, 1:veto, 2:loose, 3:medium, 4:tight)'],
  ['Electron_sip3d', 'float32', '3D impact parameter significance wrt first PV, in cm'],
  ['Electron_pfRelIso03_all', 'float32', 'PF relative isolation dR=0.3, total (with rho*EA PU corrections)'],
  ['Electron_dxy', 'float32', 'dxy (with sign) wrt first PV, in cm'], ['Electron_dz', 'float32', 'dz (with sign) wrt first PV, in cm'],
  ['Electron_convVeto', 'bool', 'pass conversion veto'], ['Electron_mvaFall17V2Iso_WP80', 'bool', 'MVA Iso ID V2 WP80'],
  ['Electron_lostHits', 'uint8', 'number of missing inner hits'], ['Electron_jetIdx', 'int32', 'index of the associated jet (-1 if none)'],
  ['Electron_genPartFlav', 'uint8', 'Flavour of genParticle for MC matching: 1 = prompt, 5 = from b, 0 = unmatched', true],
];
const muonBranches: Spec[] = [
  ['Muon_pt', 'float32', 'pt'], ['Muon_eta', 'float32', 'eta'], ['Muon_phi', 'float32', 'phi'], ['Muon_mass', 'float32', 'mass'],
  ['Muon_charge', 'int32', 'electric charge'], ['Muon_pdgId', 'int32', 'PDG code assigned by the event reconstruction'],
  ['Muon_tightId', 'bool', 'cut-based ID, tight WP'], ['Muon_mediumId', 'bool', 'cut-based ID, medium WP'], ['Muon_looseId', 'bool', 'muon is loose muon'],
  ['Muon_isGlobal', 'bool', 'muon is global muon'], ['Muon_isPFcand', 'bool', 'muon is PF candidate'],
  ['Muon_sip3d', 'float32', '3D impact parameter significance wrt first PV'],
  ['Muon_pfRelIso04_all', 'float32', 'PF relative isolation dR=0.4, total (deltaBeta corrections)'],
  ['Muon_pfRelIso03_all', 'float32', 'PF relative isolation dR=0.3, total (deltaBeta corrections)'],
  ['Muon_dxy', 'float32', 'dxy (with sign) wrt first PV, in cm'], ['Muon_dz', 'float32', 'dz (with sign) wrt first PV, in cm'],
  ['Muon_nStations', 'int32', 'number of matched stations with default arbitration (segment & track)'],
  ['Muon_jetIdx', 'int32', 'index of the associated jet (-1 if none)'],
  ['Muon_genPartFlav', 'uint8', 'Flavour of genParticle for MC matching: 1 = prompt, 5 = from b, 0 = unmatched', true],
];
const jetBranches: Spec[] = [
  ['Jet_pt', 'float32', 'pt'], ['Jet_eta', 'float32', 'eta'], ['Jet_phi', 'float32', 'phi'], ['Jet_mass', 'float32', 'mass'],
  ['Jet_btagCSVV2', 'float32', ' pfCombinedInclusiveSecondaryVertexV2 b-tag discriminator (aka CSVV2)'],
  ['Jet_btagDeepB', 'float32', 'DeepCSV b+bb tag discriminator'], ['Jet_btagDeepFlavB', 'float32', 'DeepJet b+bb+lepb tag discriminator'],
  ['Jet_qgl', 'float32', 'Quark vs Gluon likelihood discriminator'], ['Jet_area', 'float32', 'jet catchment area, for JECs'],
  ['Jet_rawFactor', 'float32', '1 - Factor to get back to raw pT'], ['Jet_puIdDisc', 'float32', 'Pileup ID discriminant'],
  ['Jet_jetId', 'int32', 'Jet ID flags bit1 is loose, bit2 is tight, bit3 is tightLepVeto'],
  ['Jet_puId', 'int32', 'Pileup ID flags'], ['Jet_nConstituents', 'uint8', 'Number of particles in the jet'],
  ['Jet_nElectrons', 'int32', 'number of electrons in the jet'], ['Jet_nMuons', 'int32', 'number of muons in the jet'],
  ['Jet_hadronFlavour', 'int32', 'flavour from hadron ghost clustering', true], ['Jet_partonFlavour', 'int32', 'flavour from parton matching', true],
];

/** The branches written for a process (data has no generator-level branches), in file order. */
export function nanoaodSchema(process: NanoAODProcess = 'ttbar'): BranchSpec[] {
  const mc = process !== 'data';
  const out: BranchSpec[] = [];
  const add = (specs: Spec[], counter?: string): void => {
    for (const [name, dtype, doc, mcOnly] of specs) if (mc || !mcOnly) out.push(counter ? { name, dtype, title: doc, counter } : { name, dtype, title: doc });
  };
  add(eventBranches);
  out.push({ name: 'nElectron', dtype: 'uint32', title: 'slimmedElectrons after basic selection (pt > 5 )' });
  add(electronBranches, 'nElectron');
  out.push({ name: 'nMuon', dtype: 'uint32', title: 'slimmedMuons after basic selection (pt > 3)' });
  add(muonBranches, 'nMuon');
  out.push({ name: 'nJet', dtype: 'uint32', title: 'slimmedJets, i.e. ak4 PFJets CHS with JECs applied, after basic selection (pt > 15)' });
  add(jetBranches, 'nJet');
  return out;
}

/** The AGC's two-point ttbar systematics, as separate samples (ttbar only). */
export const ttbarVariations = ['nominal', 'scaleup', 'scaledown', 'ME_var', 'PS_var'] as const;
export type TtbarVariation = (typeof ttbarVariations)[number];

/** Generator settings a variation shifts: ISR multiplicity (scale), top pT spectrum (matrix
 *  element), jet response and resolution (parton shower). */
interface Tune { isrMean: number; topPtMean: number; jetResponse: number; jetResolution: number }
const tunes: Record<TtbarVariation, Tune> = {
  nominal: { isrMean: 0.9, topPtMean: 45, jetResponse: 0.975, jetResolution: 0.06 },
  scaleup: { isrMean: 1.2, topPtMean: 43, jetResponse: 0.975, jetResolution: 0.06 },
  scaledown: { isrMean: 0.65, topPtMean: 47, jetResponse: 0.975, jetResolution: 0.06 },
  ME_var: { isrMean: 0.9, topPtMean: 49, jetResponse: 0.975, jetResolution: 0.06 },
  PS_var: { isrMean: 1.0, topPtMean: 45, jetResponse: 0.965, jetResolution: 0.075 },
};

export interface NanoAODOptions {
  events: number;
  seed?: number;
  process?: NanoAODProcess;
  /** ttbar only: one of the AGC's systematic samples; default nominal. */
  variation?: TtbarVariation;
  /** Events per ColumnBatch; default 16384. */
  chunkSize?: number;
}

/** Approximate cross sections (pb) of the AGC samples, for metadata. */
export const nanoaodCrossSections: Record<Exclude<NanoAODProcess, 'data'>, number> = {
  ttbar: 729.84, wjets: 61526.7, single_top_s_chan: 10.32, single_top_t_chan: 136.02, single_top_tW: 71.7,
};

const MAX_JETS = 24, MAX_LEP = 8;
const TAG_LIGHT = 1, TAG_C = 4, TAG_B = 5, TAG_GLUON = 21, TAG_E = 11, TAG_MU = 13, TAG_NU = 12, TAG_W = 24, TAG_T = 6;
// Data: fractions of the processes after a loose 1-lepton skim.
const dataMix = cumulative([0.3, 0.55, 0.01, 0.1, 0.04]);
const dataProcesses: NanoAODProcess[] = ['ttbar', 'wjets', 'single_top_s_chan', 'single_top_t_chan', 'single_top_tW'];

/** Generates `events` events in ColumnBatches of `chunkSize` events. */
export function* generateNanoAODSync(opts: NanoAODOptions): Generator<ColumnBatch> {
  const process = opts.process ?? 'ttbar';
  if (!nanoaodProcesses.includes(process)) throw new RangeError(`unknown NanoAOD process '${process}' (one of ${nanoaodProcesses.join(', ')})`);
  const seed = opts.seed ?? 1;
  const chunkSize = Math.max(1, Math.min(opts.chunkSize ?? 16384, opts.events || 1));
  const schema = nanoaodSchema(process);
  const chunk = new Chunk(schema, chunkSize, { nJet: MAX_JETS, nElectron: MAX_LEP, nMuon: MAX_LEP });
  const variation = opts.variation ?? 'nominal';
  if (!ttbarVariations.includes(variation)) throw new RangeError(`unknown ttbar variation '${variation}' (one of ${ttbarVariations.join(', ')})`);
  if (variation !== 'nominal' && process !== 'ttbar') throw new RangeError(`variation '${variation}' exists for ttbar only, not ${process}`);
  const tune = tunes[variation];
  const rng = streamRng('nanoaod', variation === 'nominal' ? process : `${process}:${variation}`, seed, 'events');
  const truth = new Particles(64);
  const ev = new EventWriter(chunk, process !== 'data', tune);
  // NanoAOD keeps 12 mantissa bits for eta/phi and 10 for other object floats.
  const precision = schema.filter((s) => s.counter && s.dtype === 'float32').map((s) => [s.name, /_(eta|phi)$/.test(s.name) ? 12 : 10] as const);
  for (let done = 0; done < opts.events; done += chunkSize) {
    const n = Math.min(chunkSize, opts.events - done);
    ev.begin();
    for (let i = 0; i < n; i++) {
      const p = process === 'data' ? dataProcesses[pick(rng, dataMix)]! : process;
      truth.clear();
      generateTruth(rng, p, truth, tune);
      ev.write(rng, i, done + i, p, truth);
    }
    const batch = chunk.batch(n);
    for (const [name, bits] of precision) truncateMantissa((batch.columns[name] as { content: Float32Array }).content, bits);
    yield batch;
  }
}

export async function* generateNanoAOD(opts: NanoAODOptions): AsyncGenerator<ColumnBatch> {
  yield* generateNanoAODSync(opts);
}

// ---- generator level -------------------------------------------------------------------------

function addParticle(t: Particles, tag: number, pt: number, eta: number, phi: number, m: number): number {
  const i = t.add(tag);
  t.setPtEtaPhiM(i, pt, eta, phi, m);
  return i;
}

/** t -> W b, W -> l nu (lepton flavour e/mu) or q q' (c with 1/2 probability in one leg). */
function decayTop(rng: Rng, t: Particles, top: number, leptonic: boolean): void {
  const mW = breitWigner(rng, 80.38, 2.09, 60, 100);
  const w = t.decay(rng, top, mW, TAG_W, 4.8, TAG_B);
  decayW(rng, t, w, leptonic);
}

function decayW(rng: Rng, t: Particles, w: number, leptonic: boolean): void {
  if (leptonic) {
    const flav = rng.uniform() < 0.5 ? TAG_E : TAG_MU;
    const l = t.decay(rng, w, 0, flav, 0, TAG_NU);
    t.aux[l] = rng.uniform() < 0.5 ? 1 : -1; // charge
  } else {
    t.decay(rng, w, 0, rng.uniform() < 0.5 ? TAG_C : TAG_LIGHT, 0, TAG_LIGHT);
  }
}

function addTop(rng: Rng, t: Particles, pt: number, eta: number, phi: number, leptonic: boolean): void {
  const m = breitWigner(rng, 172.5, 1.4, 160, 185);
  const top = addParticle(t, TAG_T, pt, eta, phi, m);
  decayTop(rng, t, top, leptonic);
}

function addIsrJets(rng: Rng, t: Particles, mean: number, bFrac: number, cFrac: number): void {
  const n = poisson(rng, mean);
  for (let k = 0; k < n; k++) {
    const u = rng.uniform();
    const tag = u < bFrac ? TAG_B : u < bFrac + cFrac ? TAG_C : u < 0.55 ? TAG_GLUON : TAG_LIGHT;
    addParticle(t, tag, 12 + exponential(rng, 22), rng.normal(0, 1.9), 2 * Math.PI * rng.uniform(), 0);
  }
}

function generateTruth(rng: Rng, process: NanoAODProcess, t: Particles, tune: Tune): void {
  switch (process) {
    case 'ttbar': {
      // l+jets 34%, dilepton 6%, all-hadronic (taus folded in) 60%.
      const u = rng.uniform();
      const lep1 = u < 0.4, lep2 = u >= 0.34 && u < 0.4;
      const pt = exponential(rng, tune.topPtMean) + exponential(rng, tune.topPtMean);
      const phi = 2 * Math.PI * rng.uniform();
      addTop(rng, t, pt, rng.normal(0, 1.3), phi, lep1);
      addTop(rng, t, Math.max(5, pt + rng.normal(0, 30)), rng.normal(0, 1.3), phi + Math.PI + rng.normal(0, 0.6), lep2);
      addIsrJets(rng, t, tune.isrMean, 0.02, 0.06);
      break;
    }
    case 'wjets': {
      const w = addParticle(t, TAG_W, exponential(rng, 30) + exponential(rng, 8), rng.normal(0, 1.8), 2 * Math.PI * rng.uniform(), breitWigner(rng, 80.38, 2.09, 50, 120));
      decayW(rng, t, w, true);
      addIsrJets(rng, t, 1.6, 0.03, 0.08);
      break;
    }
    default: {
      // Single top: the top decays leptonically in 25% (e/mu), plus the process's partner.
      const phi = 2 * Math.PI * rng.uniform();
      addTop(rng, t, exponential(rng, 40) + exponential(rng, 20), rng.normal(0, 1.4), phi, rng.uniform() < 0.25);
      if (process === 'single_top_t_chan') {
        addParticle(t, TAG_LIGHT, 25 + exponential(rng, 30), (rng.uniform() < 0.5 ? -1 : 1) * Math.abs(rng.normal(2.4, 0.9)), phi + Math.PI + rng.normal(0, 0.8), 0);
        if (rng.uniform() < 0.4) addParticle(t, TAG_B, 10 + exponential(rng, 15), rng.normal(0, 2.2), 2 * Math.PI * rng.uniform(), 4.8);
      } else if (process === 'single_top_s_chan') {
        addParticle(t, TAG_B, 30 + exponential(rng, 40), rng.normal(0, 1.3), phi + Math.PI + rng.normal(0, 0.5), 4.8);
      } else {
        const w = addParticle(t, TAG_W, exponential(rng, 40) + exponential(rng, 20), rng.normal(0, 1.4), phi + Math.PI + rng.normal(0, 0.5), breitWigner(rng, 80.38, 2.09, 60, 100));
        decayW(rng, t, w, rng.uniform() < 0.25);
      }
      addIsrJets(rng, t, 0.8, 0.02, 0.06);
    }
  }
}

// ---- detector level --------------------------------------------------------------------------

/** CSVV2 for a true flavour: above 0.5 for ~80% of b, ~35% of c, ~10% of light jets. */
function csvv2(rng: Rng, tag: number): number {
  const eff = tag === TAG_B ? 0.8 : tag === TAG_C ? 0.35 : 0.1;
  const u = rng.uniform();
  return rng.uniform() < eff ? 1 - 0.5 * u * u : 0.5 * u * Math.sqrt(rng.uniform());
}

function clamp01(x: number): number { return x < 0 ? 0 : x > 1 ? 1 : x; }

class EventWriter {
  private readonly c: Chunk;
  private readonly mc: boolean;
  private readonly tune: Tune;
  // Per-event scratch for jets and leptons before pT ordering.
  private readonly jet = { pt: new Float64Array(64), eta: new Float64Array(64), phi: new Float64Array(64), m: new Float64Array(64), tag: new Int32Array(64), order: new Int32Array(64) };
  private readonly lep = { pt: new Float64Array(16), eta: new Float64Array(16), phi: new Float64Array(16), flav: new Int32Array(16), q: new Int32Array(16), prompt: new Uint8Array(16), order: new Int32Array(16) };

  /** The uint64 event numbers as little-endian 32-bit halves (no BigInt per event). */
  private readonly event32: Uint32Array;

  constructor(c: Chunk, mc: boolean, tune: Tune) {
    this.tune = tune;
    this.c = c;
    this.mc = mc;
    const ev = c.u64('event');
    this.event32 = new Uint32Array(ev.buffer, ev.byteOffset, 2 * ev.length);
  }

  begin(): void {
    this.c.off('nJet')[0] = 0;
    this.c.off('nElectron')[0] = 0;
    this.c.off('nMuon')[0] = 0;
  }

  write(rng: Rng, i: number, eventIndex: number, process: NanoAODProcess, t: Particles): void {
    const c = this.c;
    const J = this.jet, L = this.lep;
    let nj = 0, nl = 0;
    let metx = 0, mety = 0, sumEt = 0;
    for (let k = 0; k < t.n; k++) {
      const tag = t.tag[k]!;
      if (tag === TAG_NU) { const o = 4 * k; metx += t.p[o]!; mety += t.p[o + 1]!; continue; }
      if (tag === TAG_E || tag === TAG_MU) {
        const pt = t.pt(k), eta = t.eta(k);
        const eff = tag === TAG_E ? (Math.abs(eta) < 2.5 && pt > 5 ? 0.9 : 0) : (Math.abs(eta) < 2.4 && pt > 3 ? 0.96 : 0);
        if (rng.uniform() >= eff || nl >= MAX_LEP) continue;
        L.pt[nl] = pt * (1 + rng.normal(0, tag === TAG_E ? 0.02 : 0.015));
        L.eta[nl] = eta; L.phi[nl] = t.phi(k); L.flav[nl] = tag; L.q[nl] = t.aux[k]!; L.prompt[nl] = 1;
        sumEt += L.pt[nl]!;
        nl++;
        continue;
      }
      if (tag === TAG_W || tag === TAG_T) continue;
      // Partons become jets: ~10% stochastic response, small angular smearing.
      const ptTrue = t.pt(k);
      const res = Math.sqrt(1.0 / ptTrue + this.tune.jetResolution ** 2);
      const pt = ptTrue * Math.max(0.2, rng.normal(this.tune.jetResponse, res));
      const eta = t.eta(k) + rng.normal(0, 0.02);
      if (pt < 15 || Math.abs(eta) > 4.7 || nj >= MAX_JETS) continue;
      J.pt[nj] = pt; J.eta[nj] = eta; J.phi[nj] = t.phi(k) + rng.normal(0, 0.02);
      J.m[nj] = pt * Math.abs(rng.normal(0.09, 0.03)); J.tag[nj] = tag;
      sumEt += pt;
      // b and c hadrons give a soft non-prompt lepton in ~15% of jets.
      if ((tag === TAG_B || tag === TAG_C) && nl < MAX_LEP && rng.uniform() < 0.15) {
        L.pt[nl] = pt * (0.05 + 0.25 * rng.uniform()); L.eta[nl] = eta + rng.normal(0, 0.05); L.phi[nl] = J.phi[nj]! + rng.normal(0, 0.05);
        L.flav[nl] = rng.uniform() < 0.5 ? TAG_E : TAG_MU; L.q[nl] = rng.uniform() < 0.5 ? 1 : -1; L.prompt[nl] = 0;
        if (L.pt[nl]! > (L.flav[nl] === TAG_E ? 5 : 3)) nl++;
      }
      nj++;
    }
    // Jets, pT-ordered.
    sortByPt(J.pt, J.order, nj);
    const jo = c.off('nJet');
    let o = jo[i]!;
    const ptA = c.f32('Jet_pt'), etaA = c.f32('Jet_eta'), phiA = c.f32('Jet_phi'), mA = c.f32('Jet_mass');
    const csvA = c.f32('Jet_btagCSVV2'), deepA = c.f32('Jet_btagDeepB'), flavBA = c.f32('Jet_btagDeepFlavB');
    for (let a = 0; a < nj; a++, o++) {
      const k = J.order[a]!;
      const tag = J.tag[k]!;
      ptA[o] = J.pt[k]!; etaA[o] = J.eta[k]!; phiA[o] = wrapPhi(J.phi[k]!); mA[o] = J.m[k]!;
      const csv = csvv2(rng, tag);
      csvA[o] = csv;
      deepA[o] = clamp01(csv + rng.normal(0, 0.08));
      flavBA[o] = clamp01(csv * csv + rng.normal(0, 0.05));
      c.f32('Jet_qgl')[o] = tag === TAG_GLUON ? clamp01(rng.normal(0.3, 0.2)) : clamp01(rng.normal(0.65, 0.2));
      c.f32('Jet_area')[o] = 0.5 + rng.normal(0, 0.03);
      c.f32('Jet_rawFactor')[o] = 0.05 + rng.normal(0, 0.03);
      c.f32('Jet_puIdDisc')[o] = clamp01(rng.normal(0.8, 0.2));
      const u = rng.uniform();
      c.i32('Jet_jetId')[o] = u < 0.94 ? 6 : u < 0.98 ? 2 : 0;
      c.i32('Jet_puId')[o] = J.pt[k]! > 50 || rng.uniform() < 0.85 ? 7 : 4;
      c.u8('Jet_nConstituents')[o] = Math.min(255, 5 + poisson(rng, 10 + J.pt[k]! / 8));
      c.i32('Jet_nElectrons')[o] = 0;
      c.i32('Jet_nMuons')[o] = 0;
      if (this.mc) {
        c.i32('Jet_hadronFlavour')[o] = tag === TAG_B ? 5 : tag === TAG_C ? 4 : 0;
        c.i32('Jet_partonFlavour')[o] = tag === TAG_GLUON ? 21 : tag === TAG_B || tag === TAG_C ? tag * (rng.uniform() < 0.5 ? 1 : -1) : 1 + Math.floor(3 * rng.uniform());
      }
    }
    jo[i + 1] = o;
    c.u32('nJet')[i] = nj;
    // Leptons split into electrons and muons, each pT-ordered.
    sortByPt(L.pt, L.order, nl);
    this.writeLeptons(rng, i, nl, TAG_E);
    this.writeLeptons(rng, i, nl, TAG_MU);
    // Event-level quantities.
    metx += rng.normal(0, 12); mety += rng.normal(0, 12);
    const npv = 1 + poisson(rng, 11);
    c.u32('run')[i] = this.mc ? 1 : 260000 + Math.floor(eventIndex / 500000);
    c.u32('luminosityBlock')[i] = 1 + Math.floor(eventIndex / 1000);
    // uint64 event number through its 32-bit halves: no BigInt allocation per event.
    this.event32[2 * i] = (eventIndex + 1) >>> 0;
    this.event32[2 * i + 1] = Math.floor((eventIndex + 1) / 4294967296);
    c.i32('PV_npvs')[i] = npv;
    c.i32('PV_npvsGood')[i] = Math.max(1, npv - poisson(rng, 0.5));
    c.f32('PV_z')[i] = rng.normal(0, 3.5);
    c.f32('fixedGridRhoFastjetAll')[i] = Math.max(0, 0.6 * npv + rng.normal(1, 1));
    c.f32('MET_pt')[i] = Math.hypot(metx, mety);
    c.f32('MET_phi')[i] = Math.atan2(mety, metx);
    c.f32('MET_sumEt')[i] = sumEt + 200 + exponential(rng, 150);
    if (this.mc) {
      c.f32('genWeight')[i] = process === 'single_top_s_chan' && rng.uniform() < 0.19 ? -1 : 1;
      c.f32('btagWeight_CSVV2')[i] = rng.normal(1, 0.04);
      const mu = Math.max(0.5, rng.normal(11, 4));
      c.f32('Pileup_nTrueInt')[i] = mu;
      c.i32('Pileup_nPU')[i] = poisson(rng, mu);
    }
  }

  private writeLeptons(rng: Rng, i: number, nl: number, flav: number): void {
    const c = this.c, L = this.lep;
    const e = flav === TAG_E;
    const counter = e ? 'nElectron' : 'nMuon';
    const off = c.off(counter);
    let o = off[i]!;
    const P = e ? 'Electron_' : 'Muon_';
    for (let a = 0; a < nl; a++) {
      const k = L.order[a]!;
      if (L.flav[k] !== flav) continue;
      const prompt = L.prompt[k] === 1;
      const q = L.q[k]!;
      c.f32(P + 'pt')[o] = L.pt[k]!; c.f32(P + 'eta')[o] = L.eta[k]!; c.f32(P + 'phi')[o] = wrapPhi(L.phi[k]!);
      c.f32(P + 'mass')[o] = e ? 0.000511 : 0.10566;
      c.i32(P + 'charge')[o] = q;
      c.i32(P + 'pdgId')[o] = -flav * q;
      c.f32(P + 'sip3d')[o] = prompt ? Math.abs(rng.normal(0, 1.3)) : 2 + exponential(rng, 4);
      c.f32(P + 'dxy')[o] = rng.normal(0, prompt ? 0.002 : 0.03);
      c.f32(P + 'dz')[o] = rng.normal(0, prompt ? 0.005 : 0.05);
      c.i32(P + 'jetIdx')[o] = -1;
      const iso = prompt ? (rng.uniform() < 0.94 ? exponential(rng, 0.025) : 0.1 + exponential(rng, 0.2)) : 0.12 + exponential(rng, 0.5);
      if (e) {
        const u = rng.uniform();
        const cut = prompt ? (u < 0.75 ? 4 : u < 0.85 ? 3 : u < 0.92 ? 2 : u < 0.97 ? 1 : 0) : (u < 0.5 ? 0 : u < 0.8 ? 1 : u < 0.9 ? 2 : u < 0.95 ? 3 : 4);
        c.i32('Electron_cutBased')[o] = cut;
        c.f32('Electron_pfRelIso03_all')[o] = iso;
        c.u8('Electron_convVeto')[o] = rng.uniform() < 0.97 ? 1 : 0;
        c.u8('Electron_mvaFall17V2Iso_WP80')[o] = cut >= 3 && iso < 0.1 ? 1 : 0;
        c.u8('Electron_lostHits')[o] = rng.uniform() < 0.9 ? 0 : 1;
      } else {
        c.u8('Muon_tightId')[o] = rng.uniform() < (prompt ? 0.95 : 0.6) ? 1 : 0;
        c.u8('Muon_mediumId')[o] = c.u8('Muon_tightId')[o]! || rng.uniform() < 0.5 ? 1 : 0;
        c.u8('Muon_looseId')[o] = 1;
        c.u8('Muon_isGlobal')[o] = rng.uniform() < 0.97 ? 1 : 0;
        c.u8('Muon_isPFcand')[o] = 1;
        c.f32('Muon_pfRelIso04_all')[o] = iso;
        c.f32('Muon_pfRelIso03_all')[o] = iso * (0.75 + 0.1 * rng.uniform());
        c.i32('Muon_nStations')[o] = 2 + Math.floor(3 * rng.uniform());
      }
      if (this.mc) c.u8(P + 'genPartFlav')[o] = prompt ? 1 : 5;
      o++;
    }
    off[i + 1] = o;
    c.u32(counter)[i] = o - off[i]!;
  }
}

function wrapPhi(phi: number): number {
  while (phi > Math.PI) phi -= 2 * Math.PI;
  while (phi <= -Math.PI) phi += 2 * Math.PI;
  return phi;
}

/** Insertion sort of indices 0..n-1 by descending pt (n is small). */
function sortByPt(pt: Float64Array, order: Int32Array, n: number): void {
  for (let a = 0; a < n; a++) {
    let b = a;
    while (b > 0 && pt[order[b - 1]!]! < pt[a]!) { order[b] = order[b - 1]!; b--; }
    order[b] = a;
  }
}
