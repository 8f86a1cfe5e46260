// The builders emit src/stats/workspace.ts's pyhf workspace (zod-inferred types, JSON 1.0.0).
export type { Channel, Measurement, Modifier, Observation, ParameterConfig, Sample, Workspace } from '../workspace.ts';
