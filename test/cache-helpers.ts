// Shared by the cache tests and their child processes: deterministic payloads and an independent
// sha256 (node:crypto directly, not the store's own helper).
import { createHash } from 'node:crypto';

export const hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Deterministic pseudo-random bytes (xorshift32), so payloads differ and are not trivially equal. */
export function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** The payloads the child writers store under key `k<i>`: one large (20 kB .. 1.2 MB, written as
 *  a file), one small (inline in LMDB), one shared by every fifth key (dedup across writers). */
export function payloadsFor(i: number): Uint8Array[] {
  return [bytes(20_000 + (i % 7) * 200_000, i + 1), bytes(200, 1_000_000 + i), bytes(40_000, 2_000_000 + (i % 5))];
}
