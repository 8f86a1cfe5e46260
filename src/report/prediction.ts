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
  // components: every block bin, every channel-total bin, the channel sums, the block sums
  const blockAt: number[] = [];
  let nComp = 0;
  for (const b of model.blocks) { blockAt.push(nComp); nComp += b.nbins; }
  const totalAt = nComp;
  nComp += model.nMain;
  const channelSumAt = nComp;
  nComp += model.channels.length;
  const blockSumAt = nComp;
  nComp += model.blocks.length;
  const chIndex = new Map(model.channels.map((c, i) => [c.name, i]));
  const components = (blocks: Float64Array[], out: Float64Array) => {
    out.fill(0);
    blocks.forEach((y, k) => {
      const b = model.blocks[k]!, ci = chIndex.get(b.channel)!;
      for (let i = 0; i < b.nbins; i++) {
        out[blockAt[k]! + i] = y[i]!;
        out[totalAt + b.offset + i]! += y[i]!;
        out[channelSumAt + ci]! += y[i]!;
        out[blockSumAt + k]! += y[i]!;
      }
    });
  };
  // Shifts are sparse (a staterror moves one bin, a channel's parameters only that channel): keep,
  // per component, only the parameters that move it, so big models stay linear in size.
  const touching: Array<{ par: number[]; shift: number[] }> = Array.from({ length: nComp }, () => ({ par: [], shift: [] }));
  const up = new Float64Array(nComp), down = new Float64Array(nComp);
  const p = Float64Array.from(pars);
  for (let i = 0; i < n; i++) {
    const u = inp.uncertainty[i]!;
    if (!(u > 0)) continue;
    p[i] = pars[i]! + u;
    components(model.expectedBlocks(p), up);
    p[i] = pars[i]! - u;
    components(model.expectedBlocks(p), down);
    p[i] = pars[i]!;
    for (let c = 0; c < nComp; c++) {
      const s = 0.5 * (up[c]! - down[c]!);
      if (s !== 0) { touching[c]!.par.push(i); touching[c]!.shift.push(s); }
    }
  }
  const variance = new Float64Array(nComp);
  const rho = inp.correlation;
  for (let c = 0; c < nComp; c++) {
    const { par, shift } = touching[c]!;
    let v = 0;
    for (let a = 0; a < par.length; a++) {
      v += shift[a]! * shift[a]!;
      if (!rho) continue;
      const row = par[a]! * n;
      for (let b = a + 1; b < par.length; b++) v += 2 * rho[row + par[b]!]! * shift[a]! * shift[b]!;
    }
    variance[c] = v;
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
      sum: values[blockSumAt + k]!,
      sumUncertainty: sd(blockSumAt + k),
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
