// Invalidation matrix on a small toy graph (float64 files -> read -> map -> hist, hist-raw -> summary,
// total): what recomputes after each kind of change, seen through `flow run --ui json` events, and
// the final outputs checked against a histogram computed independently from the raw files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computedChunks, makeToyProject, runDone, runToy, writeFloats, writeToyGraph } from './engine/harness.ts';
import { readFloats } from './engine/toy-kinds.ts';
import { blobPath } from '../cache/blobfiles.ts';

const dir = makeToyProject('inval');

function expectedHist(files: string[], bins: number, lo: number, hi: number, f: (x: number) => number): number[] {
  const counts = new Array(bins + 2).fill(0);
  for (const file of files) {
    for (const x of readFloats(join(dir, 'data', file))) {
      const v = f(x);
      const i = v < lo ? 0 : v >= hi ? bins + 1 : 1 + Math.floor(((v - lo) * bins) / (hi - lo));
      counts[Math.min(i, bins + 1)]++;
    }
  }
  return counts;
}

function summary(): { hists: Array<{ counts: number[] }> } {
  return JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
}

const statuses = (done: any) => Object.fromEntries(Object.entries(done.nodes).map(([k, v]: [string, any]) => [k, v.status]));

test('cold run computes everything; outputs match an independent histogram', async () => {
  const r = await runToy(dir);
  assert.equal(r.code, 0, r.stderr);
  const done = runDone(r);
  assert.equal(done.ok, true);
  for (const n of ['read', 'map', 'hist', 'hist-raw', 'summary', 'total']) assert.equal(done.nodes[n].status, 'computed', n);
  assert.equal(done.nodes.read.chunks, 9);
  assert.equal(done.nodes.read.events, 36000);
  const files = ['f0.f64', 'f1.f64', 'f2.f64'];
  assert.deepEqual(summary().hists[0]!.counts, expectedHist(files, 10, 0, 2, (x) => x * 2));
  assert.deepEqual(summary().hists[1]!.counts, expectedHist(files, 4, 0, 1, (x) => x));
});

test('no-change re-run: everything cached, no chunk computed, outputs not rewritten', async () => {
  const mtime = statSync(join(dir, 'out', 'summary.json')).mtimeMs;
  const r = await runToy(dir);
  const done = runDone(r);
  assert.equal(statSync(join(dir, 'out', 'summary.json')).mtimeMs, mtime);
  assert.deepEqual(computedChunks(r), {});
  for (const [n, s] of Object.entries(statuses(done))) assert.equal(s, 'cached', n);
  assert.equal(done.nodes.hist.cached_chunks, 9);
});

