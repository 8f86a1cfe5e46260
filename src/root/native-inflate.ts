// ZLIB and ZSTD blocks decompressed by one long-lived node:zlib native handle per algorithm and
// thread, straight into a caller's buffer. `zlib.inflateSync`/`zstdDecompressSync` build a stream
// object, a native context and an output buffer per call; on a file's thousands of baskets that
// setup and the fresh output pages cost 5-20% of the decompression itself.
//
// This uses node:zlib internals (`engine._handle.writeSync`, `engine._writeState`, the handle's
// `onerror` callback, `reset()`), stable since Node 12 and the same calls lib/zlib.js makes in its
// own sync path. When they are missing the one-shot public API is used instead. A failed write
// leaves the native context unusable ("no hope of rescue" in node's C++), so the handle is
// closed and a new one made on the next call.
import zlib from 'node:zlib';

export type NativeAlgorithm = 'ZL' | 'ZS';

interface NativeHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  reset(): void;
  close(): void;
  onerror: (message: string, errno: number, code: string) => void;
}

interface Engine {
  handle: NativeHandle;
  /** [availOutAfter, availInAfter] of the last write */
  state: Uint32Array;
  /** set by the handle's onerror during a write */
  error: string | undefined;
}

const engines: Partial<Record<NativeAlgorithm, Engine | null>> = {};

function createEngine(alg: NativeAlgorithm): Engine | null {
  const stream = (alg === 'ZL' ? new zlib.Inflate() : new zlib.ZstdDecompress()) as unknown as {
    _handle?: NativeHandle; _writeState?: Uint32Array;
  };
  const handle = stream._handle;
  const state = stream._writeState;
  if (!handle || typeof handle.writeSync !== 'function' || typeof handle.reset !== 'function' || !(state instanceof Uint32Array)) {
    return null; // internals changed: callers fall back to the public one-shot API
  }
  const engine: Engine = { handle, state, error: undefined };
  // replaces lib/zlib.js's handler, which would destroy the stream and emit an unhandled 'error'
  handle.onerror = (message, _errno, code) => { engine.error = code ? `${message} (${code})` : message; };
  return engine;
}

function engineFor(alg: NativeAlgorithm): Engine | null {
  let e = engines[alg];
  if (e === undefined) e = engines[alg] = createEngine(alg);
  return e;
}

/** Decompresses one complete ZLIB or ZSTD block into `out` (up to out.length bytes) and returns
 *  the number of bytes produced. Give `out` one byte more than the expected size: a result that
 *  fills it reveals a block decoding to more than its header says. Throws an Error with the
 *  library's message on corrupt input. */
export function decompressBlockInto(alg: NativeAlgorithm, block: Uint8Array, out: Uint8Array): number {
  const engine = engineFor(alg);
  if (!engine) return oneShotInto(alg, block, out);
  const { handle, state } = engine;
  engine.error = undefined;
  try {
    handle.reset();
    if (engine.error === undefined) {
      handle.writeSync(alg === 'ZL' ? zlib.constants.Z_FINISH : zlib.constants.ZSTD_e_end, block, 0, block.length, out, 0, out.length);
    }
  } catch (err) {
    engine.error ??= (err as Error).message;
  }
  if (engine.error !== undefined) {
    const message = engine.error;
    engines[alg] = undefined; // a fresh native context next time
    try { handle.close(); } catch { /* already closed by the failure */ }
    throw new Error(message);
  }
  return out.length - state[0]!;
}

function oneShotInto(alg: NativeAlgorithm, block: Uint8Array, out: Uint8Array): number {
  const o = { chunkSize: Math.max(64, out.length), maxOutputLength: Math.max(64, out.length) };
  const got = alg === 'ZL' ? zlib.inflateSync(block, o) : zlib.zstdDecompressSync(block, o);
  out.set(got.subarray(0, out.length));
  return got.length;
}
