// The experiment-label params that every figure-drawing kind takes (plot, ranking, scan) and the
// label they make: `label: 'ATLAS Open Data', sqrts: 13, lumi: 10` -> 'ATLAS Open Data' in bold
// and '√s = 13 TeV, 10 fb⁻¹' on every figure.
import { z } from 'zod';
import { DEFAULT_EXPERIMENT, type ExperimentLabel } from '../plot/experiment-label.ts';

export const experimentParams = {
  /** experiment label in bold on every figure, e.g. 'ATLAS Open Data', 'CMS Open Data'
   *  (default: the first of `labels`, else 'Work in progress') */
  label: z.string().min(1).optional(),
  /** centre-of-mass energy in TeV, shown beside the label */
  sqrts: z.number().positive().optional(),
  /** integrated luminosity in fb⁻¹, shown beside the label */
  lumi: z.number().positive().optional(),
};

export interface ExperimentParams { label?: string; sqrts?: number; lumi?: number; labels?: string[] }

/** The label of the figures and the distributions' further lines: without `label`, the first of
 *  `labels` is the experiment (what graphs wrote before `label` existed). */
export function experimentOf(p: ExperimentParams): { experiment: ExperimentLabel; lines: string[] } {
  const labels = p.labels ?? [];
  const text = p.label ?? labels[0] ?? DEFAULT_EXPERIMENT.text;
  const lines = p.label === undefined ? labels.slice(1) : labels;
  return { experiment: { text, ...(p.sqrts !== undefined ? { sqrts: p.sqrts } : {}), ...(p.lumi !== undefined ? { lumi: p.lumi } : {}) }, lines };
}

/** The label line in plain unicode (report.html): 'ATLAS Open Data · √s = 13 TeV, 10 fb⁻¹'. */
export function experimentText(e: ExperimentLabel): string {
  const short = (x: number) => String(Number(x.toPrecision(3)));
  const bits: string[] = [];
  if (e.sqrts !== undefined) bits.push(`√s = ${short(e.sqrts)} TeV`);
  if (e.lumi !== undefined) bits.push(e.lumi < 1 ? `${short(e.lumi * 1000)} pb⁻¹` : `${short(e.lumi)} fb⁻¹`);
  return bits.length ? `${e.text} · ${bits.join(', ')}` : e.text;
}