test('a deleted output file is rewritten from the cache', async () => {
  const before = readFileSync(join(dir, 'out', 'summary.json'), 'utf8');
  rmSync(join(dir, 'out', 'summary.json'));
  const r = await runToy(dir);
  assert.equal(runDone(r).nodes.summary.status, 'cached');
  assert.equal(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'), before);
});

test('changing a fill parameter recomputes that node and downstream only (skims from cache)', async () => {
  const r = await runToy(dir, ['--set', 'bins=20', '--workers', '2'], { env: { FLOW_IN_THREAD_EVENTS: '0' } });
  const done = runDone(r);
  const c = computedChunks(r);
  assert.equal(c.read, undefined, 'read must come from the cache');
  assert.equal(c.map, undefined);
  assert.equal(c['hist-raw'], undefined);
  assert.equal(c.hist?.length, 9);
  assert.equal(done.nodes.hist.reason, 'params');
  assert.equal(done.nodes.summary.status, 'computed');
  assert.equal(done.nodes['hist-raw'].status, 'cached');
  // total counts are the same with 20 bins: early cut-off, reported on node-done
  const totalDone = r.events.find((e) => e.type === 'node-done' && e.node === 'total');
  assert.equal(totalDone?.outputUnchanged, true);
  assert.deepEqual(summary().hists[0]!.counts, expectedHist(['f0.f64', 'f1.f64', 'f2.f64'], 20, 0, 2, (x) => x * 2));
});

test("changing a user function's source recomputes that node (and what its output feeds)", async () => {
  writeToyGraph(dir, { mapFn: '(x) => x * 3' });
  const r = await runToy(dir);
  const done = runDone(r);
  const c = computedChunks(r);
  assert.equal(c.read, undefined);
  assert.equal(c.map?.length, 9);
  assert.equal(done.nodes.map.reason, 'code');
  assert.equal(c.hist?.length, 9);
  assert.equal(done.nodes['hist-raw'].status, 'cached');
  assert.deepEqual(summary().hists[0]!.counts, expectedHist(['f0.f64', 'f1.f64', 'f2.f64'], 10, 0, 2, (x) => x * 3));
});

test('early cut-off: a recomputed node with identical output leaves its descendants cached', async () => {
  writeToyGraph(dir, { mapFn: '(x) => 3 * x' }); // new source, same values
  const r = await runToy(dir);
  const done = runDone(r);
  const c = computedChunks(r);
  assert.equal(c.map?.length, 9);
  assert.equal(c.hist, undefined, 'hist chunks must stay cached');
  assert.equal(done.nodes.hist.status, 'cached');
  assert.equal(done.nodes.summary.status, 'cached');
  assert.equal(done.nodes.total.status, 'cached');
});

test("touching one input file's content recomputes only its chunks", async () => {
  writeFloats(join(dir, 'data', 'f1.f64'), 12000, 777);
  const r = await runToy(dir);
  const c = computedChunks(r);
  assert.deepEqual(c.read?.sort(), ['f1.f64[0:5000]', 'f1.f64[10000:12000]', 'f1.f64[5000:10000]']);
  assert.equal(c.hist?.length, 3);
  assert.equal(runDone(r).nodes.read.cached_chunks, 6);
  assert.deepEqual(summary().hists[0]!.counts, expectedHist(['f0.f64', 'f1.f64', 'f2.f64'], 10, 0, 2, (x) => x * 3));
});

test("adding a file processes only the new file's chunks", async () => {
  writeFloats(join(dir, 'data', 'f3.f64'), 7000, 4242);
  const r = await runToy(dir);
  const c = computedChunks(r);
  assert.deepEqual(c.read?.sort(), ['f3.f64[0:5000]', 'f3.f64[5000:7000]']);
  assert.deepEqual(c['hist-raw']?.sort(), ['f3.f64[0:5000]', 'f3.f64[5000:7000]']);
  const done = runDone(r);
  assert.equal(done.nodes.read.chunks, 11);
  assert.equal(done.nodes.read.events, 43000);
  assert.equal(done.nodes.read.reason, 'input');
  assert.equal(done.nodes.inputs.status, 'computed');
  assert.equal(done.nodes.inputs.reason, 'input');
  assert.deepEqual(summary().hists[1]!.counts, expectedHist(['f0.f64', 'f1.f64', 'f2.f64', 'f3.f64'], 4, 0, 1, (x) => x));
});

test('--force NODE recomputes exactly that node and its descendants', async () => {
  const r = await runToy(dir, ['--force', 'map']);
  const done = runDone(r);
  assert.deepEqual(statuses(done), {
    inputs: 'cached', read: 'cached', 'hist-raw': 'cached',
    map: 'computed', hist: 'computed', summary: 'computed', total: 'computed',
  });
  assert.equal(done.nodes.map.reason, 'forced');
  assert.equal(done.nodes.hist.reason, 'forced');
  assert.equal(computedChunks(r).read, undefined);
});

test('a corrupted blob is detected and recomputed with the same result', async () => {
  const before = readFileSync(join(dir, 'out', 'summary.json'), 'utf8');
  const { openStore } = await import('../cache/store.ts');
  const store = await openStore(join(dir, 'cache'));
  const victims = [...store.ls()].filter((e) => e.label.node === 'map' && e.size > 20000); // file blobs
  await store.close();
  assert.ok(victims.length >= 9, 'file blobs of map');
  for (const v of victims) {
    const blob = blobPath(join(dir, 'cache', 'blobs'), v.blobs[0]!);
    const bytes = readFileSync(blob);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(blob, bytes);
  }
  // in the workers (a small re-run would otherwise stay in the main thread)
  const r = await runToy(dir, ['--force', 'hist', '--workers', '2'], { env: { FLOW_IN_THREAD_EVENTS: '0' } });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.events.some((e) => e.type === 'warning' && /corrupt/i.test(e.message)), 'a warning names the corruption');
  assert.equal(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'), before);
});

test('an output-only param change rewrites the outputs although the value is unchanged', async () => {
  writeToyGraph(dir, { mapFn: '(x) => 3 * x', summaryFile: 'renamed.json' });
  const r = await runToy(dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(runDone(r).nodes.summary.status, 'computed');
  assert.equal(readFileSync(join(dir, 'out', 'renamed.json'), 'utf8'), readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
});

test('module-level constants used by a function are part of its code (comments are not)', async () => {
  writeToyGraph(dir, { mapFn: '(x) => x * K', preamble: 'const K = 3; // three', summaryFile: 'renamed.json' });
  const a = await runToy(dir);
  assert.equal(runDone(a).nodes.map.reason, 'code');
  assert.equal(computedChunks(a).hist, undefined, 'same values as 3 * x: early cut-off');
  writeToyGraph(dir, { mapFn: '(x) => x * K', preamble: 'const K = 3; /* another comment */', summaryFile: 'renamed.json' });
  const b = await runToy(dir);
  assert.deepEqual(computedChunks(b), {});
  writeToyGraph(dir, { mapFn: '(x) => x * K', preamble: 'const K = 4;', summaryFile: 'renamed.json' });
  const c = await runToy(dir);
  const done = runDone(c);
  assert.equal(done.nodes.map.status, 'computed');
  assert.equal(done.nodes.map.reason, 'code');
  assert.equal(done.nodes.read.status, 'cached');
  assert.equal(done.nodes['hist-raw'].status, 'cached', 'nodes without functions are not affected');
  const s = JSON.parse(readFileSync(join(dir, 'out', 'renamed.json'), 'utf8'));
  assert.deepEqual(s.hists[0].counts, expectedHist(['f0.f64', 'f1.f64', 'f2.f64', 'f3.f64'], 10, 0, 2, (x) => x * 4));
});

test('module-level edits leave functions that use no module-level name cached', async () => {
  writeToyGraph(dir, { mapFn: '(x) => x * 4', preamble: 'const K = 4;', summaryFile: 'renamed.json' });
  const a = await runToy(dir);
  assert.equal(runDone(a).nodes.map.reason, 'code'); // new source text
  writeToyGraph(dir, { mapFn: '(x) => x * 4', preamble: 'const K = 5;\nfunction helper(y: number): number { return y + 1; }', summaryFile: 'renamed.json' });
  const b = await runToy(dir);
  assert.deepEqual(computedChunks(b), {});
  assert.equal(runDone(b).nodes.map.status, 'cached');
  writeToyGraph(dir, { mapFn: '(x) => helper(x) * 4', preamble: 'function helper(y: number): number { return y + 1; }', summaryFile: 'renamed.json' });
  await runToy(dir);
  writeToyGraph(dir, { mapFn: '(x) => helper(x) * 4', preamble: 'function helper(y: number): number { return y + 2; }', summaryFile: 'renamed.json' });
  const c = await runToy(dir);
  assert.equal(runDone(c).nodes.map.reason, 'code', 'a changed helper recomputes the function using it');
  const s = JSON.parse(readFileSync(join(dir, 'out', 'renamed.json'), 'utf8'));
  assert.deepEqual(s.hists[0].counts, expectedHist(['f0.f64', 'f1.f64', 'f2.f64', 'f3.f64'], 10, 0, 2, (x) => (x + 2) * 4));
});
