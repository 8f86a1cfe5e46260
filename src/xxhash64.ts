// XXH64 (seed 0) in plain JavaScript on 32-bit halves (BigInt would be far slower): hepflow's one
// portable XXH64, shared by correctionlib's HashPRNG and the ROOT LZ4 tests. ROOT's LZ4 framing
// stores XXH64 of each compressed block; the reader and writer use the WebAssembly version
// (src/root/xxhash64-wasm.ts, built from the same algorithm), and the tests check the two against
// each other and the test vectors.

// 64-bit values are (hi, lo) pairs of uint32; results of the helpers land in H/L.
let H = 0;
let L = 0;

const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;

function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl;
  L = lo >>> 0;
  H = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** Low 64 bits of a * b with 16-bit limbs: every partial sum stays below 2^32, so it runs on
 *  integer ops only (no float division). */
function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16, a2 = ah & 0xffff, a3 = ah >>> 16;
  const b0 = bl & 0xffff, b1 = bl >>> 16, b2 = bh & 0xffff, b3 = bh >>> 16;
  let c0 = a0 * b0;
  let c1 = (c0 >>> 16) + a0 * b1;
  let c2 = c1 >>> 16;
  c1 = (c1 & 0xffff) + a1 * b0;
  c2 += (c1 >>> 16) + a0 * b2;
  let c3 = c2 >>> 16;
  c2 = (c2 & 0xffff) + a1 * b1;
  c3 += c2 >>> 16;
  c2 = (c2 & 0xffff) + a2 * b0;
  c3 += c2 >>> 16;
  c3 += Math.imul(a0, b3) + Math.imul(a1, b2) + Math.imul(a2, b1) + Math.imul(a3, b0);
  L = (((c1 & 0xffff) << 16) | (c0 & 0xffff)) >>> 0;
  H = (((c3 & 0xffff) << 16) | (c2 & 0xffff)) >>> 0;
}

function rotl(h: number, l: number, r: number): void {
  if (r >= 32) { const t = h; h = l; l = t; r -= 32; }
  if (r === 0) { H = h; L = l; return; }
  H = ((h << r) | (l >>> (32 - r))) >>> 0;
  L = ((l << r) | (h >>> (32 - r))) >>> 0;
}

/** round(acc, input) = rotl(acc + input * P2, 31) * P1 */
function round(ah: number, al: number, ih: number, il: number): void {
  mul(ih, il, P2H, P2L);
  add(ah, al, H, L);
  rotl(H, L, 31);
  mul(H, L, P1H, P1L);
}

function mergeRound(ah: number, al: number, vh: number, vl: number): void {
  round(0, 0, vh, vl);
  const xh = (ah ^ H) >>> 0, xl = (al ^ L) >>> 0;
  mul(xh, xl, P1H, P1L);
  add(H, L, P4H, P4L);
}

/** XXH64 of bytes as a BigInt (seed 0). */
export function xxhash64(bytes: Uint8Array): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.length;
  let p = 0;
  let hh: number, hl: number;
  if (len >= 32) {
    add(P1H, P1L, P2H, P2L); let v1h = H, v1l = L;
    let v2h = P2H, v2l = P2L;
    let v3h = 0, v3l = 0;
    // 0 - P1 (two's complement)
    let v4h = (~P1H) >>> 0, v4l = ((~P1L) + 1) >>> 0;
    if (v4l === 0) v4h = (v4h + 1) >>> 0;
    const limit = len - 32;
    while (p <= limit) {
      round(v1h, v1l, view.getUint32(p + 4, true), view.getUint32(p, true)); v1h = H; v1l = L;
      round(v2h, v2l, view.getUint32(p + 12, true), view.getUint32(p + 8, true)); v2h = H; v2l = L;
      round(v3h, v3l, view.getUint32(p + 20, true), view.getUint32(p + 16, true)); v3h = H; v3l = L;
      round(v4h, v4l, view.getUint32(p + 28, true), view.getUint32(p + 24, true)); v4h = H; v4l = L;
      p += 32;
    }
    rotl(v1h, v1l, 1); hh = H; hl = L;
    rotl(v2h, v2l, 7); add(hh, hl, H, L); hh = H; hl = L;
    rotl(v3h, v3l, 12); add(hh, hl, H, L); hh = H; hl = L;
    rotl(v4h, v4l, 18); add(hh, hl, H, L); hh = H; hl = L;
    mergeRound(hh, hl, v1h, v1l); hh = H; hl = L;
    mergeRound(hh, hl, v2h, v2l); hh = H; hl = L;
    mergeRound(hh, hl, v3h, v3l); hh = H; hl = L;
    mergeRound(hh, hl, v4h, v4l); hh = H; hl = L;
  } else {
    hh = P5H; hl = P5L;
  }
  add(hh, hl, Math.floor(len / 4294967296), len >>> 0); hh = H; hl = L;
  while (p + 8 <= len) {
    round(0, 0, view.getUint32(p + 4, true), view.getUint32(p, true));
    hh = (hh ^ H) >>> 0; hl = (hl ^ L) >>> 0;
    rotl(hh, hl, 27); mul(H, L, P1H, P1L); add(H, L, P4H, P4L); hh = H; hl = L;
    p += 8;
  }
  if (p + 4 <= len) {
    mul(0, view.getUint32(p, true), P1H, P1L);
    hh = (hh ^ H) >>> 0; hl = (hl ^ L) >>> 0;
    rotl(hh, hl, 23); mul(H, L, P2H, P2L); add(H, L, P3H, P3L); hh = H; hl = L;
    p += 4;
  }
  while (p < len) {
    mul(0, bytes[p]!, P5H, P5L);
    hh = (hh ^ H) >>> 0; hl = (hl ^ L) >>> 0;
    rotl(hh, hl, 11); mul(H, L, P1H, P1L); hh = H; hl = L;
    p++;
  }
  // avalanche
  hl = (hl ^ (hh >>> 1)) >>> 0; // h ^= h >> 33
  mul(hh, hl, P2H, P2L); hh = H; hl = L;
  hl = (hl ^ ((hl >>> 29) | (hh << 3))) >>> 0; hh = (hh ^ (hh >>> 29)) >>> 0; // h ^= h >> 29
  mul(hh, hl, P3H, P3L); hh = H; hl = L;
  hl = (hl ^ hh) >>> 0; // h ^= h >> 32
  return (BigInt(hh) << 32n) | BigInt(hl);
}
