// Faults: a chunk that keeps failing is retried, then fails its node (exit 1, the file named) or,
// with --skip-bad-files, is skipped and listed in the summary while the rest completes. A ROOT file
// without the tree is skipped the same way at planning time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { flow, makeToyProject, ROOT, runDone, runToy, tempDir, writeToyGraph } from './engine/harness.ts';

const dir = makeToyProject('faults');
writeToyGraph(dir, { fail: 'f1.f64' });

test('a failing chunk is retried, then its nodes fail and dependents are skipped (exit 1)', async () => {
  const r = await runToy(dir, ['--retries', '2']);
  assert.equal(r.code, 1);
  const done = runDone(r);
  assert.equal(done.ok, false);
  assert.equal(done.nodes.read.status, 'failed');
  assert.match(done.nodes.read.error, /f1\.f64.*toy read error/);
  assert.deepEqual([done.nodes.hist.status, done.nodes.hist.reason], ['skipped', "input 'read' failed"]);
  assert.equal(done.nodes.summary.status, 'skipped');
  const retries = r.events.filter((e) => e.type === 'warning' && /f1\.f64\[0:5000\] failed \(attempt/.test(e.message));
  assert.equal(retries.length, 2);
});

test('--skip-bad-files: the bad file is skipped and listed, the others complete', async () => {
  const r = await runToy(dir, ['--skip-bad-files', '--retries', '0']);
  assert.equal(r.code, 0, r.stderr);
  const done = runDone(r);
  assert.equal(done.ok, true);
  assert.equal(done.skippedFiles.length, 1);
  assert.match(done.skippedFiles[0].path, /f1\.f64$/);
  assert.match(done.skippedFiles[0].reason, /toy read error/);
  const s = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
  const total = s.hists[1].counts.reduce((a: number, b: number) => a + b, 0);
  assert.equal(total, 24000, 'f0 and f2 only');
});

test("fetch's skipBadFiles works like --skip-bad-files for its files", async () => {
  writeToyGraph(dir, { fail: 'f2.f64', skipBadFiles: true });
  const r = await runToy(dir, ['--retries', '0']);
  assert.equal(r.code, 0, r.stderr);
  const done = runDone(r);
  assert.deepEqual(done.skippedFiles.map((f: { path: string }) => f.path.split('/').pop()), ['f2.f64']);
  writeToyGraph(dir, { fail: 'f1.f64' });
});

test('skim: a file without the tree is skipped at planning with --skip-bad-files', async () => {
  const d = tempDir('faults-root');
  const data = resolve(ROOT, '../shared/data/root');
  writeFileSync(join(d, 'g.ts'), `import { graph } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { colStats } from ${JSON.stringify(join(ROOT, 'test/engine/toy-kinds.ts'))};
export default graph('g', (g) => {
  const files = g.fetch('inputs', { files: [${JSON.stringify(join(data, 'uproot-HZZ.root'))}, ${JSON.stringify(join(data, 'uproot-histograms.root'))}] });
  g.node(colStats, 'stats', g.skim('skim', files, { tree: 'events', branches: ['NJet'] }), {});
});
`);
  const bad = await flow(['run', 'g.ts', '--ui', 'json', '--cache-dir', 'c', '--workers', '1'], d);
  assert.equal(bad.code, 1);
  assert.match(runDone(bad).nodes.skim.error, /uproot-histograms\.root/);
  const ok = await flow(['run', 'g.ts', '--ui', 'json', '--cache-dir', 'c', '--workers', '1', '--skip-bad-files'], d);
  assert.equal(ok.code, 0, ok.stderr);
  const done = runDone(ok);
  assert.equal(done.skippedFiles.length, 1);
  assert.match(done.skippedFiles[0].path, /uproot-histograms\.root$/);
  assert.equal(done.nodes.skim.events, 2421);
});

test('an exception in a user function names the node, the chunk and the line of the graph file', async () => {
  const d = makeToyProject('faults-user', 1, 6000);
  writeToyGraph(d, { mapFn: '(x) => { if (x > 0.9) throw new TypeError("bad value " + x); return x; }' });
  const r = await runToy(d, ['--retries', '0']);
  assert.equal(r.code, 1);
  const done = runDone(r);
  const msg = done.nodes.map.error as string;
  const line = readFileSync(join(d, 'toy.ts'), 'utf8').split('\n').findIndex((l) => l.includes('bad value')) + 1;
  assert.match(msg, new RegExp(`f0\\.f64 \\[0:5000\\]: node 'map' \\(toy-map\\): TypeError: bad value 0\\.9\\d+ \\(at .*toy\\.ts:${line}:\\d+\\)`));
});

test('an exception in a user function is not retried: it would fail the same way again', async () => {
  const d = makeToyProject('faults-user');
  writeToyGraph(d, { mapFn: "(x) => { if (x > 0.99) throw new Error('user bug'); return x * 2; }" });
  const r = await runToy(d, ['--retries', '2']);
  assert.equal(r.code, 1);
  const done = runDone(r);
  assert.equal(done.nodes.map.status, 'failed');
  assert.match(done.nodes.map.error, /user bug/);
  const retries = r.events.filter((e) => e.type === 'warning' && /failed \(attempt/.test(e.message));
  assert.equal(retries.length, 0);
});

test('--skip-bad-files skips unreadable files, not exceptions in user code (issue 13 item 9)', async () => {
  const d = makeToyProject('faults-skip-user');
  writeToyGraph(d, { mapFn: "(x) => { if (x > 0.99) throw new Error('user bug'); return x * 2; }" });
  const r = await runToy(d, ['--skip-bad-files', '--retries', '0']);
  assert.equal(r.code, 1, r.stdout.slice(-2000));
  const done = runDone(r);
  assert.equal(done.nodes.map.status, 'failed');
  assert.match(done.nodes.map.error, /node 'map' \(toy-map\): user bug/);
  assert.equal(done.skippedFiles, undefined);
});

test('a run where every file was skipped fails, naming the source and the first reason (issue 13 item 9)', async () => {
  const d = makeToyProject('faults-skip-all');
  writeToyGraph(d, { fail: '.f64' });
  const r = await runToy(d, ['--skip-bad-files', '--retries', '0']);
  assert.equal(r.code, 1, r.stdout.slice(-2000));
  const done = runDone(r);
  assert.equal(done.nodes.read.status, 'failed');
  assert.match(done.nodes.read.error, /every file of node 'read' was skipped \(--skip-bad-files\); the first, \S+f\d\.f64: .*toy read error/);
  assert.equal(done.nodes.summary.status, 'skipped');
  assert.equal(done.skippedFiles.length, 3);
});
