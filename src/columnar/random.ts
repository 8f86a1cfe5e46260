// Deterministic RNG for object-level variations (jet resolution smearing): the same chunk always
// gets the same numbers, whichever worker runs it, so cached and recomputed results agree.

/** 32-bit FNV-1a of a string: seeds from (sample, file, entry range). */
export function hashSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const s = String(p) + '\u0000';
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  }
  return h >>> 0;
}

/** xoshiro128** seeded by splitmix32. */
export class Rng {
  private s0: number; private s1: number; private s2: number; private s3: number;
  private spare = NaN;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
  }

  nextUint32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t; this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform in (0, 1). */
  uniform(): number { return (this.nextUint32() + 0.5) / 4294967296; }

  /** Normal(mean, sigma) by Marsaglia's polar method (no trigonometry; pairs cached). */
  normal(mean = 0, sigma = 1): number {
    if (!Number.isNaN(this.spare)) { const z = this.spare; this.spare = NaN; return mean + sigma * z; }
    let u: number, v: number, q: number;
    do { u = 2 * this.uniform() - 1; v = 2 * this.uniform() - 1; q = u * u + v * v; } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    this.spare = v * f;
    return mean + sigma * u * f;
  }

  /** n draws, the same sequence as n calls of normal(). */
  normalArray(n: number, mean = 0, sigma = 1): Float64Array {
    const out = new Float64Array(n);
    let i = 0;
    if (i < n && !Number.isNaN(this.spare)) out[i++] = this.normal(mean, sigma);
    for (; i + 1 < n; i += 2) {
      let u: number, v: number, q: number;
      do { u = 2 * this.uniform() - 1; v = 2 * this.uniform() - 1; q = u * u + v * v; } while (q >= 1 || q === 0);
      const f = sigma * Math.sqrt((-2 * Math.log(q)) / q);
      out[i] = mean + u * f;
      out[i + 1] = mean + v * f;
    }
    if (i < n) out[i] = this.normal(mean, sigma);
    return out;
  }
}

function rotl(x: number, k: number): number { return (x << k) | (x >>> (32 - k)); }
