// The AGC CMS Open Data ttbar selection (notebook 001; notebook 002's tighter "v2" selection as an
// option) in two steps so histograms can be re-filled from cached selections:
//   agcSelect: events -> one row per event passing any region under any jet-pT variation, with the
//              observable per (region, pT variation) (NaN outside the region) and the pT of the first
//              four selected jets (for the b-tag weight variations);
//   agcFill:   those rows -> the notebook's histogram (observable x region x process x variation).
import { Events, PackedSelection, compress, eq, ge, plus, type Collection, type Jag, type Mask } from '../columnar/index.ts';
import type { ColumnBatch, EventColumnBatch } from '../columns.ts';
import { Hist, regular, strCategory } from '../hist/index.ts';
import { CorrectionSet, type Correction } from '../correctionlib/index.ts';
import type { AxisJSON } from '../hist/index.ts';
import type { SampleInfo } from './sample.ts';
import { fillWeightVariations, jetEnergyVariations } from './variations.ts';

export interface AgcOptions {
  /** 'v1' = notebook 001 (the default), 'v2' = notebook 002's tighter object selection */
  selection?: 'v1' | 'v2';
  bTagThreshold?: number;
  /** integrated luminosity in /pb */
  lumi?: number;
  /** set false to fill only the nominal (and 2-point sample variations) */
  systematics?: boolean;
  /** jet energy scale factor of `pt_scale_up` (notebook: 1.03) */
  jetScaleUp?: number;
  /** relative jet pT resolution smearing of `pt_res_up` (notebook: 0.05) */
  jetResolution?: number;
  /** notebook 002's corrections.json `event_systematics`; defaults to the same formulas inline */
  eventSystematics?: Correction;
  /** path of a corrections.json holding `event_systematics` (JSON-able alternative for node params) */
  correctionsFile?: string;
}

const correctionFiles = new Map<string, Correction>();
function eventSystematics(opts: AgcOptions): Correction | undefined {
  if (opts.eventSystematics || !opts.correctionsFile) return opts.eventSystematics;
  let c = correctionFiles.get(opts.correctionsFile);
  if (!c) { c = CorrectionSet.fromFile(opts.correctionsFile).get('event_systematics'); correctionFiles.set(opts.correctionsFile, c); }
  return c;
}

export interface AgcSample {
  process: string;
  /** the sample's variation: 'nominal' or a 2-point variation ('scaleup', 'ME_var', ...) */
  variation: string;
  xsec?: number;
  nevts?: number;
  isData?: boolean;
}

export const AGC_REGIONS = ['4j1b', '4j2b'] as const;
export const AGC_PT_VARIATIONS = ['nominal', 'pt_scale_up', 'pt_res_up'] as const;
export const AGC_LUMI = 3378;

export const AGC_BRANCHES_V1 = ['Electron_pt', 'Muon_pt', 'Jet_pt', 'Jet_eta', 'Jet_phi', 'Jet_mass', 'Jet_btagCSVV2'];
export const AGC_BRANCHES_V2 = [
  ...AGC_BRANCHES_V1, 'Electron_eta', 'Electron_cutBased', 'Electron_sip3d',
  'Muon_eta', 'Muon_tightId', 'Muon_sip3d', 'Muon_pfRelIso04_all', 'Jet_jetId',
];

/** Notebook 001's histogram: 25 bins 50-550 GeV x region x process x variation. */
export function agcHistogram(bins = 25, lo = 50, hi = 550): Hist {
  return new Hist([
    regular(bins, lo, hi, { name: 'observable', label: 'observable [GeV]' }),
    strCategory(['4j1b', '4j2b'], { name: 'region', label: 'Region' }),
    strCategory([], { name: 'process', label: 'Process', growth: true }),
    strCategory([], { name: 'variation', label: 'Systematic variation', growth: true }),
  ]);
}

const obsColumn = (region: string, ptVar: string) => `${region}__${ptVar}`;

/** Number of leptons passing the selection, per event. */
function countLeptons(ev: Events, v2: boolean): Float64Array {
  const el = ev.collection('Electron'), mu = ev.collection('Muon');
  if (!v2) return plus(el.pt.gt(25).countTrue(), mu.pt.gt(25).countTrue());
  const elOk = el.pt.gt(30).and(el.eta.absLt(2.1)).and(el.get('cutBased').eq(4)).and(el.get('sip3d').lt(4));
  const muOk = mu.pt.gt(30).and(mu.eta.absLt(2.1)).and(mu.get('tightId')).and(mu.get('sip3d').lt(4)).and(mu.get('pfRelIso04_all').lt(0.15));
  return plus(elOk.countTrue(), muOk.countTrue());
}

/** Mass of the trijet with the largest pT among trijets holding at least one b-tagged jet (NaN if
 *  none). Same result as combinations(3) -> sumCombinations -> filter -> argmax (see the tests), fused
 *  into one loop because it runs over every 4j2b event of every pT variation. */
