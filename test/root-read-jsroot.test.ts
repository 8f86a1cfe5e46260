// Files without a published reference, checked against jsroot's own (independent) tree reader.
// (The sample-6.20.04 files are left out: jsroot hands int8 arrays back as strings; their
// uproot reference covers them in root-read-refs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openRootFile } from '../src/root/read/index.ts';
import { summarizeColumn } from '../src/root/read/summary.ts';
import { jsrootStats } from './root-read-jsroot-helper.ts';

const dataDir = path.resolve(import.meta.dirname, '../../shared/data/root');

const cases: Array<{ file: string; tree: string; expectBranches: number }> = [
  { file: 'uproot-small-evnt-tree-fullsplit.root', tree: 'tree', expectBranches: 36 },
  { file: 'uproot-vectorVectorDouble.root', tree: 't', expectBranches: 1 },
  { file: 'uproot-hepdata-example.root', tree: 'ntuple', expectBranches: 5 },
  { file: 'uproot-HZZ-uncompressed.root', tree: 'events', expectBranches: 51 },
];

for (const c of cases) {
  test(`${c.file}:${c.tree} agrees with jsroot's tree reader`, async () => {
    const f = await openRootFile(path.join(dataDir, c.file));
    const tree = await f.tree(c.tree);
    const names = tree.branches.filter((b) => b.supported).map((b) => b.name);
    assert.equal(names.length, c.expectBranches, `readable branches: ${names.join(', ')}`);
    const batch = await tree.read(names);
    await f.close();
    const ref = await jsrootStats(path.join(dataDir, c.file), c.tree, names);
    for (const name of names) {
      const got = summarizeColumn(batch.columns[name]!);
      const want = ref[name]!;
      assert.equal(got.count, want.count, `${name} count`);
      assert.ok(Math.abs(got.sum! - want.sum) <= 1e-9 * Math.max(1, Math.abs(want.sum), want.count * Math.max(Math.abs(want.min), Math.abs(want.max))), `${name} sum ${got.sum} vs ${want.sum}`);
      if (want.count) {
        assert.equal(got.min, want.min, `${name} min`);
        assert.equal(got.max, want.max, `${name} max`);
      }
      assert.deepEqual(got.first, want.first, `${name} first`);
    }
  });
}
