// The LZ4 block compressor of lz4-compress.ts in WebAssembly (hand-assembled, see wasm-asm.ts):
// the same parsing step for step, so both give the same bytes (tested), at several times the
// speed (one unaligned load per 4-byte read, match ends found 4 bytes at a time with ctz,
// literals copied 8 bytes per load/store into spare bytes that later writes overwrite).
// Memory: [0, 256 KiB) the hash table (kept between calls, see `base`), then input, then output.
import { buildModule, ensureMemory, instantiate, sleb, I32, type WasmMemory } from './wasm-asm.ts';

const HASH_LOG = 16;
const TABLE_BYTES = 4 << HASH_LOG;
const SPARE = 16;

// params 0 src, 1 n, 2 dst, 3 dstEnd (addresses), 4 base; locals below
const SRC = 0, N = 1, DST = 2, DEND = 3, BASE = 4;
const D = 5, ANCHOR = 6, I = 7, MLIMIT = 8, MFLIMIT = 9, CAND = 10, ATT = 11, STEP = 12, SEQ = 13, H = 14, E = 15, M = 16, LIT = 17, MLC = 18, TOK = 19, R = 20, T = 21;

function body(): number[] {
  const c: number[] = [];
  const get = (i: number) => c.push(0x20, i);
  const set = (i: number) => c.push(0x21, i);
  const k = (n: number) => c.push(0x41, ...sleb(BigInt(n | 0)));
  const add = () => c.push(0x6a), sub = () => c.push(0x6b);
  const load32 = () => c.push(0x28, 0, 0), load8 = () => c.push(0x2d, 0, 0);
  const inc = (x: number, n: number) => { get(x); k(n); add(); set(x); };
  /** stack: seq -> table byte address of its hash */
  const hashAddr = () => { k(0x9e3779b1); c.push(0x6c); k(32 - HASH_LOG); c.push(0x76); k(2); c.push(0x74); };
  /** the bytes an LZ4 length of x (>= 0) needs past the token: x >= 15 ? (x - 15) / 255 + 1 : 0 */
  const extBytes = (x: number) => {
    get(x); k(15); c.push(0x4f, 0x04, I32); get(x); k(15); sub(); k(255); c.push(0x6e); k(1); add(); c.push(0x05); k(0); c.push(0x0b);
  };
  /** writes the 255-bytes of a length extension of x - 15, then its last byte */
  const writeExt = (x: number) => {
    get(x); k(15); sub(); set(R);
    c.push(0x03, 0x40); get(R); k(255); c.push(0x4f, 0x04, 0x40);
    get(D); k(255); c.push(0x3a, 0, 0); inc(D, 1); get(R); k(255); sub(); set(R); c.push(0x0c, 1, 0x0b, 0x0b);
    get(D); get(R); c.push(0x3a, 0, 0); inc(D, 1);
  };
  /** token, literals [anchor, anchor + lit), and unless last: offset i - cand and match code */
  const writeSequence = (last: boolean) => {
    get(D); set(TOK); inc(D, 1);
    get(LIT); k(15); c.push(0x4f, 0x04, 0x40); k(240); set(T); writeExt(LIT); c.push(0x05); get(LIT); k(4); c.push(0x74); set(T); c.push(0x0b);
    get(LIT); c.push(0x04, 0x40); // literals, 8 bytes per step
    get(SRC); get(ANCHOR); add(); set(H); get(D); get(LIT); add(); set(R); // (E, M: the match's)
    c.push(0x03, 0x40); get(D); get(H); c.push(0x29, 0, 0, 0x37, 0, 0); inc(D, 8); inc(H, 8); get(D); get(R); c.push(0x49, 0x0d, 0, 0x0b);
    get(R); set(D);
    c.push(0x0b);
    if (!last) {
      get(D); get(I); get(CAND); sub(); c.push(0x3b, 0, 0); inc(D, 2);
      get(MLC); k(15); c.push(0x4f, 0x04, 0x40); get(T); k(15); c.push(0x72); set(T); writeExt(MLC);
      c.push(0x05); get(T); get(MLC); c.push(0x72); set(T); c.push(0x0b);
    }
    get(TOK); get(T); c.push(0x3a, 0, 0);
  };

  get(DST); set(D);
  get(N); k(13); c.push(0x4f, 0x04, 0x40); // n >= MF_LIMIT + 1
  get(N); k(5); sub(); set(MLIMIT); get(N); k(12); sub(); set(MFLIMIT);
  get(SRC); load32(); hashAddr(); get(BASE); c.push(0x36, 0, 0);
  k(1); set(I);
  c.push(0x02, 0x40, 0x03, 0x40); // block $done, loop $search
  k(64); set(ATT); k(1); set(STEP);
  c.push(0x02, 0x40, 0x03, 0x40); // block $found, loop $find
  get(I); get(MFLIMIT); c.push(0x4a, 0x0d, 3); // i > mfLimit: br $done
  get(SRC); get(I); add(); load32(); set(SEQ);
  get(SEQ); hashAddr(); set(H);
  get(H); load32(); get(BASE); sub(); set(CAND);
  get(H); get(I); get(BASE); add(); c.push(0x36, 0, 0);
  get(CAND); k(0); c.push(0x4e); get(I); get(CAND); sub(); k(65535); c.push(0x4d, 0x71, 0x04, 0x40);
  get(SRC); get(CAND); add(); load32(); get(SEQ); c.push(0x46, 0x0d, 2); // match: br $found
  c.push(0x0b);
  get(I); get(STEP); add(); set(I);
  get(ATT); k(6); c.push(0x76); set(STEP); inc(ATT, 1);
  c.push(0x0c, 0, 0x0b, 0x0b); // end $find, $found
  // extend backwards over pending literals
  c.push(0x02, 0x40, 0x03, 0x40);
  get(I); get(ANCHOR); c.push(0x4a); get(CAND); k(0); c.push(0x4a, 0x71, 0x45, 0x0d, 1);
  get(SRC); get(I); add(); k(1); sub(); load8(); get(SRC); get(CAND); add(); k(1); sub(); load8(); c.push(0x47, 0x0d, 1);
  inc(I, -1); inc(CAND, -1);
  c.push(0x0c, 0, 0x0b, 0x0b);
  // extend forwards: 4 bytes at a time, the first differing byte from ctz, then bytewise near the end
  get(I); k(4); add(); set(E); get(CAND); k(4); add(); set(M);
  c.push(0x02, 0x40, 0x02, 0x40, 0x03, 0x40); // block $ext, block $bytes, loop
  get(E); k(4); add(); get(MLIMIT); c.push(0x4a, 0x0d, 1); // e + 4 > matchLimit: br $bytes
  get(SRC); get(E); add(); load32(); get(SRC); get(M); add(); load32(); c.push(0x73); c.push(0x22, R);
  c.push(0x04, 0x40); get(E); get(R); c.push(0x68); k(3); c.push(0x76); add(); set(E); c.push(0x0c, 3, 0x0b); // differ: br $ext
  inc(E, 4); inc(M, 4);
  c.push(0x0c, 0, 0x0b, 0x0b); // end loop, $bytes
  c.push(0x02, 0x40, 0x03, 0x40);
  get(E); get(MLIMIT); c.push(0x4e, 0x0d, 1);
  get(SRC); get(E); add(); load8(); get(SRC); get(M); add(); load8(); c.push(0x47, 0x0d, 1);
  inc(E, 1); inc(M, 1);
  c.push(0x0c, 0, 0x0b, 0x0b);
  c.push(0x0b); // end $ext
  get(I); get(ANCHOR); sub(); set(LIT);
  get(E); get(I); sub(); k(4); sub(); set(MLC);
  // room: token + literal-length bytes + literals + offset + match-length bytes
  get(D); k(3); add(); extBytes(LIT); add(); get(LIT); add(); extBytes(MLC); add(); get(DEND); c.push(0x4b, 0x04, 0x40); k(0); c.push(0x0f, 0x0b);
  writeSequence(false);
  get(E); c.push(0x22, ANCHOR); set(I);
  get(I); get(MFLIMIT); c.push(0x4a, 0x0d, 1); // i > mfLimit: br $done
  get(SRC); get(I); add(); k(2); sub(); load32(); hashAddr(); get(I); k(2); sub(); get(BASE); add(); c.push(0x36, 0, 0);
  c.push(0x0c, 0, 0x0b, 0x0b); // end $search, $done
  c.push(0x0b); // end if n >= 13
  get(N); get(ANCHOR); sub(); set(LIT);
  get(D); k(1); add(); extBytes(LIT); add(); get(LIT); add(); get(DEND); c.push(0x4b, 0x04, 0x40); k(0); c.push(0x0f, 0x0b);
  writeSequence(true);
  get(D); get(DST); sub();
  return c;
}

