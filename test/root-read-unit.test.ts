// Building blocks of the reader against independent values: XXH64 test vectors, hand-made LZ4
// blocks, byte swapping against DataView, cluster boundaries against the file's fAutoFlush.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { xxhash64 } from '../src/xxhash64.ts';
import { xxhash64Wasm } from '../src/root/xxhash64-wasm.ts';
import { lz4DecodeBlock } from '../src/root/lz4.ts';
import { swapInPlace, swapInPlaceJs } from '../src/root/read/byte-swap.ts';
import { coalesceRanges } from '../src/root/read/coalesce.ts';
import { chunksFromBoundaries } from '../src/root/read/clusters.ts';
import { openRootFile } from '../src/root/read/index.ts';

const dataDir = path.resolve(import.meta.dirname, '../../shared/data/root');

test('xxhash64 matches the published test vectors', () => {
  const enc = new TextEncoder();
  assert.equal(xxhash64(new Uint8Array(0)), 0xef46db3751d8e999n);
  assert.equal(xxhash64(enc.encode('a')), 0xd24ec4f1a98c6e5bn);
  assert.equal(xxhash64(enc.encode('abc')), 0x44bc2cf5ad770999n);
  assert.equal(xxhash64(enc.encode('Nobody inspects the spammish repetition')), 0xfbcea83c8a378bf1n);
  for (const s of ['', 'a', 'abc', 'Nobody inspects the spammish repetition']) assert.equal(xxhash64Wasm(enc.encode(s)), xxhash64(enc.encode(s)));
});

test('the WebAssembly xxhash64 agrees with the JavaScript one at every tail length', () => {
  for (const n of [1, 7, 8, 12, 31, 32, 33, 39, 63, 64, 65, 100, 1000, 4097, 70000, 200000]) {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (i * 2654435761) >>> 24;
    assert.equal(xxhash64Wasm(b), xxhash64(b), `length ${n}`);
  }
});

test('lz4 block decoder: literals, overlapping matches, long lengths', () => {
  // "abc" literal then a match of 9 at offset 3 -> "abcabcabcabc"
  const blk = Uint8Array.of(0x35, 0x61, 0x62, 0x63, 0x03, 0x00, 0x00);
  const out = new Uint8Array(12);
  // token 0x35: 3 literals, match length 5+4 = 9; the trailing 0x00 token ends with no literals
  assert.equal(lz4DecodeBlock(blk.subarray(0, 6), out), 12);
  assert.equal(new TextDecoder().decode(out), 'abcabcabcabc');
  // run of 300 'x': 1 literal then match offset 1 of length 15+4+255+26 = 300 - 1 ... then 1 literal
  const long = Uint8Array.of(0x1f, 0x78, 0x01, 0x00, 0xff, 0x1a, 0x10, 0x79);
  const out2 = new Uint8Array(1 + 4 + 15 + 255 + 26 + 1);
  assert.equal(lz4DecodeBlock(long, out2), out2.length);
  assert.ok(out2.subarray(0, out2.length - 1).every((c) => c === 0x78));
  assert.equal(out2[out2.length - 1], 0x79);
  assert.throws(() => lz4DecodeBlock(Uint8Array.of(0x10, 0x61, 0x05, 0x00), new Uint8Array(10)), /bad match offset/);
  assert.throws(() => lz4DecodeBlock(blk.subarray(0, 6), new Uint8Array(5)), /out of bounds/);
});

test('swapInPlace (SIMD and JS paths) decodes big-endian like DataView', () => {
  for (const n of [3, 1001]) checkSwap(n); // below and above the WebAssembly threshold
  const raw = new Uint8Array(4096 + 12);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 131) & 255;
  const a = new Int32Array(raw.slice().buffer); swapInPlace(a);
  const b = new Int32Array(raw.slice().buffer); swapInPlaceJs(b);
  assert.deepEqual(a, b);
});

function checkSwap(n: number): void {
  const raw = new Uint8Array(n * 8);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 37 + 11) & 255;
  const view = new DataView(raw.buffer);
  const f64 = new Float64Array(raw.slice().buffer); swapInPlace(f64);
  const f32 = new Float32Array(raw.slice().buffer); swapInPlace(f32);
  const i16 = new Int16Array(raw.slice().buffer); swapInPlace(i16);
  const u64 = new BigUint64Array(raw.slice().buffer); swapInPlace(u64);
  for (let i = 0; i < n; i++) {
    assert.ok(Object.is(f64[i], view.getFloat64(8 * i)) || (Number.isNaN(f64[i]) && Number.isNaN(view.getFloat64(8 * i))));
    assert.equal(u64[i], view.getBigUint64(8 * i));
  }
  for (let i = 0; i < 2 * n; i++) {
    const want = view.getFloat32(4 * i);
    assert.ok(Object.is(f32[i], want) || (Number.isNaN(f32[i]) && Number.isNaN(want)));
  }
  for (let i = 0; i < 4 * n; i++) assert.equal(i16[i], view.getInt16(2 * i));
}

test('coalesceRanges merges near ranges and keeps every member', () => {
  const spans = coalesceRanges([{ offset: 100, length: 10 }, { offset: 0, length: 10 }, { offset: 15, length: 5 }, { offset: 1000, length: 1 }], 10);
  assert.deepEqual(spans, [
    { offset: 0, length: 20, members: [1, 2] },
    { offset: 100, length: 10, members: [0] },
    { offset: 1000, length: 1, members: [3] },
  ]);
  // a span stops growing at maxSpan; a single larger range stays whole
  assert.deepEqual(coalesceRanges([{ offset: 0, length: 6 }, { offset: 6, length: 6 }, { offset: 12, length: 30 }], 10, 12).map((s) => s.members), [[0, 1], [2]]);
});

test('chunks are cluster-aligned and cover every entry once', () => {
  const bounds = [0, 200, 400, 600, 2600, 2700];
  const chunks = chunksFromBoundaries(bounds, 350);
  assert.deepEqual(chunks[0], { start: 0, stop: 400 });
  let next = 0;
  for (const c of chunks) { assert.equal(c.start, next); assert.ok(c.stop > c.start); next = c.stop; }
  assert.equal(next, 2700);
  // the 2000-entry cluster is cut near the target
  assert.ok(chunks.filter((c) => c.start >= 600 && c.stop <= 2600).every((c) => c.stop - c.start <= 400));
});

test('clusters follow the tree\'s fAutoFlush', async () => {
  const f = await openRootFile(path.join(dataDir, 'uproot-small-dy-withoffsets.root'));
  const t = await f.tree('tree'); // written with fAutoFlush = 200, 501 entries
  assert.deepEqual(t.clusters(), [0, 200, 400, 501]);
  assert.deepEqual(t.chunks(300), [{ start: 0, stop: 400 }, { start: 400, stop: 501 }]);
  await f.close();
});
