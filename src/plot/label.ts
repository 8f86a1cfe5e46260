// The experiment label every figure carries: a bold name ('ATLAS Open Data', 'CMS Open Data') and
// the centre-of-mass energy and luminosity ('#sqrt{s} = 13 TeV, 10 fb^{-1}'). Distributions show it
// inside the frame at the top left (the ATLAS look); the other figures in the top margin, the name
// on the left and the energy line on the right (the CMS look), where no curve or matrix is hidden.
import { latex } from './root-objects.ts';
import { energyLine, type ExperimentLabel } from './experiment-label.ts';

export { DEFAULT_EXPERIMENT, energyLine, labelLines, type ExperimentLabel } from './experiment-label.ts';

/** The header above the frame of a pad with these margins: TLatex objects to add to the pad. */
export function headerLatex(e: ExperimentLabel, margins: { left: number; right: number; top: number }, size: number): unknown[] {
  const y = 1 - margins.top + size * 0.35;
  const out = [latex(`#bf{${e.text}}`, margins.left, y, { size, align: 11 })];
  const energy = energyLine(e);
  if (energy) out.push(latex(energy, 1 - margins.right, y, { size, align: 31 }));
  return out;
}
