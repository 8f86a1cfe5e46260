// LZ4 block decoder in WebAssembly (hand-assembled, see wasm-asm.ts): literals and matches at
// least 8 bytes back are copied 8 bytes per load/store, overshooting into bytes that the next
// sequence overwrites (the output area has 16 spare bytes). NanoAOD-like baskets decode to
// sequences of a few bytes each, where the per-byte JavaScript loops of lz4.ts cost most.
// Same checks as lz4.ts: malformed input is an error, never a read or write out of bounds.
import { buildModule, ensureMemory, instantiate, sleb, I32, type WasmFunction, type WasmMemory } from './wasm-asm.ts';

// params: 0 s (src start), 1 srcEnd, 2 d (dst start), 3 dstEnd; locals: 4 token, 5 lit, 6 b,
// 7 off, 8 ml, 9 e, 10 m, 11 dst0
const S = 0, SEND = 1, D = 2, DEND = 3, TOK = 4, LIT = 5, B = 6, OFF = 7, ML = 8, E = 9, M = 10, D0 = 11;
const TRUNCATED = -1, BAD_OFFSET = -2, MATCH_OOB = -3;

function body(): number[] {
  const c: number[] = [];
  const get = (i: number) => c.push(0x20, i);
  const set = (i: number) => c.push(0x21, i);
  const k = (n: number) => c.push(0x41, ...sleb(BigInt(n)));
  const add = () => c.push(0x6a);
  const ret = (n: number) => { k(n); c.push(0x0f); };
  const inc = (i: number, n: number) => { get(i); k(n); add(); set(i); };
  /** if (cond on stack) return code */
  const failIf = (code: number) => { c.push(0x04, 0x40); ret(code); c.push(0x0b); };
  /** x += bytes of an LZ4 length extension (255 continues); truncation fails */
  const extend = (x: number) => {
    c.push(0x03, 0x40);
    get(S); get(SEND); c.push(0x4f); failIf(TRUNCATED); // s >= srcEnd
    get(S); c.push(0x2d, 0, 0); set(B); inc(S, 1);
    get(x); get(B); add(); set(x);
    get(B); k(255); c.push(0x46, 0x0d, 0); // b == 255: continue
    c.push(0x0b);
  };
  /** copies [m, m + n) to [d, e) 8 bytes at a time (do-while: n > 0), then d = e */
  const wildCopy = () => {
    c.push(0x03, 0x40);
    get(D); get(M); c.push(0x29, 0, 0, 0x37, 0, 0); // i64.store(d, i64.load(m))
    inc(D, 8); inc(M, 8);
    get(D); get(E); c.push(0x49, 0x0d, 0); // d < e: continue
    c.push(0x0b);
    get(E); set(D);
  };

  get(D); set(D0);
  c.push(0x03, 0x40); // sequence loop
  get(S); get(SEND); c.push(0x4f, 0x04, 0x40); get(D); get(D0); c.push(0x6b, 0x0f, 0x0b); // s >= srcEnd: return produced
  get(S); c.push(0x2d, 0, 0); set(TOK); inc(S, 1);
  get(TOK); k(4); c.push(0x76); set(LIT);
  c.push(0x02, 0x40); // block $match: leaves with OFF read and checked, ML set
  c.push(0x02, 0x40); // block $general
  // fast path (LZ4's shortcut): a short literal run and room on both sides: copy 16 literal
  // bytes and 18 match bytes unconditionally
  get(LIT); k(15); c.push(0x49); get(S); k(16); add(); get(SEND); c.push(0x4d, 0x71);
  get(D); k(32); add(); get(DEND); c.push(0x4d, 0x71, 0x45, 0x0d, 0); // else: br $general
  get(D); get(S); c.push(0xfd, 0x00, 0, 0, 0xfd, 0x0b, 0, 0); // v128.store(d, v128.load(s))
  get(D); get(LIT); add(); set(D); get(S); get(LIT); add(); set(S);
  get(S); c.push(0x2f, 0, 0); set(OFF); inc(S, 2);
  get(OFF); c.push(0x45); get(OFF); get(D); get(D0); c.push(0x6b, 0x4b, 0x72); failIf(BAD_OFFSET);
  get(TOK); k(15); c.push(0x71); set(ML);
  get(ML); k(15); c.push(0x49); get(OFF); k(8); c.push(0x4f, 0x71, 0x04, 0x40);
  get(D); get(OFF); c.push(0x6b); set(M);
  get(D); get(M); c.push(0x29, 0, 0, 0x37, 0, 0); // 8-byte steps: each reads bytes already written
  get(D); get(M); c.push(0x29, 0, 8, 0x37, 0, 8);
  get(D); get(M); c.push(0x2f, 0, 16, 0x3b, 0, 16);
  get(D); get(ML); add(); k(4); add(); set(D);
  c.push(0x0c, 3); // continue $seq
  c.push(0x0b);
  get(ML); k(4); add(); set(ML);
  get(ML); k(19); c.push(0x46, 0x04, 0x40); extend(ML); c.push(0x0b);
  c.push(0x0c, 1); // br $match
  c.push(0x0b); // end $general
  get(LIT); k(15); c.push(0x46, 0x04, 0x40); extend(LIT); c.push(0x0b);
  get(LIT); c.push(0x04, 0x40); // literals
  get(S); get(LIT); add(); get(SEND); c.push(0x4b);
  get(D); get(LIT); add(); get(DEND); c.push(0x4b, 0x72); failIf(TRUNCATED);
  get(D); get(LIT); add(); set(E); get(S); set(M);
  wildCopy();
  get(S); get(LIT); add(); set(S);
  c.push(0x0b);
  get(S); get(SEND); c.push(0x4f, 0x04, 0x40); get(D); get(D0); c.push(0x6b, 0x0f, 0x0b); // last sequence: literals only
  get(S); k(2); add(); get(SEND); c.push(0x4b); failIf(TRUNCATED);
  get(S); c.push(0x2f, 0, 0); set(OFF); inc(S, 2);
  get(OFF); c.push(0x45); get(OFF); get(D); get(D0); c.push(0x6b, 0x4b, 0x72); failIf(BAD_OFFSET); // off == 0 || off > d - dst0
  get(TOK); k(15); c.push(0x71); k(4); add(); set(ML);
  get(TOK); k(15); c.push(0x71); k(15); c.push(0x46, 0x04, 0x40); extend(ML); c.push(0x0b);
  c.push(0x0b); // end $match
  get(D); get(ML); add(); c.push(0x22, E); get(DEND); c.push(0x4b); failIf(MATCH_OOB); // e = d + ml > dstEnd
  get(D); get(OFF); c.push(0x6b); set(M);
  get(OFF); k(8); c.push(0x4f, 0x04, 0x40); // off >= 8: 8-byte steps never read unwritten bytes
  wildCopy();
  c.push(0x05); // else: a pattern of period off; byte by byte for its first p >= 8 bytes (p a
  // multiple of off), then 8-byte steps p back
  get(OFF); set(B);
  c.push(0x03, 0x40); get(B); k(8); c.push(0x49, 0x04, 0x40); get(B); get(OFF); add(); set(B); c.push(0x0c, 1, 0x0b, 0x0b);
  get(D); get(B); add(); set(LIT); get(LIT); get(E); c.push(0x4b, 0x04, 0x40); get(E); set(LIT); c.push(0x0b); // byte phase end
  c.push(0x03, 0x40);
  get(D); get(M); c.push(0x2d, 0, 0, 0x3a, 0, 0);
  inc(D, 1); inc(M, 1);
  get(D); get(LIT); c.push(0x49, 0x0d, 0);
  c.push(0x0b);
  get(D); get(E); c.push(0x49, 0x04, 0x40); get(D); get(B); c.push(0x6b); set(M); wildCopy(); c.push(0x0b);
  c.push(0x0b);
  c.push(0x0c, 0); // next sequence
  c.push(0x0b);
  k(0); // unreachable: the loop only leaves by return
  return c;
}

