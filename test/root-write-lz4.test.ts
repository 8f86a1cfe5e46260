// LZ4 in the ROOT writer: our block compressor against the LZ4 block format's rules and our
// decoder, and trees written with { algorithm: 'lz4' } read back by jsroot (an independent
// reader with its own LZ4 decoder) and by our reader with identical values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openFile } from 'jsroot/io';
import { TSelector, treeProcess } from 'jsroot/tree';
import { lz4CompressBlock, lz4CompressBlockJs, lz4CompressBound } from '../src/root/lz4-compress.ts';
import { lz4CompressBlockWasm } from '../src/root/lz4-compress-wasm.ts';
import { lz4DecodeBlock, lz4DecodeBlockJs } from '../src/root/lz4.ts';
import { lz4DecodeBlockWasm } from '../src/root/lz4-wasm.ts';
import { xxhash64 } from '../src/xxhash64.ts';
import { createRootFile, compressionSetting, type BranchSpec } from '../src/root/write/index.ts';
import { openRootFile } from '../src/root/read/index.ts';
import type { Column, ColumnBatch, NumericArray } from '../src/columns.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hepflow-root-write-lz4-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
}

/** Walks an LZ4 block by the format's specification (independently of lz4.ts) and returns its
 *  sequences: literal run start/length in the output, match length; checks the end rules. */
function checkBlockRules(block: Uint8Array, n: number): { sequences: number; matched: number } {
  let s = 0, d = 0, sequences = 0, matched = 0;
  for (;;) {
    const token = block[s++]!;
    let lit = token >> 4;
    if (lit === 15) { let b; do { b = block[s++]!; lit += b; } while (b === 255); }
    s += lit; d += lit;
    sequences++;
    if (s === block.length) break;
    const offset = block[s]! | (block[s + 1]! << 8);
    s += 2;
    assert.ok(offset > 0 && offset <= d, `offset ${offset} at output ${d}`);
    let ml = (token & 15) + 4;
    if ((token & 15) === 15) { let b; do { b = block[s++]!; ml += b; } while (b === 255); }
    assert.ok(d <= n - 12, `a match starts at ${d}, less than 12 bytes before the end (${n})`);
    assert.ok(d + ml <= n - 5, `a match ends at ${d + ml}, inside the last 5 bytes (${n})`);
    d += ml; matched += ml;
  }
  assert.equal(d, n, 'block decodes to the input length');
  return { sequences, matched };
}

function roundTrip(src: Uint8Array, label: string): number {
  const dst = new Uint8Array(lz4CompressBound(src.length));
  const n = lz4CompressBlock(src, dst);
  assert.ok(n > 0, `${label}: compressed`);
  checkBlockRules(dst.subarray(0, n), src.length);
  const out = new Uint8Array(src.length);
  assert.equal(lz4DecodeBlock(dst.subarray(0, n), out), src.length, `${label}: decoded length`);
  assert.ok(Buffer.from(out).equals(Buffer.from(src)), `${label}: decoded bytes`);
  return n;
}

test('lz4 compressor: every length 0..300 and long runs round-trip and obey the block end rules', () => {
  const rnd = lcg(7);
  for (let len = 0; len <= 300; len++) {
    roundTrip(Uint8Array.from({ length: len }, () => rnd() % 3), `3-letter alphabet, ${len} bytes`);
    roundTrip(new Uint8Array(len).fill(42), `constant, ${len} bytes`);
  }
  // long literal runs (length bytes past 255) between long matches (overlapping, past 255)
  const mixed = new Uint8Array(200_000);
  for (let i = 0; i < mixed.length; i++) mixed[i] = (i >> 12) & 1 ? rnd() >>> 24 : (i % 1000 < 600 ? 0 : i & 0xff);
  roundTrip(mixed, 'mixed runs');
  const zeros = roundTrip(new Uint8Array(1 << 20), '1 MiB of zeros');
  assert.ok(zeros < 5000, `1 MiB of zeros compresses to ${zeros} bytes`);
});

