// Big-endian typed arrays to native order, in place: WebAssembly SIMD for large arrays, a plain
// loop below. Shared by the basket reader (entry offsets) and the column decoder.
import type { NumericArray } from '../../columns.ts';
import { bswapWasm } from '../bswap-wasm.ts';

/** Below this many bytes the JavaScript loop beats the WebAssembly call and copies. */
export const WASM_MIN_BYTES = 2048;

/** Reverses the byte order of every element of a typed array, in place. */
export function swapInPlace(arr: NumericArray): void {
  const width = arr.BYTES_PER_ELEMENT;
  if (width === 1 || arr.length === 0) return;
  if (arr.byteLength >= WASM_MIN_BYTES) {
    bswapWasm(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), width as 2 | 4 | 8);
    return;
  }
  swapInPlaceJs(arr);
}

/** The plain JavaScript byte swap (small arrays; the reference for the SIMD version). */
export function swapInPlaceJs(arr: NumericArray): void {
  const width = arr.BYTES_PER_ELEMENT;
  if (width === 1 || arr.length === 0) return;
  if (width === 2) {
    const a = new Uint16Array(arr.buffer, arr.byteOffset, arr.length);
    for (let i = 0; i < a.length; i++) { const x = a[i]!; a[i] = (x >>> 8) | (x << 8); }
  } else if (width === 4) {
    const a = new Int32Array(arr.buffer, arr.byteOffset, arr.length);
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      a[i] = (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
    }
  } else {
    const a = new Int32Array(arr.buffer, arr.byteOffset, arr.length * 2);
    for (let i = 0; i < a.length; i += 2) {
      const lo = a[i]!, hi = a[i + 1]!;
      a[i] = (hi << 24) | ((hi & 0xff00) << 8) | ((hi >>> 8) & 0xff00) | (hi >>> 24);
      a[i + 1] = (lo << 24) | ((lo & 0xff00) << 8) | ((lo >>> 8) & 0xff00) | (lo >>> 24);
    }
  }
}
