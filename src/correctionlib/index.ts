export { CorrectionSet, Correction, type CorrectionSetJSON, type Arg } from './evaluate.ts';
export { compileFormula, erf, erfc } from './formula.ts';