test('lz4 compressors: WebAssembly and JavaScript give the same bytes, and give up at the same sizes', () => {
  const rnd = lcg(17);
  const inputs: Uint8Array[] = [];
  for (let len = 0; len < 200; len++) inputs.push(Uint8Array.from({ length: len }, () => rnd() % 3));
  for (const len of [1000, 4096, 70_000]) {
    inputs.push(Uint8Array.from({ length: len }, () => rnd() % 5));
    inputs.push(Uint8Array.from({ length: len }, (_, i) => ((i >> 9) & 1 ? rnd() >>> 24 : i % 7)));
    inputs.push(new Uint8Array(len).fill(3));
    inputs.push(new Uint8Array(Float32Array.from({ length: len >> 2 }, () => Math.round((rnd() / 2 ** 32) * 6400) / 64).buffer));
  }
  for (const src of inputs) {
    const a = new Uint8Array(lz4CompressBound(src.length)), b = new Uint8Array(a.length);
    const na = lz4CompressBlockJs(src, a);
    assert.equal(lz4CompressBlockWasm(src, b), na, `${src.length} bytes: same length`);
    assert.ok(Buffer.from(a.subarray(0, na)).equals(Buffer.from(b.subarray(0, na))), `${src.length} bytes: same block`);
    assert.equal(lz4CompressBlockWasm(src, new Uint8Array(na)), na, `${src.length} bytes: fits exactly`);
    assert.equal(lz4CompressBlockWasm(src, new Uint8Array(na - 1)), 0, `${src.length} bytes: one byte short`);
    assert.equal(lz4CompressBlockJs(src, new Uint8Array(na - 1)), 0, `${src.length} bytes: one byte short (js)`);
  }
});

test('lz4 compressor: gives up (0) when the block does not fit, and repeated calls share no state', () => {
  const rnd = lcg(11);
  const random = Uint8Array.from({ length: 65536 }, () => rnd() >>> 24);
  assert.equal(lz4CompressBlock(random, new Uint8Array(random.length - 18)), 0);
  const text = new TextEncoder().encode('the quick brown fox jumps over the lazy dog; '.repeat(50));
  const a = new Uint8Array(lz4CompressBound(text.length));
  const na = lz4CompressBlock(text, a);
  lz4CompressBlock(random, new Uint8Array(lz4CompressBound(random.length)));
  const b = new Uint8Array(lz4CompressBound(text.length));
  assert.equal(lz4CompressBlock(text, b), na);
  assert.ok(Buffer.from(a.subarray(0, na)).equals(Buffer.from(b.subarray(0, na))), 'same input, same bytes');
});

test('lz4 decoders: WebAssembly and JavaScript agree on every block and reject the same malformed ones', () => {
  const rnd = lcg(13);
  const inputs: Uint8Array[] = [];
  for (const len of [0, 1, 13, 100, 1023, 1024, 5000, 70_000]) {
    inputs.push(Uint8Array.from({ length: len }, () => rnd() % 5)); // short matches, offsets 1..7 included
    inputs.push(Uint8Array.from({ length: len }, (_, i) => (i % 3 === 0 ? rnd() >>> 24 : i % 7))); // mixed
    inputs.push(new Uint8Array(len).fill(9)); // offset-1 runs
  }
  for (const src of inputs) {
    const c = new Uint8Array(lz4CompressBound(src.length));
    const blk = c.subarray(0, lz4CompressBlock(src, c));
    for (const [name, dec] of [['js', lz4DecodeBlockJs], ['wasm', lz4DecodeBlockWasm], ['dispatch', lz4DecodeBlock]] as const) {
      const out = new Uint8Array(src.length + 3).fill(0xee);
      assert.equal(dec(blk, out, 3), src.length + 3, `${name}: ${src.length} bytes`);
      assert.ok(Buffer.from(out.subarray(3)).equals(Buffer.from(src)), `${name}: ${src.length} bytes decoded`);
      assert.deepEqual(Array.from(out.subarray(0, 3)), [0xee, 0xee, 0xee], `${name}: bytes before dstPos untouched`);
    }
  }
  const bad: Array<[Uint8Array, number, RegExp]> = [
    [Uint8Array.of(0x10, 0x61, 0x05, 0x00), 10, /bad match offset/], // offset beyond the output
    [Uint8Array.of(0x10, 0x61, 0x00, 0x00), 10, /bad match offset/], // offset 0
    [Uint8Array.of(0x35, 0x61, 0x62, 0x63, 0x03, 0x00), 5, /out of bounds/], // literals past dst
    [Uint8Array.of(0x3f, 0x61, 0x62, 0x63, 0x03, 0x00, 0xff, 0x10), 100, /out of bounds/], // match past dst
    [Uint8Array.of(0xf0), 100, /truncated|out of bounds/], // length byte missing
    [Uint8Array.of(0x50, 1, 2), 100, /out of bounds/], // literal run past src
    [Uint8Array.of(0x10, 0x61, 0x01), 100, /truncated/], // offset cut short
  ];
  for (const [blk, n, re] of bad) {
    assert.throws(() => lz4DecodeBlockJs(blk, new Uint8Array(n)), re, `js: ${Array.from(blk)}`);
    assert.throws(() => lz4DecodeBlockWasm(blk, new Uint8Array(n)), /lz4: /, `wasm: ${Array.from(blk)}`);
  }
});

