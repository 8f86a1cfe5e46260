// LZ4 blocks decoded straight into the staging area (bswap-wasm.ts): the decoded bytes equal the
// original data, the bytes staged before the block are untouched, a bad checksum or a malformed
// block is an error, and a staging memory without room past the block falls back to a copy (as
// any buffer outside the staging area does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lz4CompressBlock, lz4CompressBound } from '../src/root/lz4-compress.ts';
import { lz4DecodeRoot } from '../src/root/lz4.ts';
import { lz4DecodeStaged, NO_ROOM, stagingArea } from '../src/root/bswap-wasm.ts';
import { xxhash64 } from '../src/xxhash64.ts';

/** Float-like data with repeats (short matches, literal runs), deterministic. */
function sample(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = i % 4 < 2 ? (i >> 6) & 0xff : x >>> 28;
  }
  return b;
}

function compress(src: Uint8Array): Uint8Array {
  const c = new Uint8Array(lz4CompressBound(src.length));
  return c.slice(0, lz4CompressBlock(src, c));
}

test('lz4 in the staging area: blocks of several sizes decode in place after earlier staged bytes', () => {
  let pos = 0;
  const kept: Uint8Array[] = [];
  for (const [i, n] of [1024, 5000, 70_000, 131_072, 1031].entries()) {
    const src = sample(n, i + 1);
    const blk = compress(src);
    const area = stagingArea(pos + 3 * n + 256); // the reader reserves as much again past a basket
    assert.equal(lz4DecodeStaged(blk, xxhash64(blk), area.subarray(pos, pos + n)), n, `${n} bytes, in place`);
    const view = stagingArea(pos + n);
    assert.deepEqual(view.subarray(pos, pos + n), src, `${n} bytes decoded`);
    kept.push(src);
    pos += n;
    let p = 0;
    for (const k of kept) { assert.deepEqual(view.subarray(p, p + k.length), k, 'earlier bytes kept'); p += k.length; }
  }
});

test('lz4 in the staging area: checksum mismatches and malformed blocks are errors', () => {
  const src = sample(4096, 7);
  const blk = compress(src);
  const area = stagingArea(64 * 1024);
  assert.throws(() => lz4DecodeRoot(blk, xxhash64(blk) ^ 1n, area.subarray(0, 4096)), /xxhash64 checksum mismatch/);
  const cut = blk.subarray(0, blk.length - 20);
  assert.throws(() => lz4DecodeRoot(cut, xxhash64(cut), area.subarray(0, 4096)), /lz4: /);
  // one byte too small an output: the block's last literals do not fit
  assert.throws(() => lz4DecodeRoot(blk, xxhash64(blk), area.subarray(0, 4095)), /lz4: /);
  const badOffset = Uint8Array.of(0x10, 0x61, 0x05, 0x00, ...new Uint8Array(1100));
  assert.throws(() => lz4DecodeStaged(badOffset, xxhash64(badOffset), area.subarray(0, 2048)), /bad match offset/);
});

test('lz4 in the staging area: no room past the block means decoding elsewhere, same bytes', () => {
  const src = sample(20_000, 3);
  const blk = compress(src);
  const area = stagingArea(64 * 1024);
  const mem = new Uint8Array(area.buffer);
  const at = mem.length - src.length - 8; // the compressed copy would not fit after it
  const dst = mem.subarray(at, at + src.length);
  assert.equal(lz4DecodeStaged(blk, xxhash64(blk), dst), NO_ROOM);
  assert.equal(lz4DecodeRoot(blk, xxhash64(blk), dst), src.length);
  assert.deepEqual(dst, src);
  // a JavaScript buffer: decoded in scratch memory and copied, with the same checks
  const plain = new Uint8Array(src.length);
  assert.equal(lz4DecodeRoot(blk, xxhash64(blk), plain), src.length);
  assert.deepEqual(plain, src);
  assert.throws(() => lz4DecodeRoot(blk, xxhash64(blk) + 1n, plain), /xxhash64 checksum mismatch/);
  assert.throws(() => lz4DecodeRoot(blk, xxhash64(blk), plain.subarray(1)), /lz4: /);
});

test('lz4 small blocks (JavaScript decoder): verified and decoded the same way', () => {
  const src = sample(700, 5);
  const blk = compress(src);
  const out = new Uint8Array(src.length);
  assert.equal(lz4DecodeRoot(blk, xxhash64(blk), out), src.length);
  assert.deepEqual(out, src);
  assert.throws(() => lz4DecodeRoot(blk, 0n, out), /xxhash64 checksum mismatch/);
});