interface CompressExports { compress(src: number, n: number, dst: number, dstEnd: number, base: number): number }
let instance: (CompressExports & { memory: WasmMemory }) | undefined;
let base = 1;

/** lz4CompressBlock in WebAssembly: the same bytes, returns the block length or 0 (no fit). */
export function lz4CompressBlockWasm(src: Uint8Array, dst: Uint8Array): number {
  instance ??= instantiate<CompressExports>(buildModule([{ name: 'compress', params: [I32, I32, I32, I32, I32], results: [I32], locals: [[17, I32]], code: body() }]));
  const n = src.length;
  if (n > 0x7e000000) throw new RangeError(`lz4: input of ${n} bytes is too large for one block`);
  const src0 = TABLE_BYTES;
  const dst0 = (src0 + n + SPARE + 7) & ~7;
  ensureMemory(instance.memory, dst0 + dst.length + SPARE);
  if (base > 0x7fffffff - n - 1) {
    new Uint8Array(instance.memory.buffer, 0, TABLE_BYTES).fill(0);
    base = 1;
  }
  new Uint8Array(instance.memory.buffer, src0, n).set(src);
  const written = instance.compress(src0, n, dst0, dst0 + dst.length, base);
  base += n + 1;
  if (written > 0) dst.set(new Uint8Array(instance.memory.buffer, dst0, written));
  return written;
}