const N = 2000;
const schema: BranchSpec[] = [
  { name: 'event', dtype: 'uint64' }, { name: 'x', dtype: 'float32' }, { name: 'flag', dtype: 'bool' }, { name: 'w', dtype: 'float64' },
  { name: 'nJet', dtype: 'uint32' }, { name: 'Jet_pt', dtype: 'float32', counter: 'nJet' }, { name: 'Jet_id', dtype: 'int16', counter: 'nJet' },
  { name: 'lep_E', dtype: 'float64', vector: true }, { name: 'lep_q', dtype: 'int32', vector: true },
];

function makeColumns(): Record<string, Column> {
  const rnd = lcg(3);
  const counts = Int32Array.from({ length: N }, () => rnd() % 7);
  const offsets = new Int32Array(N + 1);
  for (let i = 0; i < N; i++) offsets[i + 1] = offsets[i]! + counts[i]!;
  const m = offsets[N]!;
  const vo = new Int32Array(N + 1);
  for (let i = 0; i < N; i++) vo[i + 1] = vo[i]! + (i % 5 === 0 ? 0 : rnd() % 4);
  return {
    event: BigUint64Array.from({ length: N }, (_, i) => BigInt(i) * 1_000_003n),
    x: Float32Array.from({ length: N }, () => Math.round((rnd() / 2 ** 32) * 6400) / 64),
    flag: Uint8Array.from({ length: N }, () => rnd() & 1),
    // incompressible doubles: full-precision random mantissas
    w: Float64Array.from({ length: N }, () => rnd() / 2 ** 32 + rnd() / 2 ** 64),
    nJet: new Uint32Array(counts.buffer),
    Jet_pt: { offsets, content: Float32Array.from({ length: m }, () => 20 + Math.round((rnd() / 2 ** 32) * 12800) / 64) },
    Jet_id: { offsets, content: Int16Array.from({ length: m }, () => (rnd() % 7) - 3) },
    lep_E: { offsets: vo, content: Float64Array.from({ length: vo[N]! }, () => (rnd() % 100000) / 16) },
    lep_q: { offsets: vo, content: Int32Array.from({ length: vo[N]! }, () => (rnd() & 1 ? 1 : -1)) },
  };
}

function slice(cols: Record<string, Column>, start: number, stop: number): ColumnBatch {
  const columns: Record<string, Column> = {};
  for (const [name, c] of Object.entries(cols)) {
    if (ArrayBuffer.isView(c)) columns[name] = c.subarray(start, stop) as NumericArray;
    else {
      const o = c.offsets.subarray(start, stop + 1).map((x) => x - c.offsets[start]!);
      columns[name] = { offsets: o, content: c.content.subarray(c.offsets[start]!, c.offsets[stop]!) as NumericArray };
    }
  }
  return { entries: stop - start, columns };
}

function bytesOf(a: NumericArray): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Every basket of every branch: its key and payload bytes, as stored in the file. */
async function baskets(file: string): Promise<Array<{ branch: string; objlen: number; stored: Uint8Array; at: number }>> {
  const jf = await openFile(file);
  const t = await jf.readObject('Events');
  const raw = fs.readFileSync(file);
  const out: Array<{ branch: string; objlen: number; stored: Uint8Array; at: number }> = [];
  const walk = (b: any): void => {
    for (let k = 0; k < b.fWriteBasket; k++) {
      const at = Number(b.fBasketSeek[k]);
      const key = raw.subarray(at, at + b.fBasketBytes[k]);
      const dv = new DataView(key.buffer, key.byteOffset, key.byteLength);
      const objlen = dv.getInt32(6, false); // TKey: fNbytes i32, fVersion i16, fObjlen i32, fDatime u32, fKeylen i16
      const keylen = dv.getInt16(14, false);
      out.push({ branch: b.fName, objlen, stored: key.subarray(keylen), at: at + keylen });
    }
    (b.fBranches?.arr ?? []).forEach(walk);
  };
  t.fBranches.arr.forEach(walk);
  return out;
}