/** lz4(s, srcEnd, d, dstEnd): decodes memory[s, srcEnd) to memory[d ..), writing at most 8
 *  bytes past dstEnd and reading at most 16 past srcEnd; returns the size decoded or a negative
 *  error code (`lz4ErrorMessage`). Also part of the staging module (bswap-wasm.ts). */
export function lz4Function(): WasmFunction {
  return { name: 'lz4', params: [I32, I32, I32, I32], results: [I32], locals: [[8, I32]], code: body() };
}

/** Bytes past the output's end the decoder may write, and past the input's end it may read. */
export const LZ4_SPARE = 16;

/** The Error for a negative result of `lz4`. */
export function lz4Error(code: number): Error {
  return new Error(code === BAD_OFFSET ? 'lz4: bad match offset' : code === MATCH_OOB ? 'lz4: match out of bounds' : 'lz4: truncated block or literal run out of bounds');
}

/** The Error for a ROOT LZ4 block whose XXH64 is not the stored one. */
export function checksumMismatch(stored: bigint, computed: bigint): Error {
  return new Error(`xxhash64 checksum mismatch (stored ${stored.toString(16)}, computed ${computed.toString(16)})`);
}

interface Lz4Exports { lz4(s: number, srcEnd: number, d: number, dstEnd: number): number }
let instance: (Lz4Exports & { memory: WasmMemory }) | undefined;

/** lz4DecodeBlock in WebAssembly, for a dst outside WebAssembly memory: src is copied into this
 *  module's memory and the decoded bytes out of it (see bswap-wasm.ts for decoding in place). */
export function lz4DecodeBlockWasm(src: Uint8Array, dst: Uint8Array, dstPos = 0): number {
  instance ??= instantiate<Lz4Exports>(buildModule([lz4Function()]));
  const cap = dst.length - dstPos;
  const d0 = (src.length + LZ4_SPARE + 7) & ~7;
  ensureMemory(instance.memory, d0 + cap + LZ4_SPARE);
  new Uint8Array(instance.memory.buffer, 0, src.length).set(src);
  const n = instance.lz4(0, src.length, d0, d0 + cap);
  if (n < 0) throw lz4Error(n);
  dst.set(new Uint8Array(instance.memory.buffer, d0, n), dstPos);
  return dstPos + n;
}
