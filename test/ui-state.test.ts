import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunEvent } from '../src/engine/events.ts';
import {
  cachedChunks, chunksDone, cpuOf, elapsedOf, etaOf, eventsOf, progressOf, rateOf, runEta, runRate, totals,
} from '../src/ui/figures.ts';
import { completeRunDone, synthesizeRunDone } from '../src/ui/run-report.ts';
import { initialState, KEEP_WARNINGS, reduce } from '../src/ui/state.ts';
import { reduceAll } from './helpers/ui-state.ts';

// A skim over 40 chunks: 12 served from cache, 28 computed, events drawn so the sums are known here.
function skimRun(opts: { announceCached: boolean; cachedChunkEvents: boolean }) {
  const events: RunEvent[] = [
    { type: 'run-start', graph: 'g', file: 'g.ts', nodes: ['inputs', 'skim', 'fit'], workers: 2, cacheDir: '.c', t: 1000 },
    { type: 'node-queued', node: 'inputs', kind: 'fetch', t: 1001 },
    { type: 'node-queued', node: 'skim', kind: 'skim', t: 1001 },
    { type: 'node-queued', node: 'fit', kind: 'fit', t: 1001 },
    { type: 'node-cached', node: 'inputs', kind: 'fetch', t: 1010 },
    { type: 'node-start', node: 'skim', kind: 'skim', reason: 'params', chunks: 40, ...(opts.announceCached ? { cachedChunks: 12 } : {}), t: 1100 },
  ];
  let computedEvents = 0, cachedEvents = 0, bytes = 0, lastT = 1100;
  for (let c = 0; c < 40; c++) {
    const n = 1000 + 37 * c;
    const cached = c < 12;
    if (cached && !opts.cachedChunkEvents) {
      cachedEvents += n;
      continue;
    }
    if (cached) cachedEvents += n;
    else computedEvents += n;
    bytes += 8 * n;
    lastT = 1100 + 50 * (c + 1);
    events.push({ type: 'chunk-done', node: 'skim', chunk: `f.root:${c}`, events: n, bytes: 8 * n, cached, seconds: 0.05, t: lastT });
  }
  return { events, computedEvents, cachedEvents, bytes, lastT };
}

test('chunk counters, cache hits and rate follow chunk-done events', () => {
  const run = skimRun({ announceCached: false, cachedChunkEvents: true });
  const s = reduceAll(run.events);
  const skim = s.nodes['skim']!;
  assert.equal(skim.phase, 'running');
  assert.equal(chunksDone(skim), 40);
  assert.equal(cachedChunks(skim), 12);
  assert.equal(eventsOf(skim), run.computedEvents + run.cachedEvents);
  assert.equal(skim.eventsComputed, run.computedEvents);
  assert.equal(skim.bytes, run.bytes);
  assert.deepEqual(progressOf(skim), { done: 40, total: 40, unit: 'chunks' });
  // Only computed events count towards the rate, over the time from start to the last chunk.
  const expectedRate = run.computedEvents / ((run.lastT - 1100) / 1000);
  assert.ok(Math.abs(rateOf(skim) - expectedRate) < 1e-6 * expectedRate);
  assert.equal(s.nodes['inputs']!.phase, 'cached');
  assert.equal(s.nodes['fit']!.phase, 'queued');
  assert.deepEqual(s.order, ['inputs', 'skim', 'fit']);
});

test('cached chunks announced by node-start are not counted twice when chunk-done repeats them', () => {
  for (const cachedChunkEvents of [false, true]) {
    const run = skimRun({ announceCached: true, cachedChunkEvents });
    const skim = reduceAll(run.events).nodes['skim']!;
    assert.equal(cachedChunks(skim), 12, `cachedChunkEvents=${cachedChunkEvents}`);
    assert.equal(chunksDone(skim), 40, `cachedChunkEvents=${cachedChunkEvents}`);
  }
});

test('progress part-way is reported as done/total', () => {
  const run = skimRun({ announceCached: false, cachedChunkEvents: true });
  // run-start, 3 queued, cached, start = 6 events; then 12 cached + 3 computed chunks.
  const s = reduceAll(run.events.slice(0, 6 + 15));
  assert.deepEqual(progressOf(s.nodes['skim']!), { done: 15, total: 40, unit: 'chunks' });
  assert.equal(cachedChunks(s.nodes['skim']!), 12);
});

