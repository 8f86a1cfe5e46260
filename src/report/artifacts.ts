// The statistics artifacts flowing along graph edges (Workspace -> FitResult / LimitResult ->
// Figures), as plain JSON so the engine's default codec caches them and report.html can print them.
// Keys follow `flow fit --json` / `flow limit --json` (DESIGN section 6), extended with what the
// figures need (pre/post-fit yields, pulls, the CLs scan).
import type { ModifierType, Workspace } from '../stats/workspace.ts';

/** Presentation metadata that travels with a Workspace artifact but is never written into
 *  workspace.json (pyhf's schema allows no extra keys): the workspace itself has no bin edges. */
export interface WorkspaceMeta {
  /** channel -> bin edges (length = bins + 1) */
  binning: Record<string, number[]>;
  /** channel -> x-axis title taken from the histograms' axis label */
  xLabels: Record<string, string>;
}

/** A Workspace artifact: pyhf JSON 1.0.0, optionally with `hepflow` presentation metadata. */
export type WorkspaceArtifact = Workspace & { hepflow?: WorkspaceMeta };

/** The pure pyhf workspace (what workspace.json holds). */
export function pyhfWorkspace(ws: WorkspaceArtifact): Workspace {
  const { hepflow: _meta, ...pure } = ws;
  return pure;
}

export interface SamplePrediction {
  name: string;
  /** expected yield per bin */
  yields: number[];
  /** 1 sigma uncertainty per bin */
  uncertainty: number[];
  /** yield in the whole channel and its 1 sigma uncertainty */
  sum: number;
  sumUncertainty: number;
  /** carries the POI's normfactor (drawn on top of the stack) */
  signal: boolean;
}

export interface ChannelPrediction {
  name: string;
  /** bin edges when known (from the workspace's histograms), else undefined */
  edges?: number[];
  xLabel?: string;
  data: number[];
  samples: SamplePrediction[];
  /** sum of the samples per bin, and its 1 sigma uncertainty (correlations included) */
  total: number[];
  uncertainty: number[];
  /** whole-channel yield and uncertainty */
  sum: number;
  sumUncertainty: number;
}

/** Model prediction at some parameter values with uncertainties (cabinetry's model_utils.prediction). */
export interface Prediction {
  label: 'pre-fit' | 'post-fit';
  channels: ChannelPrediction[];
}

export interface Pull {
  parameter: string;
  /** modifier type of the parameter (staterror pulls are hidden by default, as cabinetry does) */
  type: ModifierType;
  /** (bestfit - nominal) / pre-fit width */
  pull: number;
  /** post-fit uncertainty / pre-fit width */
  error: number;
}

export interface FitResultArtifact {
  // the `flow fit --json` keys
  bestfit: Record<string, number>;
  uncertainty: Record<string, number>;
  twice_nll: number;
  correlation: number[][];
  par_names: string[];
  converged: boolean;
  message: string;
  // hepflow extensions
  measurement: string;
  poi: string;
  /** constrained, floating parameters only (no POI, normfactors, shapefactors, fixed parameters) */
  pulls: Pull[];
  /** MINOS intervals of the parameters asked for: [down (negative), up] */
  minos?: Record<string, [number, number]>;
  /** saturated-model goodness of fit (cabinetry's definition) */
  goodness_of_fit?: { chi2: number; dof: number; p_value: number; saturated_twice_nll: number };
  prefit: Prediction;
  postfit: Prediction;
}

export interface ClsPoint {
  poi: number;
  cls_obs: number;
  /** -2..+2 sigma */
  cls_exp: number[];
}

export interface LimitResultArtifact {
  // the `flow limit --json` keys
  cls_obs: number;
  cls_exp: number[];
  upper_limit_obs: number;
  upper_limit_exp: number[];
  p0_obs: number;
  p0_exp: number;
  significance_obs: number;
  significance_exp: number;
  poi: string;
  poi_value: number;
  upper_limit_method: 'root' | 'scan' | 'toys';
  /** per limit (observed, then expected): 'above' / 'below' the bounds searched, or null */
  upper_limit_outside?: Array<'above' | 'below' | null>;
  /** absolute resolution per limit (observed, then expected) */
  upper_limit_resolution?: number[];
  /** the limits outside the bounds or from a scan, in words */
  upper_limit_notes?: string[];
  /** how cls_obs / cls_exp were computed */
  calculator?: 'asymptotics' | 'toys';
  ntoys?: number;
  seed?: number;
  /** binomial error of a toy cls_obs */
  cls_obs_error?: number;
  /** the toys' qtilde values (s+b, b-only) and the observed one; svg: their figure */
  toys?: { q_obs: number; sb: number[]; b: number[]; svg?: string };
  /** with toy limits: the observed limit's statistical error, the asymptotic limits, the toy CLs grid */
  upper_limit_obs_error?: number;
  upper_limit_obs_asymptotic?: number;
  upper_limit_exp_asymptotic?: number[];
  toy_scan?: Array<{ poi: number; cls_obs: number; cls_exp: number[]; cls_obs_error: number }>;
  // hepflow extensions
  measurement: string;
  cl: number;
  /** CLs scan over the POI (the Brazil plot), ascending in poi */
  scan: ClsPoint[];
}

export function isWorkspaceArtifact(v: unknown): v is WorkspaceArtifact {
  return typeof v === 'object' && v !== null && 'channels' in v && 'measurements' in v;
}

export function isFitResult(v: unknown): v is FitResultArtifact {
  return typeof v === 'object' && v !== null && 'bestfit' in v && 'postfit' in v;
}

export function isLimitResult(v: unknown): v is LimitResultArtifact {
  return typeof v === 'object' && v !== null && 'upper_limit_obs' in v && 'scan' in v;
}
