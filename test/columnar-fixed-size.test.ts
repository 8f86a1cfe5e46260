// Fixed-size array columns (`float cov[2]`, `short m[2][3]`) have an explicit shape and keep their
// values per event through the one mask filter (skim, select, Events.filter), the Arrow cache codec
// and a `flow run` (skim -> select -> fill, re-filled from the cached chunks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventColumnBatch, FixedSize } from '../src/columns.ts';
import { Events } from '../src/columnar/events.ts';
import { filterBatch } from '../src/columnar/filter.ts';
import { eventBatchCodec } from '../src/engine/codecs.ts';
import { createRootFile } from '../src/root/write/index.ts';
import { flow, ROOT, runDone, tempDir } from './engine/harness.ts';

const values = (c: unknown) => Array.from((c as FixedSize).content as Float64Array);

const issueBatch = (): EventColumnBatch => ({
  entries: 3,
  columns: { cov: { shape: [2], content: new Float64Array([10, 11, 20, 21, 30, 31]) }, k: new Int32Array([1, 2, 3]) },
});

test('one mask filter: Events.filter and filterBatch keep whole fixed-size entries', () => {
  const mask = new Uint8Array([0, 1, 1]);
  const view = new Events(issueBatch()).filter(mask);
  assert.deepEqual(values(view.fixed('cov')), [20, 21, 30, 31]);
  assert.deepEqual(view.fixed('cov').shape, [2]);
  assert.throws(() => view.col('cov'), /shape \[2\] per event; use fixed\('cov'\)/);
  const out = filterBatch(issueBatch(), mask);
  assert.equal(out.entries, 2);
  assert.deepEqual(values(out.columns.cov), [20, 21, 30, 31]);
  assert.deepEqual((out.columns.cov as FixedSize).shape, [2]);
  assert.deepEqual(Array.from(out.columns.k as Int32Array), [2, 3]);
});

test('a flat column with an implicit width is refused, not filtered value by value', () => {
  const bad = { entries: 3, columns: { cov: new Float64Array([10, 11, 20, 21, 30, 31]) } };
  assert.throws(() => filterBatch(bad, [0, 1, 1]), /column 'cov': 6 values for 3 entries \(fixed-size arrays are \{ shape, content \} columns\)/);
  assert.throws(() => new Events(bad).filter([0, 1, 1]).batch.columns.cov, /column 'cov': 6 values for 3 entries/);
});

test('the Arrow codec carries fixed-size lists with their shape (also sliced batches)', () => {
  const m = new Int16Array(18).map((_, i) => i * 7 - 40);
  const b: EventColumnBatch = { entries: 3, columns: { ...issueBatch().columns, m: { shape: [2, 3], content: m } } };
  for (const batch of [b, filterBatch(b, [1, 0, 1])]) {
    const { meta, payloads } = eventBatchCodec.encode(batch);
    const back = eventBatchCodec.decode(meta, payloads);
    assert.equal(back.entries, batch.entries);
    for (const name of ['cov', 'm']) {
      const c = back.columns[name] as FixedSize, want = batch.columns[name] as FixedSize;
      assert.deepEqual(c.shape, want.shape, name);
      assert.deepEqual(Array.from(c.content as Int16Array), Array.from(want.content as Int16Array), name);
      assert.equal(c.content.constructor, want.content.constructor, name);
    }
  }
  assert.throws(() => eventBatchCodec.encode({ entries: 2, columns: { cov: { shape: [2], content: new Float64Array(6) } } }), /column 'cov': 6 values for 2 entries of shape \[2\]/);
});

test('flow run: fixed-size branches through skim (where), select, fill and the cache', async () => {
  const dir = tempDir('fixed');
  const N = 40;
  const file = join(dir, 'fixed.root');
  const w = await createRootFile(file);
  const t = w.createTree('T', [{ name: 'cov', dtype: 'float64', shape: [2] }, { name: 'm', dtype: 'int16', shape: [2, 3] }, { name: 'k', dtype: 'int32' }], { basketBytes: 64, clusterEntries: 8 });
  await t.append({
    entries: N,
    columns: {
      cov: Float64Array.from({ length: 2 * N }, (_, j) => (j % 2 ? 100.5 : 0) + Math.floor(j / 2)),
      m: Int16Array.from({ length: 6 * N }, (_, j) => j),
      k: Int32Array.from({ length: N }, (_, i) => i),
    },
  });
  await w.close();
  writeFileSync(join(dir, 'g.ts'), `import { graph, z, regular, strCategory } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
export default graph('fixed', { params: z.object({ bins: z.number().int() }) }, (g, p) => {
  const files = g.fetch('inputs', { files: ${JSON.stringify(file)} });
  // row fields of fixed-size branches are per-event views: cov[0] is i
  const ev = g.skim('skim', files, { tree: 'T', branches: ['cov', 'm', 'k'], where: (e) => e.cov[0] % 2 === 0 && e.m[5] === 6 * e.k + 5 });
  const sel = g.select('sel', ev, { select: (e) => {
    const k = e.col('k');
    return { keep: Uint8Array.from(k, (x) => +(x % 4 === 0)) };
  } });
  g.fill('h', sel, {
    histograms: { c1: [regular(p.bins, 0, 200, { name: 'x' }), strCategory([], { name: 'process', growth: true })] },
    fill: (e, h, { sample }) => {
      const cov = e.fixed('cov'), m = e.fixed('m'), k = e.col('k');
      const x = Float64Array.from(k, (_, i) => (m.content[6 * i] === 6 * k[i] && cov.content[2 * i] === k[i] ? cov.content[2 * i + 1] : -1));
      h.c1.fill({ x, process: sample.process });
    },
    normalise: 'none',
    output: { json: 'h.json' },
  });
});
`);
  const expected = (bins: number) => {
    const counts = new Array<number>(bins).fill(0);
    for (let i = 0; i < N; i += 4) counts[Math.floor((100.5 + i) / (200 / bins))]!++; // mid-bin values: no edge rounding
    return counts;
  };
  for (const bins of [200, 50]) {
    const r = await flow(['run', 'g.ts', '--ui', 'json', '--cache-dir', 'cache', '--out', `out${bins}`, '--workers', '1', '--chunk-size', '8', '--set', `bins=${bins}`], dir);
    assert.equal(r.code, 0, r.stderr);
    const done = runDone(r);
    if (bins === 50) assert.equal(done.nodes.sel.status, 'cached', 'the second run re-fills from the cached (Arrow-decoded) chunks');
    const h = JSON.parse(readFileSync(join(dir, `out${bins}`, 'h.json'), 'utf8')) as Record<string, { contents: number[] }>;
    const [name] = Object.keys(h);
    // contents include the under/overflow bins
    assert.deepEqual(h[name!]!.contents.slice(1, -1), expected(bins), `bins=${bins}`);
    assert.equal(h[name!]!.contents[0], 0, 'nothing at -1 (every value matched its event)');
  }
});
