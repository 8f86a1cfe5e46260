// Writer round trips: every object we write is read back by jsroot (an independent reader) and by
// our own reader with identical values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as jsroot from 'jsroot';
import { createRootFile, type BranchSpec, type CompressionAlgorithm } from '../src/root/write/index.ts';
import { dtypeArray, type Column, type ColumnBatch, type DType, type NumericArray } from '../src/columns.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hepflow-root-write-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const dtypes: DType[] = ['bool', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64'];

/** Deterministic values that exercise sign, range and fractional parts of each type. */
function values(dtype: DType, n: number, salt: number): NumericArray {
  const a = new dtypeArray[dtype](n);
  for (let i = 0; i < n; i++) {
    const k = (i * 7919 + salt * 104729) % 20011;
    switch (dtype) {
      case 'bool': (a as Uint8Array)[i] = k & 1; break;
      case 'int8': (a as Int8Array)[i] = (k % 256) - 128; break;
      case 'uint8': (a as Uint8Array)[i] = k % 256; break;
      case 'int16': (a as Int16Array)[i] = (k * 3) % 65536 - 32768; break;
      case 'uint16': (a as Uint16Array)[i] = (k * 3) % 65536; break;
      case 'int32': (a as Int32Array)[i] = (k * 104729) % 2147483647 - 1073741824; break;
      case 'uint32': (a as Uint32Array)[i] = (k * 214013) >>> 0; break;
      case 'int64': (a as BigInt64Array)[i] = BigInt(k - 10000) * 123456789012n; break;
      case 'uint64': (a as BigUint64Array)[i] = BigInt(k) * 98765432101n; break;
      case 'float32': (a as Float32Array)[i] = (k - 10000) / 7.3; break;
      case 'float64': (a as Float64Array)[i] = (k - 10000) / 3.7e3 + 1e-12 * k; break;
    }
  }
  return a;
}

const N = 1000;
const jaggedTypes: DType[] = ['float32', 'int32', 'bool', 'float64', 'uint64'];
const schema: BranchSpec[] = [
  ...dtypes.map((d) => ({ name: `flat_${d}`, dtype: d })),
  { name: 'nObj', dtype: 'uint32' },
  ...jaggedTypes.map((d) => ({ name: `Obj_${d}`, dtype: d, counter: 'nObj' })),
  ...dtypes.map((d) => ({ name: `Vec_${d}`, dtype: d, vector: true })),
];

// Counts 0..5 with many empty entries.
const counts = Int32Array.from({ length: N }, (_, i) => (i * 37) % 6 === 0 ? 0 : (i * 13) % 6);
const offsets = new Int32Array(N + 1);
for (let i = 0; i < N; i++) offsets[i + 1] = offsets[i]! + counts[i]!;
const full: Record<string, Column> = {};
dtypes.forEach((d, j) => { full[`flat_${d}`] = values(d, N, j); });
jaggedTypes.forEach((d, j) => { full[`Obj_${d}`] = { offsets, content: values(d, offsets[N]!, 50 + j) }; });
dtypes.forEach((d, j) => { full[`Vec_${d}`] = { offsets, content: values(d, offsets[N]!, 80 + j) }; });

function slice(start: number, stop: number): ColumnBatch {
  const columns: Record<string, Column> = {};
  for (const [name, col] of Object.entries(full)) {
    if (ArrayBuffer.isView(col)) columns[name] = col.subarray(start, stop) as NumericArray;
    else {
      const o = col.offsets.subarray(start, stop + 1).map((x) => x - col.offsets[start]!);
      columns[name] = { offsets: o, content: col.content.subarray(col.offsets[start]!, col.offsets[stop]!) as NumericArray };
    }
  }
  return { entries: stop - start, columns };
}

async function writeTree(file: string, algorithm: CompressionAlgorithm): Promise<void> {
  const f = await createRootFile(file, { compression: { algorithm } });
  const t = f.createTree('Events', schema, { title: 'round trip', clusterEntries: 300, basketBytes: 256 });
  // Uneven batches, crossing cluster and basket boundaries.
  for (const [a, b] of [[0, 1], [1, 450], [450, 451], [451, 1000]] as const) await t.append(slice(a, b));
  await f.close();
}

