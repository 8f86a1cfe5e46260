// Everything a selection or fill function needs, from one module:
// `import { Events, PackedSelection, Hist, regular, CorrectionSet, agcSelectFn } from '.../src/analysis/index.ts'`.
export * from '../columnar/index.ts';
export * from '../hist/index.ts';
export * from '../correctionlib/index.ts';
export * from './agc.ts';
export * from './hzz.ts';
export * from './variations.ts';
export * from './sample.ts';
export { writeHistogramOutputs, writeHistogramsRoot, outputParams, type OutputParams } from './histogram-outputs.ts';