test('node-done and run-done figures override the running counters', () => {
  const run = skimRun({ announceCached: true, cachedChunkEvents: false });
  let s = reduceAll(run.events);
  s = reduce(s, { type: 'node-done', node: 'skim', kind: 'skim', seconds: 2.5, chunks: 40, events: 123456, cachedChunks: 12, t: 3600 });
  const skim = s.nodes['skim']!;
  assert.equal(skim.phase, 'computed');
  assert.equal(eventsOf(skim), 123456);
  assert.equal(elapsedOf(skim, 99999), 2.5);
  s = reduce(s, { type: 'node-start', node: 'fit', kind: 'fit', reason: 'input', t: 3600 });
  s = reduce(s, { type: 'node-failed', node: 'fit', kind: 'fit', error: 'did not converge\n  at minimise', t: 3900 });
  assert.equal(s.nodes['fit']!.phase, 'failed');
  assert.equal(elapsedOf(s.nodes['fit']!, 5000), 0.3);
  s = reduce(s, {
    type: 'run-done', ok: false, seconds: 2.9,
    nodes: {
      inputs: { status: 'cached', reason: 'cached', seconds: 0 },
      skim: { status: 'computed', reason: 'params', seconds: 2.5, chunks: 40, events: 123456, cached_chunks: 12 },
      fit: { status: 'failed', reason: 'input', seconds: 0.3, error: 'did not converge' },
    },
    skippedFiles: [{ path: 'bad.root', reason: 'truncated' }],
    t: 3900,
  });
  const tot = totals(s);
  assert.deepEqual(
    { computed: tot.computed, cached: tot.cached, failed: tot.failed, skipped: tot.skipped, events: tot.events, chunks: tot.chunks, cachedChunks: tot.cachedChunks },
    { computed: 1, cached: 1, failed: 1, skipped: 0, events: 123456, chunks: 40, cachedChunks: 12 },
  );
  assert.equal(s.finished?.ok, false);
  assert.deepEqual(s.finished?.skippedFiles, [{ path: 'bad.root', reason: 'truncated' }]);
});

test('run-done marks nodes it does not mention as interrupted or not reached', () => {
  let s = reduceAll([
    { type: 'run-start', graph: 'g', file: 'g.ts', nodes: ['a', 'b', 'c'], workers: 1, cacheDir: null, t: 0 },
    { type: 'node-start', node: 'a', kind: 'skim', reason: 'new', chunks: 4, t: 1 },
  ]);
  s = reduce(s, { type: 'run-done', ok: false, seconds: 1, nodes: {}, t: 1000 });
  assert.equal(s.nodes['a']!.phase, 'failed');
  assert.equal(s.nodes['a']!.interrupted, true);
  assert.equal(s.nodes['b']!.phase, 'skipped');
  assert.equal(s.nodes['c']!.phase, 'skipped');
  assert.equal(s.finished?.interrupted, true);
  assert.deepEqual([totals(s).failed, totals(s).interrupted, totals(s).skipped], [0, 1, 2]);
});

test('the reducer is pure: earlier states are untouched', () => {
  const s0 = reduceAll([{ type: 'run-start', graph: 'g', file: 'g.ts', nodes: ['a'], workers: 1, cacheDir: null, t: 0 }]);
  const frozen = JSON.stringify(s0);
  const s1 = reduce(s0, { type: 'chunk-done', node: 'a', chunk: 'x', events: 10, bytes: 1, cached: false, seconds: 0.1, t: 5 });
  assert.equal(JSON.stringify(s0), frozen);
  assert.notEqual(s1, s0);
  assert.equal(eventsOf(s1.nodes['a']!), 10);
});

test('warnings keep the last few and count all', () => {
  let s = initialState();
  for (let i = 0; i < KEEP_WARNINGS + 3; i++) s = reduce(s, { type: 'warning', node: 'skim', message: `w${i}`, t: i });
  assert.equal(s.warningCount, KEEP_WARNINGS + 3);
  assert.equal(s.warnings.length, KEEP_WARNINGS);
  assert.equal(s.warnings.at(-1)!.message, `w${KEEP_WARNINGS + 2}`);
});

test('total events: skims summed (later nodes see the same events again)', () => {
  const s = reduceAll([
    { type: 'chunk-done', node: 'skim-data', chunk: 'a', events: 100, bytes: 0, cached: false, seconds: 0, t: 1 },
    { type: 'chunk-done', node: 'skim-mc', chunk: 'b', events: 50, bytes: 0, cached: false, seconds: 0, t: 1 },
    { type: 'chunk-done', node: 'fill', chunk: 'a', events: 100, bytes: 0, cached: false, seconds: 0, t: 1 },
    { type: 'node-queued', node: 'skim-data', kind: 'skim', t: 0 },
    { type: 'node-queued', node: 'skim-mc', kind: 'skim', t: 0 },
    { type: 'node-queued', node: 'fill', kind: 'fill', t: 0 },
  ]);
  assert.equal(totals(s).events, 150);
});

