// XXH64 as a tiny WebAssembly function (native 64-bit multiply and rotate: ~20x the speed of the
// 32-bit-halves JavaScript version in xxhash64.ts, which the tests compare it with).
import { buildModule, ensureMemory, instantiate, sleb, uleb, I32, I64, type WasmFunction, type WasmMemory } from './wasm-asm.ts';

const P1 = 0x9e3779b185ebca87n, P2 = 0xc2b2ae3d27d4eb4fn, P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n, P5 = 0x27d4eb2f165667c5n;

// params: 0 p (start, advancing), 1 end; locals: 2 len, 3 limit (i32); 4..7 v1..v4, 8 h (i64)
const P = 0, END = 1, LEN = 2, LIMIT = 3, V = [4, 5, 6, 7], H = 8;

function body(): number[] {
  const c: number[] = [];
  const get = (i: number) => c.push(0x20, i);
  const set = (i: number) => c.push(0x21, i);
  const k64 = (v: bigint) => c.push(0x42, ...sleb(BigInt.asIntN(64, v)));
  const k32 = (n: number) => c.push(0x41, ...sleb(BigInt(n)));
  const add = () => c.push(0x7c), mul = () => c.push(0x7e), xor = () => c.push(0x85);
  const rotl = (r: number) => { k64(BigInt(r)); c.push(0x89); };
  const load64 = (offset: number) => { get(P); c.push(0x29, 3, ...uleb(offset)); };
  const advance = (n: number) => { get(P); k32(n); c.push(0x6a); set(P); };
  /** stack: lane -> round(0, lane) = rotl(lane * P2, 31) * P1 */
  const round0 = () => { k64(P2); mul(); rotl(31); k64(P1); mul(); };

  get(END); get(P); c.push(0x6b); set(LEN);
  // if (len >= 32) { four accumulators over 32-byte stripes } else h = P5
  get(LEN); k32(32); c.push(0x4f, 0x04, 0x40);
  k64(P1 + P2); set(V[0]!); k64(P2); set(V[1]!); k64(0n); set(V[2]!); k64(-P1); set(V[3]!);
  get(END); k32(32); c.push(0x6b); set(LIMIT);
  c.push(0x02, 0x40, 0x03, 0x40); // block loop
  get(P); get(LIMIT); c.push(0x4b, 0x0d, 1); // p > limit: break
  for (let k = 0; k < 4; k++) { get(V[k]!); load64(8 * k); k64(P2); mul(); add(); rotl(31); k64(P1); mul(); set(V[k]!); }
  advance(32);
  c.push(0x0c, 0, 0x0b, 0x0b); // br loop; end loop; end block
  get(V[0]!); rotl(1); get(V[1]!); rotl(7); add(); get(V[2]!); rotl(12); add(); get(V[3]!); rotl(18); add(); set(H);
  for (let k = 0; k < 4; k++) { get(H); get(V[k]!); round0(); xor(); k64(P1); mul(); k64(P4); add(); set(H); }
  c.push(0x05); k64(P5); set(H); c.push(0x0b);
  get(H); get(LEN); c.push(0xad); add(); set(H); // h += len
  // 8-byte lanes
  c.push(0x02, 0x40, 0x03, 0x40);
  get(P); k32(8); c.push(0x6a); get(END); c.push(0x4b, 0x0d, 1); // p + 8 > end: break
  get(H); load64(0); round0(); xor(); rotl(27); k64(P1); mul(); k64(P4); add(); set(H);
  advance(8);
  c.push(0x0c, 0, 0x0b, 0x0b);
  // one 4-byte lane
  get(P); k32(4); c.push(0x6a); get(END); c.push(0x4d, 0x04, 0x40); // p + 4 <= end
  get(H); get(P); c.push(0x35, 2, 0); k64(P1); mul(); xor(); rotl(23); k64(P2); mul(); k64(P3); add(); set(H);
  advance(4);
  c.push(0x0b);
  // remaining bytes
  c.push(0x02, 0x40, 0x03, 0x40);
  get(P); get(END); c.push(0x4f, 0x0d, 1); // p >= end: break
  get(H); get(P); c.push(0x31, 0, 0); k64(P5); mul(); xor(); rotl(11); k64(P1); mul(); set(H);
  advance(1);
  c.push(0x0c, 0, 0x0b, 0x0b);
  // avalanche
  for (const [shift, prime] of [[33n, P2], [29n, P3], [32n, 0n]] as const) {
    get(H); get(H); k64(shift); c.push(0x88); xor(); set(H);
    if (prime) { get(H); k64(prime); mul(); set(H); }
  }
  get(H);
  return c;
}

/** xxh64(start, end): XXH64 (seed 0) of memory[start, end), an i64 (a signed BigInt in JS).
 *  Also part of the staging module (bswap-wasm.ts), which hashes LZ4 blocks where they lie. */
export function xxh64Function(): WasmFunction {
  return { name: 'xxh64', params: [I32, I32], results: [I64], locals: [[2, I32], [5, I64]], code: body() };
}

interface XxhExports { xxh64(start: number, end: number): bigint }
let instance: (XxhExports & { memory: WasmMemory }) | undefined;

/** XXH64 (seed 0) of bytes, computed in WebAssembly. */
export function xxhash64Wasm(bytes: Uint8Array): bigint {
  instance ??= instantiate<XxhExports>(buildModule([xxh64Function()]));
  ensureMemory(instance.memory, bytes.length);
  new Uint8Array(instance.memory.buffer, 0, bytes.length).set(bytes);
  return BigInt.asUintN(64, instance.xxh64(0, bytes.length));
}
