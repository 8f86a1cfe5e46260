// Scale-out faults as a batch-farm user meets them: a worker SIGKILLed mid-job (BullMQ re-delivers
// it), Redis restarted mid-run, two runs sharing one Redis. Outputs must be byte-identical to the
// local piscina run and no chunk may count twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { bullOptions, connectChecked, parseExecutorUrl } from '../src/scaleout/connection.ts';
import { listRuns } from '../src/scaleout/runs.ts';
import { redisMissing, runDone, runFlow, spawnFlow, startRedis, startWorkerProc, tempDir, writeTestGraph } from './helpers/scaleout.ts';

if (redisMissing) console.log(`# skipping the Redis tests: ${redisMissing}`);
const opts = { skip: redisMissing, timeout: 300_000 };
const CHUNK = ['--chunk-size', '2000'];

async function localRun(graph: string, sets: string[]): Promise<{ dir: string; done: ReturnType<typeof runDone> }> {
  const dir = tempDir('local');
  const r = await runFlow(['run', graph, ...sets, ...CHUNK, '--workers', '1', '--cache-dir', join(dir, 'c'), '--out', join(dir, 'o'), '--ui', 'json']);
  assert.equal(r.code, 0, r.err);
  return { dir: join(dir, 'o'), done: runDone(r.out) };
}

