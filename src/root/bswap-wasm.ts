// Big-endian -> native byte order for large arrays with WebAssembly SIMD: one i8x16.shuffle per
// 16 bytes. With the copy into and out of wasm memory it still runs several times faster than a
// JavaScript shift-and-mask loop, which remains for small arrays (call overhead) and as reference.
import { buildModule, ensureMemory, instantiate, uleb, I32, type WasmFunction, type WasmMemory } from './wasm-asm.ts';

function lanes(width: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 16; i += width) for (let k = width - 1; k >= 0; k--) out.push(i + k);
  return out;
}

/** bswapN(nbytes): reverses every N-byte group of memory[0 .. nbytes rounded up to 16). */
function kernel(width: number): WasmFunction {
  const N = 0, P = 1;
  const code = [
    0x02, 0x40, 0x03, 0x40, // block loop
    0x20, P, 0x20, N, 0x4f, 0x0d, 1, // p >= n: break
    0x20, P, // store address
    0x20, P, 0xfd, ...uleb(0x00), 0, 0, // v128.load
    0x20, P, 0xfd, ...uleb(0x00), 0, 0,
    0xfd, ...uleb(0x0d), ...lanes(width), // i8x16.shuffle
    0xfd, ...uleb(0x0b), 0, 0, // v128.store
    0x20, P, 0x41, 16, 0x6a, 0x21, P, // p += 16
    0x0c, 0, 0x0b, 0x0b,
  ];
  return { name: `bswap${width * 8}`, params: [I32], results: [], locals: [[1, I32]], code };
}

interface BswapExports { bswap16(n: number): void; bswap32(n: number): void; bswap64(n: number): void }
let instance: (BswapExports & { memory: WasmMemory }) | undefined;

/** Reverses the byte order of each `width`-byte element of `bytes` in place. */
export function bswapWasm(bytes: Uint8Array, width: 2 | 4 | 8): void {
  stagingArea(bytes.length).set(bytes);
  finishStaged(width, bytes);
}

function module(): BswapExports & { memory: WasmMemory } {
  instance ??= instantiate<BswapExports>(buildModule([kernel(2), kernel(4), kernel(8)]));
  return instance;
}

/** `bytes` bytes of WebAssembly memory to assemble big-endian values in, so the decoder copies
 *  each basket once; `finishStaged` then swaps them and copies them out. The view stays valid
 *  until the next call into this module. */
export function stagingArea(bytes: number): Uint8Array {
  const inst = module();
  ensureMemory(inst.memory, bytes + 16);
  return new Uint8Array(inst.memory.buffer, 0, bytes);
}

/** Swaps the first out.length staged bytes as `width`-byte elements and copies them into out. */
export function finishStaged(width: 2 | 4 | 8, out: Uint8Array): void {
  const inst = module();
  if (width === 2) inst.bswap16(out.length);
  else if (width === 4) inst.bswap32(out.length);
  else inst.bswap64(out.length);
  out.set(new Uint8Array(inst.memory.buffer, 0, out.length));
}
