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
  /** ZSTD: the context may be inside a frame and needs a reset before the next one */
  dirty: boolean;
}

const engines: Partial<Record<NativeAlgorithm, Engine | null>> = {};

function createEngine(alg: NativeAlgorithm): Engine | null {
  const Stream = (alg === 'ZL' ? zlib.Inflate : zlib.ZstdDecompress) as unknown as (new () => { _handle?: NativeHandle; _writeState?: Uint32Array }) | undefined;
  if (typeof Stream !== 'function') return null;
  const stream = new Stream();
  const handle = stream._handle;
  const state = stream._writeState;
  if (!handle || typeof handle.writeSync !== 'function' || typeof handle.reset !== 'function' || !(state instanceof Uint32Array)) {
    return null; // internals changed: callers fall back to the public one-shot API
  }
  const engine: Engine = { handle, state, error: undefined, dirty: false };
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
  // A zlib stream must be reset after its end (inflateReset: cheap). A zstd context starts the
  // next frame by itself after a complete one, and node's reset() builds a new context (a
  // ZSTD_createDCtx, ~5% of a file's read time), so it is reset only after a block that may
  // have left it inside a frame.
  const zstd = alg === 'ZS';
  const wholeFrame = zstd && isOneCompleteZstdFrame(block);
  try {
    if (!zstd || engine.dirty) handle.reset();
    engine.dirty = true;
    if (engine.error === undefined) {
      handle.writeSync(zstd ? zlib.constants.ZSTD_e_end : zlib.constants.Z_FINISH, block, 0, block.length, out, 0, out.length);
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
  // clean: the block was one whole frame, all of it consumed, and the output not cut short
  engine.dirty = !(wholeFrame && state[1] === 0 && state[0]! > 0);
  return out.length - state[0]!;
}

/** Whether `b` is exactly one zstd frame whose blocks end with a last block (and checksum):
 *  decoding it then leaves the context at a frame boundary. Walks the frame and block headers
 *  only (RFC 8878, section 3.1.1). */
export function isOneCompleteZstdFrame(b: Uint8Array): boolean {
  if (b.length < 6 || b[0] !== 0x28 || b[1] !== 0xb5 || b[2] !== 0x2f || b[3] !== 0xfd) return false;
  const fhd = b[4]!;
  const fcsFlag = fhd >> 6, singleSegment = (fhd >> 5) & 1, checksum = (fhd >> 2) & 1, didFlag = fhd & 3;
  if (fhd & 0x08) return false; // reserved bit
  let p = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][didFlag]! + [singleSegment, 2, 4, 8][fcsFlag]!;
  for (;;) {
    if (p + 3 > b.length) return false;
    const h = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
    const type = (h >> 1) & 3;
    if (type === 3) return false;
    p += 3 + (type === 1 ? 1 : h >>> 3);
    if (h & 1) break;
  }
  return p + (checksum ? 4 : 0) === b.length;
}

function oneShotInto(alg: NativeAlgorithm, block: Uint8Array, out: Uint8Array): number {
  const o = { chunkSize: Math.max(64, out.length), maxOutputLength: Math.max(64, out.length) };
  const got = alg === 'ZL' ? zlib.inflateSync(block, o) : zlib.zstdDecompressSync(block, o);
  out.set(got.subarray(0, out.length));
  return got.length;
}
