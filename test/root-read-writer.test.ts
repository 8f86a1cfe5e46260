// Files written by hepflow's ROOT writer read back with identical values (the input arrays are
// the reference), including chunked reads across basket boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRootFile } from '../src/root/write/index.ts';
import { openRootFile } from '../src/root/read/index.ts';
import { isJagged, type Column } from '../src/columns.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hepflow-root-rw-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function makeColumns(n: number): Record<string, Column> {
  const nJet = new Uint32Array(n);
  for (let i = 0; i < n; i++) nJet[i] = (i * 7) % 5;
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + nJet[i]!;
  const pt = new Float32Array(offsets[n]!);
  for (let i = 0; i < pt.length; i++) pt[i] = Math.fround(10 + ((i * 37) % 1000) / 7);
  const id = new Int32Array(offsets[n]!);
  for (let i = 0; i < id.length; i++) id[i] = (i % 7) - 3;
  const met = new Float64Array(n);
  for (let i = 0; i < n; i++) met[i] = Math.sin(i) * 100;
  const ev = new BigUint64Array(n);
  for (let i = 0; i < n; i++) ev[i] = 10n ** 12n + BigInt(i);
  const trig = new Uint8Array(n);
  for (let i = 0; i < n; i++) trig[i] = i % 3 === 0 ? 1 : 0;
  return { nJet, Jet_pt: { offsets, content: pt }, Jet_id: { offsets, content: id }, MET: met, event: ev, trig };
}

for (const algorithm of ['zlib', 'zstd', 'none'] as const) {
  test(`writer (${algorithm}) -> reader round trip`, async () => {
    const n = 25_000;
    const cols = makeColumns(n);
    const file = path.join(tmp, `rt-${algorithm}.root`);
    const w = await createRootFile(file, { compression: { algorithm, level: 1 } });
    const t = w.createTree('Events', [
      { name: 'nJet', dtype: 'uint32' }, { name: 'Jet_pt', dtype: 'float32', counter: 'nJet' }, { name: 'Jet_id', dtype: 'int32', counter: 'nJet' },
      { name: 'MET', dtype: 'float64' }, { name: 'event', dtype: 'uint64' }, { name: 'trig', dtype: 'bool' },
    ], { clusterEntries: 4000, basketBytes: 8000 });
    // appended in uneven pieces so baskets and clusters do not line up with the appends
    for (let s = 0; s < n; s += 7001) {
      const e = Math.min(n, s + 7001);
      const piece: Record<string, Column> = {};
      for (const [k, c] of Object.entries(cols)) {
        if (isJagged(c)) {
          const a = c.offsets[s]!, b = c.offsets[e]!;
          piece[k] = { offsets: c.offsets.slice(s, e + 1).map((o) => o - a), content: c.content.slice(a, b) };
        } else piece[k] = c.slice(s, e);
      }
      await t.append({ entries: e - s, columns: piece });
    }
    await w.close();

    const f = await openRootFile(file);
    const tree = await f.tree('Events');
    assert.equal(tree.entries, n);
    const names = Object.keys(cols);
    const whole = await tree.read(names);
    for (const name of names) assert.deepEqual(whole.columns[name], cols[name], name);
    // chunked reads reassemble to the same values
    const chunks = tree.chunks(3000);
    assert.equal(chunks[0]!.start, 0);
    assert.equal(chunks[chunks.length - 1]!.stop, n);
    const pt: number[] = [];
    for (const r of chunks) {
      const c = (await tree.read(['Jet_pt'], r)).columns.Jet_pt!;
      assert.ok(isJagged(c));
      assert.equal(c.offsets.length, r.stop - r.start + 1);
      pt.push(...(c.content as Float32Array));
    }
    assert.deepEqual(Float32Array.from(pt), (cols.Jet_pt as { content: Float32Array }).content);
    await f.close();
  });
}

test('keys, trees and objects in (nested) directories', async () => {
  const file = path.join(tmp, 'dirs.root');
  const w = await createRootFile(file);
  w.putHist('a/b/h', { edges: Float64Array.from([0, 1, 2]), values: Float64Array.from([0, 1, 2, 0]), sumw2: Float64Array.from([0, 1, 2, 0]) } as never);
  const t = w.createTree('sub/Events', [{ name: 'x', dtype: 'float32' }]);
  await t.append({ entries: 3, columns: { x: Float32Array.from([1, 2, 3]) } });
  await w.close();
  const f = await openRootFile(file);
  const paths = f.keys().map((k) => `${k.path}:${k.className}`);
  for (const p of ['a:TDirectory', 'a/b:TDirectory', 'a/b/h:TH1D', 'sub:TDirectory', 'sub/Events:TTree']) assert.ok(paths.includes(p), `${p} in ${paths}`);
  assert.deepEqual((await (await f.tree('sub/Events')).read(['x'])).columns.x, Float32Array.from([1, 2, 3]));
  assert.equal((await f.object('a/b/h'))._typename, 'TH1D');
  await f.close();
});
