// correctionlib's HashPRNG: XXH64 (seed 0) of the inputs' 64-bit patterns seeds a pcg32 (one
// stream); flat and normal draws follow libstdc++'s generate_canonical and Marsaglia polar method.
import { xxhash64 } from '../xxhash64.ts';

const MULT = 6364136223846793005n, INC = 1442695040888963407n, M64 = (1n << 64n) - 1n;

class Pcg32 {
  private state: bigint;
  constructor(seed: bigint) { this.state = (((seed + INC) & M64) * MULT + INC) & M64; }
  next(): number {
    const old = this.state;
    this.state = (old * MULT + INC) & M64;
    const xorshifted = Number((((old >> 18n) ^ old) >> 27n) & 0xffffffffn) >>> 0;
    const rot = Number(old >> 59n);
    return ((xorshifted >>> rot) | (xorshifted << ((32 - rot) & 31))) >>> 0;
  }
  /** generate_canonical<double, 53> from two 32-bit draws */
  canonical(): number {
    const r = (this.next() + this.next() * 4294967296) / 18446744073709551616;
    return r >= 1 ? 1 - Number.EPSILON / 2 : r;
  }
}

export function hashPrng(values: number[], isInt: boolean[], dist: 'stdflat' | 'stdnormal' | 'normal'): number {
  const buf = new DataView(new ArrayBuffer(8 * values.length));
  values.forEach((v, i) => { if (isInt[i]) buf.setBigInt64(8 * i, BigInt(Math.trunc(v)), true); else buf.setFloat64(8 * i, v, true); });
  const g = new Pcg32(xxhash64(new Uint8Array(buf.buffer)));
  if (dist === 'stdflat') return g.canonical();
  if (dist === 'stdnormal') {
    let x: number, y: number, r2: number;
    do { x = 2 * g.canonical() - 1; y = 2 * g.canonical() - 1; r2 = x * x + y * y; } while (r2 > 1 || r2 === 0);
    return y * Math.sqrt((-2 * Math.log(r2)) / r2);
  }
  let u: number, v: number, s: number;
  do { u = g.next() * 2 ** -31 - 1; v = g.next() * 2 ** -31 - 1; s = u * u + v * v; } while (s >= 1 || s === 0);
  return u * Math.sqrt((-2 * Math.log(s)) / s);
}
