// Minuit2's machine precision and strategy settings. The emulation must take the same decisions as
// Minuit2 (step sizes, cycle counts, tolerances), so these constants are Minuit2's, not ours.

/** Minuit2's MnMachinePrecision as iminuit runs it: eps = 8 x the smallest power of two that still
 *  changes 1 when added (2^-53, found by its ComputePrecision loop) = 4 x double epsilon; eps2 = 2 sqrt(eps).
 *  (Newer ROOT uses 8 x epsilon; with that, paths differ and pyhf's at-limit errors are not reproduced.) */
export const EPS = 4 * Number.EPSILON;
export const EPS2 = 2 * Math.sqrt(EPS);

export interface Strategy {
  level: 0 | 1 | 2;
  gradientCycles: number;
  gradientStepTolerance: number;
  gradientTolerance: number;
  hessianCycles: number;
  hessianStepTolerance: number;
  hessianG2Tolerance: number;
  hessianGradientCycles: number;
}

export function strategy(level: 0 | 1 | 2): Strategy {
  if (level === 0) return { level, gradientCycles: 2, gradientStepTolerance: 0.5, gradientTolerance: 0.1, hessianCycles: 3, hessianStepTolerance: 0.5, hessianG2Tolerance: 0.1, hessianGradientCycles: 1 };
  if (level === 1) return { level, gradientCycles: 3, gradientStepTolerance: 0.3, gradientTolerance: 0.05, hessianCycles: 5, hessianStepTolerance: 0.3, hessianG2Tolerance: 0.05, hessianGradientCycles: 2 };
  return { level, gradientCycles: 5, gradientStepTolerance: 0.1, gradientTolerance: 0.02, hessianCycles: 7, hessianStepTolerance: 0.1, hessianG2Tolerance: 0.02, hessianGradientCycles: 6 };
}
