// Scale-out faults as a batch-farm user meets them: a worker SIGKILLed mid-job (BullMQ re-delivers
// it), Redis restarted mid-run, two runs sharing one Redis. Outputs must be byte-identical to the
// local piscina run and no chunk may count twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

test('Redis restarted mid-run (with persistence): the run waits and goes on, outputs identical', opts, async () => {
  const graph = writeTestGraph();
  const ref = await localRun(graph, []);
  const r = await startRedis({ persist: true });
  const w = await startWorkerProc(r.url, { env: { HF_TEST_STALL_MS: '300' } });
  const dir = tempDir('restart');
  const run = spawnFlow(['run', graph, ...CHUNK, '--executor', r.url, '--cache-dir', join(dir, 'c'), '--out', join(dir, 'o'), '--ui', 'json']);
  try {
    await run.waitFor('"type":"chunk-done"', 120_000);
    await r.restart();
    assert.equal(await run.exited(240_000), 0, run.out().slice(-3000) + run.err());
    same(ref.dir, join(dir, 'o'), 'histograms.root');
    assert.equal(runDone(run.out()).nodes.mjj!.events, ref.done.nodes.mjj!.events);
  } finally {
    await run.kill();
    await w.kill();
    await r.stop();
  }
});
