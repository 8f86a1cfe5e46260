// fetch + skim on real ROOT files through `flow run`: glob branch patterns, cluster-aligned chunks,
// the cheap `where` filter, and column counts/sums against uproot's reference values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { flow, ROOT, runDone, tempDir } from './engine/harness.ts';

const DATA = resolve(ROOT, '../shared/data/root');
const refs = JSON.parse(readFileSync(resolve(ROOT, '../shared/refs/root/uproot-HZZ.json'), 'utf8')).trees.events;
const dir = tempDir('skim');

function writeGraph(where: string): void {
  writeFileSync(join(dir, 'hzz.ts'), `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { colStats } from ${JSON.stringify(join(ROOT, 'test/engine/toy-kinds.ts'))};
export default graph('hzz-skim', (g) => {
  const files = g.fetch('inputs', { samples: { zz: [${JSON.stringify(join(DATA, 'uproot-HZZ-zlib.root'))}] } });
  const ev = g.skim('skim', files, { tree: 'events', branches: ['Muon_P?', 'NMuon', 'MET_p?'] ${where} });
  g.node(colStats, 'stats', ev, {});
});
`);
}

test('skim reads glob-selected branches in chunks; sums match uproot', async () => {
  writeGraph('');
  const r = await flow(['run', 'hzz.ts', '--ui', 'json', '--cache-dir', 'cache', '--out', 'out', '--chunk-size', '700', '--workers', '2'], dir);
  assert.equal(r.code, 0, r.stderr);
  const done = runDone(r);
  assert.ok(done.nodes.skim.chunks > 1, 'several chunks');
  assert.equal(done.nodes.skim.events, refs.entries);
  const stats = JSON.parse(readFileSync(join(dir, 'out', 'stats.json'), 'utf8'));
  assert.equal(stats.entries, refs.entries);
  assert.deepEqual(Object.keys(stats.cols).sort(), ['MET_px', 'MET_py', 'Muon_Px', 'Muon_Py', 'Muon_Pz', 'NMuon']);
  for (const [name, s] of Object.entries<any>(stats.cols)) {
    const ref = refs.branches[name];
    assert.equal(s.count, ref.count, name);
    assert.ok(Math.abs(s.sum - ref.sum) <= 1e-6 * Math.max(1, Math.abs(ref.sum)), `${name}: ${s.sum} vs ${ref.sum}`);
  }
});

test('where filter keeps exactly the events passing it (jagged columns follow)', async () => {
  writeGraph(', where: (e) => e.NMuon >= 2');
  const r = await flow(['run', 'hzz.ts', '--ui', 'json', '--cache-dir', 'cache', '--out', 'out2', '--chunk-size', '700', '--workers', '1'], dir);
  assert.equal(r.code, 0, r.stderr);
  // expectation from the unfiltered NMuon column (the reader is checked against uproot above),
  // independent of the filter code
  const { openRootFile } = await import('../src/root/read/index.ts');
  const rf = await openRootFile(join(DATA, 'uproot-HZZ-zlib.root'));
  const nmu = Array.from((await (await rf.tree('events')).read(['NMuon'])).columns.NMuon as Int32Array);
  await rf.close();
  const stats = JSON.parse(readFileSync(join(dir, 'out2', 'stats.json'), 'utf8'));
  assert.equal(nmu.length, refs.entries);
  assert.equal(stats.entries, nmu.filter((n) => n >= 2).length);
  assert.equal(stats.cols.Muon_Px.count, nmu.filter((n) => n >= 2).reduce((a, b) => a + b, 0));
  // and in any case: consistent with the unfiltered reference (every kept event has >= 2 muons)
  assert.ok(stats.entries < refs.entries && stats.entries > 0);
  assert.equal(stats.cols.NMuon.sum, stats.cols.Muon_Px.count);
  assert.ok(stats.cols.Muon_Px.count >= 2 * stats.entries);
});