export function trijetMass(jets: Collection, bTagThreshold: number): Float64Array {
  const p4 = jets.p4(), btag = jets.get('btagCSVV2').content, o = jets.offsets, n = jets.length;
  const { px, py, pz, E } = p4, out = new Float64Array(n).fill(NaN);
  for (let e = 0; e < n; e++) {
    let best = -1;
    for (let a = o[e]!; a < o[e + 1]!; a++) for (let b = a + 1; b < o[e + 1]!; b++) for (let c = b + 1; c < o[e + 1]!; c++) {
      if (!(btag[a]! > bTagThreshold || btag[b]! > bTagThreshold || btag[c]! > bTagThreshold)) continue;
      const x = px[a]! + px[b]! + px[c]!, y = py[a]! + py[b]! + py[c]!, pt2 = x * x + y * y;
      if (pt2 <= best) continue;
      best = pt2;
      const z = pz[a]! + pz[b]! + pz[c]!, en = E[a]! + E[b]! + E[c]!, m2 = en * en - pt2 - z * z;
      out[e] = m2 >= 0 ? Math.sqrt(m2) : -Math.sqrt(-m2);
    }
  }
  return out;
}

/** Per chunk: the selection for all jet-pT variations. `seed` makes the resolution smearing reproducible. */
export function agcSelect(ev: Events, sample: AgcSample, opts: AgcOptions = {}, seed = 0): ColumnBatch & { meta: { cutflow: Record<string, number> } } {
  const v2 = opts.selection === 'v2', thr = opts.bTagThreshold ?? 0.5;
  const jets0 = ev.collection('Jet'), pt0 = jets0.pt;
  const doSyst = (opts.systematics ?? true) && sample.variation === 'nominal' && !sample.isData;
  const factors = doSyst ? jetEnergyVariations(pt0, seed, { scale: opts.jetScaleUp, resolution: opts.jetResolution }) : { nominal: 1 };
  const nLep = countLeptons(ev, v2);
  const observables: Record<string, Float64Array> = {};
  const anyRegion = new Uint8Array(ev.entries);
  const jetPt = [0, 1, 2, 3].map(() => new Float64Array(ev.entries).fill(NaN));
  const cutflow: Record<string, number> = { all: ev.entries };
  for (const [ptVar, factor] of Object.entries(factors)) {
    const pt = factor === 1 ? pt0 : pt0.mul(factor);
    let jetOk = pt.gt(v2 ? 30 : 25);
    if (v2) jetOk = jetOk.and(jets0.eta.absLt(2.4)).and(tightLeptonVeto(jets0));
    const jets = jets0.with({ pt }).filter(jetOk);
    const btag = jets.get('btagCSVV2'), nb = btag.gt(thr).countTrue();
    const sel = new PackedSelection(ev.entries)
      .add('exactly_1l', eq(nLep, 1))
      .add('atleast_4j', ge(jets.counts(), 4))
      .add('exactly_1b', eq(v2 ? btag.ge(thr).countTrue() : nb, 1)) // notebook 002 uses >= here
      .add('atleast_2b', ge(nb, 2));
    for (const region of AGC_REGIONS) {
      const mask = sel.all('exactly_1l', 'atleast_4j', region === '4j1b' ? 'exactly_1b' : 'atleast_2b');
      const rj = jets.selectEvents(mask);
      const obs = region === '4j1b' ? rj.pt.sum() : trijetMass(rj, thr);
      observables[obsColumn(region, ptVar)] = scatter(obs, mask, ev.entries);
      if (ptVar === 'nominal') {
        const rpt = rj.pt;
        jetPt.forEach((col, i) => { const v = rpt.at(i); let k = 0; for (let e = 0; e < mask.length; e++) if (mask[e]) col[e] = v[k++]!; });
      }
      for (let e = 0; e < mask.length; e++) anyRegion[e]! |= mask[e]!;
      cutflow[`${region}__${ptVar}`] = rj.length;
    }
    if (ptVar === 'nominal') {
      const cf = sel.cutflow('exactly_1l', 'atleast_4j');
      cutflow.exactly_1l = cf.cumulative[0]!; cutflow.atleast_4j = cf.cumulative[1]!;
    }
  }
  const columns: ColumnBatch['columns'] = {};
  for (const [k, v] of Object.entries(observables)) columns[k] = compress(v, anyRegion);
  jetPt.forEach((v, i) => { columns[`jet_pt_${i}`] = compress(v, anyRegion); });
  let n = 0;
  for (let e = 0; e < anyRegion.length; e++) n += anyRegion[e]!;
  return { entries: n, columns, meta: { cutflow } };
}

/** jets.isTightLeptonVeto as coffea derives it from NanoAOD's jetId bit field. */
function tightLeptonVeto(jets: Collection): Jag {
  if (jets.has('isTightLeptonVeto')) return jets.get('isTightLeptonVeto');
  return jets.get('jetId').map((id) => +((id & 4) === 4));
}

