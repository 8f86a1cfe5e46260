// The reader against uproot's reference reads (../shared/refs/root), for every compression variant
// of the referenced files, and byte-identity of the columns across compressions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openRootFile } from '../src/root/read/index.ts';
import { summarizeColumn } from '../src/root/read/summary.ts';
import { isJagged, type Column } from '../src/columns.ts';

const shared = path.resolve(import.meta.dirname, '../../shared');
const dataDir = path.join(shared, 'data/root');
const refDir = path.join(shared, 'refs/root');

function close(a: number, b: number, rel: number, scale: number): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), scale);
}

/** The files whose content a reference describes: the file itself and its compression variants. */
function variants(file: string): string[] {
  const stem = file.replace(/(-zlib)?\.root$/, '');
  return fs.readdirSync(dataDir).filter((f) => f === file || new RegExp(`^${stem.replace(/[.]/g, '\\.')}-(zlib|lz4|lzma|zstd|uncompressed)\\.root$`).test(f));
}

const refs = fs.readdirSync(refDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(refDir, f), 'utf8')));

for (const ref of refs) {
  for (const [treeName, tr] of Object.entries<any>(ref.trees ?? {})) {
    for (const file of variants(ref.file)) {
      test(`${file}:${treeName} matches the uproot reference`, async () => {
        const f = await openRootFile(path.join(dataDir, file));
        try {
          const tree = await f.tree(treeName);
          assert.equal(tree.entries, tr.entries);
          const names = Object.keys(tr.branches);
          const batch = await tree.read(names);
          for (const name of names) {
            const want = tr.branches[name];
            const info = tree.branch(name);
            assert.equal(info.dtype, want.type, `${name} dtype`);
            assert.equal(info.jagged, want.jagged, `${name} jagged`);
            if (want.shape) assert.deepEqual(info.shape, want.shape, `${name} shape`);
            const got = summarizeColumn(batch.columns[name]!);
            assert.equal(got.count, want.count, `${name} count`);
            if (want.sum === null) {
              assert.equal(got.sum, null, `${name} has NaN`);
              continue;
            }
            const scale = 1e-9 * Math.max(Math.abs(want.min ?? 0), Math.abs(want.max ?? 0), 1) * Math.max(want.count, 1);
            assert.ok(close(got.sum!, want.sum, 1e-6, scale), `${name} sum ${got.sum} vs ${want.sum}`);
            if (want.count) {
              assert.ok(close(got.min!, want.min, 1e-7, 1e-30), `${name} min ${got.min} vs ${want.min}`);
              assert.ok(close(got.max!, want.max, 1e-7, 1e-30), `${name} max ${got.max} vs ${want.max}`);
              assert.deepEqual(got.first.map((x) => Math.fround(x)), want.first.map((x: number) => Math.fround(x)), `${name} first`);
            }
            if (want.counts_first) {
              const c = batch.columns[name]!;
              assert.ok(isJagged(c));
              const counts = Array.from(c.offsets.subarray(1, want.counts_first.length + 1), (o, i) => o - c.offsets[i]!);
              const per = (info.shape ?? []).reduce((a, b) => a * b, 1);
              assert.deepEqual(counts.map((n) => n / per), want.counts_first, `${name} counts`);
            }
          }
        } finally {
          await f.close();
        }
      });
    }
  }
}

function bytesOf(c: Column): Uint8Array[] {
  const arrays = isJagged(c) ? [c.offsets, c.content] : [c];
  return arrays.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

for (const stem of ['uproot-HZZ', 'uproot-Zmumu', 'uproot-sample-6.20.04']) {
  test(`${stem}: every compression gives identical columns`, async () => {
    const files = fs.readdirSync(dataDir).filter((f) => f.startsWith(stem) && /(-(zlib|lz4|lzma|zstd|uncompressed))?\.root$/.test(f.slice(stem.length)));
    assert.ok(files.length >= 4, `found ${files}`);
    let first: Record<string, Uint8Array[]> | undefined;
    for (const file of files) {
      const f = await openRootFile(path.join(dataDir, file));
      const treeName = f.keys().find((k) => k.className === 'TTree')!.path;
      const tree = await f.tree(treeName);
      const names = tree.branches.filter((b) => b.supported).map((b) => b.name);
      const batch = await tree.read(names);
      await f.close();
      const cols = Object.fromEntries(names.map((n) => [n, bytesOf(batch.columns[n]!)]));
      if (!first) first = cols;
      else assert.deepEqual(cols, first, file);
    }
  });
}

test('reading in chunks gives the same columns as one read', async () => {
  const f = await openRootFile(path.join(dataDir, 'uproot-HZZ-zlib.root'));
  const tree = await f.tree('events');
  const names = ['Muon_Px', 'NMuon', 'Jet_E', 'MET_px', 'Muon_Iso', 'EventWeight', 'Jet_ID'];
  const whole = await tree.read(names);
  const step = 333;
  for (const name of names) {
    const parts: number[] = [];
    const counts: number[] = [];
    for (let s = 0; s < tree.entries; s += step) {
      const c = (await tree.read([name], { start: s, stop: Math.min(tree.entries, s + step) })).columns[name]!;
      if (isJagged(c)) {
        for (let i = 0; i + 1 < c.offsets.length; i++) counts.push(c.offsets[i + 1]! - c.offsets[i]!);
        parts.push(...Array.from(c.content as Float32Array));
      } else parts.push(...Array.from(c as Float32Array));
    }
    const w = whole.columns[name]!;
    if (isJagged(w)) {
      assert.deepEqual(counts, Array.from(w.offsets.subarray(1), (o, i) => o - w.offsets[i]!), name);
      assert.deepEqual(parts, Array.from(w.content as Float32Array), name);
    } else assert.deepEqual(parts, Array.from(w as Float32Array), name);
  }
  await f.close();
});

test('concurrent chunk reads on one reader give the same columns as sequential ones', async () => {
  const f = await openRootFile(path.join(dataDir, 'uproot-HZZ-zlib.root'));
  const tree = await f.tree('events');
  const names = ['Muon_Px', 'Jet_E', 'MET_px'];
  const ranges = Array.from({ length: 12 }, (_, i) => ({ start: i * 200, stop: Math.min(tree.entries, i * 200 + 200) }));
  const sequential = [];
  for (const r of ranges) sequential.push(await tree.read(names, r));
  const concurrent = await Promise.all(ranges.map((r) => tree.read(names, r)));
  assert.deepEqual(concurrent, sequential);
  await f.close();
});