test('a changed downstream node re-runs from the cached skim without opening the ROOT file', async () => {
  // a private copy of the file; after the first run its bytes are destroyed but its fingerprint
  // (path, size, mtime) kept: the re-run can only be right if it never reads the file
  const d = tempDir('skim-nofile');
  const copy = join(d, 'hzz.root');
  copyFileSync(join(DATA, 'uproot-HZZ-zlib.root'), copy);
  const stamp = 1_700_000_000; // whole seconds: restorable exactly
  utimesSync(copy, stamp, stamp);
  const write = (offset: number) => writeFileSync(join(d, 'g.ts'), `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { colStats } from ${JSON.stringify(join(ROOT, 'test/engine/toy-kinds.ts'))};
export default graph('nofile', (g) => {
  const ev = g.skim('skim', g.fetch('inputs', { files: ${JSON.stringify(copy)} }), { tree: 'events', branches: ['MET_px'] });
  g.node(colStats, 'stats', ev, { offset: ${offset} });
});
`);
  const args = ['run', 'g.ts', '--ui', 'json', '--cache-dir', 'cache', '--out', 'out', '--chunk-size', '700', '--workers', '1'];
  write(0);
  const first = await flow(args, d);
  assert.equal(first.code, 0, first.stderr);
  const st = statSync(copy);
  writeFileSync(copy, new Uint8Array(st.size)); // zeros
  utimesSync(copy, stamp, stamp);
  assert.equal(statSync(copy).mtimeMs, st.mtimeMs);
  write(1);
  const r = await flow(args, d);
  assert.equal(r.code, 0, r.stderr);
  const done = runDone(r);
  assert.equal(done.nodes.skim.status, 'cached');
  assert.equal(done.nodes.skim.cached_chunks, done.nodes.skim.chunks);
  assert.equal(done.nodes.stats.status, 'computed');
  const stats = JSON.parse(readFileSync(join(d, 'out', 'stats.json'), 'utf8'));
  const ref = refs.branches.MET_px;
  assert.equal(stats.cols.MET_px.count, ref.count);
  const expected = ref.sum + ref.count; // offset 1 per value
  assert.ok(Math.abs(stats.cols.MET_px.sum - expected) <= 1e-6 * Math.abs(expected), `${stats.cols.MET_px.sum} vs ${expected}`);
});

test('a changed cross-section re-runs the nodes after the skim on its cached columns', async () => {
  // as above: the file's bytes are destroyed after the first run, so reading it again would fail
  const d = tempDir('skim-xsec');
  const copy = join(d, 'hzz.root');
  copyFileSync(join(DATA, 'uproot-HZZ-zlib.root'), copy);
  const stamp = 1_700_000_000;
  utimesSync(copy, stamp, stamp);
  const write = (xsec: number) => writeFileSync(join(d, 'g.ts'), `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { colStats } from ${JSON.stringify(join(ROOT, 'test/engine/toy-kinds.ts'))};
export default graph('xsec', (g) => {
  const files = g.fetch('inputs', { samples: { zz: { files: [${JSON.stringify(copy)}], xsec: ${xsec} } } });
  const ev = g.skim('skim', files, { tree: 'events', branches: ['MET_px'] });
  g.node(colStats, 'stats', ev, {});
});
`);
  const args = ['run', 'g.ts', '--ui', 'json', '--cache-dir', 'cache', '--out', 'out', '--chunk-size', '700', '--workers', '1'];
  write(1.5);
  const first = await flow(args, d);
  assert.equal(first.code, 0, first.stderr);
  const st = statSync(copy);
  writeFileSync(copy, new Uint8Array(st.size));
  utimesSync(copy, stamp, stamp);
  write(2.5);
  const r = await flow(args, d);
  assert.equal(r.code, 0, r.stderr);
  const done = runDone(r);
  assert.equal(done.nodes.inputs.status, 'computed', 'the file set changed (new cross-section)');
  assert.equal(done.nodes.skim.cached_chunks, done.nodes.skim.chunks, 'no chunk re-read');
  assert.equal(done.nodes.stats.status, 'computed', 'downstream chunk nodes see the new metadata');
  const stats = JSON.parse(readFileSync(join(d, 'out', 'stats.json'), 'utf8'));
  assert.equal(stats.cols.MET_px.count, refs.branches.MET_px.count);
});
