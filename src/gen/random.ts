// Distributions the generators draw from, on top of the shared xoshiro128** Rng. All scalar:
// no allocation per draw.
import { Rng, hashSeed } from '../columnar/random.ts';

export { Rng };

/** An Rng for (generator, process, seed, stream): independent streams that never overlap in use. */
export function streamRng(generator: string, process: string, seed: number, stream: string): Rng {
  return new Rng(hashSeed('hepflow-gen', generator, process, seed, stream));
}

export function exponential(rng: Rng, mean: number): number {
  return -mean * Math.log(rng.uniform());
}

/** Poisson by multiplication (means here are small, < 30). */
export function poisson(rng: Rng, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.uniform();
  while (p > limit) { k++; p *= rng.uniform(); }
  return k;
}

/** Relativistic-enough Breit-Wigner (Cauchy) in [lo, hi]. */
export function breitWigner(rng: Rng, mass: number, width: number, lo: number, hi: number): number {
  const a = Math.atan((2 * (lo - mass)) / width);
  const b = Math.atan((2 * (hi - mass)) / width);
  return mass + 0.5 * width * Math.tan(a + (b - a) * rng.uniform());
}

/** Index drawn from cumulative probabilities (last entry 1). */
export function pick(rng: Rng, cumulative: ArrayLike<number>): number {
  const u = rng.uniform();
  for (let i = 0; i < cumulative.length - 1; i++) if (u < cumulative[i]!) return i;
  return cumulative.length - 1;
}

export function cumulative(weights: number[]): Float64Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const out = new Float64Array(weights.length);
  let s = 0;
  weights.forEach((w, i) => { s += w / total; out[i] = s; });
  out[weights.length - 1] = 1;
  return out;
}
