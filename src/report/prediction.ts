// Model predictions with uncertainties, as cabinetry's model_utils.prediction / yield_stdev: each
// floating parameter is moved by +-1 sigma, the symmetrised yield shifts s_i are combined with the
// correlation matrix (variance = sum_ij s_i s_j rho_ij). Pre-fit: suggested init, pre-fit widths of
// the constraints, no correlations; post-fit: best fit, Hesse uncertainties and correlations.
import type { Model } from '../stats/model.ts';
import type { ChannelPrediction, Prediction } from './artifacts.ts';

export interface Constraints {
  /** pre-fit width: sigma of a Gaussian constraint, 1/sqrt(tau) of a Poisson one, 0 for unconstrained
   *  or fixed parameters (cabinetry's prefit_uncertainties) */
  width: Float64Array;
  /** nominal value: the auxdata of a Gaussian constraint, auxdata / tau of a Poisson one, else init */
  center: Float64Array;
}

export function constraints(model: Model): Constraints {
  const n = model.nPars;
  const width = new Float64Array(n);
  const center = Float64Array.from(model.init);
  // The Model keeps its constraint widths private; read them off its public functions instead.
  // Gaussian: d(twice_nll)/dp = ... + 2 (p - a) / sigma^2, so shifting the auxdata by 1 changes the
  // gradient by exactly 2 / sigma^2. Poisson: the expected auxdata at p = 1 is the factor tau.
  const pars = Float64Array.from(model.init);
  const g0 = new Float64Array(n), g1 = new Float64Array(n);
  model.twiceNllGrad(pars, model.dataset(model.observed.main, model.auxdata), g0);
  model.twiceNllGrad(pars, model.dataset(model.observed.main, Float64Array.from(model.auxdata, (a) => a + 1)), g1);
  const tau = model.expectedAux(new Float64Array(n).fill(1));
  for (const set of model.paramSets) {
    for (let k = 0; k < set.n; k++) {
      const i = set.offset + k;
      const a = set.auxOffset + k;
      if (set.constraint === 'normal') center[i] = model.auxdata[a]!;
      else if (set.constraint === 'poisson') center[i] = model.auxdata[a]! / tau[a]!;
      if (model.fixed[i]) continue;
      if (set.constraint === 'normal') width[i] = Math.sqrt(2 / (g0[i]! - g1[i]!));
      else if (set.constraint === 'poisson') width[i] = 1 / Math.sqrt(tau[a]!);
    }
  }
  return { width, center };
}

export interface PredictionInputs {
  label: Prediction['label'];
  pars: ArrayLike<number>;
  /** 1 sigma per parameter (0: does not contribute) */
  uncertainty: ArrayLike<number>;
  /** row-major nPars x nPars correlation; null: uncorrelated */
  correlation: ArrayLike<number> | null;
  /** samples drawn as signal */
  signalSamples?: ReadonlySet<string>;
  binning?: Record<string, number[]>;
  xLabels?: Record<string, string>;
}

/** Yields per channel/sample/bin with 1 sigma uncertainties, plus the observed data. */
export function predict(model: Model, inp: PredictionInputs): Prediction {
  const n = model.nPars;
  const pars = Float64Array.from(inp.pars);
  const nominal = model.expectedBlocks(pars);
  // components: every block bin, then every channel-total bin, then the channel sums
  const blockAt: number[] = [];
  let nComp = 0;
  for (const b of model.blocks) { blockAt.push(nComp); nComp += b.nbins; }
  const totalAt = nComp;
  nComp += model.nMain;
  const channelSumAt = nComp;
  nComp += model.channels.length;
  const chIndex = new Map(model.channels.map((c, i) => [c.name, i]));
  const components = (blocks: Float64Array[], out: Float64Array) => {
    out.fill(0);
    blocks.forEach((y, k) => {
      const b = model.blocks[k]!, ci = chIndex.get(b.channel)!;
      for (let i = 0; i < b.nbins; i++) {
        out[blockAt[k]! + i] = y[i]!;
        out[totalAt + b.offset + i]! += y[i]!;
        out[channelSumAt + ci]! += y[i]!;
      }
    });
  };
  const active: number[] = [];
  for (let i = 0; i < n; i++) if (inp.uncertainty[i]! > 0) active.push(i);
  const shifts = active.map(() => new Float64Array(nComp));
  const up = new Float64Array(nComp), down = new Float64Array(nComp);
  active.forEach((i, a) => {
    const p = Float64Array.from(pars);
    p[i] = pars[i]! + inp.uncertainty[i]!;
    components(model.expectedBlocks(p), up);
    p[i] = pars[i]! - inp.uncertainty[i]!;
    components(model.expectedBlocks(p), down);
    const s = shifts[a]!;
    for (let c = 0; c < nComp; c++) s[c] = 0.5 * (up[c]! - down[c]!);
  });
  const variance = new Float64Array(nComp);
  for (let a = 0; a < active.length; a++) {
    const sa = shifts[a]!;
    for (let c = 0; c < nComp; c++) variance[c]! += sa[c]! * sa[c]!;
    if (!inp.correlation) continue;
    for (let b = a + 1; b < active.length; b++) {
      const rho = inp.correlation[active[a]! * n + active[b]!]!;
      if (rho === 0) continue;
      const sb = shifts[b]!;
      for (let c = 0; c < nComp; c++) variance[c]! += 2 * rho * sa[c]! * sb[c]!;
    }
  }
  const sd = (c: number) => Math.sqrt(Math.max(variance[c]!, 0));
  const values = new Float64Array(nComp);
  components(nominal, values);
  const observed = model.observed.main;
  const channels: ChannelPrediction[] = model.channels.map((ch, ci) => {
    const bins = Array.from({ length: ch.nbins }, (_, i) => i);
    const samples = model.blocks.flatMap((b, k) => (b.channel !== ch.name ? [] : [{
      name: b.sample,
      yields: bins.map((i) => values[blockAt[k]! + i]!),
      uncertainty: bins.map((i) => sd(blockAt[k]! + i)),
      signal: inp.signalSamples?.has(b.sample) ?? false,
    }]));
    const edges = inp.binning?.[ch.name];
    return {
      name: ch.name,
      ...(edges && edges.length === ch.nbins + 1 ? { edges } : {}),
      ...(inp.xLabels?.[ch.name] ? { xLabel: inp.xLabels[ch.name] } : {}),
      data: bins.map((i) => observed[ch.offset + i]!),
      samples,
      total: bins.map((i) => values[totalAt + ch.offset + i]!),
      uncertainty: bins.map((i) => sd(totalAt + ch.offset + i)),
      sum: values[channelSumAt + ci]!,
      sumUncertainty: sd(channelSumAt + ci),
    };
  });
  return { label: inp.label, channels };
}