test('a report made up for a stream without run-done carries the per-node figures', () => {
  const run = skimRun({ announceCached: false, cachedChunkEvents: true });
  const s = reduceAll(run.events);
  const done = synthesizeRunDone(s, 'worker crashed');
  assert.equal(done.ok, false);
  assert.equal(done.nodes['inputs']!.status, 'cached');
  assert.equal(done.nodes['skim']!.status, 'failed');
  assert.equal(done.nodes['skim']!.chunks, 40);
  assert.equal(done.nodes['skim']!.cached_chunks, 12);
  assert.equal(done.nodes['skim']!.events, run.computedEvents + run.cachedEvents);
  assert.equal(done.nodes['fit']!.status, 'skipped');
  assert.equal(done.seconds, (run.lastT - 1000) / 1000);
});

test('completeRunDone fills missing chunk figures and keeps the engine ones', () => {
  const run = skimRun({ announceCached: false, cachedChunkEvents: true });
  const s = reduceAll(run.events);
  const engine: Extract<RunEvent, { type: 'run-done' }> = {
    type: 'run-done', ok: true, seconds: 3, t: 5000,
    nodes: { inputs: { status: 'cached', reason: 'cached', seconds: 0 }, skim: { status: 'computed', reason: 'params', seconds: 2, events: 7 } },
  };
  const full = completeRunDone(engine, s);
  assert.deepEqual(full.nodes['skim'], { status: 'computed', reason: 'params', seconds: 2, events: 7, chunks: 40, cached_chunks: 12 });
  assert.deepEqual(full.nodes['inputs'], { status: 'cached', reason: 'cached', seconds: 0 });
});

test('node-progress in chunks counts when the engine sends no chunk-done for some chunks', () => {
  const s = reduceAll([
    { type: 'node-start', node: 'skim', kind: 'skim', reason: 'new', chunks: 10, cachedChunks: 3, t: 0 },
    { type: 'chunk-done', node: 'skim', chunk: 'a', events: 1, bytes: 0, cached: false, seconds: 0, t: 1 },
    { type: 'node-progress', node: 'skim', done: 4, total: 10, unit: 'chunks', t: 1 },
    { type: 'node-progress', node: 'skim', done: 7, total: 10, unit: 'chunks', t: 2 },
  ]);
  assert.deepEqual(progressOf(s.nodes['skim']!), { done: 7, total: 10, unit: 'chunks' });
  assert.equal(cachedChunks(s.nodes['skim']!), 3);
});

test('the run rate counts the events read once (skims), not once per node that sees them', () => {
  const chunk = (node: string, t: number): RunEvent => ({ type: 'chunk-done', node, chunk: String(t), events: 1000, bytes: 0, cached: false, seconds: 0, t });
  const s = reduceAll([
    { type: 'node-start', node: 'skim', kind: 'skim', reason: 'new', chunks: 10, t: 0 },
    { type: 'node-start', node: 'fill', kind: 'fill', reason: 'new', chunks: 10, t: 0 },
    chunk('skim', 500), chunk('fill', 500), chunk('skim', 1000), chunk('fill', 1000),
  ]);
  // 2000 events in 1 s, seen by two nodes.
  assert.equal(runRate(s), 2000);
});

test('ETA from the pace of computed chunks', () => {
  const chunk = (t: number, cached = false): RunEvent => ({ type: 'chunk-done', node: 'skim', chunk: String(t), events: 10, bytes: 0, cached, seconds: 0, t });
  let s = reduceAll([{ type: 'node-start', node: 'skim', kind: 'skim', reason: 'new', chunks: 20, cachedChunks: 4, t: 0 }, chunk(3000), chunk(3500)]);
  assert.equal(etaOf(s.nodes['skim']!), undefined);
  s = reduceAll([chunk(4000), chunk(4500)], s);
  // After the first chunk (start-up before it does not count): 3 more in 1.5 s (2 chunks/s);
  // 4 computed and 4 cached, so 12 of 20 left: 6 s.
  assert.equal(etaOf(s.nodes['skim']!), 6);
  assert.equal(runEta(s), 6);
});

