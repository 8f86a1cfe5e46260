// The reused native ZLIB/ZSTD handles and the basket buffer pool: results equal node:zlib's
// one-shot calls, a corrupt block fails cleanly and the next block still decodes.
import test from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { decompressBlockInto, isOneCompleteZstdFrame } from '../src/root/native-inflate.ts';
import { decompressRoot } from '../src/root/decompress.ts';
import { acquireBuffer, releaseBuffer } from '../src/root/read/buffer-pool.ts';

function sample(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; out[i] = (x >>> 24) & 0x3f; }
  return out;
}

const compress = { ZL: (b: Uint8Array) => zlib.deflateSync(b), ZS: (b: Uint8Array) => zlib.zstdCompressSync(b) } as const;
const oneShot = { ZL: (b: Uint8Array) => zlib.inflateSync(b), ZS: (b: Uint8Array) => zlib.zstdDecompressSync(b) } as const;

/** ROOT's block framing: 2-char algorithm, method, 3-byte compressed and uncompressed sizes. */
function rootBlock(alg: 'ZL' | 'ZS', raw: Uint8Array): Uint8Array {
  const c = compress[alg](raw);
  const h = Uint8Array.of(alg.charCodeAt(0), alg.charCodeAt(1), alg === 'ZL' ? 8 : 1,
    c.length & 0xff, (c.length >> 8) & 0xff, c.length >> 16, raw.length & 0xff, (raw.length >> 8) & 0xff, raw.length >> 16);
  return Buffer.concat([h, c]);
}

for (const alg of ['ZL', 'ZS'] as const) {
  test(`${alg}: one reused handle decodes many blocks exactly as the one-shot call`, () => {
    for (let k = 0; k < 20; k++) {
      const raw = sample(1000 + k * 3001, k + 1);
      const c = compress[alg](raw);
      const out = new Uint8Array(raw.length + 1);
      assert.equal(decompressBlockInto(alg, c, out), raw.length);
      assert.deepEqual(out.subarray(0, raw.length), new Uint8Array(oneShot[alg](c)));
    }
  });

  test(`${alg}: a corrupt block throws, the next good block still decodes`, () => {
    const raw = sample(50_000, 7);
    const good = compress[alg](raw);
    const bad = Uint8Array.from(good);
    for (let i = 8; i < bad.length; i += 97) bad[i]! ^= 0x5a;
    const out = new Uint8Array(raw.length + 1);
    assert.throws(() => {
      const n = decompressBlockInto(alg, bad, out);
      // some corruptions decode to garbage of another length instead of failing: also an error
      if (n !== raw.length) throw new Error(`decoded ${n} bytes`);
    });
    assert.equal(decompressBlockInto(alg, good, out), raw.length);
    assert.deepEqual(out.subarray(0, raw.length), raw);
  });

  test(`${alg}: a truncated block or one larger than its header says is caught by decompressRoot`, async () => {
    const raw = sample(40_000, 3);
    const framed = rootBlock(alg, raw);
    await assert.rejects(decompressRoot(framed.subarray(0, framed.length - 100).slice(), raw.length, 'basket 3'), /basket 3/);
    // header says fewer bytes than the block holds
    const lying = Uint8Array.from(framed);
    const claimed = raw.length - 10;
    lying[6] = claimed & 0xff; lying[7] = (claimed >> 8) & 0xff; lying[8] = claimed >> 16;
    await assert.rejects(decompressRoot(lying, claimed, 'basket 4'), /basket 4: (ZL|ZS) (block decoded to more than|decompression failed)/);
    assert.deepEqual(await decompressRoot(framed, raw.length, 'basket 5'), raw);
  });
}

test('multi-block baskets (ZLIB and ZSTD blocks mixed) decode into one pooled buffer', async () => {
  const parts = [sample(70_000, 11), sample(12_345, 12), sample(99_999, 13)];
  const framed = Buffer.concat([rootBlock('ZS', parts[0]!), rootBlock('ZL', parts[1]!), rootBlock('ZS', parts[2]!)]);
  const total = parts.reduce((a, p) => a + p.length, 0);
  const out = await decompressRoot(framed, total, 'basket', acquireBuffer);
  assert.deepEqual(out, new Uint8Array(Buffer.concat(parts)));
  releaseBuffer(out);
});

test('buffer pool: released buffers are reused, a second release is refused', () => {
  const a = acquireBuffer(5000);
  assert.equal(a.length, 5000);
  releaseBuffer(a);
  const b = acquireBuffer(6000); // same 8 kB class
  assert.equal(b.buffer, a.buffer);
  assert.equal(b.length, 6000);
  releaseBuffer(b);
  assert.throws(() => releaseBuffer(b), /twice/);
  const c = acquireBuffer(6000);
  assert.notEqual(acquireBuffer(6000).buffer, c.buffer); // the pooled one is not handed out twice
});

test('zstd frame walk: whole frames (with and without checksum) are recognised, anything else is not', () => {
  const raw = sample(300_000, 21);
  const plain = zlib.zstdCompressSync(raw);
  const checked = zlib.zstdCompressSync(raw, { params: { [zlib.constants.ZSTD_c_checksumFlag]: 1 } });
  const tiny = zlib.zstdCompressSync(raw.subarray(0, 50));
  assert.equal(isOneCompleteZstdFrame(plain), true);
  assert.equal(isOneCompleteZstdFrame(checked), true);
  assert.equal(isOneCompleteZstdFrame(tiny), true);
  assert.equal(isOneCompleteZstdFrame(checked.subarray(0, checked.length - 4)), false);
  assert.equal(isOneCompleteZstdFrame(plain.subarray(0, plain.length - 1)), false);
  assert.equal(isOneCompleteZstdFrame(Buffer.concat([tiny, tiny])), false);
  assert.equal(isOneCompleteZstdFrame(zlib.deflateSync(raw)), false);
});

test('zstd: a block of two frames stops after the first (the size check reports it); the context is reset for the next block', () => {
  const a = sample(70_000, 31), b = sample(5_000, 32), c = sample(40_000, 33);
  const two = Buffer.concat([zlib.zstdCompressSync(a), zlib.zstdCompressSync(b)]);
  const out = new Uint8Array(a.length + b.length + 1);
  assert.equal(decompressBlockInto('ZS', two, out), a.length); // leftover input: context dirty
  const next = new Uint8Array(c.length + 1);
  for (let i = 0; i < 3; i++) {
    assert.equal(decompressBlockInto('ZS', zlib.zstdCompressSync(c), next), c.length);
    assert.deepEqual(next.subarray(0, c.length), c);
  }
});
