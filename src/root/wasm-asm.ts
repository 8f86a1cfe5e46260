// A minimal WebAssembly assembler for the reader's few hot kernels (xxhash64, SIMD byte swaps):
// modules are built from readable instruction lists at load time, so no binary blob is checked in.

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

export function sleb(v: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && !(b & 0x40)) || (v === -1n && b & 0x40)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

export const I32 = 0x7f, I64 = 0x7e;

export interface WasmFunction {
  name: string;
  params: number[];
  results: number[];
  /** [count, type] groups of extra locals */
  locals: Array<[number, number]>;
  /** instructions, without the final `end` */
  code: number[];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
}

/** A module with one memory (exported as "memory") and the given exported functions. */
export function buildModule(funcs: WasmFunction[]): Uint8Array {
  const types = funcs.flatMap((f) => [0x60, ...uleb(f.params.length), ...f.params, ...uleb(f.results.length), ...f.results]);
  const bodies = funcs.flatMap((f) => {
    const body = [...uleb(f.locals.length), ...f.locals.flatMap(([n, t]) => [...uleb(n), t]), ...f.code, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [...uleb(funcs.length), ...types]),
    ...section(3, [...uleb(funcs.length), ...funcs.map((_, i) => i)]),
    ...section(5, [0x01, 0x00, 0x01]), // one memory of 1 page to start, growable
    ...section(7, [...uleb(funcs.length + 1), ...funcs.flatMap((f, i) => [...name(f.name), 0x00, ...uleb(i)]), ...name('memory'), 0x02, 0x00]),
    ...section(10, [...uleb(funcs.length), ...bodies]),
  ]);
}

export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

// the project's TypeScript lib has no WebAssembly declarations: the few members used, typed here
const wasm = (globalThis as unknown as { WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
} }).WebAssembly;

export function instantiate<T>(bytes: Uint8Array): T & { memory: WasmMemory } {
  return new wasm.Instance(new wasm.Module(bytes)).exports as T & { memory: WasmMemory };
}

/** Makes the memory at least `bytes` long. */
export function ensureMemory(memory: WasmMemory, bytes: number): void {
  const need = bytes - memory.buffer.byteLength;
  if (need > 0) memory.grow(Math.ceil(need / 65536));
}
