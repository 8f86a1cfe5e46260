// Workspace builders: cabinetry-style config -> pyhf workspace, CMS Combine datacards in and out.
export {
  cabinetryConfigSchema, validateCabinetryConfig, parseCabinetryConfig, readCabinetryConfig, loadCabinetryConfig,
  type CabinetryConfig, type CabinetryRegion, type CabinetrySample, type CabinetryNormFactor, type CabinetrySystematic,
} from './cabinetry-config.ts';
export {
  buildWorkspace, requiredHistogramNames, defaultHistogramName, systematicUpDownHistogramName, type BuildWorkspaceOptions,
} from './workspace-builder.ts';
export {
  templateLocation, requiredTemplates, toBinning, lookupHistogram,
  type TemplateHistogram, type HistogramSource, type TemplateRef, type TemplateLocation,
} from './template-histograms.ts';
export { readRootHistograms, collectTemplates } from './root-histograms.ts';
export { smooth353QHTwice } from './smooth-353qh.ts';
export type {
  Datacard, DatacardColumn, DatacardUncertainty, DatacardEffect, DatacardShapesLine, DatacardRateParam,
  DatacardParam, DatacardAutoMCStats, DatacardGroup, UncertaintyType,
} from './datacard-model.ts';
export { withCountedSizes } from './datacard-model.ts';
export { parseDatacard } from './datacard-parse.ts';
export { writeDatacard } from './datacard-write.ts';
export { combineDatacards } from './datacard-combine-cards.ts';
export { loadDatacardShapes, requiredShapes, shapeLocation, type DatacardShapeSource, type JsonShapesFile } from './datacard-shapes.ts';
export { convertDatacard, datacardToWorkspace, type DatacardConversion, type DatacardConversionOptions } from './datacard-to-workspace.ts';
export {
  combineSpecSchema, validateCombineSpec, buildCategoryDatacard, writeCombineOutputs, combineScript, defaultCombineHistogramName,
  type CombineSpec, type CombineHistogramQuery, type CombineOutputOptions, type CombineOutputs, type CategoryDatacard,
} from './datacard-combine-outputs.ts';
export type { Workspace, Channel, Sample, Modifier, Measurement, ParameterConfig, Observation } from './pyhf-types.ts';
