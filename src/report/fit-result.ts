// Maximum-likelihood fit of a Workspace artifact into a FitResult artifact: the `flow fit --json`
// numbers plus pulls and pre/post-fit predictions for the figures.
import { UserError } from '../errors.ts';
import { fit } from '../stats/fit.ts';
import { buildModel, type Model } from '../stats/model.ts';
import { loadWorkspace, type Workspace } from '../stats/workspace.ts';
import { pyhfWorkspace, type FitResultArtifact, type Prediction, type Pull, type WorkspaceArtifact } from './artifacts.ts';
import { constraints, predict } from './prediction.ts';
import { goodnessOfFitJson, minosJson } from '../stats/infer/fit-extras.ts';

export interface FitOverrides {
  measurement?: string;
  /** parameter (pyhf name, `name[i]` for vector parameters) -> value it is held at */
  fixed?: Record<string, number>;
  /** parameter -> starting value */
  init?: Record<string, number>;
  /** parameter -> [lower, upper] */
  bounds?: Record<string, [number, number]>;
  /** 'minuit': pyhf's minuit optimizer step by step (see stats/fit.ts) */
  optimizer?: 'newton' | 'minuit';
  /** parameters whose MINOS intervals are computed */
  minos?: string[];
}

/** The model of a workspace artifact with the overrides applied (errors name `where`). */
export function modelOf(ws: WorkspaceArtifact, o: FitOverrides, where: string): { workspace: Workspace; model: Model } {
  const workspace = loadWorkspace(pyhfWorkspace(ws), where);
  const model = buildModel(workspace, o.measurement);
  const index = (key: string, name: string): number => {
    const i = model.parNames.indexOf(name);
    if (i < 0) throw new UserError(`${where}: ${key}: unknown parameter '${name}' (parameters: ${model.parNames.join(', ')})`);
    return i;
  };
  // The model is ours (freshly built): its suggested init/bounds/fixed arrays are edited in place,
  // so pre-fit widths, the fit and the pulls all see the same configuration.
  for (const [name, v] of Object.entries(o.init ?? {})) model.init[index('init', name)] = v;
  for (const [name, [lo, hi]] of Object.entries(o.bounds ?? {})) {
    if (!(lo < hi)) throw new UserError(`${where}: bounds.${name}: lower bound ${lo} must be below upper bound ${hi}`);
    const i = index('bounds', name);
    model.lower[i] = lo;
    model.upper[i] = hi;
  }
  for (const [name, v] of Object.entries(o.fixed ?? {})) {
    const i = index('fixed', name);
    model.fixed[i] = 1;
    model.init[i] = v;
    model.lower[i] = Math.min(model.lower[i]!, v);
    model.upper[i] = Math.max(model.upper[i]!, v);
  }
  return { workspace, model };
}

/** Samples that carry the POI as a normfactor: drawn as signal. */
function signalSamples(ws: Workspace, poi: string): Set<string> {
  const out = new Set<string>();
  for (const ch of ws.channels) {
    for (const s of ch.samples) if (s.modifiers.some((m) => m.type === 'normfactor' && m.name === poi)) out.add(s.name);
  }
  return out;
}

/** The pre-fit prediction of a workspace alone (figures without a fit). */
export function prefitPrediction(ws: WorkspaceArtifact, o: FitOverrides, where: string): Prediction {
  const { workspace, model } = modelOf(ws, o, where);
  return predict(model, {
    label: 'pre-fit', pars: model.init, uncertainty: constraints(model).width, correlation: null,
    signalSamples: signalSamples(workspace, model.poiName), binning: ws.hepflow?.binning, xLabels: ws.hepflow?.xLabels,
  });
}

export function fitWorkspace(ws: WorkspaceArtifact, o: FitOverrides, where: string): FitResultArtifact {
  const { workspace, model } = modelOf(ws, o, where);
  const r = fit(model, { optimizer: o.optimizer });
  const n = model.nPars;
  const bestfit: Record<string, number> = {}, uncertainty: Record<string, number> = {};
  model.parNames.forEach((p, i) => { bestfit[p] = r.bestfit[i]!; uncertainty[p] = r.uncertainty[i]!; });
  const correlation = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (r.correlation ? r.correlation[i * n + j]! : i === j ? 1 : 0)));

  const c = constraints(model);
  const pulls: Pull[] = [];
  for (const set of model.paramSets) {
    if (set.constraint === null) continue;
    for (let k = 0; k < set.n; k++) {
      const i = set.offset + k;
      if (i === model.poiIndex || !(c.width[i]! > 0) || !(r.uncertainty[i]! > 0)) continue;
      pulls.push({ parameter: model.parNames[i]!, type: set.type, pull: (r.bestfit[i]! - c.center[i]!) / c.width[i]!, error: r.uncertainty[i]! / c.width[i]! });
    }
  }
  const shared = { signalSamples: signalSamples(workspace, model.poiName), binning: ws.hepflow?.binning, xLabels: ws.hepflow?.xLabels };
  return {
    bestfit, uncertainty, twice_nll: r.twiceNll, correlation, par_names: model.parNames, converged: r.converged, message: r.message,
    measurement: model.measurement,
    poi: model.poiName,
    pulls,
    ...(o.minos?.length ? { minos: minosJson(model, r, o.minos, `${where}: minos`) } : {}),
    goodness_of_fit: goodnessOfFitJson(model, r),
    prefit: predict(model, { label: 'pre-fit', pars: model.init, uncertainty: c.width, correlation: null, ...shared }),
    postfit: predict(model, { label: 'post-fit', pars: r.bestfit, uncertainty: r.uncertainty, correlation: r.correlation, ...shared }),
  };
}