function scatter(values: Float64Array, mask: Mask, n: number): Float64Array {
  const out = new Float64Array(n).fill(NaN);
  let k = 0;
  for (let e = 0; e < n; e++) if (mask[e]) out[e] = values[k++]!;
  return out;
}

/** Fill the notebook's histogram from agcSelect's rows (also from a cached selection). */
export function agcFill(selected: EventColumnBatch, sample: AgcSample, h: Hist, opts: AgcOptions = {}): Hist {
  const ev = new Events(selected);
  const lumi = opts.lumi ?? AGC_LUMI;
  const xsecWeight = sample.isData || sample.process === 'data' ? 1 : (sample.xsec ?? NaN) * lumi / (sample.nevts ?? NaN);
  if (!Number.isFinite(xsecWeight)) throw new Error(`AGC fill: sample '${sample.process}/${sample.variation}' needs xsec and nevts metadata`);
  const doSyst = (opts.systematics ?? true) && sample.variation === 'nominal' && !sample.isData;
  const process = sample.isData ? 'data' : sample.process;
  for (const region of AGC_REGIONS) {
    for (const ptVar of doSyst ? AGC_PT_VARIATIONS : (['nominal'] as const)) {
      const obsAll = ev.col(obsColumn(region, ptVar));
      const inRegion = new Uint8Array(obsAll.length);
      for (let k = 0; k < obsAll.length; k++) inRegion[k] = obsAll[k] === obsAll[k] ? 1 : 0;
      const obs = compress(obsAll, inRegion);
      const variation = ptVar === 'nominal' ? sample.variation : ptVar;
      h.fill({ observable: obs, region, process, variation }, xsecWeight);
      if (ptVar !== 'nominal' || !doSyst) continue;
      // weight-level variations: the same rows, re-weighted
      const cs = eventSystematics(opts);
      const jetPt = [0, 1, 2, 3].map((i) => compress(ev.col(`jet_pt_${i}`), inRegion));
      const factors: Record<string, number | Float64Array> = {};
      for (const dir of ['up', 'down'] as const) {
        if (process === 'wjets') factors[`scale_var_${dir}`] = cs ? cs.evaluateScalar('scale_var', dir, 0) : dir === 'up' ? 1.025 : 0.975;
        jetPt.forEach((pt, i) => { factors[`btag_var_${i}_${dir}`] = cs ? cs.evaluate('btag_var', dir, pt) : btagWeight(pt, dir === 'up' ? 1 : -1); });
      }
      fillWeightVariations(h, { observable: obs, region, process }, xsecWeight, factors);
    }
  }
  return h;
}

/** Notebook 001's b-tag weight variation: 1 +- 7.5% x (i-th jet pT / 50 GeV). */
function btagWeight(pt: Float64Array | ArrayLike<number>, sign: number): Float64Array {
  const out = new Float64Array(pt.length);
  for (let k = 0; k < out.length; k++) out[k] = 1 + (sign * 0.075 * pt[k]!) / 50;
  return out;
}

/** Select and fill in one go (benchmarks, scripts without the engine). */
export function agcProcess(ev: Events, sample: AgcSample, h: Hist, opts: AgcOptions = {}, seed = 0): Hist {
  return agcFill(agcSelect(ev, sample, opts, seed), sample, h, opts);
}

/** The AGC's pseudodata recipe: (ttbar ME_var + ttbar PS_var) / 2 + wjets nominal, per region. */
export const AGC_PSEUDODATA = (region: string) => [
  { name: `${region}_ttbar_ME_var`, factor: 0.5 },
  { name: `${region}_ttbar_PS_var`, factor: 0.5 },
  { name: `${region}_wjets`, factor: 1 },
];

/** Axes of agcHistogram as node params: `g.fill('hists', sel, { histograms: { agc: agcAxes() }, fill: agcFillFn, ... })`. */
export function agcAxes(bins = 25, lo = 50, hi = 550): AxisJSON[] {
  return agcHistogram(bins, lo, hi).axes.map((a) => a.toJSON());
}

const toAgcSample = (s: SampleInfo): AgcSample => ({ process: s.process, variation: s.variation, xsec: s.xsec, nevts: s.nevts, isData: s.isData });

/** select-node function: `g.select('agc', events, { select: agcSelectFn, options: { selection: 'v1' } })`. */
export function agcSelectFn(ev: Events, ctx: { sample: SampleInfo; seed: number; options: Record<string, unknown> }) {
  return agcSelect(ev, toAgcSample(ctx.sample), ctx.options as AgcOptions, ctx.seed);
}

/** fill-node function: fills the first booked histogram (agcAxes()) from agcSelectFn's rows. */
export function agcFillFn(ev: Events, hists: Record<string, Hist>, ctx: { sample: SampleInfo; options: Record<string, unknown> }): void {
  const h = Object.values(hists)[0];
  if (!h) throw new Error('AGC fill: book one histogram with agcAxes()');
  agcFill(ev.batch, toAgcSample(ctx.sample), h, ctx.options as AgcOptions);
}
