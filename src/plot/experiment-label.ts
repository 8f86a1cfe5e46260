// The experiment label every figure carries: a bold name ('ATLAS Open Data', 'CMS Open Data') and
// the centre-of-mass energy and luminosity ('#sqrt{s} = 13 TeV, 10 fb^{-1}'). Plain data and text
// here (no jsroot: the node kinds import it when they validate); label.ts draws it.

export interface ExperimentLabel {
  /** drawn bold, e.g. 'ATLAS Open Data' */
  text: string;
  /** centre-of-mass energy in TeV */
  sqrts?: number;
  /** integrated luminosity in fb^-1 */
  lumi?: number;
}

/** What a figure says when the graph names no experiment: a claim of nothing. */
export const DEFAULT_EXPERIMENT: ExperimentLabel = { text: 'Work in progress' };

const short = (x: number): string => String(Number(x.toPrecision(3)));

/** '#sqrt{s} = 13 TeV, 10 fb^{-1}' (pb^{-1} below 1 fb^{-1}); undefined with neither given. */
export function energyLine(e: ExperimentLabel): string | undefined {
  const bits: string[] = [];
  if (e.sqrts !== undefined) bits.push(`#sqrt{s} = ${short(e.sqrts)} TeV`);
  if (e.lumi !== undefined) bits.push(e.lumi < 1 ? `${short(e.lumi * 1000)} pb^{-1}` : `${short(e.lumi)} fb^{-1}`);
  return bits.length ? bits.join(', ') : undefined;
}

/** The lines of the block inside a distribution's frame: the name (bold), the energy line. */
export function labelLines(e: ExperimentLabel): string[] {
  const energy = energyLine(e);
  return [`#bf{${e.text}}`, ...(energy ? [energy] : [])];
}