/** Reads every branch of a tree with jsroot's own tree reader, entry by entry. */
async function readWithJsroot(file: string, tree: string, names: string[]): Promise<Record<string, unknown[]>> {
  const rf = await jsroot.openFile(file);
  const t = await rf.readObject(tree);
  const { treeProcess, TSelector } = (await import('jsroot/tree')) as any;
  const sel = new TSelector();
  for (const n of names) sel.addBranch(n);
  const out: Record<string, unknown[]> = Object.fromEntries(names.map((n) => [n, []]));
  sel.Process = function (this: any) {
    for (const n of names) {
      const v = this.tgtobj[n];
      out[n]!.push(ArrayBuffer.isView(v) || Array.isArray(v) ? Array.from(v as ArrayLike<unknown>) : v);
    }
  };
  await treeProcess(t, sel);
  return out;
}

function toList(a: NumericArray): Array<number | bigint> {
  return Array.from(a as ArrayLike<number | bigint>);
}

/** What jsroot gives for a value: numbers (64-bit integers as doubles), booleans for bool. */
function jsrootView(dtype: DType, v: number | bigint): unknown {
  if (dtype === 'bool') return v !== 0;
  return Number(v);
}

for (const algorithm of ['zlib', 'zstd', 'none'] as const) {
  test(`TTree with every dtype, flat, jagged and std::vector (${algorithm}) reads back identically in jsroot`, async () => {
    const file = path.join(dir, `tree-${algorithm}.root`);
    await writeTree(file, algorithm);
    const names = schema.map((s) => s.name);
    const got = await readWithJsroot(file, 'Events', names);
    for (const s of schema) {
      const col = full[s.name];
      const rows = got[s.name]!;
      assert.equal(rows.length, N, `${s.name}: entries`);
      if (s.name === 'nObj') {
        assert.deepEqual(rows, Array.from(counts), 'nObj');
        continue;
      }
      for (let i = 0; i < N; i++) {
        if (col && ArrayBuffer.isView(col)) {
          // jsroot's ntoi8 mis-decodes negative 64-bit integers (it complements the low word as a
          // signed int); those are checked exactly through our reader below.
          if (s.dtype === 'int64' && (col as BigInt64Array)[i]! < 0n) continue;
          assert.deepEqual(rows[i], jsrootView(s.dtype, (col as NumericArray)[i]!), `${s.name}[${i}]`);
        } else if (col) {
          if (s.dtype === 'int64' && Array.from(col.content.subarray(col.offsets[i]!, col.offsets[i + 1]!) as BigInt64Array).some((v) => v < 0n)) continue;
          const exp = Array.from(col.content.subarray(col.offsets[i]!, col.offsets[i + 1]!) as ArrayLike<number | bigint>, (v) => jsrootView(s.dtype, v));
          assert.deepEqual((rows[i] as unknown[]).map((v) => s.dtype === 'bool' ? Boolean(v) : v), exp, `${s.name}[${i}]`);
        }
      }
    }
    const rf = await jsroot.openFile(file);
    const t = await rf.readObject('Events');
    assert.equal(t.fEntries, N);
    assert.equal(t.fAutoFlush, 300);
    const ptBranch = t.fBranches.arr.find((b: any) => b.fName === 'Obj_float32');
    assert.ok(ptBranch.fWriteBasket > 4, `several baskets (${ptBranch.fWriteBasket})`);
    // Basket entry table: starts at 0, increasing, and every cluster boundary is a basket boundary.
    const starts: number[] = Array.from(ptBranch.fBasketEntry).slice(0, ptBranch.fWriteBasket + 1) as number[];
    assert.equal(starts[0], 0);
    assert.equal(starts.at(-1), N);
    for (const c of [300, 600, 900]) assert.ok(starts.includes(c), `basket boundary at cluster ${c}`);
  });
}