for (const basketBytes of [128, 4096, 65536]) {
  test(`lz4 tree (flat, jagged, std::vector; ${basketBytes}-byte baskets) reads back identically in our reader and jsroot`, async () => {
    const file = path.join(dir, `lz4-${basketBytes}.root`);
    const cols = makeColumns();
    const f = await createRootFile(file, { compression: { algorithm: 'lz4', level: 1 } });
    const t = f.createTree('Events', schema, { clusterEntries: 700, basketBytes });
    for (const [a, b] of [[0, 1], [1, 999], [999, 1400], [1400, N]] as const) await t.append(slice(cols, a, b));
    await f.close();

    // the baskets are ROOT LZ4 blocks with a valid checksum, or stored raw
    const bs = await baskets(file);
    let lz4 = 0, raw = 0;
    for (const b of bs) {
      if (b.stored.length === b.objlen) { raw++; continue; }
      let s = 0;
      while (s < b.stored.length) {
        assert.equal(String.fromCharCode(b.stored[s]!, b.stored[s + 1]!), 'L4', `${b.branch}: block algorithm`);
        assert.equal(b.stored[s + 2], 1, 'method byte: LZ4 major version');
        const csize = b.stored[s + 3]! | (b.stored[s + 4]! << 8) | (b.stored[s + 5]! << 16);
        const sum = new DataView(b.stored.buffer, b.stored.byteOffset + s + 9, 8).getBigUint64(0, false);
        assert.equal(sum, xxhash64(b.stored.subarray(s + 17, s + 9 + csize)), `${b.branch}: xxhash64 of the LZ4 block`);
        s += 9 + csize;
        lz4++;
      }
    }
    assert.ok(lz4 > 10, `${lz4} LZ4 blocks`);
    assert.ok(bs.filter((b) => b.branch === 'w').every((b) => b.stored.length === b.objlen), 'random doubles stored uncompressed');
    assert.ok(raw > 0);

    // our reader: exact bytes, over ranges crossing baskets and clusters
    const rf = await openRootFile(file);
    try {
      const tr = await rf.tree('Events');
      assert.equal(tr.entries, N);
      for (const [start, stop] of [[0, N], [333, 1501]] as const) {
        const got = await tr.read(schema.map((s) => s.name), { start, stop });
        const exp = slice(cols, start, stop);
        for (const s of schema) {
          const g = got.columns[s.name]!, e = exp.columns[s.name]!;
          if (ArrayBuffer.isView(e)) assert.ok(bytesOf(g as NumericArray).equals(bytesOf(e)), `${s.name} [${start}, ${stop})`);
          else {
            const gj = g as { offsets: Int32Array; content: NumericArray };
            assert.deepEqual(Array.from(gj.offsets), Array.from(e.offsets), `${s.name} offsets`);
            assert.ok(bytesOf(gj.content).equals(bytesOf(e.content)), `${s.name} content [${start}, ${stop})`);
          }
        }
      }
    } finally {
      await rf.close();
    }

    // jsroot: its own LZ4 decoder and tree reader, entry by entry
    const jf = await openFile(file);
    const jt = await jf.readObject('Events');
    assert.equal(jt.fBranches.arr.find((b: any) => b.fName === 'x').fCompress, compressionSetting({ algorithm: 'lz4', level: 1 }));
    const names = ['x', 'flag', 'w', 'Jet_pt', 'Jet_id', 'lep_E', 'lep_q'];
    const sel = new (TSelector as any)();
    names.forEach((n, i) => sel.addBranch(n, `v${i}`));
    let i = 0;
    sel.Process = function (this: any) {
      for (const [k, n] of names.entries()) {
        const c = cols[n]!;
        const v = this.tgtobj[`v${k}`];
        if (ArrayBuffer.isView(c)) assert.equal(Number(v), Number((c as NumericArray)[i]), `jsroot ${n}[${i}]`);
        else assert.deepEqual(Array.from(v as ArrayLike<number>, Number), Array.from(c.content.subarray(c.offsets[i]!, c.offsets[i + 1]!) as ArrayLike<number>, Number), `jsroot ${n}[${i}]`);
      }
      i++;
    };
    await treeProcess(jt, sel);
    assert.equal(i, N);
  });
}

