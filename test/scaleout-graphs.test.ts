// graphs/hzz.ts and graphs/ttbar.ts over 3 `flow worker` processes (own cwd and cache dir each)
// against the local piscina run: byte-identical outputs; a re-run enqueues nothing; a changed
// binning re-fills from the cached skims, which a worker with an empty cache reads from the shared store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redisMissing, runDone, runFlow, startRedis, startWorkerProc, tempDir } from './helpers/scaleout.ts';

if (redisMissing) console.log(`# skipping the Redis tests: ${redisMissing}`);
const opts = { skip: redisMissing, timeout: 600_000 };
const OUTPUTS = ['histograms.root', 'workspace.json', 'fit.json', 'limit.json'];

/** `force`: a graph whose chunks draw random numbers seeded by the chunk id (file path and mtime):
 *  the remote run reuses the local run's generated files and recomputes from that node on. */
async function compareGraph(graph: string, sets: string[], outputs: string[], o: { rebin?: string[]; force?: string } = {}): Promise<void> {
  const local = tempDir('local');
  const ref = await runFlow(['run', graph, ...sets, '--workers', '2', '--cache-dir', join(local, 'c'), '--out', join(local, 'o'), '--ui', 'json']);
  assert.equal(ref.code, 0, ref.err);
  const r = await startRedis();
  const workers = await Promise.all([1, 2, 3].map((i) => startWorkerProc(r.url, { id: `w${i}` })));
  const dir = tempDir('remote');
  const cache = o.force ? join(local, 'c') : join(dir, 'c');
  const remote = (extra: string[] = [], env: Record<string, string> = {}) =>
    runFlow(['run', graph, ...sets, ...extra, '--executor', r.url, '--cache-dir', cache, '--out', join(dir, 'o'), '--ui', 'json'], { env });
  try {
    const first = await remote(o.force ? ['--force', o.force] : []);
    assert.equal(first.code, 0, first.err + first.out.slice(-2000));
    for (const f of outputs) assert.ok(readFileSync(join(local, 'o', f)).equals(readFileSync(join(dir, 'o', f))), `${f} differs from the local run`);
    const done = runDone(first.out);
    const refDone = runDone(ref.out);
    for (const [n, s] of Object.entries(refDone.nodes)) if (s.events !== undefined) assert.equal(done.nodes[n]!.events, s.events, `${n} events`);
    const chunks = Object.values(done.workers ?? {}).reduce((s, w) => s + w.chunks, 0);
    const source = Object.values(done.nodes).find((n) => n.chunks !== undefined)!;
    assert.ok(chunks >= source.chunks!, `workers ran ${chunks} chunk jobs`);
    assert.match(first.out, /"type":"worker","id":"w\d","host":"[^"]+","pid":\d+,"state":"(start|heartbeat)"/);

    const again = await remote();
    assert.equal(again.code, 0, again.err);
    const d2 = runDone(again.out);
    assert.equal(d2.workers, undefined, 'a re-run with nothing changed enqueues nothing');
    assert.ok(Object.values(d2.nodes).every((n) => n.status === 'cached'));

    if (!o.rebin) return;
    // the skims are on w1..w3's disks and in the shared store; a fresh worker has neither locally
    for (const w of workers) await w.kill();
    const fresh = await startWorkerProc(r.url, { id: 'fresh' });
    try {
      const rebinned = await remote(o.rebin, { FLOW_IN_THREAD_EVENTS: '0' });
      assert.equal(rebinned.code, 0, rebinned.err + rebinned.out.slice(-2000));
      const d3 = runDone(rebinned.out);
      assert.ok((d3.workers?.fresh?.chunks ?? 0) > 0, 'the fresh worker filled from cached skims');
      const skims = Object.entries(d3.nodes).filter(([, n]) => n.chunks !== undefined && n.status === 'cached');
      assert.ok(skims.length > 0 && skims.every(([, n]) => n.cached_chunks === n.chunks), 'skims served from the cache');
    } finally {
      await fresh.kill();
    }
  } finally {
    for (const w of workers) await w.kill();
    await r.stop();
  }
}

test('graphs/hzz.ts over 3 workers: byte-identical to the local run; re-run enqueues nothing; rebinning from cached skims', opts, () =>
  compareGraph('graphs/hzz.ts', ['--set', 'events=20000', '--chunk-size', '5000'], OUTPUTS, { rebin: ['--set', 'bins=17'] }));

test('graphs/ttbar.ts over 3 workers: byte-identical to the local run; re-run enqueues nothing', opts, () =>
  compareGraph('graphs/ttbar.ts', ['--set', 'events=4000', '--chunk-size', '1000'], ['histograms.root', 'workspace.json', 'fit.json', 'cutflow.json'], { force: 'events' }));
