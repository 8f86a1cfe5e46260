// Synthetic samples with real schemas: CMS NanoAOD (`Events`) and ATLAS Open Data 4-lepton
// (`mini`), deterministic per seed, generated a chunk of typed-array columns at a time.
export { generateNanoAOD, generateNanoAODSync, nanoaodSchema, nanoaodProcesses, nanoaodCrossSections, ttbarVariations, type NanoAODOptions, type NanoAODProcess, type TtbarVariation } from './nanoaod.ts';
export { generateAtlas4lep, generateAtlas4lepSync, atlas4lepSchema, atlas4lepProcesses, atlas4lepSamples, type Atlas4lepOptions, type Atlas4lepProcess } from './atlas4lep.ts';
export { writeSample, sampleKinds, type SampleKind, type WriteSampleOptions, type WriteSampleResult } from './write.ts';