const same = (a: string, b: string, f: string) => assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs`);

test('SIGKILL of a worker mid-job: the job is re-delivered, outputs identical, nothing counted twice', opts, async () => {
  const graph = writeTestGraph();
  const ref = await localRun(graph, []);
  const r = await startRedis();
  const dir = tempDir('kill');
  const hung = await startWorkerProc(r.url, { env: { HF_TEST_HANG: '1' }, id: 'hung' });
  const run = spawnFlow(['run', graph, ...CHUNK, '--executor', r.url, '--cache-dir', join(dir, 'c'), '--out', join(dir, 'o'), '--ui', 'json']);
  let ok: Awaited<ReturnType<typeof startWorkerProc>> | undefined;
  try {
    await hung.waitFor(/job \S+ \(chunk\)/, 120_000); // it holds a chunk and will never finish it
    hung.proc.kill('SIGKILL');
    ok = await startWorkerProc(r.url, { id: 'ok' });
    assert.equal(await run.exited(240_000), 0, run.out().slice(-3000) + run.err());
    assert.match(run.out(), /stalled \(its worker died or was stuck\): BullMQ re-delivers it/);
    const done = runDone(run.out());
    same(ref.dir, join(dir, 'o'), 'histograms.root');
    same(ref.dir, join(dir, 'o'), 'histograms.json');
    for (const n of ['skim', 'mjj']) assert.equal(done.nodes[n]!.events, ref.done.nodes[n]!.events, `${n} events`);
    assert.equal(done.workers?.ok?.chunks, ref.done.nodes.mjj!.chunks, 'every chunk once, all by the surviving worker');
    assert.equal(done.workers?.hung, undefined);
  } finally {
    await run.kill();
    await ok?.kill();
    await r.stop();
  }
});

test('two runs on one Redis at the same time never mix jobs', opts, async () => {
  const graph = writeTestGraph();
  const [a, b] = await Promise.all([localRun(graph, ['--set', 'bins=20']), localRun(graph, ['--set', 'bins=30'])]);
  const r = await startRedis();
  const ws = [await startWorkerProc(r.url), await startWorkerProc(r.url)];
  const dirs = [tempDir('runA'), tempDir('runB')];
  try {
    const res = await Promise.all([['bins=20', dirs[0]!], ['bins=30', dirs[1]!]].map(([set, d]) =>
      runFlow(['run', graph, '--set', set!, ...CHUNK, '--executor', r.url, '--cache-dir', join(d!, 'c'), '--out', join(d!, 'o'), '--ui', 'json'], { env: { FLOW_IN_THREAD_EVENTS: '0' } })));
    for (const x of res) assert.equal(x.code, 0, x.err + x.out.slice(-2000));
    same(a.dir, join(dirs[0]!, 'o'), 'histograms.root');
    same(b.dir, join(dirs[1]!, 'o'), 'histograms.root');
  } finally {
    for (const w of ws) await w.kill();
    await r.stop();
  }
});

/** Redis restarted after the first chunk: with persistence the jobs survive; without, the
 *  coordinator notices the lost run state and re-submits. Either way the run goes on. */
async function restartMidRun(persist: boolean): Promise<string> {
  const graph = writeTestGraph();
  const ref = await localRun(graph, []);
  const r = await startRedis({ persist });
  const w = await startWorkerProc(r.url, { env: { HF_TEST_STALL_MS: '300' } });
  const dir = tempDir('restart');
  const run = spawnFlow(['run', graph, ...CHUNK, '--executor', r.url, '--cache-dir', join(dir, 'c'), '--out', join(dir, 'o'), '--ui', 'json']);
  try {
    await run.waitFor('"type":"chunk-done"', 120_000);
    await r.restart();
    assert.equal(await run.exited(240_000), 0, run.out().slice(-3000) + run.err());
    same(ref.dir, join(dir, 'o'), 'histograms.root');
    assert.equal(runDone(run.out()).nodes.mjj!.events, ref.done.nodes.mjj!.events, 'every event counted once');
    return run.out();
  } finally {
    await run.kill();
    await w.kill();
    await r.stop();
  }
}

test('Redis restarted mid-run (with persistence): the run waits and goes on, outputs identical', opts, async () => {
  await restartMidRun(true);
});

test('Redis restarted mid-run WITHOUT persistence: the run re-submits what Redis lost and goes on', opts, async () => {
  assert.match(await restartMidRun(false), /lost the run's state \(restarted\?\): re-submitting \d+ job/);
});


test('coordinator SIGKILLed: the re-run resumes from the shared cache, with the chunks workers finished after it died', opts, async () => {
  const graph = writeTestGraph();
  const ref = await localRun(graph, []);
  const r = await startRedis();
  const w = await startWorkerProc(r.url, { env: { HF_TEST_STALL_MS: '300' } });
  const dir = tempDir('coordkill');
  const args = ['run', graph, ...CHUNK, '--executor', r.url, '--cache-dir', join(dir, 'c'), '--out', join(dir, 'o'), '--ui', 'json'];
  const redis = await connectChecked(parseExecutorUrl(r.url));
  try {
    const first = spawnFlow(args);
    await first.waitFor('"type":"chunk-done"', 120_000);
    first.proc.kill('SIGKILL');
    await first.exited(20_000);
    const seen = first.out().split('\n').filter((l) => l.includes('"type":"chunk-done"') && l.includes('"node":"skim"')).length;
    // the dead run's jobs stay queued; the worker finishes them all
    const [rec] = await listRuns(redis);
    const queue = new Queue(rec!.queue, { connection: bullOptions(parseExecutorUrl(r.url)) });
    try {
      let left = 1;
      for (let i = 0; i < 600 && left > 0; i++) {
        const c = await queue.getJobCounts('wait', 'active', 'completed');
        left = (c.wait ?? 0) + (c.active ?? 0) + ((c.completed ?? 0) === 0 ? 1 : 0);
        if (left) await new Promise((res) => setTimeout(res, 200));
      }
      assert.equal(left, 0, 'the worker drained the dead run');
    } finally {
      await queue.close();
    }
    const again = await runFlow(args);
    assert.equal(again.code, 0, again.err);
    const d = runDone(again.out);
    assert.equal(d.workers, undefined, 'nothing left to enqueue');
    assert.equal(d.nodes.skim!.cached_chunks, d.nodes.skim!.chunks);
    assert.ok(d.nodes.skim!.chunks! > seen, `${seen} chunks were done before the kill`);
    same(ref.dir, join(dir, 'o'), 'histograms.root');
    assert.equal(d.nodes.mjj!.events, ref.done.nodes.mjj!.events);
    assert.equal((await listRuns(redis)).length, 0, 'the dead run was cleaned up by the next coordinator');
  } finally {
    redis.disconnect();
    await w.kill();
    await r.stop();
  }
});

test('Redis gone for good mid-run: one line naming Redis, non-zero exit, no hang', opts, async () => {
  const graph = writeTestGraph();
  const r = await startRedis();
  const w = await startWorkerProc(r.url, { env: { HF_TEST_STALL_MS: '300' } });
  const dir = tempDir('gone');
  const run = spawnFlow(['run', graph, ...CHUNK, '--executor', r.url, '--retries', '0', '--cache-dir', join(dir, 'c'), '--out', join(dir, 'o'), '--ui', 'plain'], { env: { FLOW_REDIS_DOWN_MS: '3000' } });
  try {
    await run.waitFor(/skim +start/, 120_000); // Redis goes before or just after the first jobs
    await r.stop();
    const code = await run.exited(90_000);
    assert.equal(code, 1, run.out().slice(-2000) + run.err());
    assert.match(run.out(), /lost Redis at redis:\/\/127\.0\.0\.1:\d+: unreachable for 3s/);
    await w.kill('SIGTERM');
    assert.notEqual(w.proc.exitCode ?? w.proc.signalCode, null, 'the worker stops too');
  } finally {
    await run.kill();
    await w.kill('SIGKILL');
  }
});

test('Redis gone before the first job (while the inputs are generated): one line, no hang', opts, async () => {
  const graph = writeTestGraph();
  const r = await startRedis();
  const dir = tempDir('gone0');
  const run = spawnFlow(['run', graph, '--set', 'events=60000', ...CHUNK, '--executor', r.url, '--retries', '0', '--cache-dir', join(dir, 'c'), '--out', join(dir, 'o'), '--ui', 'plain'], { env: { FLOW_REDIS_DOWN_MS: '3000' } });
  try {
    await run.waitFor(/inputs +generating/, 120_000);
    await r.stop();
    assert.equal(await run.exited(150_000), 1, run.out().slice(-2000) + run.err());
    assert.match(run.out(), /redis:\/\/127\.0\.0\.1:\d+/, 'the failure names Redis');
  } finally {
    await run.kill();
  }
});