test('lz4: repetitive data compresses well, random data is stored raw, fCompress is 400 + level', async () => {
  assert.equal(compressionSetting({ algorithm: 'lz4' }), 404);
  assert.equal(compressionSetting({ algorithm: 'lz4', level: 9 }), 409);
  assert.throws(() => compressionSetting({ algorithm: 'lz4', level: 10 }), /out of range 1..9 for lz4/);
  const file = path.join(dir, 'lz4-sizes.root');
  const n = 200_000;
  const rnd = lcg(5);
  const f = await createRootFile(file, { compression: { algorithm: 'lz4' } });
  const t = f.createTree('Events', [{ name: 'run', dtype: 'uint32' }, { name: 'step', dtype: 'int32' }, { name: 'noise', dtype: 'uint32' }]);
  await t.append({ entries: n, columns: {
    run: new Uint32Array(n).fill(273158),
    step: Int32Array.from({ length: n }, (_, i) => i % 10),
    noise: Uint32Array.from({ length: n }, () => rnd()),
  } });
  await f.close();
  const byBranch = new Map<string, { stored: number; objlen: number }>();
  for (const b of await baskets(file)) {
    const s = byBranch.get(b.branch) ?? { stored: 0, objlen: 0 };
    s.stored += b.stored.length; s.objlen += b.objlen;
    byBranch.set(b.branch, s);
  }
  const ratio = (name: string) => byBranch.get(name)!.stored / byBranch.get(name)!.objlen;
  assert.ok(ratio('run') < 0.01, `constant branch: ${ratio('run')}`);
  assert.ok(ratio('step') < 0.02, `period-10 branch: ${ratio('step')}`);
  assert.equal(ratio('noise'), 1, 'random branch stored uncompressed');
  const rf = await openRootFile(file);
  try {
    const got = await (await rf.tree('Events')).read(['run', 'step', 'noise'], { start: n - 3, stop: n });
    assert.deepEqual(Array.from(got.columns.step as Int32Array), [(n - 3) % 10, (n - 2) % 10, (n - 1) % 10]);
    assert.deepEqual(Array.from(got.columns.run as Uint32Array), [273158, 273158, 273158]);
  } finally {
    await rf.close();
  }
});

test('lz4: a payload over 16 MiB is split into several L4 blocks that jsroot reads; a corrupt block is named', async () => {
  const file = path.join(dir, 'lz4-big.root');
  const n = 2_200_000;
  const values = new Float64Array(n + 2);
  for (let i = 0; i < values.length; i++) values[i] = (i * 7) % 1000;
  const edges = Float64Array.from({ length: n + 1 }, (_, i) => i);
  const f = await createRootFile(file, { compression: { algorithm: 'lz4', level: 4 } });
  f.putHist('huge', { edges, values });
  const t = f.createTree('Events', [{ name: 'k', dtype: 'int32' }]);
  await t.append({ entries: 50_000, columns: { k: Int32Array.from({ length: 50_000 }, (_, i) => i >> 4) } });
  await f.close();
  const jf = await openFile(file);
  const key = jf.fKeys.find((k: any) => k.fName === 'huge');
  assert.ok(key.fObjlen > 0xffffff, 'payload over one block');
  const h = await jf.readObject('huge');
  for (const i of [0, 1, 12345, 0x1fffff, n, n + 1]) assert.equal(h.fArray[i], values[i]);

  // flip one byte inside the first LZ4 block of branch k: the checksum catches it
  const [first] = (await baskets(file)).filter((b) => b.branch === 'k');
  const bytes = fs.readFileSync(file);
  const at = first!.at + 40;
  bytes[at] = bytes[at]! ^ 0x55;
  const bad = path.join(dir, 'lz4-corrupt.root');
  fs.writeFileSync(bad, bytes);
  const rf = await openRootFile(bad);
  try {
    await assert.rejects((await rf.tree('Events')).read(['k']), /lz4-corrupt\.root.*k.*xxhash64 checksum mismatch/s);
  } finally {
    await rf.close();
  }
});