test('histograms TH1D/TH1F/TH2D/TH2F in directories read back in jsroot with flow bins, sumw2 and stats', async () => {
  const file = path.join(dir, 'hists.root');
  const f = await createRootFile(file, { compression: { algorithm: 'zstd', level: 3 } });
  const edges = [110, 150, 190, 230, 270, 310, 350, 390, 430, 470, 510, 550];
  const vals = edges.map((_, i) => i * 1.25 + 0.5).concat([7]); // 11 bins + 2 flow = 13
  const w2 = vals.map((v) => v * 0.3);
  f.putHist('4j1b_ttbar_nominal', { edges, values: vals, sumw2: w2, title: 'HT', xTitle: 'H_{T} [GeV]', yTitle: 'events', entries: 1234 });
  const varEdges = [0, 1, 2.5, 10];
  f.putHist('ch1/ttbar', { edges: varEdges, values: [1, 2, 3, 4, 5], type: 'TH1F' });
  f.putHist('ch1/sub/2d', { xEdges: [0, 1, 2], yEdges: [-1, 0, 0.5, 3], values: Array.from({ length: 20 }, (_, i) => i - 3), sumw2: Array.from({ length: 20 }, (_, i) => i * i) });
  f.putHist('h2f', { xEdges: [0, 1, 2], yEdges: [0, 1], values: Array.from({ length: 12 }, (_, i) => i + 0.5), type: 'TH2F', zTitle: 'z' });
  await f.close();

  const rf = await jsroot.openFile(file);
  const h = await rf.readObject('4j1b_ttbar_nominal');
  assert.equal(h._typename, 'TH1D');
  assert.equal(h.fTitle, 'HT');
  assert.equal(h.fXaxis.fTitle, 'H_{T} [GeV]');
  assert.equal(h.fYaxis.fTitle, 'events');
  assert.equal(h.fXaxis.fNbins, 11);
  assert.equal(h.fXaxis.fXmin, 110);
  assert.equal(h.fXaxis.fXmax, 550);
  assert.deepEqual(Array.from(h.fArray), vals);
  assert.deepEqual(Array.from(h.fSumw2), w2);
  assert.equal(h.fEntries, 1234);
  // Stats recomputed independently from the in-range bins at their centers.
  let sw = 0, sw2 = 0, swx = 0, swx2 = 0;
  for (let i = 1; i <= 11; i++) {
    const x = (edges[i - 1]! + edges[i]!) / 2;
    sw += vals[i]!; sw2 += w2[i]!; swx += vals[i]! * x; swx2 += vals[i]! * x * x;
  }
  assert.ok(Math.abs(h.fTsumw - sw) < 1e-9 * sw);
  assert.ok(Math.abs(h.fTsumw2 - sw2) < 1e-9 * sw2);
  assert.ok(Math.abs(h.fTsumwx - swx) < 1e-9 * swx);
  assert.ok(Math.abs(h.fTsumwx2 - swx2) < 1e-9 * swx2);

  const v = await rf.readObject('ch1/ttbar');
  assert.equal(v._typename, 'TH1F');
  assert.deepEqual(Array.from(v.fXaxis.fXbins), varEdges);
  assert.deepEqual(Array.from(v.fArray), [1, 2, 3, 4, 5]);
  assert.equal(v.fSumw2.length, 0);

  const h2 = await rf.readObject('ch1/sub/2d');
  assert.equal(h2._typename, 'TH2D');
  assert.deepEqual(Array.from(h2.fArray), Array.from({ length: 20 }, (_, i) => i - 3));
  assert.deepEqual(Array.from(h2.fSumw2), Array.from({ length: 20 }, (_, i) => i * i));
  assert.deepEqual(Array.from(h2.fYaxis.fXbins), [-1, 0, 0.5, 3]);
  assert.equal(h2.fXaxis.fNbins, 2);

  const h2f = await rf.readObject('h2f');
  assert.equal(h2f._typename, 'TH2F');
  assert.deepEqual(Array.from(h2f.fArray), Array.from({ length: 12 }, (_, i) => i + 0.5));
  assert.equal(h2f.fZaxis.fTitle, 'z');

  const keys = rf.fKeys.map((k: any) => `${k.fClassName}:${k.fName}`);
  assert.ok(keys.includes('TDirectory:ch1'));
  const streamers = rf.fStreamerInfos.arr.map((s: any) => s.fName);
  for (const c of ['TH1D', 'TH1F', 'TH2D', 'TH2F', 'TH1', 'TH2', 'TAxis', 'TNamed', 'TObject']) assert.ok(streamers.includes(c), `StreamerInfo for ${c}`);
});

