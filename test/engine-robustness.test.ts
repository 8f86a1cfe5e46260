// Crash safety (SIGKILL mid-run, then resume), Ctrl-C, two concurrent runs on one cache, and the
// NDJSON contract of `flow run --ui json`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, makeToyProject, runDone, runToy, writeToyGraph } from './engine/harness.ts';

const dir = makeToyProject('robust');
writeToyGraph(dir, { slowMs: 120 });

test('reference run (uninterrupted, own cache)', async () => {
  const r = await runToy(dir, ['--cache-dir', 'ref-cache', '--out', 'ref-out']);
  assert.equal(r.code, 0, r.stderr);
});

test('--ui json: every line is an event with a type; the last is run-done with per-node fields', async () => {
  const r = await runToy(dir, ['--cache-dir', 'ref-cache', '--out', 'ref-out']);
  const lines = r.stdout.trim().split('\n');
  for (const l of lines) assert.equal(typeof JSON.parse(l).type, 'string', l);
  const done = JSON.parse(lines.at(-1)!);
  assert.equal(done.type, 'run-done');
  assert.equal(done.ok, true);
  assert.equal(typeof done.seconds, 'number');
  for (const [name, n] of Object.entries<any>(done.nodes)) {
    assert.ok(['cached', 'computed', 'failed', 'skipped'].includes(n.status), name);
    assert.equal(typeof n.reason, 'string');
    assert.equal(typeof n.seconds, 'number');
  }
  for (const n of ['read', 'map', 'hist', 'hist-raw']) {
    assert.equal(done.nodes[n].chunks, 9);
    assert.equal(done.nodes[n].cached_chunks, 9);
    assert.equal(done.nodes[n].events, 36000);
  }
  assert.equal(done.nodes.summary.chunks, undefined);
});

test('SIGKILL mid-run, then re-run: resumes from the cache and gives byte-identical outputs', async () => {
  // The last chunk blocks (TOY_HOLD) in one of two workers, so the run cannot finish before the
  // kill however busy the machine is, and the other worker gives the 3 finished hist chunks.
  let seen = 0;
  const killed = await runToy(dir, ['--cache-dir', 'c1', '--out', 'o1', '--workers', '2'], {
    env: { TOY_HOLD: 'f2.f64:10000' },
    onEvent: (e, kill) => {
      if (e.type === 'chunk-done' && e.node === 'hist' && ++seen === 3) kill();
    },
  });
  assert.equal(killed.signal, 'SIGKILL');
  assert.equal(existsSync(join(dir, 'o1', 'summary.json')), false, 'no output from a killed run');
  const r = await runToy(dir, ['--cache-dir', 'c1', '--out', 'o1']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(runDone(r).nodes.read.cached_chunks >= 3, 'finished chunks were kept');
  assert.equal(readFileSync(join(dir, 'o1', 'summary.json'), 'utf8'), readFileSync(join(dir, 'ref-out', 'summary.json'), 'utf8'));
  assert.equal(readFileSync(join(dir, 'o1', 'total.json'), 'utf8'), readFileSync(join(dir, 'ref-out', 'total.json'), 'utf8'));
  // every entry the index holds is complete: all its blobs are present and verify
  const { openStore } = await import('../cache/store.ts');
  const store = await openStore(join(dir, 'c1'));
  try {
    for (const e of store.ls()) for (const b of e.blobs) await store.readBlob(b);
  } finally {
    await store.close();
  }
});

test('Ctrl-C (SIGINT): exit 130, nothing written, next run resumes', async () => {
  // as above: the last chunk blocks, so the run is still going when SIGINT arrives
  const p = spawn(process.execPath, [CLI, 'run', 'toy.ts', '--ui', 'json', '--cache-dir', 'c3', '--out', 'o3', '--chunk-size', '5000', '--workers', '2'], { cwd: dir, env: { ...process.env, CI: '1', TOY_HOLD: 'f2.f64:10000' } });
  let out = '';
  let sent = false;
  p.stdout.on('data', (d: Buffer) => {
    out += d;
    if (!sent && (out.match(/"chunk-done"/g) ?? []).length >= 2) {
      sent = true;
      p.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((res) => p.on('close', (c) => res(c)));
  assert.equal(code, 130);
  const last = JSON.parse(out.trim().split('\n').at(-1)!);
  assert.equal(last.type, 'run-done');
  assert.equal(last.ok, false);
  assert.equal(existsSync(join(dir, 'o3', 'summary.json')), false);
  const again = await runToy(dir, ['--cache-dir', 'c3', '--out', 'o3']);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(runDone(again).nodes.read.cached_chunks >= 1);
  assert.equal(readFileSync(join(dir, 'o3', 'summary.json'), 'utf8'), readFileSync(join(dir, 'ref-out', 'summary.json'), 'utf8'));
});

test('two concurrent runs on one cache dir both succeed with identical outputs', async () => {
  const [a, b] = await Promise.all([
    runToy(dir, ['--cache-dir', 'shared', '--out', 'oa']),
    runToy(dir, ['--cache-dir', 'shared', '--out', 'ob']),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const sa = readFileSync(join(dir, 'oa', 'summary.json'), 'utf8');
  assert.equal(sa, readFileSync(join(dir, 'ob', 'summary.json'), 'utf8'));
  assert.equal(sa, readFileSync(join(dir, 'ref-out', 'summary.json'), 'utf8'));
});
