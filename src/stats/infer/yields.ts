// Yields per channel, sample and bin at a parameter point, with uncertainties propagated from a
// covariance matrix (linearised: sigma^2 = J C J^T, J by central differences) for pre/post-fit plots.
import type { Model } from '../model.ts';

export interface ChannelYields {
  channel: string;
  samples: Array<{ sample: string; yields: number[]; uncertainty: number[] }>;
  total: number[];
  totalUncertainty: number[];
}

export function yieldsWithUncertainty(model: Model, pars: Float64Array, covariance: Float64Array | null): ChannelYields[] {
  const n = model.nPars;
  const nominal = model.expectedBlocks(pars);
  const varied = new Array<Float64Array[] | null>(n).fill(null);
  const steps = new Float64Array(n);
  if (covariance) {
    for (let i = 0; i < n; i++) {
      const sd = Math.sqrt(Math.max(covariance[i * n + i]!, 0));
      if (!(sd > 0)) continue;
      const h = 1e-4 * sd;
      const xp = Float64Array.from(pars), xm = Float64Array.from(pars);
      xp[i] = pars[i]! + h; xm[i] = pars[i]! - h;
      const up = model.expectedBlocks(xp), dn = model.expectedBlocks(xm);
      varied[i] = up.map((u, k) => Float64Array.from(u, (v, b) => (v - dn[k]![b]!) / (2 * h)));
      steps[i] = h;
    }
  }
  const active = varied.map((v, i) => (v ? i : -1)).filter((i) => i >= 0);
  // propagate a vector of per-parameter derivatives through the covariance
  const propagate = (deriv: (i: number) => number) => {
    let s = 0;
    for (const i of active) { const di = deriv(i); if (di === 0) continue; for (const j of active) s += di * covariance![i * n + j]! * deriv(j); }
    return Math.sqrt(Math.max(s, 0));
  };
  return model.channels.map((ch) => {
    const blocks = model.blocks.map((b, k) => ({ b, k })).filter(({ b }) => b.channel === ch.name);
    const samples = blocks.map(({ b, k }) => ({
      sample: b.sample,
      yields: Array.from(nominal[k]!),
      uncertainty: Array.from({ length: b.nbins }, (_, bin) => propagate((i) => varied[i]![k]![bin]!)),
    }));
    const total = Array.from({ length: ch.nbins }, (_, bin) => blocks.reduce((s, { k }) => s + nominal[k]![bin]!, 0));
    const totalUncertainty = Array.from({ length: ch.nbins }, (_, bin) => propagate((i) => blocks.reduce((s, { k }) => s + varied[i]![k]![bin]!, 0)));
    return { channel: ch.name, samples, total, totalUncertainty };
  });
}