test('progress moves inside a first slow chunk: events, rate from the first basket, a partial bar; chunk-done takes over', () => {
  const start: RunEvent[] = [
    { type: 'run-start', graph: 'g', file: 'g.ts', nodes: ['skim'], workers: 2, cacheDir: null, t: 0 },
    { type: 'node-start', node: 'skim', kind: 'skim', reason: 'new', chunks: 4, t: 0 },
  ];
  let s = reduceAll(start);
  assert.equal(eventsOf(s.nodes.skim!), 0);
  assert.equal(rateOf(s.nodes.skim!), 0);
  // two chunks of 200k in flight, 6 s each: after the first basket (0.5 s) the row already moves
  s = reduce(s, { type: 'chunk-progress', node: 'skim', chunk: 'f.root[0:200000]', events: 10_000, total: 200_000, t: 500 });
  assert.equal(eventsOf(s.nodes.skim!), 10_000);
  assert.equal(rateOf(s.nodes.skim!), 20_000);
  s = reduce(s, { type: 'chunk-progress', node: 'skim', chunk: 'f.root[200000:400000]', events: 50_000, total: 200_000, t: 3000 });
  s = reduce(s, { type: 'chunk-progress', node: 'skim', chunk: 'f.root[0:200000]', events: 100_000, total: 200_000, t: 3000 });
  assert.equal(eventsOf(s.nodes.skim!), 150_000);
  assert.equal(rateOf(s.nodes.skim!), 50_000);
  assert.deepEqual(progressOf(s.nodes.skim!), { done: 0, total: 4, unit: 'chunks', partial: 0.75 });
  // the finished chunk's own count replaces its partial one (no double count)
  s = reduce(s, { type: 'chunk-done', node: 'skim', chunk: 'f.root[0:200000]', events: 200_000, bytes: 0, cached: false, seconds: 5.9, t: 6000 });
  assert.equal(eventsOf(s.nodes.skim!), 250_000);
  assert.deepEqual(progressOf(s.nodes.skim!), { done: 1, total: 4, unit: 'chunks', partial: 0.25 });
  // a late progress message of a finished node changes nothing
  s = reduce(s, { type: 'node-done', node: 'skim', kind: 'skim', seconds: 23.6, chunks: 4, events: 800_000, cachedChunks: 0, t: 12_000 });
  const done = reduce(s, { type: 'chunk-progress', node: 'skim', chunk: 'f.root[600000:800000]', events: 1, total: 200_000, t: 12_001 });
  assert.equal(done.nodes.skim, s.nodes.skim);
  assert.equal(eventsOf(s.nodes.skim!), 800_000);
  assert.equal(progressOf(s.nodes.skim!)!.partial, undefined);
});

test('the time of a chunk node is wall time; its CPU time (summed over workers) is apart', () => {
  const s = reduceAll([
    { type: 'run-start', graph: 'g', file: 'g.ts', nodes: ['skim', 'fit'], workers: 2, cacheDir: null, t: 0 },
    { type: 'node-start', node: 'skim', kind: 'skim', reason: 'new', chunks: 2, t: 1000 },
    { type: 'chunk-done', node: 'skim', chunk: 'a', events: 10, bytes: 0, cached: false, seconds: 4, t: 5000 },
    { type: 'chunk-done', node: 'skim', chunk: 'b', events: 10, bytes: 0, cached: false, seconds: 4, t: 5000 },
    { type: 'node-done', node: 'skim', kind: 'skim', seconds: 8, chunks: 2, events: 20, cachedChunks: 0, t: 5000 },
    { type: 'node-start', node: 'fit', kind: 'fit', reason: 'new', t: 5000 },
    { type: 'node-done', node: 'fit', kind: 'fit', seconds: 1.5, t: 6500 },
    // a whole-artifact node announced when it ends keeps the engine's seconds
    { type: 'node-start', node: 'gen', kind: 'generate', reason: 'new', t: 7000 },
    { type: 'node-done', node: 'gen', kind: 'generate', seconds: 32, t: 7000 },
  ]);
  assert.equal(elapsedOf(s.nodes.gen!, 9999), 32);
  assert.equal(elapsedOf(s.nodes.skim!, 9999), 4);
  assert.equal(cpuOf(s.nodes.skim!), 8);
  assert.equal(rateOf(s.nodes.skim!), 5);
  assert.equal(elapsedOf(s.nodes.fit!, 9999), 1.5);
  assert.equal(cpuOf(s.nodes.fit!), undefined);
});