test('the same content gives the same bytes', async () => {
  const a = path.join(dir, 'same-a', 'x.root');
  const b = path.join(dir, 'same-b', 'x.root');
  fs.mkdirSync(path.dirname(a)); fs.mkdirSync(path.dirname(b));
  await writeTree(a, 'zlib');
  await writeTree(b, 'zlib');
  assert.ok(Buffer.compare(fs.readFileSync(a), fs.readFileSync(b)) === 0);
});

test('bad input is rejected with the tree and branch named', async () => {
  const f = await createRootFile(path.join(dir, 'bad.root'));
  const t = f.createTree('Events', [{ name: 'n', dtype: 'int32' }, { name: 'v', dtype: 'float32', counter: 'n' }, { name: 'x', dtype: 'float64' }]);
  await assert.rejects(t.append({ entries: 2, columns: { x: new Float32Array(2), v: { offsets: Int32Array.of(0, 1, 1), content: new Float32Array(1) } } }),
    /tree 'Events' branch 'x'.*Float32Array, expected Float64Array/);
  await assert.rejects(t.append({ entries: 2, columns: { x: new Float64Array(2), n: Int32Array.of(1, 1), v: { offsets: Int32Array.of(0, 1, 1), content: new Float32Array(1) } } }),
    /branch 'v'.*entry 1 has 0 items but counter 'n' says 1/);
  await assert.rejects(t.append({ entries: 2, columns: { v: { offsets: Int32Array.of(0, 1, 1), content: new Float32Array(1) } } }), /branch 'x'.*missing/);
  assert.throws(() => f.createTree('T2', [{ name: 'v', dtype: 'float32', counter: 'nope' }]), /counter 'nope'/);
  assert.throws(() => f.putHist('h', { edges: [0, 1, 1], values: [0, 0, 0, 0] }), /edges must increase/);
  assert.throws(() => f.putHist('h', { edges: [0, 1], values: [0, 0] }), /expected 3 values/);
  await f.close();
});

test('our reader reads the written tree back exactly (all dtypes, negative int64, ranges across baskets)', async () => {
  const { openRootFile } = await import('../src/root/read/index.ts');
  const file = path.join(dir, 'tree-reader.root');
  await writeTree(file, 'zstd');
  const rf = await openRootFile(file);
  try {
    const t = await rf.tree('Events');
    assert.equal(t.entries, N);
    assert.deepEqual(t.clusters(), [0, 300, 600, 900, 1000]);
    for (const [start, stop] of [[0, N], [17, 733], [299, 301]] as const) {
      const got = await t.read(schema.map((s) => s.name), { start, stop });
      assert.equal(got.entries, stop - start);
      const exp = slice(start, stop);
      for (const s of schema) {
        const g = got.columns[s.name]!;
        if (s.name === 'nObj') { assert.deepEqual(Array.from(g as Uint32Array), Array.from(counts.subarray(start, stop)), 'nObj'); continue; }
        const e = exp.columns[s.name]!;
        if (ArrayBuffer.isView(e)) assert.deepEqual(toList(g as NumericArray), toList(e), `${s.name} [${start}, ${stop})`);
        else {
          const gj = g as { offsets: Int32Array; content: NumericArray };
          assert.deepEqual(Array.from(gj.offsets), Array.from(e.offsets), `${s.name} offsets`);
          assert.deepEqual(toList(gj.content), toList(e.content), `${s.name} content`);
        }
      }
    }
  } finally {
    await rf.close();
  }
});

