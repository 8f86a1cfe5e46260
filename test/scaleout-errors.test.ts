// Scale-out failures a user meets first: bad --executor URLs, an unreachable Redis, a wrong password,
// no worker at all, a worker of another hepflow version. Each is one line and a non-zero exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue, QueueEvents } from 'bullmq';
import { freePort, redisMissing, runFlow, startRedis, startWorkerProc, tempDir } from './helpers/scaleout.ts';
import { parseExecutorUrl } from '../src/scaleout/connection.ts';
import { registerRun, runRecord, unregisterRun } from '../src/scaleout/runs.ts';
import { connectChecked } from '../src/scaleout/connection.ts';
import { WORKER_EVENT, workerEventFrom } from '../src/scaleout/worker-events.ts';

if (redisMissing) console.log(`# skipping the Redis tests: ${redisMissing}`);
const opts = { skip: redisMissing, timeout: 120_000 };

test('executor URLs: parsed into ioredis options, password masked, bad ones named', () => {
  const u = parseExecutorUrl('redis://:s3cret@db.example:7000/2');
  assert.deepEqual(u.options, { host: 'db.example', port: 7000, db: 2, password: 's3cret' });
  assert.equal(u.shown, 'redis://:***@db.example:7000/2');
  assert.deepEqual(parseExecutorUrl('rediss://h').options, { host: 'h', port: 6379, db: 0, tls: { servername: 'h' } });
  assert.throws(() => parseExecutorUrl('http://h:1'), /unsupported scheme "http"/);
  assert.throws(() => parseExecutorUrl('redis://h:1/x'), /must be a database number/);
  assert.throws(() => parseExecutorUrl('not a url'), /not a URL/);
});

const oneLine = (s: string): string[] => s.trim().split('\n').filter(Boolean);

test('bad URL, unreachable Redis, wrong password: one line, non-zero exit, within seconds', opts, async () => {
  const r = await startRedis({ password: 'right' });
  const cwd = tempDir('errs');
  try {
    const closed = await freePort();
    const cases: Array<[string, RegExp]> = [
      ['http://127.0.0.1:1', /--executor: unsupported scheme "http"/],
      [`redis://127.0.0.1:${closed}`, new RegExp(`cannot use Redis at redis://127.0.0.1:${closed}: connection refused`)],
      [`redis://:wrong@127.0.0.1:${r.port}`, /cannot use Redis at redis:\/\/:\*\*\*@127.0.0.1:\d+: authentication failed/],
      [`redis://127.0.0.1:${r.port}`, /authentication failed|NOAUTH/],
    ];
    for (const [url, re] of cases) {
      const t0 = Date.now();
      const res = await runFlow(['run', 'graphs/quickstart.ts', '--executor', url, '--cache-dir', `${cwd}/c`, '--out', `${cwd}/o`, '--ui', 'plain'], { ms: 30_000 });
      assert.notEqual(res.code, 0, url);
      assert.match(res.err, re, url);
      assert.equal(oneLine(res.err).length, 1, `${url}: ${res.err}`);
      assert.ok(Date.now() - t0 < 20_000, `${url} took ${(Date.now() - t0) / 1000}s`);
      assert.doesNotMatch(res.err, /right|wrong/, 'the password never shows');
    }
    const t1 = Date.now();
    const noGraph = await runFlow(['run', `${cwd}/missing.ts`, '--executor', `redis://:right@127.0.0.1:${r.port}`, '--cache-dir', `${cwd}/c`], { ms: 30_000 });
    assert.equal(noGraph.code, 2);
    assert.match(noGraph.err, /graph file not found/);
    assert.ok(Date.now() - t1 < 20_000, 'an error before the run leaves no Redis connection keeping the process alive');
    const env = await runFlow(['run', 'graphs/quickstart.ts', '--cache-dir', `${cwd}/c`, '--out', `${cwd}/o`], { ms: 30_000, env: { FLOW_EXECUTOR: `redis://127.0.0.1:${closed}` } });
    assert.equal(env.code, 2);
    assert.match(env.err, /cannot use Redis at redis:\/\/127\.0\.0\.1:\d+: connection refused/, 'FLOW_EXECUTOR is --executor');
    const w = await runFlow(['worker', `redis://127.0.0.1:${closed}`], { ms: 30_000 });
    assert.equal(w.code, 2);
    assert.match(w.err, /cannot use Redis at .*connection refused/);
  } finally {
    await r.stop();
  }
});

test('no worker at all: "waiting for workers", then --workers-timeout ends the run with a clear error', opts, async () => {
  const r = await startRedis();
  const cwd = tempDir('noworker');
  try {
    const res = await runFlow(['run', 'graphs/quickstart.ts', '--set', 'events=2000', '--executor', r.url, '--workers-timeout', '3', '--cache-dir', `${cwd}/c`, '--out', `${cwd}/o`, '--ui', 'plain', '--retries', '0'], { ms: 120_000 });
    assert.equal(res.code, 1, res.out + res.err);
    assert.match(res.out, /waiting for workers on redis:\/\/127\.0\.0\.1:\d+/);
    assert.match(res.out, /no worker served redis:\/\/127\.0\.0\.1:\d+ within --workers-timeout 3s/);
  } finally {
    await r.stop();
  }
});

test('a worker of another hepflow version refuses the run and says so on the run\'s event stream', opts, async () => {
  const r = await startRedis();
  const url = parseExecutorUrl(r.url);
  const redis = await connectChecked(url);
  const rec = { ...runRecord('fake-run-1', 'fake', 'c0de', null), version: '0.0.0-other' };
  const events = new QueueEvents(rec.queue, { connection: { ...url.options, maxRetriesPerRequest: null } as never });
  const queue = new Queue(rec.queue, { connection: { ...url.options, maxRetriesPerRequest: null } as never });
  try {
    await events.waitUntilReady();
    const refused = new Promise<string>((res) => (events as unknown as NodeJS.EventEmitter).on(WORKER_EVENT, (a: Record<string, string>) => {
      const e = workerEventFrom(a);
      if (e?.state === 'refused') res(e.message ?? '');
    }));
    await registerRun(redis, rec);
    const w = await startWorkerProc(r.url);
    try {
      const msg = await Promise.race([refused, new Promise<string>((_, rej) => setTimeout(() => rej(new Error('no refused event')), 30_000))]);
      assert.match(msg, /runs hepflow \d+\.\d+\.\d+, the run needs 0\.0\.0-other: refused/);
      await w.waitFor('the run needs 0.0.0-other: refused', 10_000);
    } finally {
      await w.kill();
      await unregisterRun(redis, rec.runId);
    }
  } finally {
    await events.close();
    await queue.close();
    redis.disconnect();
    await r.stop();
  }
});
