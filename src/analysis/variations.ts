// Systematic variations as data: object-level variations are per-object factors (the selection reruns
// on varied kinematics), weight-level variations are per-event factors (rows are only re-weighted).
import { Jag, Rng } from '../columnar/index.ts';
import type { Hist, FillValue } from '../hist/index.ts';

/** Jet energy scale and resolution factors per jet: `{nominal: 1, pt_scale_up: scale, pt_res_up: N(1, resolution)}`.
 *  The smearing is drawn from `seed` (the engine's per-chunk seed), one number per jet in order. */
export function jetEnergyVariations(pt: Jag, seed: number, opts: { scale?: number; resolution?: number } = {}): Record<string, number | Jag> {
  return {
    nominal: 1,
    pt_scale_up: opts.scale ?? 1.03,
    pt_res_up: new Jag(pt.offsets, new Rng(seed).normalArray(pt.content.length, 1, opts.resolution ?? 0.05)),
  };
}

/** Fill `values` once per weight variation, with weight = base * factor (a number or one per row),
 *  under `{[axis]: name}`: `fillWeightVariations(h, {observable, region}, w, {btag_up: f1, btag_down: f2})`. */
export function fillWeightVariations(
  h: Hist, values: Record<string, FillValue>, base: number | ArrayLike<number>,
  factors: Record<string, number | ArrayLike<number>>, axis = 'variation',
): void {
  for (const [name, f] of Object.entries(factors)) {
    let w: number | Float64Array;
    if (typeof f === 'number' && typeof base === 'number') w = base * f;
    else {
      const n = typeof f === 'number' ? (base as ArrayLike<number>).length : f.length;
      w = new Float64Array(n);
      for (let k = 0; k < n; k++) w[k] = (typeof base === 'number' ? base : base[k]!) * (typeof f === 'number' ? f : f[k]!);
    }
    h.fill({ ...values, [axis]: name }, w);
  }
}
