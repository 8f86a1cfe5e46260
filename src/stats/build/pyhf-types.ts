// pyhf JSON workspace (schema version 1.0.0) as plain TS types. The builders only emit these
// shapes; validation and the statistical model live in src/stats/ (workspace.ts).

export interface NormFactorModifier { name: string; type: 'normfactor'; data: null }
export interface NormSysModifier { name: string; type: 'normsys'; data: { hi: number; lo: number } }
export interface HistoSysModifier { name: string; type: 'histosys'; data: { hi_data: number[]; lo_data: number[] } }
export interface StatErrorModifier { name: string; type: 'staterror'; data: number[] }
export interface ShapeSysModifier { name: string; type: 'shapesys'; data: number[] }
export interface LumiModifier { name: string; type: 'lumi'; data: null }
export interface ShapeFactorModifier { name: string; type: 'shapefactor'; data: null }

export type Modifier =
  | NormFactorModifier | NormSysModifier | HistoSysModifier | StatErrorModifier
  | ShapeSysModifier | LumiModifier | ShapeFactorModifier;

export interface Sample { name: string; data: number[]; modifiers: Modifier[] }
export interface Channel { name: string; samples: Sample[] }
export interface Observation { name: string; data: number[] }

export interface ParameterConfig {
  name: string;
  inits?: number[];
  bounds?: Array<[number, number]>;
  fixed?: boolean;
  auxdata?: number[];
  sigmas?: number[];
}

export interface Measurement { name: string; config: { poi: string; parameters: ParameterConfig[] } }

export interface Workspace {
  channels: Channel[];
  measurements: Measurement[];
  observations: Observation[];
  version: '1.0.0';
}