test('a tree and histograms in nested directories (Combine shapes layout) read back in jsroot and our reader', async () => {
  const { openRootFile } = await import('../src/root/read/index.ts');
  const file = path.join(dir, 'nested.root');
  const f = await createRootFile(file);
  const t = f.createTree('ch1/sub/Events', [{ name: 'x', dtype: 'float64' }]);
  await t.append({ entries: 3, columns: { x: Float64Array.of(1, 2, 3) } });
  f.putHist('ch1/signal', { edges: [0, 1, 2], values: [0, 5, 6, 0] });
  f.putHist('ch1/signal_sigmaUp', { edges: [0, 1, 2], values: [0, 6, 7, 0] });
  f.putHist('ch2/signal', { edges: [0, 1, 2], values: [1, 2, 3, 4] });
  assert.throws(() => f.putHist('ch1', { edges: [0, 1], values: [0, 0, 0] }), /'ch1' is a directory/);
  await f.close();
  const jf = await jsroot.openFile(file);
  assert.equal((await jf.readObject('ch1/sub/Events')).fEntries, 3);
  assert.deepEqual(Array.from((await jf.readObject('ch1/signal_sigmaUp')).fArray), [0, 6, 7, 0]);
  assert.deepEqual(Array.from((await jf.readObject('ch2/signal')).fArray), [1, 2, 3, 4]);
  const rf = await openRootFile(file);
  try {
    const tr = await rf.tree('ch1/sub/Events');
    assert.deepEqual(Array.from((await tr.read(['x'])).columns.x as Float64Array), [1, 2, 3]);
  } finally {
    await rf.close();
  }
});

test('files appear only at close (atomic rename); abort() leaves nothing behind', async () => {
  const sub = path.join(dir, 'atomic');
  fs.mkdirSync(sub);
  const file = path.join(sub, 'out.root');
  const f = await createRootFile(file);
  f.putHist('h', { edges: [0, 1], values: [0, 1, 0] });
  assert.ok(!fs.existsSync(file), 'not visible before close');
  await f.close();
  assert.ok(fs.existsSync(file));
  const g = await createRootFile(file);
  const t = g.createTree('T', [{ name: 'x', dtype: 'float32' }]);
  await t.append({ entries: 2, columns: { x: Float32Array.of(1, 2) } });
  g.abort();
  assert.deepEqual(fs.readdirSync(sub), ['out.root'], 'no temporary file left, previous file kept');
  assert.equal((await jsroot.openFile(file)).fKeys.some((k: any) => k.fName === 'h'), true);
});

test('payloads over 16 MiB are split into several compression blocks; entries larger than a basket grow it', async () => {
  const file = path.join(dir, 'big-blocks.root');
  const n = 2_200_000; // 17.6 MB of TH1D bin contents: two ROOT compression blocks
  const values = new Float64Array(n + 2);
  for (let i = 0; i < values.length; i++) values[i] = (i * 7) % 1000;
  const edges = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) edges[i] = i;
  const f = await createRootFile(file, { compression: { algorithm: 'zlib', level: 1 } });
  f.putHist('huge', { edges, values });
  const t = f.createTree('T', [{ name: 'n', dtype: 'int32' }, { name: 'v', dtype: 'float64', counter: 'n' }], { basketBytes: 16 });
  const offsets = Int32Array.of(0, 5, 5, 12);
  const content = Float64Array.from({ length: 12 }, (_, i) => i / 4);
  await t.append({ entries: 3, columns: { v: { offsets, content } } });
  await f.close();
  const rf = await jsroot.openFile(file);
  const key = rf.fKeys.find((k: any) => k.fName === 'huge');
  assert.ok(key.fObjlen > 0xffffff, 'payload over one block');
  const h = await rf.readObject('huge');
  assert.equal(h.fArray.length, n + 2);
  for (const i of [0, 1, 12345, 0xffffff / 8, n, n + 1]) assert.equal(h.fArray[Math.floor(i)], values[Math.floor(i)]);
  const { openRootFile } = await import('../src/root/read/index.ts');
  const our = await openRootFile(file);
  try {
    const got = await (await our.tree('T')).read(['v']);
    const v = got.columns.v as { offsets: Int32Array; content: Float64Array };
    assert.deepEqual(Array.from(v.offsets), Array.from(offsets));
    assert.deepEqual(Array.from(v.content), Array.from(content));
  } finally {
    await our.close();
  }
});

