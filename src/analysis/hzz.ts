// The ATLAS Open Data H->ZZ*->4l selection of notebook 000: charge-neutral 4e/4mu/2e2mu events, m4l
// from the four lepton four-vectors (MeV -> GeV), weights xsec*lumi/(sumw*red_eff) * mcWeight * SFs,
// variations scaleFactorUP/DOWN (x1.1/x0.9) and m4lUP/DOWN (x1.01/x0.99).
import { Events, and, compress, isIn, eq, times } from '../columnar/index.ts';
import type { ColumnBatch, EventColumnBatch } from '../columns.ts';
import { Hist, regular, strCategory, type AxisJSON } from '../hist/index.ts';
import type { SampleInfo } from './sample.ts';

export const HZZ_BRANCHES = [
  'lep_pt', 'lep_eta', 'lep_phi', 'lep_E', 'lep_charge', 'lep_type',
  'mcWeight', 'scaleFactor_ELE', 'scaleFactor_MUON', 'scaleFactor_LepTRIGGER', 'scaleFactor_PILEUP',
];
export const HZZ_VARIATIONS = ['nominal', 'scaleFactorUP', 'scaleFactorDOWN', 'm4lUP', 'm4lDOWN'] as const;

export interface HzzSample {
  process: string;
  isData?: boolean;
  xsec?: number;
  sumw?: number;
  /** reduction efficiency of the 4-lepton skim (ATLAS infofile `red_eff`) */
  redEff?: number;
  /** in /pb; the notebook uses 10 /fb */
  lumi?: number;
}

export function hzzHistogram(bins = 34, lo = 80, hi = 250): Hist {
  return new Hist([
    regular(bins, lo, hi, { name: 'mllll', label: 'm4l [GeV]' }),
    strCategory([], { name: 'process', label: 'Process', growth: true }),
    strCategory([...HZZ_VARIATIONS], { name: 'variation', label: 'Systematic variation' }),
  ]);
}

/** Selected events with m4l and the per-event scale factor (MC) as columns. */
export function hzzSelect(ev: Events, isData = false): ColumnBatch {
  const lep = ev.collection('lep');
  // lepton_filter: sum of charges 0; sum of types 44/48/52 (4e, 2e2mu, 4mu)
  const pass = and(lep.counts().map((n) => +(n >= 4)), eq(lep.get('charge').sum(), 0), isIn(lep.get('type').sum(), [44, 48, 52]));
  const sel = lep.selectEvents(pass);
  const first4 = sel.filter(sel.pt.localIndex().lt(4));
  const mllll = times(first4.p4('ptEtaPhiE').sumPerEvent().mass().content, 1 / 1000);
  const columns: ColumnBatch['columns'] = { mllll };
  if (!isData) {
    const sf = times(times(ev.col('scaleFactor_ELE'), ev.col('scaleFactor_MUON')), times(ev.col('scaleFactor_LepTRIGGER'), ev.col('scaleFactor_PILEUP')));
    columns.scaleFactor = compress(sf, pass);
    columns.mcWeight = compress(Float64Array.from(ev.col('mcWeight')), pass);
  }
  return { entries: mllll.length, columns };
}

export function hzzFill(selected: EventColumnBatch, sample: HzzSample, h: Hist): Hist {
  const ev = new Events(selected);
  const m = ev.col('mllll');
  if (sample.isData) return h.fill({ mllll: m, process: 'data', variation: 'nominal' });
  const { xsec, sumw, redEff = 1, lumi = 10_000 } = sample;
  if (xsec === undefined || sumw === undefined) throw new Error(`H->ZZ fill: sample '${sample.process}' needs xsec and sumw metadata`);
  const basic = times(ev.col('mcWeight'), (lumi * xsec) / (sumw * redEff));
  const w = times(basic, ev.col('scaleFactor'));
  const p = sample.process;
  h.fill({ mllll: m, process: p, variation: 'nominal' }, w);
  h.fill({ mllll: m, process: p, variation: 'scaleFactorUP' }, times(w, 1.1));
  h.fill({ mllll: m, process: p, variation: 'scaleFactorDOWN' }, times(w, 0.9));
  h.fill({ mllll: times(m, 1.01), process: p, variation: 'm4lUP' }, w);
  h.fill({ mllll: times(m, 0.99), process: p, variation: 'm4lDOWN' }, w);
  return h;
}

/** select-node function: `g.select('4l', events, { select: hzzSelectFn })`. */
export function hzzSelectFn(ev: Events, ctx: { sample: SampleInfo }): ColumnBatch {
  return hzzSelect(ev, ctx.sample.isData);
}

/** fill-node function over hzzSelectFn's rows; xsec/sumw from the fetch metadata, `red_eff` and
 *  `lumi` (default 10 /fb) from the sample metadata or the fill options. */
export function hzzFillFn(ev: Events, hists: Record<string, Hist>, ctx: { sample: SampleInfo; options: Record<string, unknown> }): void {
  const h = Object.values(hists)[0];
  if (!h) throw new Error('H->ZZ fill: book one histogram with hzzAxes()');
  const s = ctx.sample, md = s.metadata;
  hzzFill(ev.batch, {
    process: s.process, isData: s.isData, xsec: s.xsec, sumw: s.sumw,
    redEff: (md.red_eff as number | undefined) ?? (ctx.options.redEff as number | undefined),
    lumi: (ctx.options.lumi as number | undefined) ?? 10_000,
  }, h);
}

export function hzzAxes(bins = 34, lo = 80, hi = 250): AxisJSON[] {
  return hzzHistogram(bins, lo, hi).axes.map((a) => a.toJSON());
}
