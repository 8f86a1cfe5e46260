// The worker's code path (runChunkTask behind a ChunkPool) against a blob that disappears between
// the main thread's key lookup and the worker's read (a gc or a concurrent run dropping it): the
// value is recomputed as in the main thread, not a failed chunk (issue 12 item 2). In-process, with
// a pool that runs each task as worker.ts does, so the store can be observed.
process.env.FLOW_IN_THREAD_EVENTS = '0'; // (read at import by older executors)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, renameSync, unlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { blobPath } from '../cache/blobfiles.ts';
import type { Store } from '../cache/types.ts';
import { makeToyProject, runToy, writeToyGraph } from './engine/harness.ts';

const dir = makeToyProject('worker-path');
const data = join(dir, 'data');

test('a blob that vanished after the main thread saw its entry is recomputed in the worker', async () => {
  const ref = await runToy(dir, ['--set', `data=${data}`]);
  assert.equal(ref.code, 0, ref.stderr);
  const { loadGraph } = await import('../src/engine/load.ts');
  const { executeGraph } = await import('../src/engine/executor.ts');
  const { runChunkTask } = await import('../src/engine/chunk-task.ts');
  const { openStore } = await import('../cache/store.ts');
  const store = await openStore(join(dir, 'cache'));
  try {
    const readBlobs = new Set([...store.ls()].filter((e) => e.label.node === 'read' && e.size > 20000).map((e) => e.blobs[0]!));
    assert.ok(readBlobs.size >= 3, 'file blobs of read');
    // the worker's store: each of read's blob files is removed right before the worker reads it
    const vanishing: Store = Object.create(store, {
      readBlob: {
        value: (h: string) => {
          const path = blobPath(join(dir, 'cache', 'blobs'), h);
          if (readBlobs.has(h) && existsSync(path)) unlinkSync(path);
          return store.readBlob(h);
        },
      },
    });
    const g = await loadGraph(join(dir, 'toy.ts'), { data });
    const events: any[] = [];
    const subject = new Subject<any>();
    subject.subscribe((e) => events.push(e));
    const pool = {
      run: (task: any) => runChunkTask(task, g.plan, vanishing),
      runNodeTask: async () => { throw new Error('no node tasks here'); },
      destroy: async () => {},
    };
    const summary = await executeGraph(g, {
      workers: 1, store, cacheDir: join(dir, 'cache'), outDir: join(dir, 'out-vanish'), force: ['map'], retries: 0, chunkSize: 5000,
      skipBadFiles: false, signal: new AbortController().signal, sets: { data }, makePool: () => pool, inThreadMaxEvents: 0,
    } as any, subject);
    assert.equal(summary.ok, true, JSON.stringify(summary.nodes));
    assert.equal(summary.nodes.read!.status, 'computed');
    assert.equal(summary.nodes.read!.reason, 'corrupt');
    assert.ok(events.some((e) => e.type === 'warning' && /corrupt|missing/.test(e.message)), 'a warning names it');
    assert.equal(readFileSync(join(dir, 'out-vanish', 'summary.json'), 'utf8'), readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
  } finally {
    await store.close();
  }
});

test('the ChunkPool seam carries plain data: tasks through JSON, results through structured clone, a failure as data', async () => {
  const { loadGraph } = await import('../src/engine/load.ts');
  const { executeGraph } = await import('../src/engine/executor.ts');
  const { runChunkTask } = await import('../src/engine/chunk-task.ts');
  const { openStore } = await import('../cache/store.ts');
  const run = async (graphFile: string, sets: Record<string, string>, out: string) => {
    const store = await openStore(join(dir, 'cache-seam'));
    const g = await loadGraph(join(dir, graphFile), sets);
    const results: any[] = [];
    // as a remote pool ships them: the task as JSON, the result as a structured clone
    const pool = {
      run: async (task: any) => {
        const r = await runChunkTask(JSON.parse(JSON.stringify(task)), g.plan, store);
        results.push(r);
        return structuredClone(r);
      },
      runNodeTask: async () => { throw new Error('no node tasks here'); },
      destroy: async () => {},
    };
    try {
      const summary = await executeGraph(g, {
        workers: 1, store, cacheDir: join(dir, 'cache-seam'), outDir: join(dir, out), force: [], retries: 0, chunkSize: 5000,
        skipBadFiles: false, signal: new AbortController().signal, sets, makePool: () => pool, inThreadMaxEvents: 0,
      }, new Subject());
      return { summary, results };
    } finally {
      await store.close();
    }
  };
  const ok = await run('toy.ts', { data }, 'out-seam');
  assert.equal(ok.summary.ok, true, JSON.stringify(ok.summary.nodes));
  assert.equal(readFileSync(join(dir, 'out-seam', 'summary.json'), 'utf8'), readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
  assert.ok(ok.results.length >= 9);
  // a failing user function: the failure is data naming node, kind, chunk and the graph line
  writeToyGraph(dir, { mapFn: '(x) => { if (x > 0.5) throw new RangeError("too big: " + x); return x; }' });
  renameSync(join(dir, 'toy.ts'), join(dir, 'toy-bad.ts')); // a new module (the first one stays imported)
  const bad = await run('toy-bad.ts', { data }, 'out-seam-bad');
  assert.equal(bad.summary.ok, false);
  const f = bad.results.find((r) => r.failure)?.failure;
  assert.ok(f, 'a result with a failure');
  assert.deepEqual(JSON.parse(JSON.stringify(f)), f, 'plain data');
  assert.equal(f.node, 'map');
  assert.equal(f.kind, 'toy-map');
  assert.match(f.chunk, /^f\d\.f64\[\d+:\d+\]$/);
  assert.equal(f.errorName, 'RangeError');
  assert.match(f.message, /^too big: /);
  assert.match(f.at, /toy-bad\.ts:7:\d+$/);
  assert.match(bad.summary.nodes.map!.error!, /node 'map' \(toy-map\): RangeError: too big: .* \(at .*toy-bad\.ts:7:\d+\)$/);
  // only the node whose code threw failed: the source stopped with it, the nodes it feeds are skipped
  assert.deepEqual(bad.summary.nodes.read, { status: 'skipped', reason: "stopped: node 'map' failed on the same chunks", seconds: 0 });
  assert.deepEqual(bad.summary.nodes.hist, { status: 'skipped', reason: "input 'map' failed", seconds: 0 });
  assert.equal(bad.summary.nodes['hist-raw']!.status, 'skipped');
  assert.deepEqual(Object.entries(bad.summary.nodes).filter(([, n]) => n.status === 'failed').map(([k]) => k), ['map']);
  writeToyGraph(dir);
});