test('fixed-size array branches (x[3], m[2][3]) read back in jsroot and our reader', async () => {
  const file = path.join(dir, 'fixed.root');
  const N = 50;
  const x = Float32Array.from({ length: 3 * N }, (_, i) => i * 0.5 - 7);
  const m = Int16Array.from({ length: 6 * N }, (_, i) => (i * 37) % 1000 - 500);
  const f = await createRootFile(file);
  const t = f.createTree('T', [{ name: 'x', dtype: 'float32', shape: [3] }, { name: 'm', dtype: 'int16', shape: [2, 3] }, { name: 'k', dtype: 'int32' }], { basketBytes: 100, clusterEntries: 20 });
  await t.append({ entries: N, columns: { x, m, k: Int32Array.from({ length: N }, (_, i) => i) } });
  await assert.rejects(t.append({ entries: 2, columns: { x: new Float32Array(5), m: new Int16Array(12), k: new Int32Array(2) } }), /branch 'x'.*5 values, expected 6/);
  await f.close();
  const got = await readWithJsroot(file, 'T', ['x', 'm', 'k']);
  for (let i = 0; i < N; i++) {
    assert.deepEqual((got.x![i] as number[]).flat(), Array.from(x.subarray(3 * i, 3 * i + 3)), `x[${i}]`);
    assert.deepEqual((got.m![i] as number[][]).flat(), Array.from(m.subarray(6 * i, 6 * i + 6)), `m[${i}]`);
    assert.equal(got.k![i], i);
  }
  const { openRootFile } = await import('../src/root/read/index.ts');
  const rf = await openRootFile(file);
  try {
    const tr = await rf.tree('T');
    const b = await tr.read(['x', 'm'], { start: 7, stop: 33 });
    assert.deepEqual(Array.from(b.columns.x as Float32Array), Array.from(x.subarray(21, 99)));
    assert.deepEqual(Array.from(b.columns.m as Int16Array), Array.from(m.subarray(42, 198)));
  } finally {
    await rf.close();
  }
});

test('writeColumnsToRoot infers branches: counters for X_* collections, std::vector otherwise', async () => {
  const { inferBranches, writeColumnsToRoot } = await import('../src/root/write/index.ts');
  const o1 = Int32Array.of(0, 2, 2, 3), o2 = Int32Array.of(0, 1, 1, 4);
  const batch: ColumnBatch = {
    entries: 3,
    columns: {
      event: BigUint64Array.of(1n, 2n, 3n), pass: Uint8Array.of(1, 0, 1),
      Jet_pt: { offsets: o1, content: Float32Array.of(50, 40, 30) }, Jet_id: { offsets: o1.slice(), content: Int32Array.of(6, 6, 2) },
      odd: { offsets: o2, content: Float64Array.of(1, 2, 3, 4) },
    },
  };
  const specs = inferBranches(batch, { bools: ['pass'] });
  assert.deepEqual(specs, [
    { name: 'event', dtype: 'uint64' }, { name: 'pass', dtype: 'bool' },
    { name: 'nJet', dtype: 'uint32' }, { name: 'Jet_pt', dtype: 'float32', counter: 'nJet' }, { name: 'Jet_id', dtype: 'int32', counter: 'nJet' },
    { name: 'odd', dtype: 'float64', vector: true },
  ]);
  const file = path.join(dir, 'inferred.root');
  assert.equal(await writeColumnsToRoot(file, 'Events', [batch, batch], { bools: ['pass'] }), 6);
  const got = await readWithJsroot(file, 'Events', ['nJet', 'Jet_pt', 'odd', 'pass']);
  assert.deepEqual(got.nJet, [2, 0, 1, 2, 0, 1]);
  assert.deepEqual(got.Jet_pt![5], [30]);
  assert.deepEqual(got.odd![2], [2, 3, 4]);
  assert.deepEqual(got.pass, [true, false, true, true, false, true]);
});
