// Public API of the statistics module (the fit / limit graph nodes wrap these).
export { loadWorkspace, getMeasurement, pruneWorkspace, renameWorkspace, combineWorkspaces, workspaceSchema, MODIFIER_TYPES } from './workspace.ts';
export type { Workspace, Channel, Sample, Modifier, ModifierType, Measurement, ParameterConfig, Observation, PruneSpec, RenameSpec } from './workspace.ts';
export { readWorkspaceFile } from './load.ts';
export { Model, buildModel } from './model.ts';
export type { ModelOptions, Dataset, ParamSet, ChannelInfo } from './model.ts';
export { fit, hesse } from './fit.ts';
export type { FitOptions, FitResult } from './fit.ts';
export { hypotest, hypotestAt, hypotestContext } from './infer/hypotest.ts';
export type { HypotestContext, HypotestResult } from './infer/hypotest.ts';
export { upperLimit, scanLimits, memoryPointCache } from './infer/upper-limit.ts';
export type { UpperLimitOptions, UpperLimitResult, LimitPoint, PointCache } from './infer/upper-limit.ts';
export { significance } from './infer/significance.ts';
export type { SignificanceResult } from './infer/significance.ts';
export { rank, prefitUncertainties } from './infer/ranking.ts';
export type { Impact } from './infer/ranking.ts';
export { yieldsWithUncertainty } from './infer/yields.ts';
export type { ChannelYields } from './infer/yields.ts';
export { syntheticWorkspace } from './synthetic.ts';
